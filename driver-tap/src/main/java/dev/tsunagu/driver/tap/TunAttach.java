package dev.tsunagu.driver.tap;

import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.Offloads;
import dev.tsunagu.driver.nativeio.DevicePoll;
import dev.tsunagu.driver.nativeio.ErrnoException;
import dev.tsunagu.driver.nativeio.Libc;
import dev.tsunagu.driver.tap.TapDriver.DeviceType;
import dev.tsunagu.driver.tap.internal.Tun;
import dev.tsunagu.driver.tap.internal.VirtioNetHeader;
import dev.tsunagu.net.Ipv4Prefix;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Getting a TAP or TUN device for {@link TapDriver}: opening {@code /dev/net/tun} and attaching
 * to a device by name ({@code TUNSETIFF}, creating it if absent, with the virtio-net header and
 * the offloads {@link TapOffloads} negotiates when asked), setting its MTU, address and state; or
 * taking over a descriptor that is already attached to a TUN. Each failure becomes a
 * {@link DriverException} that says what to do about it (permissions, the tun module, a busy or
 * mistyped device). The driver itself (reading, writing, closing) is {@link TapDriver}'s; it
 * logs under {@code TapDriver}'s name, as before the two were apart.
 */
final class TunAttach {
    private static final Logger log = LoggerFactory.getLogger(TapDriver.class);

    private TunAttach() {}

    /** Builds the driver over a device attached here (TapDriver's constructor, with the rx mode it was asked for). */
    @FunctionalInterface
    interface Factory {
        TapDriver make(DeviceType type, String name, boolean created, int mtu, int fd, DevicePoll poll, boolean vnetHeader,
                       Offloads offloads);
    }

