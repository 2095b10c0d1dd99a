package dev.tsunagu.driver.pcap;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;
import dev.tsunagu.driver.pcap.internal.Libpcap;
import dev.tsunagu.net.MacAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code pcap:IFACE[,mac=MAC][,mtu=N][,promisc=yes|no]}: a live Ethernet interface through
 * libpcap, the stack a host of its own on that wire.
 *
 * <ul>
 *   <li>{@code mac=02:00:00:00:00:01}: the stack's MAC (default: random, locally administered);</li>
 *   <li>{@code mtu=N}: a smaller MTU than the interface's (default: the interface's);</li>
 *   <li>{@code promisc=no}: leave promiscuous mode off (only if {@code mac} is the interface's own).</li>
 * </ul>
 */
public final class PcapDriverProvider implements LinkDriverProvider {
    @Override
    public String name() {
        return "pcap";
    }

    @Override
    public String description() {
        return "live Ethernet interface through libpcap (FFM), the stack a host of its own on it "
                + "(pcap:IFACE[,mac=MAC][,mtu=N][,promisc=yes|no])";
    }

    @Override
    public Optional<String> unavailabilityCause() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.of("the pcap driver knows libpcap's Linux ABI only (this is " + os + ")");
        }
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            return Optional.of("the pcap bindings know the LP64 ABI of x86-64 and AArch64 only (this is " + arch + ")");
        }
        return Libpcap.unavailabilityCause();
    }

    @Override
    public LinkDriver create(DriverSpec spec) throws DriverException {
        spec.requireKnownParameters("mac", "mtu", "promisc");
        if (spec.argument().isEmpty()) {
            throw new IllegalArgumentException("the pcap driver needs an interface: pcap:IFACE (e.g. pcap:veth0)");
        }
        MacAddress mac = spec.macParameter("mac");
        boolean promisc = switch (spec.parameters().getOrDefault("promisc", "yes").toLowerCase(Locale.ROOT)) {
            case "yes", "true", "on" -> true;
            case "no", "false", "off" -> false;
            default -> throw new IllegalArgumentException("pcap parameter promisc= wants yes or no: "
                    + spec.parameters().get("promisc"));
        };
        return PcapDriver.open(spec.argument(), mac, spec.intParameter("mtu", 0), promisc);
    }
}
