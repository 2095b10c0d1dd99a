package dev.tsunagu.cli.tools;

import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where a command's bytes come from and go to, and how a long-running one is stopped: the
 * process's stdin/stdout/stderr in real use, pipes and a stop switch in tests (which run the
 * command on a thread of their own). {@code out} carries raw bytes ({@code nc}, a body fetched
 * to stdout); the command line's text writers are made on the same streams.
 *
 * @param terminal whether stdout/stderr are a terminal (progress bars only then)
 */
public record Io(InputStream in, PrintStream out, PrintStream err, boolean terminal,
                 CompletableFuture<Void> ready, CompletableFuture<Void> stop) {

    /** The process's own streams; nothing stops a server but the process ending (Ctrl-C). */
    public static Io system() {
        // Since JDK 22 System.console() exists even when redirected: isTerminal() tells.
        java.io.Console console = System.console();
        return new Io(System.in, System.out, System.err, console != null && console.isTerminal(),
                new CompletableFuture<>(), new CompletableFuture<>());
    }

    /** Streams of a test: no terminal, fresh ready and stop switches. */
    public static Io of(InputStream in, PrintStream out, PrintStream err) {
        return new Io(in, out, err, false, new CompletableFuture<>(), new CompletableFuture<>());
    }

    /** Tells a waiting test that the command is up (listening, connected). */
    void markReady() {
        ready.complete(null);
    }

    /** Blocks until {@link #stop} completes (never, in real use: the process ends instead). */
    void awaitStop() throws InterruptedException {
        try {
            stop.get();
        } catch (ExecutionException e) {
            // stopped with an error: stop anyway
        }
    }

    /** Waits at most {@code timeout} for the stop switch; true if it was thrown. */
    boolean awaitStop(Duration timeout) throws InterruptedException {
        try {
            stop.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }
}
