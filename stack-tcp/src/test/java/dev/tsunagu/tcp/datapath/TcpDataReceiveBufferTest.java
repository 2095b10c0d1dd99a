package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CONFORMANCE.md, Data path: data that arrives in-window but beyond the receive buffer's free
 * space is dropped, not buffered without bound [tcp_rcv_buf_space].
 */
class TcpDataReceiveBufferTest {
    private static final int BUFFER = 4096;

    private static long receiveQueue(TcpPeer peer) {
        return peer.stack.sockets().stream().filter(i -> i.remote() != null).mapToLong(SocketInfo::receiveQueue)
                .sum();
    }

    /** Everything readable now (a read that finds nothing gives up after a nanosecond of virtual time). */
    private static byte[] readAllNow(TcpSocket s) {
        byte[] buf = new byte[3 * BUFFER];
        int total = 0;
        while (true) {
            try {
                int n = s.read(buf, total, buf.length - total, Duration.ofNanos(1));
                assertThat(n).isPositive();
                total += n;
            } catch (SocketTimeoutException e) {
                return Arrays.copyOf(buf, total);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void dataBeyondTheReceiveBufferIsDroppedNotBuffered() {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT.withReceiveBuffer(BUFFER), 1460, -1, 65535);
            int start = peer.sndNxt;
            byte[] data = bytes(BUFFER + 1, 1);
            // The peer ignores the window: one byte more than the buffer holds, in 1400-byte packets.
            for (int off = 0; off < data.length; off += 1400) {
                peer.sendDataAt(start + off, Arrays.copyOfRange(data, off, Math.min(data.length, off + 1400)));
            }
            List<Seen> acks = peer.takeFor(Duration.ofMillis(100));
            assertThat(acks).isNotEmpty();
            assertThat(acks.getLast().ack()).as("the last byte is not acknowledged").isEqualTo(start + BUFFER);
            assertThat(receiveQueue(peer)).isEqualTo(BUFFER);
            assertThat(readAllNow(s)).as("the buffer's worth, and nothing past it")
                    .isEqualTo(Arrays.copyOf(data, BUFFER));
        }
    }

    @Test
    void outOfOrderDataBeyondTheReceiveBufferIsDroppedToo() {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT.withReceiveBuffer(BUFFER), 1460, -1, 65535);
            int start = peer.sndNxt;
            byte[] data = bytes(BUFFER + 1400, 2);
            // Ahead of a hole, straddling the buffer's end: only the part inside may be kept.
            peer.sendDataAt(start + 3000, Arrays.copyOfRange(data, 3000, 4400));
            peer.sendDataAt(start + 4400, Arrays.copyOfRange(data, 4400, 5496));
            // Fill the hole.
            for (int off = 0; off < 3000; off += 1000) {
                peer.sendDataAt(start + off, Arrays.copyOfRange(data, off, off + 1000));
            }
            List<Seen> acks = peer.takeFor(Duration.ofMillis(100));
            assertThat(acks.getLast().ack()).isEqualTo(start + BUFFER);
            assertThat(acks.getLast().window()).isZero();
            assertThat(receiveQueue(peer)).isEqualTo(BUFFER);
            assertThat(readAllNow(s)).isEqualTo(Arrays.copyOf(data, BUFFER));
            // The bytes past the buffer were not kept: after the read, the stack still expects them.
            List<Seen> update = peer.takeNow();
            assertThat(update).isNotEmpty();
            assertThat(update.getLast().ack()).isEqualTo(start + BUFFER);
            assertThat(readAllNow(s)).isEmpty();
        }
    }
}
