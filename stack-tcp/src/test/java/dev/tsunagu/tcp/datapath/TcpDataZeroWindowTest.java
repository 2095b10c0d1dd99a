package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static dev.tsunagu.testkit.tcp.TcpPeer.ms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * CONFORMANCE.md, Data path: zero window. The sender probes only while data waits, backs off,
 * never sends past the window, resumes intact when the window opens; the receiver ACKs probes
 * without accepting their byte and sends a window update when space frees
 * [tcp_zero_window_probe, tcp_zero_window_probe_retransmit, tcp_window_shrink,
 * tcp_zero_receive_window].
 */
class TcpDataZeroWindowTest {

    /** Stack as sender, 100 bytes sent and acknowledged with a zero window; RTO 200 ms. */
    private static TcpSocket zeroWindowAfter100Bytes(TcpPeer peer) throws Exception {
        TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535, Duration.ofMillis(10));
        s.write(bytes(100, 1));
        assertThat(peer.next(Duration.ZERO).length()).isEqualTo(100);
        peer.sendAck(peer.stackData + 100, 0);
        return s;
    }

    @Test
    void theSenderProbesAZeroWindowOnlyWhileDataWaits() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = zeroWindowAfter100Bytes(peer);
            assertThat(peer.takeFor(Duration.ofSeconds(30))).as("nothing to send: no probes").isEmpty();
            s.write(bytes(500, 2));
            Seen probe = peer.next(Duration.ofSeconds(1));
            assertThat(probe.length()).as("a probe: one byte").isEqualTo(1);
            assertThat(probe.seq()).isEqualTo(peer.stackData + 100);
        }
    }

    @Test
    void zeroWindowProbesBackOffExponentially() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = zeroWindowAfter100Bytes(peer);
            long t0 = peer.loop.now();
            s.write(bytes(500, 3));
            assertThat(peer.takeNow()).as("nothing fits").isEmpty();
            List<Long> at = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                Seen probe = peer.next(Duration.ofMinutes(2));
                assertThat(probe.length()).as("probe %d: %s", i, probe).isEqualTo(1);
                assertThat(probe.seq()).isEqualTo(peer.stackData + 100);
                at.add(probe.at() - t0);
                // The receiver still has no room: it acknowledges, not accepting the byte.
                peer.sendAck(peer.stackData + 100, 0);
                assertThat(peer.takeNow()).as("nothing answers the probe's ACK").isEmpty();
            }
            // The persist timer: RTO (200 ms) first, doubling each time.
            assertThat(at).containsExactly(ms(200), ms(600), ms(1400), ms(3000), ms(6200), ms(12600), ms(25400));
        }
    }

    @Test
    void theSenderKeepsTheConnectionOpenAsLongAsProbesAreAnswered() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = zeroWindowAfter100Bytes(peer);
            s.write(bytes(500, 4));
            long end = peer.loop.now() + Duration.ofMinutes(30).toNanos();
            int answered = 0;
            while (peer.loop.now() < end) {
                List<Seen> sent = peer.takeFor(Duration.ofSeconds(1));
                for (Seen x : sent) {
                    assertThat(x.tcp().control()).as("never a reset: %s", x).isNotEqualTo(Control.RST);
                    peer.sendAck(peer.stackData + 100, 0);
                    answered++;
                }
            }
            assertThat(s.state()).as("RFC 1122 4.2.2.17: open while probes are acknowledged").isEqualTo("ESTABLISHED");
            assertThat(answered).isGreaterThan(10);
        }
    }

    @Test
    void theSenderNeverSendsPastTheWindow() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT, 1000, -1, 3000, Duration.ofMillis(10));
            s.write(bytes(10_000, 5));
            List<Seen> sent = new ArrayList<>(peer.takeNow());
            assertThat(sent).extracting(Seen::length).containsExactly(1000, 1000, 1000);
            // The peer takes 1000 bytes but does not move the right edge, then closes the window.
            peer.sendAck(peer.stackData + 1000, 2000);
            assertThat(peer.takeNow()).as("the window is full").isEmpty();
            peer.sendAck(peer.stackData + 3000, 0);
            for (int i = 0; i < 5; i++) {
                Seen x = peer.next(Duration.ofMinutes(1));
                assertThat(x.seq()).isEqualTo(peer.stackData + 3000);
                assertThat(x.length()).as("only one-byte probes: %s", x).isEqualTo(1);
                peer.sendAck(peer.stackData + 3000, 0);
            }
            // A window of 1500: one full segment fits, not two.
            peer.sendAck(peer.stackData + 3000, 1500);
            List<Seen> after = peer.takeNow();
            assertThat(after).extracting(Seen::seq).containsExactly(peer.stackData + 3000);
            assertThat(after.getFirst().length()).isEqualTo(1000);
        }
    }

    @Test
    void theSenderResumesIntactWhenTheWindowOpens() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = zeroWindowAfter100Bytes(peer);
            byte[] data = bytes(3000, 6);
            s.write(data);
            for (int i = 0; i < 3; i++) {
                peer.next(Duration.ofMinutes(1));
                peer.sendAck(peer.stackData + 100, 0);
                peer.takeNow();
            }
            peer.takeFor(Duration.ofMillis(50));
            // The window opens: the stream continues from the probe's byte, every byte once, in order.
            int from = peer.stackData + 100;
            peer.sendAck(from, 65535);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int expected = from;
            for (int guard = 0; expected != from + data.length && guard < 100; guard++) {
                for (Seen x : peer.takeFor(Duration.ofMillis(1))) {
                    if (x.length() == 0) {
                        continue;
                    }
                    assertThat(x.seq()).as("in order, nothing skipped or repeated: %s", x).isEqualTo(expected);
                    got.writeBytes(x.payload());
                    expected += x.length();
                    peer.sendAck(expected, 65535);
                }
            }
            assertThat(got.toByteArray()).isEqualTo(data);
        }
    }

    // ---- the stack as receiver ----

    /** The stack accepts with a 4096-byte buffer and the peer fills it; the application does not read. */
    private static TcpSocket fullReceiver(TcpPeer peer, byte[] data) {
        TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT.withReceiveBuffer(4096), 1460, -1, 65535);
        assertThat(peer.lastSynAck.window()).isEqualTo(4096);
        peer.sendData(Arrays.copyOfRange(data, 0, 1400));
        peer.sendData(Arrays.copyOfRange(data, 1400, 2800));
        peer.sendData(Arrays.copyOfRange(data, 2800, 4096));
        List<Seen> acks = peer.takeFor(Duration.ofMillis(200));
        assertThat(acks).isNotEmpty();
        assertThat(acks.getLast().ack()).isEqualTo(peer.sndNxt);
        assertThat(acks.getLast().window()).as("the window is closed").isZero();
        return s;
    }

    @Test
    void theReceiverAcksAZeroWindowProbeWithoutAcceptingItsByte() {
        try (TcpPeer peer = TcpPeer.start()) {
            byte[] data = bytes(5000, 7);
            TcpSocket s = fullReceiver(peer, data);
            int edge = peer.sndNxt;
            peer.sendDataAt(edge, Arrays.copyOfRange(data, 4096, 4097));
            List<Seen> answer = peer.takeNow();
            assertThat(answer).as("the probe is answered at once").hasSize(1);
            assertThat(answer.getFirst().ack()).as("its byte is not accepted").isEqualTo(edge);
            assertThat(answer.getFirst().window()).isZero();
            assertThat(peer.stack.sockets()).filteredOn(i -> i.remote() != null)
                    .extracting(i -> i.receiveQueue()).containsExactly(4096L);
            assertThat(s.state()).isEqualTo("ESTABLISHED");
        }
    }

    @Test
    void theReceiverSendsAWindowUpdateWhenTheReaderFreesSpace() {
        try (TcpPeer peer = TcpPeer.start()) {
            byte[] data = bytes(5000, 8);
            TcpSocket s = fullReceiver(peer, data);
            int edge = peer.sndNxt;
            // A small read: not worth a window update (receiver silly-window avoidance).
            byte[] first = new byte[1000];
            CompletableFuture<Integer> r1 = s.readAsync(first, 0, first.length);
            assertThat(peer.takeNow()).isEmpty();
            assertThat(r1.join()).isEqualTo(1000);
            // The rest: the window reopens at once, in a window update.
            byte[] rest = new byte[8192];
            CompletableFuture<Integer> r2 = s.readAsync(rest, 0, rest.length);
            List<Seen> update = peer.takeNow();
            assertThat(r2.join()).isEqualTo(3096);
            assertThat(update).hasSize(1);
            assertThat(update.getFirst().isBareAck()).isTrue();
            assertThat(update.getFirst().ack()).isEqualTo(edge);
            assertThat(update.getFirst().window()).isEqualTo(4096);
            // And the data after the window edge is now taken, intact.
            peer.sendData(Arrays.copyOfRange(data, 4096, 5000));
            byte[] more = new byte[2000];
            CompletableFuture<Integer> r3 = s.readAsync(more, 0, more.length);
            peer.takeNow();
            assertThat(Arrays.copyOf(more, r3.join())).isEqualTo(Arrays.copyOfRange(data, 4096, 5000));
            byte[] all = new byte[4096];
            System.arraycopy(first, 0, all, 0, 1000);
            System.arraycopy(rest, 0, all, 1000, 3096);
            assertThat(all).isEqualTo(Arrays.copyOf(data, 4096));
        }
    }
}