    /**
     * Takes over {@code fd}, already attached to a TUN ({@code IFF_TUN | IFF_NO_PI}): checks it is
     * one, makes it non-blocking, finds its MTU unless given, and has {@code make} build the driver
     * over it. If that fails the fd is left open, still the caller's.
     */
    static TapDriver takeOver(int fd, int mtu, Factory make) throws DriverException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must be a descriptor (0 or more): " + fd);
        }
        if (mtu != 0) {
            DriverCapabilities.ipOnly(mtu); // validates the range
        }
        Tun.Attached attached;
        try {
            attached = Tun.attached(fd);
        } catch (ErrnoException e) {
            throw new DriverException("fd " + fd + " is not attached to a TUN device (" + e.getMessage() + ")"
                    + (e.errno() == Libc.EBADFD ? ": it is /dev/net/tun, but TUNSETIFF was never called on it"
                    : e.errno() == Libc.EBADF ? ": no such descriptor in this process" : ""), e);
        }
        if (!attached.isTun()) {
            throw new DriverException("fd " + fd + " is attached to " + attached.name() + ", a TAP device: tun:fd= "
                    + "takes a TUN (IFF_TUN)");
        }
        if (attached.hasPacketInfo()) {
            throw new DriverException("fd " + fd + " (TUN " + attached.name() + ") was attached without IFF_NO_PI: "
                    + "its packets carry a 4-byte packet-information header this driver does not read; "
                    + "attach it with IFF_TUN | IFF_NO_PI");
        }
        int useMtu = mtu;
        try {
            Tun.setNonBlocking(fd);
            if (useMtu == 0) {
                try {
                    useMtu = Tun.mtu(attached.name());
                } catch (ErrnoException e) {
                    useMtu = 1500;
                    log.warn("TUN {} (fd {}): its MTU cannot be read here ({}); using {} (give mtu= to choose)",
                            attached.name(), fd, e.getMessage(), useMtu);
                }
            }
            TapDriver d = make.make(DeviceType.TUN, attached.name(), false, useMtu, fd, DevicePoll.open(fd), false,
                    Offloads.NONE);
            log.info("TUN {}: attached through fd {} (mtu {})", attached.name(), fd, useMtu);
            return d;
        } catch (ErrnoException e) {
            throw new DriverException("TUN " + attached.name() + " (fd " + fd + "): " + e.getMessage(), e);
        }
    }


    /**
     * Opens {@code /dev/net/tun} and attaches it to the device {@code name} of this type (creating
     * it if absent), with the virtio-net header and what the kernel takes of the offloads if
     * {@code offload}; sets the MTU, the kernel side's address and up as asked; and has
     * {@code make} build the driver over it. On failure nothing stays open.
     */
    static TapDriver open(DeviceType type, String name, int mtu, boolean bringUp, Ipv4Prefix kernelAddress,
            boolean offload, Factory make) throws DriverException {
        Objects.requireNonNull(name, "name");
        String label = type.label;
        if (name.length() >= Tun.IFNAMSIZ || name.contains("/") || name.contains(" ") || name.contains(",")) {
            throw new IllegalArgumentException("bad " + label + " name '" + name + "': at most " + (Tun.IFNAMSIZ - 1)
                    + " characters, no '/', ' ' or ','");
        }
        if (mtu != 0) {
            DriverCapabilities.ethernet(mtu); // validates the range
        }
        String shown = name.isEmpty() ? "(kernel-chosen name)" : name;
        int fd;
        try {
            fd = Tun.openDevice();
        } catch (ErrnoException e) {
            throw openFailure(type, e);
        }
        DevicePoll rx = null;
        String actual = name;
        try {
            boolean existed = !name.isEmpty() && Tun.exists(name);
            boolean vnetHeader = offload;
            try {
                actual = Tun.attach(fd, name, type.flag, vnetHeader);
            } catch (ErrnoException e) {
                if (!vnetHeader || e.errno() != Libc.EINVAL) {
                    throw attachFailure(type, shown, existed, e);
                }
                log.info("{} {}: the kernel refused IFF_VNET_HDR ({}); no offloads", label, shown, e.getMessage());
                vnetHeader = false;
                try {
                    actual = Tun.attach(fd, name, type.flag, false);
                } catch (ErrnoException e2) {
                    throw attachFailure(type, shown, existed, e2);
                }
            }
            Offloads offloads = Offloads.NONE;
            if (vnetHeader) {
                Tun.setVnetHeaderSize(fd, VirtioNetHeader.LENGTH);
                offloads = TapOffloads.negotiate(fd, actual);
            }
            int deviceMtu = Tun.mtu(actual);
            int useMtu = deviceMtu;
            if (mtu != 0 && mtu != deviceMtu) {
                try {
                    Tun.setMtu(actual, mtu);
                    deviceMtu = mtu;
                } catch (ErrnoException e) {
                    if (mtu > deviceMtu) {
                        throw new DriverException(label + " " + actual + " has MTU " + deviceMtu + " and setting it to " + mtu
                                + " failed (" + e.getMessage() + "); set it with: ip link set " + actual + " mtu " + mtu, e);
                    }
                    log.warn("{} {}: could not set the device MTU to {} ({}); the stack uses {} and the kernel {}",
                            label, actual, mtu, e.getMessage(), mtu, deviceMtu);
                }
                useMtu = mtu;
            }
            if (kernelAddress != null) {
                Tun.setAddress(actual, kernelAddress.address().bits(), kernelAddress.mask());
            }
            if (bringUp || kernelAddress != null) {
                Tun.bringUp(actual);
            }
            rx = DevicePoll.open(fd);
            TapDriver d = make.make(type, actual, !existed, useMtu, fd, rx, vnetHeader, offloads);
            log.info("{} {}: {} (mtu {}, offloads {}{})", label, actual,
                    existed ? "attached" : "created, removed when closed", useMtu, offloads,
                    kernelAddress != null ? ", kernel side " + kernelAddress : "");
            return d;
        } catch (ErrnoException e) {
            Libc.closeQuietly(fd);
            if (e.errno() == Libc.EPERM || e.errno() == Libc.EACCES) {
                throw new DriverException(label + " " + actual + ": " + e.getMessage()
                        + ": configuring the kernel side (mtu=, up=) needs CAP_NET_ADMIN; drop those parameters "
                        + "and configure it with sudo ip, or run with the capability", e);
            }
            throw new DriverException(label + " " + actual + ": " + e.getMessage(), e);
        } catch (DriverException | RuntimeException e) {
            Libc.closeQuietly(fd);
            if (rx != null) {
                rx.close();
            }
            throw e;
        }
    }

    static DriverException openFailure(ErrnoException e) {
        return openFailure(DeviceType.TAP, e);
    }

    static DriverException openFailure(DeviceType type, ErrnoException e) {
        String label = type.label;
        String mode = type.scheme;
        return switch (e.errno()) {
            case Libc.ENOENT, Libc.ENODEV, Libc.ENXIO -> new DriverException("no " + Tun.DEVICE
                    + " (" + e.getMessage() + "): load the tun module (sudo modprobe tun), or in a container pass "
                    + "the device in (docker run --device /dev/net/tun --cap-add NET_ADMIN)", e);
            case Libc.EACCES, Libc.EPERM -> new DriverException("permission denied opening " + Tun.DEVICE
                    + ": a " + label + " needs CAP_NET_ADMIN (run as root, or sudo setcap cap_net_admin+ep on the "
                    + "java binary), or read-write access to " + Tun.DEVICE + " and a " + label + " pre-created for "
                    + "your user (sudo ip tuntap add dev NAME mode " + mode + " user $USER)", e);
            default -> new DriverException("cannot open " + Tun.DEVICE + ": " + e.getMessage(), e);
        };
    }

    static DriverException attachFailure(String name, boolean existed, ErrnoException e) {
        return attachFailure(DeviceType.TAP, name, existed, e);
    }

    static DriverException attachFailure(DeviceType type, String name, boolean existed, ErrnoException e) {
        String label = type.label;
        String mode = type.scheme;
        return switch (e.errno()) {
            case Libc.EPERM, Libc.EACCES -> new DriverException(existed
                    ? "permission denied attaching to " + label + " " + name + ": it belongs to another user or group; "
                            + "attaching needs CAP_NET_ADMIN, or a " + label + " pre-created for your user "
                            + "(sudo ip tuntap add dev " + name + " mode " + mode + " user $USER)"
                    : "permission denied creating " + label + " " + name + ": creating a " + label + " needs "
                            + "CAP_NET_ADMIN (run as root, or sudo setcap cap_net_admin+ep on the java binary), or have "
                            + "it pre-created for your user: sudo ip tuntap add dev " + name + " mode " + mode
                            + " user $USER", e);
            case Libc.EBUSY -> new DriverException(label + " " + name + " is busy: another process (or driver) has it "
                    + "open, and a single-queue " + label + " has one reader at a time (" + e.getMessage() + ")", e);
            case Libc.EINVAL -> new DriverException("cannot attach to " + name + " as a " + label + ": it exists but "
                    + "is not a single-queue " + label + " device (a " + (type == DeviceType.TAP ? "TUN" : "TAP")
                    + " device, a multi-queue one, or another kind of interface?) (" + e.getMessage() + ")", e);
            default -> new DriverException("cannot attach to " + label + " " + name + ": " + e.getMessage(), e);
        };
    }
}
