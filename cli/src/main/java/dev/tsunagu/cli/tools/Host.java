package dev.tsunagu.cli.tools;

import dev.tsunagu.cli.Logging;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.socket.HappyEyeballs;
import dev.tsunagu.socket.NameResolver;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.udp.UdpOptions;
import dev.tsunagu.udp.dns.ResolverConfig;
import dev.tsunagu.viz.jmx.StackMBeans;
import dev.tsunagu.viz.live.StatusServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The one stack a network command runs: built from {@link NetworkOptions} (driver through the
 * driver SPI, optionally wrapped in the capture decorator), with the socket table printed on
 * a signal or a period while it runs. Closing closes the stack, which flushes the capture.
 */
final class Host implements AutoCloseable {
    private final NetworkStack stack;
    private final Netstat netstat;
    /** The live view ({@code --status-port}), or null. */
    private StatusServer status;
    /** The MXBean's registration ({@code --jmx}), or null. */
    private StackMBeans.AutoCloseableRegistration jmx;

    private Host(NetworkStack stack, Netstat netstat) {
        this.stack = stack;
        this.netstat = netstat;
    }

    /**
     * Builds the stack. A bad spec, an unknown driver or a bad DNS server is a usage error (exit
     * 2); a driver that cannot start (no permission for a TAP, a busy device) is a failure (1).
     */
    static Host start(CommandLine cli, String command, NetworkOptions o, DnsOptions dns) throws IOException {
        return start(cli, command, o, dns, b -> b);
    }

    /** {@link #start(CommandLine, String, NetworkOptions, DnsOptions)} with more builder settings (stack options). */
    static Host start(CommandLine cli, String command, NetworkOptions o, DnsOptions dns,
            UnaryOperator<NetworkStack.Builder> more) throws IOException {
        Logging.setLevel(o.log);
        LinkDrivers drivers = LinkDrivers.installed();
        String servers = check(cli, drivers, o, dns);

        LinkDriver driver;
        try {
            driver = drivers.create(o.driver);
        } catch (DriverException e) {
            throw new IOException(e.getMessage(), e);
        }
        try {
            if (o.pcap != null) {
                driver = CapturingDriver.toFile(driver, o.pcap);
            }
            InterfaceConfig ifc = InterfaceConfig.of(driver);
            o.ip.forEach(ifc::address);
            if (o.mtu != null) {
                ifc.mtu(o.mtu);
            }
            NetworkStack.Builder b = NetworkStack.builder().name(o.stackName(command)).addInterface(ifc);
            o.gateway.forEach(b::gateway);
            if (!servers.isEmpty()) {
                b.option(UdpOptions.DNS_SERVERS, servers);
            }
            NetworkStack stack = more.apply(b).build();
            awaitDuplicateAddressDetection(stack);
            PrintWriter err = cli.getErr();
            Host host = new Host(stack, Netstat.start(stack, err, o.netstatEvery));
            if (o.jmx) {
                host.jmx = StackMBeans.register(stack);
                err.println("JMX: " + host.jmx.name());
                err.flush();
            }
            if (o.statusPort != null) {
                try {
                    host.status = StatusServer.start(stack, o.statusPort);
                } catch (IOException e) {
                    host.close();
                    throw new IOException("--status-port " + o.statusPort + ": " + e.getMessage(), e);
                }
                err.println("live view: " + host.status.url());
                err.flush();
            }
            return host;
        } catch (DriverException e) {
            driver.close();
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            driver.close();
            throw e;
        }
    }

    /**
     * Waits until no IPv6 address is tentative any more, at most {@link #DAD_WAIT}: RFC 4862 5.4
     * forbids using an address while Duplicate Address Detection runs (about a second), so a
     * command that connects at once would find no source address for an IPv6 destination. An
     * address found duplicate is dropped by the layer, which ends the wait too
     * ({@link NetworkStack#addressesReady}); a stack with no IPv6 address does not wait.
     */
    private static void awaitDuplicateAddressDetection(NetworkStack stack) {
        stack.awaitAddressesReady(DAD_WAIT);
    }

    private static final Duration DAD_WAIT = Duration.ofSeconds(5);

