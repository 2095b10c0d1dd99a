package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static dev.tsunagu.testkit.tcp.TcpPeer.ms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CONFORMANCE.md, Data path: retransmissions at exponentially growing intervals, each with a
 * new IP ID [tcp_retransmits, ipv4_id_uniqueness].
 */
class TcpDataRetransmissionTest {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    /** The original and {@code n} retransmissions of one segment nobody acknowledges. */
    private static List<Seen> originalAndRetransmissions(TcpPeer peer, TcpSocket s, byte[] data, int n)
            throws Exception {
        s.write(data);
        List<Seen> all = new ArrayList<>();
        all.add(peer.next(Duration.ZERO));
        for (int i = 0; i < n; i++) {
            all.add(peer.next(MINUTE));
        }
        for (Seen x : all) {
            assertThat(x.seq()).as("the same segment again: %s", x).isEqualTo(peer.stackData);
            assertThat(x.payload()).isEqualTo(data);
        }
        return all;
    }

    private static List<Long> offsets(List<Seen> all) {
        long t0 = all.getFirst().at();
        return all.stream().map(x -> x.at() - t0).toList();
    }

    @Test
    void aPassiveOpenTakesTheSynAckRoundTripAsItsFirstRttSample() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            // The SYN-ACK was answered at once and sent once (Karn): an RTT sample of 0, so the
            // RTO is the 200 ms floor rather than the initial 1 s, and backs off from there.
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            List<Seen> all = originalAndRetransmissions(peer, s, bytes(100, 1), 4);
            assertThat(offsets(all)).containsExactly(0L, ms(200), ms(600), ms(1400), ms(3000));
        }
    }

    @Test
    void afterAnRttSampleRetransmissionsStartAtTheMinimumRtoOf200ms() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            // Active open with a 10 ms handshake RTT: RTO = 10 + 4 * 5 = 30 ms, floored at 200 ms.
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535, Duration.ofMillis(10));
            List<Seen> all = originalAndRetransmissions(peer, s, bytes(100, 2), 4);
            assertThat(offsets(all)).containsExactly(0L, ms(200), ms(600), ms(1400), ms(3000));
        }
    }

    @Test
    void eachRetransmissionCarriesANewIpIdentification() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535, Duration.ofMillis(10));
            List<Seen> all = originalAndRetransmissions(peer, s, bytes(300, 3), 5);
            assertThat(all).extracting(Seen::ipId).doesNotHaveDuplicates();
            // and they differ from every other datagram the stack sent on this connection
            List<Integer> everyId = peer.log.stream().map(Seen::ipId).toList();
            assertThat(everyId).doesNotHaveDuplicates();
        }
    }
}
