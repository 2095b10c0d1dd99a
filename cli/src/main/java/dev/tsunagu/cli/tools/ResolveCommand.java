package dev.tsunagu.cli.tools;

import dev.tsunagu.udp.dns.DnsMessage;
import dev.tsunagu.udp.dns.Resolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The stack's DNS stub resolver, one name, printed like {@code host NAME}. */
@Command(name = "resolve", mixinStandardHelpOptions = true,
        description = "Look a name up with the stack's DNS resolver (over its own UDP) and print its addresses, like host(1).")
final class ResolveCommand extends NetworkCommand {
    @Mixin
    DnsOptions dns;

    @Parameters(paramLabel = "NAME", description = "The host name to look up.")
    String name;

    @Option(names = "-6", description = "Ask for IPv6 addresses (AAAA) as well.")
    boolean ipv6;

    ResolveCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Host h = Host.start(spec.commandLine(), "resolve", net, dns)) {
            Resolver resolver = h.stack().service(Resolver.class)
                    .orElseThrow(() -> new IOException("this stack has no resolver (add dev.tsunagu:tsunagu-stack-udp)"));
            if (dns.servers.isEmpty() && resolver.config().servers().isEmpty() && !Host.looksNumeric(name)
                    && !name.equalsIgnoreCase("localhost")) {
                throw new UnknownHostException(name + ": no DNS server given (use --dns ADDR)");
            }
            io.markReady();
            List<InetAddress> v4 = resolver.lookup(name);
            for (InetAddress a : v4) {
                out.println(name + " has address " + a.getHostAddress());
            }
            if (ipv6) {
                try {
                    for (InetAddress a : resolver.lookup(name, DnsMessage.TYPE_AAAA)) {
                        out.println(name + " has IPv6 address " + a.getHostAddress());
                    }
                } catch (UnknownHostException e) {
                    out.println(name + " has no IPv6 address (" + e.getMessage() + ")");
                }
            }
            out.flush();
            return 0;
        }
    }
}
