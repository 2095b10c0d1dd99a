package dev.tsunagu.driver.tap;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;
import dev.tsunagu.driver.tap.internal.Tun;
import dev.tsunagu.net.Ipv4Prefix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code tap:NAME[,mtu=N][,up=ADDR/LEN][,rx=loop|thread][,offload=on|off]}: a Linux TAP device, attached if it
 * exists and created (non-persistent) if not.
 *
 * <ul>
 *   <li>{@code mtu=N}: use this MTU and set the device to it (default: the device's MTU);</li>
 *   <li>{@code up=ADDR/LEN}: give the kernel side this address and bring it up, for a quick
 *       start without {@code ip} commands; {@code up=yes} only brings it up. Both need
 *       CAP_NET_ADMIN.</li>
 *   <li>{@code rx=loop|thread}: who reads received frames, the stack's event loop itself or a
 *       reader thread of the driver's (default: system property {@code tsunagu.tap.rx}, else
 *       {@code loop}; see {@link TapDriver.RxMode}).</li>
 *   <li>{@code offload=on|off}: the virtio-net header and the kernel's checksum and segmentation
 *       offloads (default: system property {@code tsunagu.tap.offload}, else {@code on}; off
 *       gives plain frames).</li>
 * </ul>
 */
public final class TapDriverProvider implements LinkDriverProvider {
    @Override
    public String name() {
        return "tap";
    }

    @Override
    public String description() {
        return "Linux TAP device through FFM, the kernel as the peer (tap:NAME[,mtu=N][,up=ADDR/LEN][,rx=loop|thread][,offload=on|off])";
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return unavailability("TAP");
    }

    /** Why {@code /dev/net/tun} cannot serve here, for TAP and TUN alike; empty when it can. */
    static Optional<String> unavailability(String label) {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.of(label + " devices through /dev/net/tun are Linux only (this is " + os + ")");
        }
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            return Optional.of("the " + label + " bindings know the Linux ABI of x86-64 and AArch64 only (this is " + arch + ")");
        }
        if (!Files.exists(Path.of(Tun.DEVICE))) {
            return Optional.of("no " + Tun.DEVICE + ": load the tun module (sudo modprobe tun), or in a container "
                    + "pass the device in (--device /dev/net/tun)");
        }
        return Optional.empty();
    }

    @Override
    public LinkDriver create(DriverSpec spec) throws DriverException {
        spec.requireKnownParameters("mtu", "up", "rx", "offload");
        boolean offloads = spec.switchParameter("offload", TapDriver.offloadFromSystemProperty());
        KernelSide up = KernelSide.of(spec);
        return TapDriver.open(spec.argument(), spec.intParameter("mtu", 0), up.bringUp(), up.address(), rxMode(spec),
                offloads);
    }

    /** What the spec's {@code up=} asks of the kernel side: to be brought up, and perhaps an address. */
    record KernelSide(boolean bringUp, Ipv4Prefix address) {
        static KernelSide of(DriverSpec spec) {
            String up = spec.parameters().get("up");
            if (up == null) {
                return new KernelSide(false, null);
            }
            return switch (up.toLowerCase(Locale.ROOT)) {
                case "yes", "true" -> new KernelSide(true, null);
                case "no", "false" -> new KernelSide(false, null);
                default -> new KernelSide(true, parseKernelAddress(spec.name(), up));
            };
        }
    }

    /** The spec's {@code rx=}, else the system property's choice. */
    static TapDriver.RxMode rxMode(DriverSpec spec) {
        String rx = spec.parameters().get("rx");
        return rx != null ? TapDriver.RxMode.parse(rx) : TapDriver.RxMode.fromSystemProperty();
    }

    private static Ipv4Prefix parseKernelAddress(String driver, String text) {
        String why = driver + " parameter up= wants ADDR/LEN (the kernel side's address and prefix length, "
                + "e.g. up=10.0.0.1/24) or yes: " + text;
        if (!text.contains("/")) {
            throw new IllegalArgumentException(why);
        }
        try {
            return Ipv4Prefix.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(why, e);
        }
    }
}
