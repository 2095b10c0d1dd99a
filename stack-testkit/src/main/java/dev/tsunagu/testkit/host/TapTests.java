package dev.tsunagu.testkit.host;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the TAP tests need from the machine, checked once, with a loud skip (one line on
 * stderr, and the reason in the report) when it is missing: Linux, {@code /dev/net/tun},
 * CAP_NET_ADMIN (to create TAPs and network namespaces), and the tools each test uses.
 * {@code ./check} installs the tools when it runs as root (scripts/test-packages.txt).
 */
public final class TapTests {
    private static final String TUN_DEVICE = "/dev/net/tun";
    private static final LoudSkip SKIP = new LoudSkip("driver-tap", TapTests::probe);

    private TapTests() {}

    /** Skips the calling test, loudly, unless TAP devices and network namespaces can be made here. */
    public static void assumeTapAndNetns() {
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
            return "TAP tests need Linux";
        }
        if (!Files.exists(Path.of(TUN_DEVICE))) {
            return "no " + TUN_DEVICE + " here (tun module not loaded, or a container without the device)";
        }
        if (!Sh.installed("ip")) {
            return "the ip command is missing (Debian package iproute2)";
        }
        try (LinkDriver probe = openTap(uniqueName("tsup"))) {
            probe.capabilities(); // made (in our namespace, down) and removed again at once
        } catch (DriverException e) {
            return "cannot make a TAP device (needs root or CAP_NET_ADMIN): " + e.getMessage();
        }
        try {
            String ns = uniqueName("tsu-probe-");
            Sh.Result r = Sh.run("ip", "netns", "add", ns);
            if (!r.ok()) {
                return "cannot make a network namespace (needs CAP_SYS_ADMIN): " + r.output().strip();
            }
            Sh.run("ip", "netns", "del", ns);
        } catch (Exception e) {
            return "cannot run ip netns: " + e;
        }
        return "";
    }

    /** {@code prefix} plus random hex, at most 15 characters (an interface name's limit). */
    public static String uniqueName(String prefix) {
        return NetNs.uniqueName(prefix);
    }

    /**
     * A TAP driver for a new device {@code name}, through its spec ({@code tap:NAME}): the kit
     * does not depend on driver-tap, which the test's class path brings.
     */
    public static LinkDriver openTap(String name) throws DriverException {
        return LinkDrivers.installed().create("tap:" + name);
    }
}