    /**
     * Checks the options that a stack is built from, as usage errors (exit 2): the driver spec
     * and that its driver is installed, the DNS servers, the MTU. Returns the DNS servers as
     * {@code UdpOptions.DNS_SERVERS} takes them.
     */
    static String check(CommandLine cli, LinkDrivers drivers, NetworkOptions o, DnsOptions dns) {
        DriverSpec spec;
        try {
            spec = DriverSpec.parse(o.driver);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cli, "--driver: " + e.getMessage());
        }
        if (drivers.provider(spec.name()) == null) {
            throw new ParameterException(cli, "--driver: unknown link driver '" + spec.name() + "' (installed: "
                    + String.join(", ", drivers.providers().stream().map(p -> p.name()).toList()) + ")");
        }
        List<String> dnsServers = new ArrayList<>();
        for (String server : dns == null ? List.<String>of() : dns.servers) {
            InetSocketAddress a;
            try {
                a = Addresses.addressAndPort(server, ResolverConfig.DNS_PORT);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cli, "--dns: " + e.getMessage());
            }
            requireFamily(cli, o, "--dns", IpAddress.of(a.getAddress()));
            dnsServers.add(Addresses.format(a));
        }
        Set<AddressFamily> gatewayFamilies = EnumSet.noneOf(AddressFamily.class);
        for (IpAddress g : o.gateway) {
            if (!gatewayFamilies.add(g.family())) {
                throw new ParameterException(cli, "--gateway: one per family, not two " + g.family() + " ones");
            }
            requireFamily(cli, o, "--gateway", g);
        }
        if (o.statusPort != null && (o.statusPort < 0 || o.statusPort > 65535)) {
            throw new ParameterException(cli, "--status-port: want 0-65535, not " + o.statusPort);
        }
        if (o.mtu != null && (o.mtu < 68 || o.mtu > 65535)) {
            throw new ParameterException(cli, "--mtu: want 68-65535 (IPv4's minimum is 68), not " + o.mtu);
        }
        return String.join(",", dnsServers);
    }

    /** A usage error unless the stack has an address of {@code a}'s family ({@code --ip}) to reach it from. */
    private static void requireFamily(CommandLine cli, NetworkOptions o, String option, IpAddress a) {
        if (!o.hasAddress(a.family())) {
            throw new ParameterException(cli, option + ": " + a + " is an " + (a.family() == AddressFamily.IPV6 ? "IPv6" : "IPv4")
                    + " address; give the stack one too (e.g. --ip " + (a.family() == AddressFamily.IPV6 ? "fd00::2/64" : "10.0.0.2/24")
                    + ")");
        }
    }

    NetworkStack stack() {
        return stack;
    }

    Netstat netstat() {
        return netstat;
    }

    /** Whether {@code host} looks like a dotted address, as opposed to a name. */
    static boolean looksNumeric(String host) {
        return host.matches("[0-9.]+");
    }

    /**
     * A literal as is (an IPv6 one only when the stack has an IPv6 address), a name through the
     * stack's resolver (its {@code --dns} servers): its first IPv4 address, or with an IPv6
     * address its first of both families, IPv6 first. Something that looks like a dotted
     * address but is not one is a usage error.
     */
    InetAddress resolve(CommandLine cli, String host) throws UnknownHostException {
        InetAddress literal = Addresses.literal(host);
        if (literal instanceof Inet6Address) {
            if (!stack.hasIpv6Address()) {
                throw new ParameterException(cli, host + " is an IPv6 address; give the stack one too (e.g. --ip fd00::2/64)");
            }
            return literal;
        }
        if (literal != null || looksNumeric(host)) {
            try {
                return Addresses.ipv4(host);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cli, e.getMessage());
            }
        }
        NameResolver resolver = stack.service(NameResolver.class)
                .orElseThrow(() -> new UnknownHostException(host + ": this stack has no resolver"));
        if (stack.hasIpv6Address()) {
            return resolver.lookupBothFamilies(host).getFirst();
        }
        List<InetAddress> all = resolver.lookup(host);
        for (InetAddress a : all) {
            if (a.getAddress().length == 4) {
                return a;
            }
        }
        throw new UnknownHostException(host + ": no IPv4 address");
    }

    /**
     * A TCP connection to {@code host}: a literal, or a name on an IPv4-only stack, gets one
     * attempt at {@link #resolve}'s address; a name on a stack with an IPv6 address gets its
     * addresses of both families raced, IPv6 first (RFC 8305 5, {@link HappyEyeballs}).
     */
    TcpSocket connect(CommandLine cli, String host, int port) throws IOException {
        if (Addresses.literal(host) != null || looksNumeric(host) || !stack.hasIpv6Address()) {
            return stack.tcp().connect(new InetSocketAddress(resolve(cli, host), port));
        }
        NameResolver resolver = stack.service(NameResolver.class)
                .orElseThrow(() -> new UnknownHostException(host + ": this stack has no resolver"));
        return HappyEyeballs.connectAndWait(stack.loop(), stack.tcp(), resolver.lookupBothFamilies(host), port,
                TcpSocketOptions.DEFAULT);
    }

    @Override
    public void close() {
        if (status != null) {
            status.close();
        }
        if (jmx != null) {
            jmx.close();
        }
        netstat.close();
        stack.close();
    }
}
