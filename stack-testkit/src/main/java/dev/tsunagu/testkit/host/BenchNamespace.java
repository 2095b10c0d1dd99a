package dev.tsunagu.testkit.host;

import java.io.IOException;
import java.time.Duration;

/**
 * A network namespace of a bench ({@link TapBench}, {@link VethBench}), to run commands in: the
 * face a test sees of the bench's {@link NetNs}, which the bench owns and deletes when it closes.
 */
public final class BenchNamespace {
    private final NetNs ns;

    BenchNamespace(NetNs ns) {
        this.ns = ns;
    }

    /** What a finished command said: its exit status (-1: killed after its timeout) and its stdout and stderr together. */
    public record Result(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /** Its name, for {@code ip netns exec}. */
    public String name() {
        return ns.name;
    }

    /** Runs a command in the namespace; one that overstays {@code timeout} is killed (exit -1). */
    public Result exec(Duration timeout, String... command) throws IOException, InterruptedException {
        Sh.Result r = ns.exec(timeout, command);
        return new Result(r.exit(), r.output());
    }

    /** Runs a command in the namespace and fails with its output unless it exits 0. */
    public Result check(Duration timeout, String... command) throws IOException, InterruptedException {
        Sh.Result r = ns.exec(timeout, command).check();
        return new Result(r.exit(), r.output());
    }

    /** Starts a long-running command in the namespace (stderr merged into stdout); killed when the bench closes. */
    public Process start(String... command) throws IOException {
        return ns.start(command);
    }

    /** Waits until something in the namespace listens on {@code port} ("tcp" or "udp"); false after {@code timeout}. */
    public boolean awaitListening(String proto, int port, Duration timeout) throws IOException, InterruptedException {
        return ns.awaitListening(proto, port, timeout);
    }

    @Override
    public String toString() {
        return ns.toString();
    }
}
