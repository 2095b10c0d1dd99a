package dev.tsunagu.jdk.jvm;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.jdk.HostTable;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpPrefix;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.udp.UdpOptions;
import dev.tsunagu.udp.dns.ResolverConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * The stack a JVM runs on, as system properties: the same settings, under the same names, as
 * the {@code tsunagu} command's network options ({@code --driver} is {@code tsunagu.driver}).
 *
 * <table>
 *   <caption>The properties</caption>
 *   <tr><th>property</th><th>value</th><th>default</th></tr>
 *   <tr><td>{@value #DRIVER}</td><td>the link driver spec: {@code tap:tsu0}, {@code pcap:veth1}, {@code cable:lan0}, …; setting it selects Tsunagu</td><td>unset: the JVM's own networking</td></tr>
 *   <tr><td>{@value #IP}</td><td>the stack's address and prefix length, of either family; comma-separated for more
 *   ({@code 10.0.0.2/24,fd00::2/64})</td><td>{@value #DEFAULT_IP}</td></tr>
 *   <tr><td>{@value #GATEWAY}</td><td>the default gateway; comma-separated, one per family</td><td>none: the local subnets only</td></tr>
 *   <tr><td>{@value #MTU}</td><td>the interface MTU, at most the driver's</td><td>the driver's</td></tr>
 *   <tr><td>{@value #DNS}</td><td>DNS servers, {@code ADDR[:PORT]}, comma-separated</td><td>none: names from {@value #HOSTS} only</td></tr>
 *   <tr><td>{@value #HOSTS}</td><td>static host entries, {@code NAME=ADDR}, comma-separated</td><td>none</td></tr>
 *   <tr><td>{@value #PCAP}</td><td>a file that captures every frame in and out</td><td>no capture</td></tr>
 *   <tr><td>{@value #NAME}</td><td>the stack's name in logs</td><td>{@value #DEFAULT_NAME}</td></tr>
 * </table>
 *
 * A value that does not parse is an {@link IllegalArgumentException} naming the property.
 *
 * @param driver the driver spec
 * @param ip the addresses with their prefixes (at least one)
 * @param gateway the default gateways (one per family at most)
 * @param mtu the MTU, or 0 for the driver's
 * @param dns the DNS servers as {@link UdpOptions#DNS_SERVERS} takes them, or empty
 * @param hosts the static host entries
 * @param pcap the capture file, or null
 * @param name the stack's name
 */
public record StackProperties(String driver, List<IpPrefix> ip, List<IpAddress> gateway, int mtu, String dns, HostTable hosts,
                              Path pcap, String name) {
    public static final String DRIVER = "tsunagu.driver";
    public static final String IP = "tsunagu.ip";
    public static final String GATEWAY = "tsunagu.gateway";
    public static final String MTU = "tsunagu.mtu";
    public static final String DNS = "tsunagu.dns";
    public static final String HOSTS = "tsunagu.hosts";
    public static final String PCAP = "tsunagu.pcap";
    public static final String NAME = "tsunagu.name";
    public static final String DEFAULT_IP = "10.0.0.2/24";
    public static final String DEFAULT_NAME = "jvm";

    public StackProperties {
        Objects.requireNonNull(driver, DRIVER);
        ip = List.copyOf(ip);
        gateway = List.copyOf(gateway);
        if (ip.isEmpty()) {
            throw new IllegalArgumentException(IP + ": no address");
        }
        Objects.requireNonNull(dns, DNS);
        Objects.requireNonNull(hosts, HOSTS);
        Objects.requireNonNull(name, NAME);
    }

    /** Whether {@code properties} select Tsunagu: {@value #DRIVER} is set. */
    public static boolean selected(Properties properties) {
        String d = properties.getProperty(DRIVER);
        return d != null && !d.isBlank();
    }

    /**
     * Reads the properties.
     *
     * @throws IllegalStateException if {@value #DRIVER} is not set
     * @throws IllegalArgumentException naming the property whose value does not parse
     */
    public static StackProperties from(Properties p) {
        if (!selected(p)) {
            throw new IllegalStateException("-D" + DRIVER + " is not set: it names the link the JVM's stack runs on, e.g. tap:tsu0");
        }
        String driver = p.getProperty(DRIVER).strip();
        List<IpPrefix> ip = parse(IP, p.getProperty(IP, DEFAULT_IP), v -> list(v, IpPrefix::parse));
        List<IpAddress> gateway = parse(GATEWAY, p.getProperty(GATEWAY, ""), v -> list(v, IpAddress::parse));
        String m = p.getProperty(MTU, "").strip();
        int mtu = m.isEmpty() ? 0 : parse(MTU, m, StackProperties::mtu);
        String dns = p.getProperty(DNS, "").strip();
        parse(DNS, dns, ResolverConfig::parseServers); // literal addresses only, checked now
        HostTable hosts = parse(HOSTS, p.getProperty(HOSTS, ""), HostTable::parse);
        String pc = p.getProperty(PCAP, "").strip();
        return new StackProperties(driver, ip, gateway, mtu, dns, hosts, pc.isEmpty() ? null : Path.of(pc),
                p.getProperty(NAME, DEFAULT_NAME));
    }

    /**
     * Builds the stack: the driver through the installed driver providers, wrapped in the capture
     * decorator if {@link #pcap} is set; threaded, as applications run.
     *
     * @throws IllegalStateException if the driver cannot be made or the stack cannot start; the
     *         message says which property and why
     */
    public NetworkStack build() {
        LinkDriver link;
        try {
            link = LinkDrivers.installed().create(driver);
        } catch (DriverException e) {
            throw new IllegalStateException(DRIVER + "=" + driver + ": " + e.getMessage(), e);
        }
        try {
            if (pcap != null) {
                link = CapturingDriver.toFile(link, pcap);
            }
            InterfaceConfig ifc = InterfaceConfig.of(link);
            ip.forEach(ifc::address);
            if (mtu > 0) {
                ifc.mtu(mtu);
            }
            NetworkStack.Builder b = NetworkStack.builder().name(name).addInterface(ifc);
            gateway.forEach(b::gateway);
            if (!dns.isEmpty()) {
                b.option(UdpOptions.DNS_SERVERS, dns);
            }
            return b.build();
        } catch (IOException e) {
            link.close();
            throw new UncheckedIOException(PCAP + "=" + pcap + ": " + e.getMessage(), e);
        } catch (DriverException | RuntimeException e) {
            link.close();
            throw new IllegalStateException("the stack on " + driver + " did not start: " + e.getMessage(), e);
        }
    }

    /** Comma-separated values, each parsed by {@code one}; none for a blank value. */
    private static <T> List<T> list(String value, java.util.function.Function<String, T> one) {
        List<T> out = new java.util.ArrayList<>();
        for (String v : value.split(",")) {
            if (!v.isBlank()) {
                out.add(one.apply(v.strip()));
            }
        }
        return out;
    }

    private static int mtu(String value) {
        int mtu = Integer.parseInt(value);
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("want 68-65535 (IPv4's minimum is 68), not " + mtu);
        }
        return mtu;
    }

    private interface Parser<T> {
        T parse(String value);
    }

    private static <T> T parse(String property, String value, Parser<T> parser) {
        try {
            return parser.parse(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + "=" + value + ": " + e.getMessage(), e);
        }
    }
}
