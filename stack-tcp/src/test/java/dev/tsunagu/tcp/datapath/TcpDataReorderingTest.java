package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * CONFORMANCE.md, Data path: out-of-order segments are buffered and ACKed with duplicate ACKs
 * at once; reordering does not lose data [tcp_reordering]; three duplicate ACKs trigger fast
 * retransmit.
 */
class TcpDataReorderingTest {

    private static byte[] readExactly(TcpSocket s, int n) throws Exception {
        byte[] got = new byte[n];
        int total = 0;
        while (total < n) {
            int k = s.read(got, total, n - total, Duration.ofSeconds(1));
            assertThat(k).as("bytes read after %d", total).isPositive();
            total += k;
        }
        return got;
    }

    @Test
    void outOfOrderSegmentsAreBufferedAndAckedAtOnceWithDuplicateAcks() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            byte[] data = bytes(300, 1);
            int start = peer.sndNxt;
            peer.sendDataAt(start + 100, Arrays.copyOfRange(data, 100, 200));
            List<Seen> first = peer.takeNow();
            peer.sendDataAt(start + 200, Arrays.copyOfRange(data, 200, 300));
            List<Seen> second = peer.takeNow();
            assertThat(first).hasSize(1);
            assertThat(second).hasSize(1);
            for (Seen dup : List.of(first.getFirst(), second.getFirst())) {
                assertThat(dup.isBareAck()).as("%s", dup).isTrue();
                assertThat(dup.ack()).as("still expecting the first byte").isEqualTo(start);
            }
            assertThat(second.getFirst().window()).as("a true duplicate: same window")
                    .isEqualTo(first.getFirst().window());
            assertThat(s.readAsync(new byte[10], 0, 10)).as("nothing readable across the hole").isNotDone();

            // The hole fills: everything held is delivered, and the ACK covers it all at once.
            peer.sendDataAt(start, Arrays.copyOfRange(data, 0, 100));
            List<Seen> filled = peer.takeNow();
            assertThat(filled).hasSize(1);
            assertThat(filled.getFirst().ack()).isEqualTo(start + 300);
        }
    }

    @Test
    void outOfOrderDataIsDeliveredInOrderOnceTheHoleFills() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            byte[] data = bytes(300, 2);
            int start = peer.sndNxt;
            peer.sendDataAt(start + 200, Arrays.copyOfRange(data, 200, 300));
            peer.sendDataAt(start + 100, Arrays.copyOfRange(data, 100, 200));
            peer.sendDataAt(start, Arrays.copyOfRange(data, 0, 100));
            assertThat(readExactly(s, 300)).isEqualTo(data);
        }
    }

    @Test
    void reorderingDoesNotLoseData() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            int segments = 40;
            int size = 1000;
            byte[] data = bytes(segments * size, 3);
            int start = peer.sndNxt;
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < segments; i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(42));
            for (int i : order) {
                peer.sendDataAt(start + i * size, Arrays.copyOfRange(data, i * size, (i + 1) * size));
                peer.takeFor(Duration.ofMillis(1));
            }
            assertThat(readExactly(s, data.length)).isEqualTo(data);
            List<Seen> acks = new ArrayList<>(peer.log);
            acks.addAll(peer.takeNow());
            assertThat(acks.getLast().ack()).as("everything acknowledged").isEqualTo(start + data.length);
        }
    }

    @Test
    void threeDuplicateAcksTriggerFastRetransmitBeforeTheRto() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT, 1000, -1, 65535, Duration.ofMillis(10));
            byte[] data = bytes(4000, 4);
            s.write(data);
            List<Seen> flight = peer.takeNow();
            assertThat(flight).extracting(Seen::length).containsExactly(1000, 1000, 1000, 1000);
            long t0 = flight.getFirst().at();

            // The first segment is lost; each later one draws a duplicate ACK.
            assertThat(peer.takeFor(Duration.ofMillis(5))).isEmpty();
            peer.sendAck(peer.stackData, 65535);
            assertThat(peer.takeNow()).as("one duplicate ACK: nothing").isEmpty();
            peer.sendAck(peer.stackData, 65535);
            assertThat(peer.takeNow()).as("two duplicate ACKs: nothing").isEmpty();
            peer.sendAck(peer.stackData, 65535);
            List<Seen> fast = peer.takeNow();
            assertThat(fast).as("the third duplicate ACK: the first unacknowledged segment again").hasSize(1);
            Seen rtx = fast.getFirst();
            assertThat(rtx.at() - t0).as("long before the 200 ms RTO").isEqualTo(Duration.ofMillis(5).toNanos());
            assertThat(rtx.seq()).isEqualTo(peer.stackData);
            assertThat(rtx.payload()).isEqualTo(Arrays.copyOf(data, 1000));

            // The hole is filled: the ACK covers everything, and nothing is sent again.
            peer.sendAck(peer.stackData + 4000, 65535);
            assertThat(peer.takeFor(Duration.ofSeconds(2))).isEmpty();
        }
    }
}
