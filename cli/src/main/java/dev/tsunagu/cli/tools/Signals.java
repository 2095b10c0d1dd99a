package dev.tsunagu.cli.tools;

import java.util.List;
import java.util.Optional;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * POSIX signal handlers through {@code sun.misc.Signal} (module {@code jdk.unsupported}, the only
 * way a Java program has). The JVM keeps SIGQUIT for its thread dump and refuses a handler for
 * it, so the socket table comes on the first of QUIT and USR1 that can be had: USR1 on HotSpot,
 * as {@code dd} reports its progress.
 */
final class Signals {
    /** The signals asked for the socket table, in order of preference. */
    static final List<String> NETSTAT_SIGNALS = List.of("QUIT", "USR1");

    private Signals() {}

    /** A handler installed for one signal; closing puts the previous one back. */
    record Installed(String signal, Signal sig, SignalHandler previous) implements AutoCloseable {
        @Override
        public void close() {
            try {
                Signal.handle(sig, previous);
            } catch (IllegalArgumentException e) {
                // the JVM is shutting down, or would not take it back: nothing to restore
            }
        }
    }

    /** Installs {@code action} for the first of {@code names} the JVM lets us have; empty if none. */
    static Optional<Installed> handle(List<String> names, Runnable action) {
        for (String name : names) {
            try {
                Signal sig = new Signal(name);
                SignalHandler previous = Signal.handle(sig, s -> action.run());
                return Optional.of(new Installed(name, sig, previous));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // taken by the VM (QUIT) or unknown on this OS: try the next
            }
        }
        return Optional.empty();
    }
}
