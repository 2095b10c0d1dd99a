package dev.tsunagu.cli.tools;

import dev.tsunagu.apps.relay.TransparentRelay;
import dev.tsunagu.apps.relay.Upstream;
import dev.tsunagu.ip.IpOptions;
import dev.tsunagu.ipv6.Ipv6Options;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code forward}: a gateway on a TUN device. The stack takes every IPv4 and IPv6 destination in
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
    @Option(names = "--transparent", paramLabel = "PREFIXES", defaultValue = "0.0.0.0/0,::/0",
            description = "Destinations taken, comma-separated IPv4 and IPv6 prefixes (default: ${DEFAULT-VALUE};"
                    + " IPv6 ones need an IPv6 --ip on the device).")
    String transparent;

    @Option(names = "--udp-idle", paramLabel = "SECONDS", converter = Converters.Seconds.class, defaultValue = "60",
            description = "Close a UDP flow silent this long both ways (default: ${DEFAULT-VALUE} s).")
    Duration udpIdle;

    @Option(names = "--tcp-idle", paramLabel = "SECONDS", converter = Converters.Seconds.class, defaultValue = "7440",
            description = "Reset a TCP connection (both sides) that carried nothing either way this long (default:"
                    + " ${DEFAULT-VALUE} s, 2 h 4 min: RFC 5382's floor for a NAT's established-connection timeout).")
    Duration tcpIdle;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "4096",
            description = "TCP connections relayed at once at most; more are refused with RST (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--socks5", paramLabel = "[USER:PASSWORD@]HOST:PORT",
            description = "Relay through this SOCKS5 proxy (RFC 1928: CONNECT and UDP ASSOCIATE; with USER:PASSWORD,"
                    + " username/password authentication, RFC 1929) instead of straight from this host.")
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
        TransparentRelay.Settings settings = new TransparentRelay.Settings(d.connectTimeout(), tcpIdle, udpIdle,
                maxConnections, d.maxUdpFlows(), d.backlog());
        Upstream upstream = socks5 == null ? Upstream.direct() : proxy(socks5);
        return Servers.run(spec.commandLine(), io, "forward", net,
                List.of((h, log) -> new RelayService(TransparentRelay.start(h.stack(), upstream, settings),
                        transparent, upstream, statsEvery, log)),
                b -> b.option(IpOptions.TRANSPARENT, prefixes(false)).option(Ipv6Options.TRANSPARENT, prefixes(true)),
                "nothing else is served: every connection and flow goes to its destination through this host");
    }

    /** The IPv6 ({@code v6}) or IPv4 prefixes of {@code --transparent}, comma-separated, for that family's option. */
    private String prefixes(boolean v6) {
        return String.join(",", Arrays.stream(transparent.split(",")).map(String::strip)
                .filter(p -> !p.isEmpty() && p.contains(":") == v6).toList());
    }

    /**
     * {@code [USER:PASSWORD@]HOST:PORT} of the proxy; a usage error otherwise. The last {@code @}
     * ends the credentials and the first {@code :} in them ends the username, so a password may
     * hold either.
     */
    private Upstream proxy(String text) {
        int at = text.lastIndexOf('@');
        String hostPort = text.substring(at + 1);
        int colon = hostPort.lastIndexOf(':');
        try {
            if (colon > 0) {
                int port = Integer.parseInt(hostPort.substring(colon + 1));
                if (port > 0 && port <= 65535) {
                    InetSocketAddress proxy = new InetSocketAddress(hostPort.substring(0, colon), port);
                    if (at < 0) {
                        return Upstream.socks5(proxy);
                    }
                    String userinfo = text.substring(0, at);
                    int split = userinfo.indexOf(':');
                    if (split > 0) {
                        return Upstream.socks5(proxy, userinfo.substring(0, split), userinfo.substring(split + 1));
                    }
                }
            }
        } catch (IllegalArgumentException e) { // a bad port number, or a username or password of 0 or over 255 bytes
            throw new ParameterException(spec.commandLine(), "--socks5: " + e.getMessage());
        }
        throw new ParameterException(spec.commandLine(), "--socks5 wants [USER:PASSWORD@]HOST:PORT (e.g. 127.0.0.1:1080)");
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
