package dev.tsunagu.cli.tools;

import dev.tsunagu.apps.relay.TransparentRelay;
import dev.tsunagu.apps.relay.Upstream;
import dev.tsunagu.ip.IpOptions;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code forward}: a gateway on a TUN device. The stack takes every IPv4 destination in
 * {@code --transparent} as its own (transparent mode), and a {@link TransparentRelay} carries
 * each TCP connection and UDP flow to this host's own sockets toward the destination the client
 * asked for.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"A gateway on a TUN device: every TCP connection and UDP flow that reaches the stack, whatever",
                "its destination, is relayed through this host's own sockets to that destination (half-close and",
                "resets carried both ways, idle UDP flows expired).",
                "Example: tsunagu forward --driver tun:tsu0 --ip 10.0.0.2/24 [--socks5 127.0.0.1:1080], with the clients'",
                "route via 10.0.0.2 into tsu0"})
final class ForwardCommand extends NetworkCommand {
    @Option(names = "--transparent", paramLabel = "PREFIXES", defaultValue = "0.0.0.0/0",
            description = "IPv4 destinations taken, comma-separated prefixes (default: ${DEFAULT-VALUE}).")
    String transparent;

    @Option(names = "--udp-idle", paramLabel = "SECONDS", converter = Converters.Seconds.class, defaultValue = "60",
            description = "Close a UDP flow silent this long both ways (default: ${DEFAULT-VALUE} s).")
    Duration udpIdle;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "4096",
            description = "TCP connections relayed at once at most; more are refused with RST (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--socks5", paramLabel = "HOST:PORT",
            description = "Relay through this SOCKS5 proxy (RFC 1928: CONNECT and UDP ASSOCIATE, no authentication)"
                    + " instead of straight from this host.")
    String socks5;

    @Option(names = "--stats-every", paramLabel = "SECONDS", converter = Converters.Seconds.class,
            description = "Print the live connection count and bytes relayed this often.")
    Duration statsEvery;

    ForwardCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        TransparentRelay.Settings d = TransparentRelay.Settings.DEFAULT;
        TransparentRelay.Settings settings = new TransparentRelay.Settings(d.connectTimeout(), udpIdle, maxConnections,
                d.maxUdpFlows(), d.backlog());
        Upstream upstream = socks5 == null ? Upstream.direct() : Upstream.socks5(proxy(socks5));
        return Servers.run(spec.commandLine(), io, "forward", net,
                List.of((h, log) -> new RelayService(TransparentRelay.start(h.stack(), upstream, settings),
                        transparent, upstream, statsEvery, log)),
                b -> b.option(IpOptions.TRANSPARENT, transparent),
                "nothing else is served: every connection and flow goes to its destination through this host");
    }

    /** {@code HOST:PORT} of the proxy; a usage error otherwise. */
    private InetSocketAddress proxy(String text) {
        int colon = text.lastIndexOf(':');
        try {
            if (colon > 0) {
                int port = Integer.parseInt(text.substring(colon + 1));
                if (port > 0 && port <= 65535) {
                    return new InetSocketAddress(text.substring(0, colon), port);
                }
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new ParameterException(spec.commandLine(), "--socks5 wants HOST:PORT (e.g. 127.0.0.1:1080): " + text);
    }

    /** The relay as a service of the command, with its periodic statistics line. */
    private static final class RelayService implements Service {
        private final TransparentRelay relay;
        private final String prefixes;
        private final Upstream upstream;
        private final PrintWriter log;
        private final Thread stats;

        RelayService(TransparentRelay relay, String prefixes, Upstream upstream, Duration every, PrintWriter log) {
            this.relay = relay;
            this.prefixes = prefixes;
            this.upstream = upstream;
            this.log = log;
            this.stats = every == null ? null : Thread.ofVirtual().name("forward-stats").start(() -> {
                try {
                    while (true) {
                        Thread.sleep(every);
                        line();
                    }
                } catch (InterruptedException e) {
                    // stopped
                }
            });
        }

        private void line() {
            synchronized (log) {
                log.println("forward: " + relay.summary());
                log.flush();
            }
        }

        @Override
        public String describe() {
            return "relaying TCP and UDP to " + prefixes + " through "
                    + (upstream.toString().equals("direct") ? "this host's sockets" : upstream);
        }

        @Override
        public void close() {
            if (stats != null) {
                stats.interrupt();
            }
            relay.close();
            line();
        }
    }
}
