package dev.tsunagu.testkit.host;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;
import dev.tsunagu.driver.LinkDrivers;
import java.util.Locale;
import java.util.Optional;

/**
 * What the live pcap tests need from the machine, checked once, with a loud skip (one line on
 * stderr, and the reason in the report) when it is missing: Linux, libpcap, CAP_NET_ADMIN (to
 * make veth pairs and network namespaces) and CAP_NET_RAW (to capture and inject), and the
 * tools each test uses. {@code ./check} installs the tools when it runs as root
 * (scripts/test-packages.txt).
 */
public final class PcapTests {
    private static final LoudSkip SKIP = new LoudSkip("driver-pcap", PcapTests::probe);

    private PcapTests() {}

    /** Skips the calling test, loudly, unless veth pairs, namespaces and live captures can be made here. */
    public static void assumeLiveCapture() {
        SKIP.unlessFit();
    }

    /** Skips the calling test, loudly, unless {@code command} is installed ({@code pkg} provides it). */
    public static void assumeCommand(String command, String pkg) {
        SKIP.unlessInstalled(command, pkg);
    }

    /** Skips the calling test, loudly, saying why. */
    public static void skip(String why) {
        SKIP.skip(why);
    }

    private static String probe() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "live pcap tests need Linux";
        }
        LinkDriverProvider pcap = LinkDrivers.installed().provider("pcap");
        if (pcap == null) {
            return "the pcap driver (dev.tsunagu:tsunagu-driver-pcap) is not on the class path";
        }
        Optional<String> lib = pcap.unavailabilityCause();
        if (lib.isPresent()) {
            return lib.get();
        }
        if (!Sh.installed("ip")) {
            return "the ip command is missing (Debian package iproute2)";
        }
        String a = uniqueName("tsupa");
        String b = uniqueName("tsupb");
        try {
            Sh.Result r = Sh.run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
            if (!r.ok()) {
                return "cannot make a veth pair (needs CAP_NET_ADMIN): " + r.output().strip();
            }
            try {
                Sh.run("ip", "link", "set", a, "up").check();
                try (LinkDriver probe = openPcap(a)) {
                    probe.capabilities();
                } catch (DriverException e) {
                    return "cannot capture on a veth (needs CAP_NET_RAW): " + e.getMessage();
                }
            } finally {
                Sh.run("ip", "link", "del", a);
            }
            String ns = uniqueName("tsu-probe-");
            r = Sh.run("ip", "netns", "add", ns);
            if (!r.ok()) {
                return "cannot make a network namespace (needs CAP_SYS_ADMIN): " + r.output().strip();
            }
            Sh.run("ip", "netns", "del", ns);
        } catch (Exception e) {
            return "cannot run ip: " + e;
        }
        return "";
    }

    /** {@code prefix} plus random hex, at most 15 characters (an interface name's limit). */
    public static String uniqueName(String prefix) {
        return NetNs.uniqueName(prefix);
    }

    /**
     * A live-capture driver on {@code iface}, through its spec ({@code pcap:IFACE}): the kit
     * does not depend on driver-pcap, which the test's class path brings.
     */
    public static LinkDriver openPcap(String iface) throws DriverException {
        return LinkDrivers.installed().create("pcap:" + iface);
    }
}
