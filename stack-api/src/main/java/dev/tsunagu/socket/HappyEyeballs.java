package dev.tsunagu.socket;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Connection racing for a name with addresses of both families (RFC 8305, simplified): the
 * addresses are tried in the order given (from {@link NameResolver#lookupBothFamilies}: IPv6
 * first, interleaved), the next attempt starting when the previous one has not connected
 * within the Connection Attempt Delay (section 5: 250 ms recommended) or as soon as it fails.
 * The first connection made wins and the attempts still in their handshake are cancelled
 * (section 5: "all other connections attempts that have not yet succeeded SHOULD be
 * canceled"); one that connected in the same instant is discarded. When every attempt fails
 * the race fails with a {@link ConnectException} that names each address's failure (a single
 * address: its own failure). Simplified: no Resolution Delay (the lookups have both finished),
 * no delay adapted to the measured RTT, no address-family preference learnt from history.
 *
 * <p>What an attempt makes is the caller's: {@link #connect} races {@link TcpService} sockets;
 * {@link #race} races anything, so the socket library can race bare connections and give its
 * reserved descriptor to the winner alone. Everything runs on the stack's event loop, timers
 * included, so on a virtual clock the race is deterministic. Callable from any thread.
 *
 * @param <C> what a successful attempt gives (a socket, a connection)
 */
public final class HappyEyeballs<C> {
    /** RFC 8305 section 5's recommended Connection Attempt Delay. */
    public static final Duration CONNECTION_ATTEMPT_DELAY = Duration.ofMillis(250);

    private final EventLoop loop;
    private final List<InetSocketAddress> targets;
    private final Function<InetSocketAddress, CompletableFuture<C>> attempt;
    private final Consumer<C> discard;
    private final long delayNanos;
    private final CompletableFuture<C> result = new CompletableFuture<>();
    private final List<CompletableFuture<C>> attempts = new ArrayList<>();
    /** Each attempt's failure, in the order the attempts started. */
    private final Throwable[] failures;
    private int failed;
    private Timer next;

    private HappyEyeballs(EventLoop loop, List<InetSocketAddress> targets,
            Function<InetSocketAddress, CompletableFuture<C>> attempt, Consumer<C> discard, Duration delay) {
        this.loop = loop;
        this.targets = targets;
        this.attempt = attempt;
        this.discard = discard;
        this.delayNanos = delay.toNanos();
        this.failures = new Throwable[targets.size()];
    }

    /**
     * Races connections to {@code addresses} (in order) on {@code port}; the future completes
     * with the first connected socket, or fails when every attempt failed.
     */
    public static CompletableFuture<TcpSocket> connect(EventLoop loop, TcpService tcp, List<InetAddress> addresses,
            int port, TcpSocketOptions options, Duration delay) {
        Objects.requireNonNull(options, "options");
        List<InetSocketAddress> targets = addresses.stream().map(a -> new InetSocketAddress(a, port)).toList();
        return race(loop, targets, target -> tcp.connectAsync(target, options), TcpSocket::abort, delay);
    }

    /**
     * Races {@code attempt} over {@code targets} (in order): the future completes with the first
     * attempt's result, or fails when every attempt failed. Attempts still running when one wins,
     * or when the returned future is cancelled, are cancelled ({@code attempt}'s futures must
     * undo their work on cancellation); a result that comes after the winner's goes to
     * {@code discard}. {@code attempt} and {@code discard} are called on the event loop.
     */
    public static <C> CompletableFuture<C> race(EventLoop loop, List<InetSocketAddress> targets,
            Function<InetSocketAddress, CompletableFuture<C>> attempt, Consumer<C> discard, Duration delay) {
        if (targets.isEmpty()) {
            return CompletableFuture.failedFuture(new ConnectException("no address to connect to"));
        }
        HappyEyeballs<C> race = new HappyEyeballs<>(loop, List.copyOf(targets), attempt, discard, delay);
        race.result.whenComplete((c, e) -> {
            if (race.result.isCancelled()) {
                race.onLoop(race::cancelAttempts);
            }
        });
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
        CompletableFuture<TcpSocket> f = connect(loop, tcp, addresses, port, options, CONNECTION_ATTEMPT_DELAY);
        try {
            return loop.await(f, options.connectTimeout().plusSeconds(1));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new ConnectException("connection timed out");
        } catch (InterruptedException e) {
            f.cancel(false);
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
        if (result.isDone() || attempts.size() == targets.size()) {
            return;
        }
        InetSocketAddress target = targets.get(attempts.size());
        CompletableFuture<C> a;
        try {
            a = attempt.apply(target);
        } catch (RuntimeException e) {
            a = CompletableFuture.failedFuture(e);
        }
        attempts.add(a);
        if (attempts.size() < targets.size()) {
            next.scheduleAfter(delayNanos);
        }
        int index = attempts.size() - 1;
        CompletableFuture<C> started = a;
        a.whenComplete((c, failure) -> onLoop(() -> finished(started, index, c, failure)));
    }

    private void finished(CompletableFuture<C> a, int index, C c, Throwable failure) {
        if (failure == null) {
            if (result.complete(c)) {
                cancelAttempts();
            } else {
                discard.accept(c); // connected in the same instant as the winner, or after the race was cancelled
            }
            return;
        }
        if (a.isCancelled() || result.isDone()) {
            return;
        }
        failures[index] = failure instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : failure;
        if (++failed == targets.size()) {
            result.completeExceptionally(everyAttemptFailed());
        } else if (attempts.size() < targets.size()) {
            next.cancel(); // section 5: a failed attempt lets the next one start at once
            startNext();
        }
    }

    /** The failure of a single address as it is; of several, one naming each, in the order tried. */
    private Throwable everyAttemptFailed() {
        if (failures.length == 1) {
            return failures[0];
        }
        // Each attempt's message names its address (connection refused: /10.0.0.2:80, ...).
        StringJoiner why = new StringJoiner("; ", "none of " + failures.length + " addresses could be connected to: ", "");
        for (Throwable f : failures) {
            why.add(f.getMessage() != null ? f.getMessage() : f.toString());
        }
        ConnectException e = new ConnectException(why.toString());
        for (Throwable f : failures) {
            e.addSuppressed(f);
        }
        return e;
    }

    /** Cancels the attempts still in their handshake and the timer of the next. Loop thread. */
    private void cancelAttempts() {
        if (next != null) {
            next.cancel();
        }
        for (CompletableFuture<C> a : attempts) {
            a.cancel(false);
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
