package dev.tsunagu.driver.tap;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;
import java.util.Optional;

/**
 * {@code tun:NAME[,mtu=N][,up=ADDR/LEN][,rx=loop|thread]} or {@code tun:fd=N[,mtu=N][,rx=loop|thread]}:
 * a Linux TUN device, whose frames are bare IP packets ({@link TapDriver#openTun},
 * {@link TapDriver#attachTun}). By name it is attached if it exists and created (non-persistent)
 * if not, and {@code mtu=} and {@code up=} mean what they mean for {@code tap:}
 * ({@link TapDriverProvider}). {@code fd=N} takes over a descriptor this process inherited,
 * already attached to a TUN with {@code IFF_NO_PI}: the driver owns and closes it.
 */
public final class TunDriverProvider implements LinkDriverProvider {
    @Override
    public String name() {
        return "tun";
    }

    @Override
    public String description() {
        return "Linux TUN device through FFM, IP packets only (tun:NAME[,mtu=N][,up=ADDR/LEN][,rx=loop|thread] "
                + "or tun:fd=N for an inherited descriptor)";
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return TapDriverProvider.unavailability("TUN");
    }

    @Override
    public LinkDriver create(DriverSpec spec) throws DriverException {
        String arg = spec.argument();
        int mtu = spec.intParameter("mtu", 0);
        if (arg.startsWith("fd=")) {
            spec.requireKnownParameters("mtu", "rx");
            int fd;
            try {
                fd = Integer.parseInt(arg.substring(3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("tun:fd= wants a descriptor number: " + arg, e);
            }
            return TapDriver.attachTun(fd, mtu, TapDriverProvider.rxMode(spec));
        }
        spec.requireKnownParameters("mtu", "up", "rx");
        TapDriverProvider.KernelSide up = TapDriverProvider.KernelSide.of(spec);
        return TapDriver.openTun(arg, mtu, up.bringUp(), up.address(), TapDriverProvider.rxMode(spec));
    }
}
