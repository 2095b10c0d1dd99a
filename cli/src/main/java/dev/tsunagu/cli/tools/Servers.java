package dev.tsunagu.cli.tools;

import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Runs services on one stack until stopped: Ctrl-C or SIGTERM (or a test's stop switch).
 * Ports not served stay closed, and the stack says so as RFC 1122 asks: a TCP segment to one
 * is answered with RST, a UDP datagram with ICMP port unreachable.
 */
final class Servers {
    /** Starts one service on the stack. */
    @FunctionalInterface
    interface Starter {
        Service start(Host host, PrintWriter log) throws IOException;
    }

    private Servers() {}

    static int run(CommandLine cli, Io io, String command, NetworkOptions net, List<Starter> starters) throws Exception {
        return run(cli, io, command, net, starters, b -> b,
                "every other port is closed (TCP answers RST, UDP ICMP port unreachable)");
    }

    /**
     * {@link #run(CommandLine, Io, String, NetworkOptions, List)} on a stack with more builder
     * settings, saying {@code otherPorts} of what is not served.
     */
    static int run(CommandLine cli, Io io, String command, NetworkOptions net, List<Starter> starters,
            UnaryOperator<NetworkStack.Builder> more, String otherPorts) throws Exception {
        if (starters.isEmpty()) {
            throw new ParameterException(cli, "nothing to serve: give at least one of --echo, --discard, --http");
        }
        PrintWriter out = cli.getOut();
        List<Service> running = new ArrayList<>();
        try (Host h = Host.start(cli, command, net, null, more)) {
            try {
                for (Starter s : starters) {
                    running.add(s.start(h, out));
                }
                out.printf("%s: %s at %s on %s%n", command, h.stack().name(), net.addresses(), net.driver);
                for (Service s : running) {
                    out.println("  " + s.describe());
                }
                long worst = running.stream().mapToLong(Service::worstCaseBytes).sum();
                if (worst > 0) {
                    long heap = Runtime.getRuntime().maxMemory();
                    out.printf("  connections buffer at most %d MiB in all (heap: %d MiB)%s%n", worst >> 20, heap >> 20,
                            worst > heap ? "; more than the heap: lower --max-connections or raise -Xmx (TSUNAGU_JAVA_OPTS)" : "");
                }
                out.println("  " + otherPorts);
                out.println("  Ctrl-C stops" + h.netstat().signalName().map(n -> "; kill -" + n + " " + ProcessHandle.current().pid()
                        + " prints the socket table").orElse(""));
                out.flush();
                io.markReady();
                List<Optional<Signals.Installed>> stops = List.of(
                        Signals.handle(List.of("INT"), () -> io.stop().complete(null)),
                        Signals.handle(List.of("TERM"), () -> io.stop().complete(null)));
                try {
                    io.awaitStop();
                } finally {
                    stops.forEach(o -> o.ifPresent(Signals.Installed::close));
                }
                out.println(command + ": stopping");
                out.flush();
            } finally {
                for (Service s : running.reversed()) {
                    s.close();
                }
            }
        }
        return 0;
    }

    /** A directory to serve, checked before anything starts (a usage error if missing). */
    static Path directory(CommandLine cli, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(cli, "--dir: " + dir + (Files.exists(dir) ? " is not a directory" : ": no such directory"));
        }
        return dir;
    }
}
