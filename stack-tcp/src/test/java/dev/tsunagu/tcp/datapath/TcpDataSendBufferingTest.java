package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static dev.tsunagu.testkit.tcp.TcpPeer.ms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * CONFORMANCE.md, Data path: a segment is not split just because the send window is smaller
 * than it [tcp_splitseg_mss]; Nagle holds sub-MSS data while unacknowledged data is in
 * flight; cork / "full segment or timer" holds until MSS or the timer [tcp_cork_mss]; no-delay
 * and flush send at once.
 */
class TcpDataSendBufferingTest {
    private static final TcpSocketOptions FULL_OR_TIMER = TcpSocketOptions.DEFAULT.withSendBuffering("full-segment-or-timer");

    @Test
    void aSegmentIsNotSplitJustBecauseTheSendWindowIsSmallerThanIt() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT, 1000, -1, 8000, Duration.ZERO);
            byte[] data = bytes(6000, 1);
            s.write(data);
            assertThat(peer.takeNow()).extracting(Seen::length).containsExactly(1000, 1000, 1000, 1000); // cwnd 4 MSS
            // Everything is acknowledged, but the window left is 10 bytes short of a segment,
            // while 2000 bytes wait.
            assertThat(peer.takeFor(Duration.ofMillis(10))).isEmpty();
            peer.sendAck(peer.stackData + 4000, 990);
            assertThat(peer.takeFor(Duration.ofMillis(100))).as("no 990-byte piece").isEmpty();
            // The window opens: full segments, nothing cut.
            peer.sendAck(peer.stackData + 4000, 8000);
            List<Seen> sent = peer.takeNow();
            assertThat(sent).extracting(Seen::length).containsExactly(1000, 1000);
            assertThat(sent.getFirst().seq()).isEqualTo(peer.stackData + 4000);
            assertThat(sent.getFirst().payload()).isEqualTo(Arrays.copyOfRange(data, 4000, 5000));
            assertThat(sent.getLast().payload()).isEqualTo(Arrays.copyOfRange(data, 5000, 6000));
        }
    }

    @Test
    void nagleHoldsSubMssDataWhileUnacknowledgedDataIsInFlight() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535, Duration.ofMillis(10));
            byte[] first = bytes(100, 2);
            byte[] second = bytes(50, 3);
            s.write(first);
            List<Seen> sent = peer.takeNow();
            assertThat(sent).as("nothing in flight: a partial segment leaves").extracting(Seen::length)
                    .containsExactly(100);
            long t0 = sent.getFirst().at();
            s.write(second);
            assertThat(peer.takeFor(Duration.ofMillis(100))).as("100 bytes unacknowledged: held").isEmpty();
            peer.sendAck(peer.stackData + 100, 65535);
            List<Seen> after = peer.takeNow();
            assertThat(after).extracting(Seen::length).containsExactly(50);
            assertThat(after.getFirst().at() - t0).as("when the ACK came").isEqualTo(ms(100));
            assertThat(after.getFirst().payload()).isEqualTo(second);
        }
    }

    @Test
    void noDelaySendsPartialSegmentsAtOnce() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT.withNoDelay(true));
            s.write(bytes(100, 4));
            s.write(bytes(50, 5));
            List<Seen> sent = peer.takeNow();
            assertThat(sent).extracting(Seen::length).containsExactly(100, 50);
            assertThat(sent.getLast().at()).isEqualTo(sent.getFirst().at());
        }
    }

    @Test
    void theNoDelayPolicySendsPartialSegmentsAtOnce() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT.withSendBuffering("nodelay"));
            s.write(bytes(100, 4));
            s.write(bytes(50, 5));
            assertThat(peer.takeNow()).extracting(Seen::length).containsExactly(100, 50);
        }
    }

    @Test
    void fullSegmentOrTimerHoldsAPartialSegmentUntilItsTimerExactly() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(FULL_OR_TIMER, 536, -1, 65535, Duration.ZERO);
            long t0 = peer.loop.now();
            byte[] a = "Sample Data".getBytes();
            s.write(a);
            assertThat(peer.takeFor(Duration.ofMillis(50))).as("held, though nothing is in flight").isEmpty();
            s.write(a);
            assertThat(peer.takeUntil(t0 + ms(200) - 1)).isEmpty();
            Seen seg = peer.next(Duration.ofSeconds(1));
            assertThat(seg.at() - t0).as("tcp.sendHold after the oldest byte").isEqualTo(ms(200));
            assertThat(seg.payload()).isEqualTo("Sample DataSample Data".getBytes());
        }
    }

    @Test
    void fullSegmentOrTimerSendsAsSoonAsAFullSegmentIsBuffered() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(FULL_OR_TIMER, 536, -1, 65535, Duration.ZERO);
            byte[] small = "Sample Data".getBytes();
            byte[] fill = bytes(536 - small.length, 6);
            s.write(small);
            assertThat(peer.takeFor(Duration.ofMillis(50))).isEmpty();
            long t1 = peer.loop.now();
            s.write(fill);
            List<Seen> sent = peer.takeNow();
            assertThat(sent).extracting(Seen::length).containsExactly(536);
            assertThat(sent.getFirst().at()).isEqualTo(t1);
            byte[] expected = new byte[536];
            System.arraycopy(small, 0, expected, 0, small.length);
            System.arraycopy(fill, 0, expected, small.length, fill.length);
            assertThat(sent.getFirst().payload()).as("coalesced").isEqualTo(expected);
            peer.sendAck(peer.stackData + 536, 65535);
            assertThat(peer.takeFor(Duration.ofSeconds(1))).as("nothing left to send").isEmpty();
        }
    }

    @Test
    void fullSegmentOrTimerHoldsTheRemainderAfterAFullSegmentForItsOwnHoldTime() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(FULL_OR_TIMER, 536, -1, 65535, Duration.ZERO);
            long t0 = peer.loop.now();
            byte[] small = "Sample Data".getBytes();
            s.write(small);
            s.write(small);
            peer.takeFor(Duration.ofMillis(50));
            byte[] large = bytes(537, 7); // 22 + 537 = 536 + 23
            s.write(large);
            List<Seen> full = peer.takeNow();
            assertThat(full).extracting(Seen::length).containsExactly(536);
            peer.sendAck(peer.stackData + 536, 65535);
            // The 23 bytes left were all written at t0 + 50 ms: they may wait until t0 + 250 ms.
            assertThat(peer.takeUntil(t0 + ms(250) - 1)).as("the remainder waits its own hold time").isEmpty();
            Seen rest = peer.next(Duration.ofSeconds(1));
            assertThat(rest.at() - t0).isEqualTo(ms(250));
            assertThat(rest.payload()).isEqualTo(Arrays.copyOfRange(large, 537 - 23, 537));
        }
    }

    @Test
    void flushPushesHeldDataAtOnce() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535, Duration.ofMillis(10));
            s.write(bytes(100, 8));
            assertThat(peer.takeNow()).hasSize(1);
            byte[] held = bytes(50, 9);
            s.write(held);
            assertThat(peer.takeNow()).as("Nagle holds it").isEmpty();
            long t = peer.loop.now();
            s.flush();
            List<Seen> pushed = peer.takeNow();
            assertThat(pushed).extracting(Seen::length).containsExactly(50);
            assertThat(pushed.getFirst().at()).isEqualTo(t);
            assertThat(pushed.getFirst().payload()).isEqualTo(held);
        }
    }

    @Test
    void aSendBufferResizedOnALiveConnectionTakesWaitingWritesOnlyWhenThereIsRoom() throws Exception {
        // SO_SNDBUF set after the connection is made (packetdrill's slow-start and blocking-write scripts).
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT.withSendBuffer(4000).withNoDelay(true), 1000, -1,
                    65535, Duration.ZERO);
            CompletableFuture<Void> big = s.writeAsync(bytes(10_000, 10), 0, 10_000);
            assertThat(big).as("4000 of 10,000 bytes taken").isNotDone();
            s.setSendBufferSize(20_000);
            peer.loop.runUntilIdle();
            assertThat(big).as("the larger buffer took the rest at once").isCompleted();

            s.setSendBufferSize(1000);
            CompletableFuture<Void> small = s.writeAsync(bytes(500, 11), 0, 500);
            peer.loop.runUntilIdle();
            assertThat(small).as("10,000 bytes held, over the new 1000").isNotDone();
            ackUpTo(peer, 9_400);
            assertThat(small).as("600 bytes held: no room for 500").isNotDone();
            ackUpTo(peer, 9_500);
            assertThat(small).as("500 held: room for 500").isCompleted();
        }
    }

    /** How far the stack's data went, as an offset from its first byte. */
    private int sentEnd;

    /** Acknowledges what the stack sent, flight after flight as its window lets them go, up to {@code offset}. */
    private void ackUpTo(TcpPeer peer, int offset) {
        int acked = 0;
        while (acked < offset) {
            for (Seen x : peer.takeNow()) {
                sentEnd = Math.max(sentEnd, x.seq() + x.length() - peer.stackData);
            }
            acked = Math.min(sentEnd, offset);
            peer.sendAck(peer.stackData + acked, 65535);
            peer.loop.runUntilIdle();
        }
    }

    @Test
    void flushPushesDataHeldByFullSegmentOrTimerAtOnce() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(FULL_OR_TIMER, 536, -1, 65535, Duration.ZERO);
            s.write("Sample Data".getBytes());
            assertThat(peer.takeFor(Duration.ofMillis(20))).isEmpty();
            long t = peer.loop.now();
            s.flush();
            List<Seen> pushed = peer.takeNow();
            assertThat(pushed).extracting(Seen::length).containsExactly(11);
            assertThat(pushed.getFirst().at()).isEqualTo(t);
            peer.sendAck(peer.stackData + 11, 65535);
            assertThat(peer.takeFor(Duration.ofSeconds(1))).as("and the hold timer sends nothing more").isEmpty();
        }
    }
}
