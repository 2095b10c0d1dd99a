package dev.tsunagu.socket;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Connection racing for a name with addresses of both families (RFC 8305, simplified): the
 * addresses are tried in the order given (from {@link NameResolver#lookupBothFamilies}: IPv6
 * first, interleaved), the next attempt starting when the previous one has not connected
 * within the Connection Attempt Delay (section 5: 250 ms recommended) or as soon as it fails.
 * The first connection made wins; one made later by a slower attempt is aborted, and attempts
 * still in their handshake are left to their own timeout (their sockets are aborted if they
 * connect). Simplified: no Resolution Delay (the lookups have both finished), no
 * delay adapted to the measured RTT, no address-family preference learnt from history.
 *
 * <p>Everything runs on the stack's event loop, timers included, so on a virtual clock the race
 * is deterministic. Callable from any thread.
 */
public final class HappyEyeballs {
    /** RFC 8305 section 5's recommended Connection Attempt Delay. */
    public static final Duration CONNECTION_ATTEMPT_DELAY = Duration.ofMillis(250);

    private final EventLoop loop;
    private final TcpService tcp;
    private final List<InetSocketAddress> targets;
    private final TcpSocketOptions options;
    private final long delayNanos;
    private final CompletableFuture<TcpSocket> result = new CompletableFuture<>();
    private Timer next;
    private int started;
    private int failed;

    private HappyEyeballs(EventLoop loop, TcpService tcp, List<InetSocketAddress> targets, TcpSocketOptions options,
            Duration delay) {
        this.loop = loop;
        this.tcp = tcp;
        this.targets = targets;
        this.options = options;
        this.delayNanos = delay.toNanos();
    }

    /**
     * Races connections to {@code addresses} (in order) on {@code port}; the future completes
     * with the first connected socket, or fails with the last attempt's failure when every
     * attempt failed.
     */
    public static CompletableFuture<TcpSocket> connect(EventLoop loop, TcpService tcp, List<InetAddress> addresses,
            int port, TcpSocketOptions options, Duration delay) {
        Objects.requireNonNull(options, "options");
        if (addresses.isEmpty()) {
            return CompletableFuture.failedFuture(new ConnectException("no address to connect to"));
        }
        List<InetSocketAddress> targets = addresses.stream().map(a -> new InetSocketAddress(a, port)).toList();
        HappyEyeballs race = new HappyEyeballs(loop, tcp, targets, options, delay);
        race.onLoop(race::begin);
        return race.result;
    }

    /**
     * {@link #connect} waited for, with the Connection Attempt Delay, as blocking callers (the
     * HTTP client, {@code nc}) want it: the first connected socket, or the failure as an
     * {@link IOException} (a {@link ConnectException} when every attempt outlasted the connect
     * timeout). Not for use on a threaded loop's own thread.
     */
    public static TcpSocket connectAndWait(EventLoop loop, TcpService tcp, List<InetAddress> addresses, int port,
            TcpSocketOptions options) throws IOException {
        try {
            return loop.await(connect(loop, tcp, addresses, port, options, CONNECTION_ATTEMPT_DELAY),
                    options.connectTimeout().plusSeconds(1));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (TimeoutException e) {
            throw new ConnectException("connection timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting");
        }
    }

    private void begin() {
        next = loop.newTimer("happy-eyeballs", this::startNext);
        startNext();
    }

    /** Starts the next attempt, and arms the timer for the one after it. Loop thread. */
    private void startNext() {
        if (result.isDone() || started == targets.size()) {
            return;
        }
        InetSocketAddress target = targets.get(started++);
        if (started < targets.size()) {
            next.scheduleAfter(delayNanos);
        }
        tcp.connectAsync(target, options).whenComplete((socket, failure) -> onLoop(() -> finished(socket, failure)));
    }

    private void finished(TcpSocket socket, Throwable failure) {
        if (socket != null) {
            if (result.complete(socket)) {
                next.cancel();
            } else {
                socket.abort(); // a slower attempt that connected after the winner
            }
            return;
        }
        failed++;
        if (failed == targets.size()) {
            result.completeExceptionally(failure);
        } else if (started < targets.size() && !result.isDone()) {
            next.cancel(); // section 5: a failed attempt lets the next one start at once
            startNext();
        }
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }
}
