package dev.tsunagu.cli.tools;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ping}, in the words of iputils: a line per reply, a line per ICMP error, and the
 * statistics at the end (also on Ctrl-C). Echo requests go one at a time: the next leaves one
 * interval after the previous one, or when its answer (or its timeout) came if that is later.
 */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Send ICMP echo requests and print the replies and a summary, like iputils ping. Exit 1 if no reply came.")
final class PingCommand extends NetworkCommand {
    @Mixin
    DnsOptions dns;

    @Parameters(paramLabel = "HOST", description = "An IPv4 address, or a name (with --dns).")
    String host;

    @Option(names = "-c", paramLabel = "COUNT", defaultValue = "0", description = "Stop after COUNT requests (default: until Ctrl-C).")
    int count;

    @Option(names = "-s", paramLabel = "SIZE", defaultValue = "56", description = "Data bytes per request (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "-i", paramLabel = "INTERVAL", defaultValue = "1", converter = Converters.Seconds.class,
            description = "Seconds between requests (default: 1).")
    Duration interval;

    @Option(names = "-W", paramLabel = "TIMEOUT", defaultValue = "2", converter = Converters.Seconds.class,
            description = "Seconds to wait for each reply (default: 2).")
    Duration timeout;

    PingCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        if (count < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-c: want a count from 1 (or 0 for no limit), not " + count);
        }
        if (size < 0 || size > 65507) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-s: want 0-65507 data bytes, not " + size);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Host h = Host.start(spec.commandLine(), "ping", net, dns)) {
            InetAddress address = h.resolve(spec.commandLine(), host);
            PingService pinger = h.stack().service(PingService.class)
                    .orElseThrow(() -> new IOException("this stack has no ICMP (add dev.tsunagu:tsunagu-stack-ip)"));
            String shown = host.equals(address.getHostAddress()) ? host : host + " (" + address.getHostAddress() + ")";
            out.printf("PING %s (%s) %d(%d) bytes of data.%n", host, address.getHostAddress(), size, size + 28);
            out.flush();
            io.markReady();

            Thread self = Thread.currentThread();
            Stats stats = new Stats();
            long start = System.nanoTime();
            try (var interrupt = Signals.handle(List.of("INT"), self::interrupt).orElse(null)) {
                io.stop().thenRun(self::interrupt);
                for (int i = 0; count == 0 || i < count; i++) {
                    long sentAt = System.nanoTime();
                    PingResult r;
                    try {
                        r = pinger.ping(address, size, timeout).get(timeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
                    } catch (ExecutionException e) {
                        // no route: the stack says so at once (ping: connect: Network is unreachable)
                        Throwable c = e.getCause() != null ? e.getCause() : e;
                        throw new IOException("ping " + shown + ": " + c.getMessage(), c);
                    } catch (TimeoutException e) {
                        r = new PingResult.Timeout(i + 1);
                    }
                    stats.transmitted++;
                    report(out, r, stats);
                    out.flush();
                    if (count != 0 && i + 1 >= count) {
                        break;
                    }
                    long next = sentAt + interval.toNanos() - System.nanoTime();
                    if (next > 0) {
                        Thread.sleep(Duration.ofNanos(next));
                    }
                }
            } catch (InterruptedException e) {
                // Ctrl-C (or a test's stop): the summary, as iputils prints it
            }
            Thread.interrupted(); // a late Ctrl-C must not disturb closing the stack
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            out.printf("%n--- %s ping statistics ---%n", host);
            out.printf("%d packets transmitted, %d received, %s%s packet loss, time %dms%n",
                    stats.transmitted, stats.received, stats.errors > 0 ? "+" + stats.errors + " errors, " : "",
                    percent(stats), elapsedMs);
            if (stats.received > 0) {
                double avg = stats.sumMs / stats.received;
                double mdev = Math.sqrt(Math.max(0, stats.sumSqMs / stats.received - avg * avg));
                out.printf(Locale.ROOT, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms%n", stats.minMs, avg, stats.maxMs, mdev);
            }
            out.flush();
            return stats.received > 0 ? 0 : 1;
        }
    }

    private static String percent(Stats s) {
        if (s.transmitted == 0) {
            return "0%";
        }
        double loss = 100.0 * (s.transmitted - s.received) / s.transmitted;
        return loss == Math.rint(loss) ? (long) loss + "%" : String.format(Locale.ROOT, "%.4g%%", loss);
    }

    private void report(PrintWriter out, PingResult r, Stats stats) {
        switch (r) {
            case PingResult.Reply reply -> {
                double ms = reply.rttNanos() / 1e6;
                stats.received++;
                stats.sumMs += ms;
                stats.sumSqMs += ms * ms;
                stats.minMs = Math.min(stats.minMs, ms);
                stats.maxMs = Math.max(stats.maxMs, ms);
                out.printf(Locale.ROOT, "%d bytes from %s: icmp_seq=%d ttl=%d time=%s ms%n",
                        reply.bytes() + 8, reply.from(), reply.sequence(), reply.ttl(), rtt(ms));
            }
            case PingResult.Unreachable u -> {
                stats.errors++;
                out.printf("From %s icmp_seq=%d %s%n", u.from(), u.sequence(), u.describe());
            }
            case PingResult.Timeout t -> out.printf("no answer yet for icmp_seq=%d%n", t.sequence());
        }
    }

    /** Like iputils: three significant digits, at most three decimals. */
    private static String rtt(double ms) {
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.0f", ms);
        }
        if (ms >= 10) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        if (ms >= 1) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        return String.format(Locale.ROOT, "%.3f", ms);
    }

    private static final class Stats {
        int transmitted;
        int received;
        int errors;
        double sumMs;
        double sumSqMs;
        double minMs = Double.MAX_VALUE;
        double maxMs;
    }
}
