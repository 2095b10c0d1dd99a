package dev.tsunagu.cli.tools;

import dev.tsunagu.socket.SocketTable;
import dev.tsunagu.stack.NetworkStack;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The socket table of a long-running command, printed on a signal (see {@link Signals}) and
 * every {@code --netstat-every} seconds, to stderr so that it never mixes with data on stdout.
 */
final class Netstat implements AutoCloseable {
    private final NetworkStack stack;
    private final PrintWriter err;
    private final Optional<Signals.Installed> signal;
    private final Thread ticker;

    private Netstat(NetworkStack stack, PrintWriter err, Duration every) {
        this.stack = stack;
        this.err = err;
        this.signal = Signals.handle(Signals.NETSTAT_SIGNALS, this::print);
        this.ticker = every == null ? null : Thread.ofVirtual().name("netstat-every").start(() -> tick(every));
    }

    /** Starts printing: on the signal, and every {@code every} unless null. */
    static Netstat start(NetworkStack stack, PrintWriter err, Duration every) {
        return new Netstat(stack, err, every);
    }

    /** The signal that prints the table here ({@code USR1}), if any could be had. */
    Optional<String> signalName() {
        return signal.map(Signals.Installed::signal);
    }

    void print() {
        if (stack.isClosed()) {
            return;
        }
        String table;
        try {
            table = SocketTable.format(stack.sockets());
        } catch (RuntimeException e) {
            return; // the stack closed in between
        }
        synchronized (err) {
            err.println("--- sockets of " + stack.name() + " at " + LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " ---");
            err.print(table);
            err.flush();
        }
    }

    private void tick(Duration every) {
        try {
            while (true) {
                Thread.sleep(every);
                print();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    @Override
    public void close() {
        signal.ifPresent(Signals.Installed::close);
        if (ticker != null) {
            ticker.interrupt();
        }
    }
}
