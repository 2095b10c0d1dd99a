package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.cli.Tsunagu;
import dev.tsunagu.stack.NetworkStack;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Runs {@code tsunagu} commands in-process, as the tests need them: on a cable of the test's own
 * ({@link #driver}) where a peer stack built by the test ({@link #peer}) waits at {@link #PEER},
 * the command's stack at {@link #ME}; stdin from a byte array, stdout and stderr captured.
 * Long-running commands run on a thread of their own ({@link #start}) and are stopped through
 * the {@link Io} stop switch.
 */
final class Cli implements AutoCloseable {
    static final String PEER = "10.7.0.1";
    static final String ME = "10.7.0.2";
    static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final AtomicInteger CABLES = new AtomicInteger();

    final String cable;
    private final List<NetworkStack> peers = new ArrayList<>();
    private final List<Running> running = new ArrayList<>();

    Cli(String name) {
        this.cable = "cli-" + name + "-" + CABLES.incrementAndGet();
    }

    /** The {@code --driver} value that plugs a command into this test's cable. */
    String driver() {
        return "cable:" + cable;
    }

    /** A stack on this test's cable at {@link #PEER} (threaded, as applications run). */
    NetworkStack peer() {
        return peer(PEER);
    }

    NetworkStack peer(String address) {
        NetworkStack s = NetworkStack.builder().name("peer-" + address).addInterface(driver(), address + "/24").buildUnchecked();
        peers.add(s);
        return s;
    }

    /** {@code command --driver cable:THIS --ip 10.7.0.2/24 rest...}: a command on this test's cable. */
    String[] cmd(String command, String... rest) {
        List<String> a = new ArrayList<>(List.of(command, "--driver", driver(), "--ip", ME + "/24"));
        a.addAll(List.of(rest));
        return a.toArray(String[]::new);
    }

    /** What a finished command said. */
    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    /** Runs a command to its end with empty stdin. */
    static Result run(String... args) {
        return run(new byte[0], args);
    }

    static Result run(byte[] stdin, String... args) {
        Running r = new Running(new ByteArrayInputStream(stdin), args);
        r.thread.run();
        return r.result(Duration.ZERO);
    }

    /** Starts a command on a thread of its own. */
    Running start(String... args) {
        return start(new ByteArrayInputStream(new byte[0]), args);
    }

    Running start(InputStream stdin, String... args) {
        Running r = new Running(stdin, args);
        running.add(r);
        r.thread.start();
        return r;
    }

    /** A command running on its own thread. */
    static final class Running {
        final Io io;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        final Thread thread;

        Running(InputStream in, String... args) {
            io = Io.of(in, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            thread = Thread.ofPlatform().name("tsunagu " + String.join(" ", args)).daemon().unstarted(() -> {
                try {
                    exit.complete(Tsunagu.run(io, args));
                } catch (Throwable t) {
                    exit.completeExceptionally(t);
                }
            });
        }

        /** Waits until the command is up (listening, connected); fails with what it said if it ended instead. */
        Running awaitReady() throws Exception {
            CompletableFuture.anyOf(io.ready(), exit).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(io.ready()).as("ready; the command said: %s %s", out(), err()).isDone();
            return this;
        }

        String out() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String err() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        /** Throws the stop switch and waits for the command's end. */
        Result stop() throws Exception {
            io.stop().complete(null);
            return result(DEADLINE);
        }

        /** Waits for the command's end. */
        Result result(Duration timeout) {
            try {
                int code = timeout.isZero() ? exit.getNow(-99) : exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return new Result(code, out(), err());
            } catch (Exception e) {
                throw new AssertionError("the command did not end; it said: " + out() + " " + err(), e);
            }
        }
    }

    /** Waits until {@code condition} holds, failing with {@code what} after the deadline. */
    static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    @Override
    public void close() {
        for (Running r : running) {
            r.io.stop().complete(null);
            try {
                r.exit.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // reported by the test itself
            }
        }
        peers.forEach(NetworkStack::close);
    }
}
