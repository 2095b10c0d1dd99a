package dev.tsunagu.tcp;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.wire.TcpRepr;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A blocking call with a timeout ({@code read(..., timeout)}, {@code accept(timeout)}) whose wait
 * runs out just as the loop serves it. The caller then used to throw {@link SocketTimeoutException}
 * while the loop had already handed it the bytes (taken from the receive buffer) or the connection
 * (taken from the accept queue): both were lost. This is what stalled {@code iperf3 -c -t 5}
 * against the iperf3 server now and then (issue #18): the server polls its control connection
 * with a 5 s read, the client's TEST_END arrives 5 s after the start, and when the two met the
 * byte vanished and the server waited for a message the client had sent.
 *
 * <p>The stack runs on the virtual clock and nobody drives it while the caller's (real, 100 ms)
 * wait runs out, so the loop serves the call only afterwards, at a moment the test chooses:
 * the race is made to happen every time.
 */
@Timeout(30)
class TcpTimedWaitTest {
    private static final Duration RUNS_OUT = Duration.ofMillis(100);

    @Test
    void aReadServedAsItsWaitRunsOutReturnsTheBytes() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            byte[] sent = bytes(100, 1);
            peer.sendData(sent); // in the receive buffer: the read is served as soon as the loop takes it

            byte[] got = new byte[200];
            Object outcome = runningOut(peer, () -> s.read(got, 0, got.length, RUNS_OUT));

            if (outcome instanceof SocketTimeoutException) {
                // Acceptable only if the bytes are still there for the next read.
                CompletableFuture<Integer> next = s.readAsync(got, 0, got.length);
                peer.loop.runUntilIdle();
                assertThat(next).as("the bytes a timed-out read was served").isCompletedWithValue(sent.length);
            } else {
                assertThat(outcome).as("what the read returned").isEqualTo(sent.length);
            }
            assertThat(java.util.Arrays.copyOf(got, sent.length)).isEqualTo(sent);
        }
    }

    @Test
    void aReadWhoseWaitRunsOutWithNothingToReadTimesOutAndLeavesLaterBytesToTheNextRead() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            Object outcome = runningOut(peer, () -> s.read(new byte[10], 0, 10, RUNS_OUT));
            assertThat(outcome).isInstanceOf(SocketTimeoutException.class);

            byte[] sent = bytes(10, 2);
            peer.sendData(sent);
            byte[] got = new byte[10];
            CompletableFuture<Integer> next = s.readAsync(got, 0, got.length);
            peer.loop.runUntilIdle();
            assertThat(next).as("the withdrawn read took nothing").isCompletedWithValue(10);
            assertThat(got).isEqualTo(sent);
        }
    }

    @Test
    void anAcceptServedAsItsWaitRunsOutReturnsTheConnection() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            peer.listening(TcpPeer.LISTEN_PORT);
            handshake(peer); // the connection waits in the accept queue

            Object outcome = runningOut(peer, () -> peer.listener.accept(RUNS_OUT));

            if (outcome instanceof SocketTimeoutException) {
                CompletableFuture<TcpSocket> next = peer.listener.acceptAsync();
                peer.loop.runUntilIdle();
                assertThat(next.getNow(null)).as("the connection a timed-out accept was served").isNotNull();
            } else {
                assertThat(outcome).isInstanceOf(TcpSocket.class);
                assertThat(((TcpSocket) outcome).state()).isEqualTo("ESTABLISHED");
            }
        }
    }

    @Test
    void anAcceptWhoseWaitRanOutDoesNotTakeTheNextConnection() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            peer.listening(TcpPeer.LISTEN_PORT);
            Object outcome = runningOut(peer, () -> peer.listener.accept(RUNS_OUT));
            assertThat(outcome).isInstanceOf(SocketTimeoutException.class);

            handshake(peer);
            CompletableFuture<TcpSocket> next = peer.listener.acceptAsync();
            peer.loop.runUntilIdle();
            assertThat(next.getNow(null)).as("the next accept gets the connection, not the abandoned wait").isNotNull();
        }
    }

    /**
     * Calls {@code call} on a thread of its own and lets its wait run out before the loop runs:
     * then the loop serves the call and its withdrawal, in that order. Returns what the call
     * returned or threw.
     */
    private static Object runningOut(TcpPeer peer, Callable<Object> call) throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                outcome.set(call.call());
            } catch (Exception e) {
                outcome.set(e);
            }
        });
        awaitSecondWaitOrGone(caller);
        peer.loop.runUntilIdle();
        caller.join();
        return outcome.get();
    }

    /** The peer opens a connection to the listener; the handshake completes, nobody accepts it yet. */
    private static void handshake(TcpPeer peer) {
        peer.send(new TcpRepr(peer.port, peer.stackPort, Control.SYN, peer.sndNxt, OptionalInt.empty(), 65535, 1460, -1,
                false, new byte[0]));
        peer.sndNxt++;
        TcpPeer.Seen synAck = peer.next(Duration.ZERO);
        assertThat(synAck.tcp().control()).as("SYN-ACK: %s", synAck).isEqualTo(Control.SYN);
        peer.ack = synAck.seq() + 1;
        peer.sendAck();
    }

    /**
     * Waits until {@code t}'s first, timed wait has run out: it has ended, or it waits again at
     * another place in the stack (for the loop to settle its withdrawn call). Either way its
     * call and the withdrawal are queued for the loop by then. The places are told apart by the
     * line of the innermost frame in the stack's socket code. Should the machine be so slow that
     * the first wait is never seen, the test goes on after 5 s: it may then find no race, but
     * it does not hang.
     */
    private static void awaitSecondWaitOrGone(Thread t) throws InterruptedException {
        StackTraceElement first = null;
        long giveUp = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < giveUp) {
            Thread.State state = t.getState();
            if (state == Thread.State.TERMINATED) {
                return;
            }
            StackTraceElement at = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING ? whereInTheStack(t) : null;
            if (at != null) {
                if (first == null) {
                    first = at;
                } else if (at.getLineNumber() != first.getLineNumber()) {
                    return;
                }
            }
            Thread.sleep(1);
        }
    }

    /** The innermost frame of a read or accept of the stack's TCP sockets in {@code t}, or null. */
    private static StackTraceElement whereInTheStack(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("dev.tsunagu.tcp.Tcp")
                    && (e.getMethodName().equals("read") || e.getMethodName().equals("accept"))) {
                return e;
            }
        }
        return null;
    }
}
