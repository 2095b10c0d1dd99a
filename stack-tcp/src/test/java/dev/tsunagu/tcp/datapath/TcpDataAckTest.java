package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static dev.tsunagu.testkit.tcp.TcpPeer.ms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.tcp.TcpOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * CONFORMANCE.md, Data path: ACK and window update ride on outgoing data
 * [tcp_send_window_sizes_piggyback, tcp_should_piggyback]; delayed ACK at most every second
 * full segment or on the timer (40 ms).
 */
class TcpDataAckTest {
    private static final byte[] SAMPLE = "Sample Data".getBytes();

    private static byte[] readNow(TcpPeer peer, TcpSocket s, int max) {
        byte[] buf = new byte[max];
        CompletableFuture<Integer> f = s.readAsync(buf, 0, max);
        peer.loop.runUntilIdle();
        assertThat(f).isDone();
        return java.util.Arrays.copyOf(buf, f.join());
    }

    @Test
    void theAckForReceivedDataRidesOnTheReply() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            // A 65535-byte buffer: the SYN-ACK already offered all of it.
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT.withReceiveBuffer(65535), 1460, -1, 65535);
            peer.sendData(SAMPLE);
            assertThat(peer.takeFor(Duration.ofMillis(5))).as("the ACK is delayed").isEmpty();
            assertThat(readNow(peer, s, 100)).isEqualTo(SAMPLE);
            s.write("reply".getBytes());
            List<Seen> sent = peer.takeNow();
            assertThat(sent).as("one segment: the reply, carrying the ACK").hasSize(1);
            Seen reply = sent.getFirst();
            assertThat(reply.payload()).isEqualTo("reply".getBytes());
            assertThat(reply.ack()).isEqualTo(peer.sndNxt);
            assertThat(reply.window()).as("the right edge stays put for an 11-byte read (receiver SWS)")
                    .isEqualTo(65535 - SAMPLE.length);
            assertThat(peer.takeFor(Duration.ofMillis(100))).as("no separate bare ACK afterwards").isEmpty();
        }
    }

    @Test
    void aReadThatCannotMoveTheAdvertisedWindowSendsNoWindowUpdateSoTheAckStillRidesOnTheReply() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            // The default 256 KiB buffer, but the peer does not scale: 65535 is the most that can
            // ever be advertised, and the SYN-ACK advertised it already.
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            assertThat(peer.lastSynAck.window()).isEqualTo(65535);
            peer.sendData(SAMPLE);
            assertThat(peer.takeFor(Duration.ofMillis(5))).as("the ACK is delayed").isEmpty();
            assertThat(readNow(peer, s, 100)).isEqualTo(SAMPLE);
            // Reading 11 bytes can move the right edge by 11 bytes at most: no window update is
            // due (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3), and the ACK keeps waiting for data.
            assertThat(peer.takeNow()).as("no window update for an 11-byte read").isEmpty();
            s.write("reply".getBytes());
            List<Seen> sent = peer.takeNow();
            assertThat(sent).as("one segment: the reply, carrying the ACK").hasSize(1);
            assertThat(sent.getFirst().ack()).isEqualTo(peer.sndNxt);
        }
    }

    @Test
    void theAckRidesOnDataQueuedBehindAFullWindow() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            // The peer's window is exactly one sample: the second write waits for the ACK.
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT.withNoDelay(true), 1460, -1, SAMPLE.length);
            s.write(SAMPLE);
            Seen first = peer.next(Duration.ZERO);
            assertThat(first.payload()).isEqualTo(SAMPLE);
            s.write(SAMPLE);
            assertThat(peer.takeNow()).as("window full").isEmpty();
            // The peer acknowledges and sends data in one segment.
            peer.ack = peer.stackData + SAMPLE.length;
            peer.sendData(SAMPLE);
            List<Seen> sent = peer.takeNow();
            assertThat(sent).as("the queued segment carries the ACK; no bare ACK").hasSize(1);
            assertThat(sent.getFirst().payload()).isEqualTo(SAMPLE);
            assertThat(sent.getFirst().seq()).isEqualTo(peer.stackData + SAMPLE.length);
            assertThat(sent.getFirst().ack()).isEqualTo(peer.sndNxt);
            assertThat(peer.takeFor(Duration.ofMillis(100))).isEmpty();
        }
    }

    @Test
    void onlyTheLatestOfSeveralPendingAcksIsSentAndItRidesOnData() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT.withReceiveBuffer(8192), 1460, -1, 65535);
            peer.sendData(bytes(100, 1));
            assertThat(peer.takeFor(Duration.ofMillis(10))).isEmpty();
            peer.sendData(bytes(100, 2));
            assertThat(peer.takeFor(Duration.ofMillis(10))).isEmpty();
            s.write("reply".getBytes());
            List<Seen> sent = peer.takeNow();
            assertThat(sent).hasSize(1);
            assertThat(sent.getFirst().ack()).as("the latest ACK").isEqualTo(peer.sndNxt);
            assertThat(sent.getFirst().window()).as("the latest window: 8192 - 200 unread").isEqualTo(8192 - 200);
            assertThat(peer.takeFor(Duration.ofMillis(100))).isEmpty();
        }
    }

    @Test
    void aLoneSegmentIsAcknowledgedByTheDelayedAckTimerAt40ms() {
        try (TcpPeer peer = TcpPeer.start()) {
            peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            long t0 = peer.loop.now();
            peer.sendData(bytes(100, 3));
            assertThat(peer.takeUntil(t0 + ms(40) - 1)).isEmpty();
            Seen ack = peer.next(Duration.ofSeconds(1));
            assertThat(ack.at() - t0).isEqualTo(ms(40));
            assertThat(ack.isBareAck()).isTrue();
            assertThat(ack.ack()).isEqualTo(peer.sndNxt);
        }
    }

    @Test
    void theFirstQuickAcksSegmentsAreAcknowledgedAtOnceThenTheDelayResumes() {
        try (TcpPeer peer = TcpPeer.start(h -> h.option(TcpOptions.QUICK_ACKS, 2))) {
            peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            for (int i = 0; i < 2; i++) {
                peer.sendData(bytes(100, i));
                List<Seen> now = peer.takeNow();
                assertThat(now).as("quick ACK for segment " + i).hasSize(1);
                assertThat(now.getFirst().ack()).isEqualTo(peer.sndNxt);
            }
            long t0 = peer.loop.now();
            peer.sendData(bytes(100, 2));
            assertThat(peer.takeNow()).as("the third small segment: delayed again").isEmpty();
            assertThat(peer.next(Duration.ofSeconds(1)).at() - t0).isEqualTo(ms(40));
        }
    }

    @Test
    void everySecondFullSegmentIsAcknowledgedAtOnce() {
        try (TcpPeer peer = TcpPeer.start()) {
            peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            assertThat(peer.lastSynAck.tcp().mss()).isEqualTo(1460);
            long t0 = peer.loop.now();
            peer.sendData(bytes(1460, 4));
            assertThat(peer.takeFor(Duration.ofMillis(5))).as("one full segment: delayed").isEmpty();
            peer.sendData(bytes(1460, 5));
            List<Seen> second = peer.takeNow();
            assertThat(second).as("the second full segment: ACK at once").hasSize(1);
            assertThat(second.getFirst().at() - t0).isEqualTo(ms(5));
            assertThat(second.getFirst().ack()).isEqualTo(peer.sndNxt);
            // A third is again delayed, to the timer: 40 ms after it.
            assertThat(peer.takeFor(Duration.ofMillis(5))).isEmpty();
            peer.sendData(bytes(1460, 6));
            assertThat(peer.takeUntil(t0 + ms(50) - 1)).isEmpty();
            Seen third = peer.next(Duration.ofSeconds(1));
            assertThat(third.at() - t0).isEqualTo(ms(50));
            assertThat(third.ack()).isEqualTo(peer.sndNxt);
        }
    }
}
