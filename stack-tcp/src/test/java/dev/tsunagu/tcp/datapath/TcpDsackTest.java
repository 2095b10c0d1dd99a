package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import dev.tsunagu.testkit.wire.TcpOptions;
import dev.tsunagu.testkit.wire.TcpRepr;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * RFC 2883, sending D-SACKs: data that arrives again is reported once, as the first SACK block
 * of the ACK it draws, below the cumulative ACK, so the sender can tell that its
 * retransmission was spurious.
 */
class TcpDsackTest {
    private static final int ACK = TcpRepr.ACK, PSH = TcpRepr.PSH;

    /** The stack connects; the peer's SYN-ACK agrees to SACK ({@code sack}) and nothing else. */
    private static void connect(TcpPeer peer, boolean sack) {
        CompletableFuture<TcpSocket> f = peer.stack.tcp().connectAsync(new InetSocketAddress(TcpPeer.PEER_ADDRESS, peer.port),
                TcpSocketOptions.DEFAULT);
        Seen syn = peer.next(Duration.ZERO);
        peer.stackPort = syn.tcp().sourcePort();
        peer.ack = syn.seq() + 1;
        peer.sendWithOptions(peer.sndNxt, TcpRepr.SYN | ACK, TcpOptions.syn(1460, -1, sack), new byte[0]);
        peer.sndNxt++;
        peer.next(Duration.ZERO);
        assertThat(f).isDone();
    }

    private static void send(TcpPeer peer, int seq, byte[] data) {
        peer.sendWithOptions(seq, ACK | PSH, TcpOptions.NONE, data);
    }

    @Test
    void rfc2883_4_dataThatArrivesAgainIsReportedOnceAsTheFirstBlock() {
        try (TcpPeer peer = TcpPeer.start()) {
            connect(peer, true);
            int first = peer.sndNxt;
            send(peer, first, bytes(100, 1));
            peer.sndNxt += 100;
            peer.next(Duration.ofSeconds(1)); // the delayed ACK

            send(peer, first, bytes(100, 1)); // the same segment again: our ACK was taken for lost
            Seen dup = peer.next(Duration.ZERO);
            assertThat(dup.ack()).isEqualTo(peer.sndNxt);
            assertThat(dup.options().sackBlocks()).as("a D-SACK block: below the cumulative ACK")
                    .containsExactly(first, first + 100);
            assertThat(peer.counter("DsacksSent")).isEqualTo(1);

            send(peer, peer.sndNxt, bytes(100, 2));
            peer.sndNxt += 100;
            Seen next = peer.next(Duration.ofSeconds(1));
            assertThat(next.options().sackBlocks()).as("each duplicate reported once").isEmpty();
        }
    }

    @Test
    void rfc2883_4_1_1_theDuplicatePartOfASegmentThatAlsoBringsNewData() {
        try (TcpPeer peer = TcpPeer.start()) {
            connect(peer, true);
            int first = peer.sndNxt;
            send(peer, first, bytes(100, 1));
            peer.sndNxt += 100;
            peer.next(Duration.ofSeconds(1));
            // A resegmented retransmission: 100 old bytes and 100 new.
            send(peer, first, bytes(200, 3));
            peer.sndNxt += 100;
            Seen ack = peer.next(Duration.ZERO);
            assertThat(ack.ack()).isEqualTo(peer.sndNxt);
            assertThat(ack.options().sackBlocks()).containsExactly(first, first + 100);
        }
    }

    @Test
    void rfc2883_4_aDuplicateAboveAHoleLeadsAndTheHolesBlockFollows() {
        try (TcpPeer peer = TcpPeer.start()) {
            connect(peer, true);
            int first = peer.sndNxt;
            send(peer, first, bytes(100, 1));
            peer.next(Duration.ofSeconds(1));
            send(peer, first + 200, bytes(100, 4)); // out of order: a hole at first + 100
            assertThat(peer.next(Duration.ZERO).options().sackBlocks()).containsExactly(first + 200, first + 300);
            send(peer, first, bytes(100, 1)); // old data again
            Seen ack = peer.next(Duration.ZERO);
            assertThat(ack.ack()).isEqualTo(first + 100);
            assertThat(ack.options().sackBlocks()).as("the D-SACK first, then what is held above the hole")
                    .containsExactly(first, first + 100, first + 200, first + 300);
        }
    }

    @Test
    void withoutSackNoBlockIsSent() {
        try (TcpPeer peer = TcpPeer.start()) {
            connect(peer, false);
            int first = peer.sndNxt;
            send(peer, first, bytes(100, 1));
            peer.sndNxt += 100;
            peer.next(Duration.ofSeconds(1));
            send(peer, first, bytes(100, 1));
            assertThat(peer.next(Duration.ZERO).options().sackBlocks()).isEmpty();
            assertThat(peer.counter("DsacksSent")).isZero();
        }
    }
}
