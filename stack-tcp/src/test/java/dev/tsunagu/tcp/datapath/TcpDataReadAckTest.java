package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A read that is waiting when data arrives: the data is delivered at once and the ACK policy is
 * the usual one (every second full segment, or the delayed-ACK timer) — no extra window update
 * per read, and never the same ACK twice.
 */
class TcpDataReadAckTest {
    @Test
    void aWaitingReadDoesNotTurnEverySegmentIntoTwoAcks() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            CompletableFuture<Integer> first = s.readAsync(new byte[4096], 0, 4096);
            peer.sendData(bytes(1460, 1));
            assertThat(first).isCompletedWithValue(1460);
            assertThat(peer.takeNow()).as("one full segment: the ACK waits for a second one or the timer").isEmpty();

            CompletableFuture<Integer> second = s.readAsync(new byte[4096], 0, 4096);
            peer.sendData(bytes(1460, 2));
            assertThat(second).isCompletedWithValue(1460);
            List<Seen> sent = peer.takeNow();
            assertThat(sent).as("one ACK for the two segments, with the window the reads freed: %s", sent).hasSize(1);
            assertThat(sent.getFirst().isBareAck()).isTrue();
            assertThat(sent.getFirst().ack()).isEqualTo(peer.sndNxt);
        }
    }

    @Test
    void aReadThatReopensAClosedWindowSendsAWindowUpdate() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT.withReceiveBuffer(4 * 1460), 1460, -1, 65535);
            for (int i = 0; i < 4; i++) {
                peer.sendData(bytes(1460, 10 + i));
            }
            List<Seen> acks = peer.takeNow();
            assertThat(acks.getLast().window()).as("the buffer is full").isZero();
            assertThat(s.readAsync(new byte[4 * 1460], 0, 4 * 1460)).isCompletedWithValue(4 * 1460);
            List<Seen> update = peer.takeNow();
            assertThat(update).as("the read reopens the window: the peer must hear of it").hasSize(1);
            assertThat(update.getFirst().window()).isEqualTo(4 * 1460);
        }
    }
}
