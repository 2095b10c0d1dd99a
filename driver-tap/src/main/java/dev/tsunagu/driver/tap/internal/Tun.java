package dev.tsunagu.driver.tap.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.tsunagu.driver.nativeio.ErrnoException;
import dev.tsunagu.driver.nativeio.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The Linux TUN/TAP and network-device calls, as {@code ioctl}s on {@code struct ifreq}.
 *
 * <p>{@code struct ifreq} is 40 bytes: {@code char ifr_name[IFNAMSIZ=16]}, then a 24-byte union
 * ({@code short ifr_flags}, {@code int ifr_mtu}, {@code int ifr_ifindex}, {@code struct
 * sockaddr ifr_addr}...) at offset 16. The device calls go through an {@code AF_INET} datagram
 * socket, as {@code ifconfig} does. These are set-up paths: they allocate freely.
 */
public final class Tun {
    public static final String DEVICE = "/dev/net/tun";
    public static final int IFNAMSIZ = 16;

    private static final long IFREQ_SIZE = 40;
    private static final long IFR_UNION = 16;

    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNGETIFF = 0x800454d2L;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCSIFADDR = 0x8916;
    private static final long SIOCSIFNETMASK = 0x891c;
    private static final long SIOCGIFMTU = 0x8921;
    private static final long SIOCSIFMTU = 0x8922;
    private static final long SIOCGIFINDEX = 0x8933;

    public static final short IFF_TUN = 0x0001;
    public static final short IFF_TAP = 0x0002;
    public static final short IFF_NO_PI = 0x1000;
    public static final short IFF_VNET_HDR = 0x4000;

    private static final long TUNSETOFFLOAD = 0x400454d0L;   // _IOW('T', 208, unsigned int), the flags by value
    private static final long TUNSETVNETHDRSZ = 0x400454d8L; // _IOW('T', 216, int), through a pointer

    /** {@code TUNSETOFFLOAD} flags (linux/if_tun.h): what the kernel may hand us unfinished, and we it. */
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;
    private static final short IFF_UP = 0x1;

    private Tun() {}

    /** Opens {@code /dev/net/tun} read-write, non-blocking, close-on-exec. */
    public static int openDevice() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            int fd = Libc.open(st, a.allocateFrom(DEVICE), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("open(" + DEVICE + ")", Libc.errno(st));
            }
            return fd;
        }
    }

    /**
     * Attaches {@code fd} to the TAP device {@code name}, creating it if absent
     * ({@code IFF_TAP | IFF_NO_PI}: whole Ethernet frames, no packet-information header).
     * An empty name lets the kernel choose ({@code tap0}...).
     *
     * @return the device's name as the kernel has it
     */
    public static String attach(int fd, String name) throws ErrnoException {
        return attach(fd, name, IFF_TAP, false);
    }

    /**
     * {@link #attach(int, String)}, with {@code IFF_VNET_HDR} if {@code vnetHeader}: every frame
     * read or written is then preceded by a {@code struct virtio_net_hdr} ({@link
     * VirtioNetHeader}), through which checksum and segmentation offloads pass.
     */
    public static String attach(int fd, String name, boolean vnetHeader) throws ErrnoException {
        return attach(fd, name, IFF_TAP, vnetHeader);
    }

    /** Attaches {@code fd} to the device {@code name} of the given type ({@link #IFF_TAP} or {@link #IFF_TUN}), no virtio-net header. */
    public static String attach(int fd, String name, short type) throws ErrnoException {
        return attach(fd, name, type, false);
    }

    /**
     * Attaches {@code fd} to the device {@code name} of the given type, {@link #IFF_TAP}
     * (Ethernet frames) or {@link #IFF_TUN} (bare IP packets), creating it if absent, without
     * the packet-information header ({@code IFF_NO_PI}), with {@code IFF_VNET_HDR} if {@code vnetHeader}.
     *
     * @return the device's name as the kernel has it
     */
    public static String attach(int fd, String name, short type, boolean vnetHeader) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            MemorySegment ifr = ifreq(a, name);
            ifr.set(JAVA_SHORT, IFR_UNION, (short) (type | IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0)));
            if (Libc.ioctl(st, fd, TUNSETIFF, ifr) < 0) {
                throw new ErrnoException("ioctl(TUNSETIFF)", Libc.errno(st));
            }
            return name(ifr);
        }
    }

    /** What {@code TUNGETIFF} says of a TUN/TAP fd: the device's name and its {@code IFF_*} flags. */
    public record Attached(String name, short flags) {
        public boolean isTun() {
            return (flags & (IFF_TUN | IFF_TAP)) == IFF_TUN;
        }

        public boolean hasPacketInfo() {
            return (flags & IFF_NO_PI) == 0;
        }
    }

    /**
     * Asks an fd that is already attached (one a parent process or a VPN framework handed over)
     * which device it is on ({@code TUNGETIFF}); fails with {@code EBADFD} if it is attached to
     * none, and {@code EINVAL}/{@code ENOTTY} if it is no TUN/TAP fd at all.
     */
    public static Attached attached(int fd) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            MemorySegment ifr = a.allocate(IFREQ_SIZE);
            if (Libc.ioctl(st, fd, TUNGETIFF, ifr) < 0) {
                throw new ErrnoException("ioctl(TUNGETIFF)", Libc.errno(st));
            }
            return new Attached(name(ifr), ifr.get(JAVA_SHORT, IFR_UNION));
        }
    }

    /** Makes {@code fd} non-blocking ({@code O_NONBLOCK}), as the drivers' reads and writes expect. */
    public static void setNonBlocking(int fd) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            int flags = Libc.fcntl(st, fd, Libc.F_GETFL, 0);
            if (flags < 0) {
                throw new ErrnoException("fcntl(F_GETFL)", Libc.errno(st));
            }
            if ((flags & Libc.O_NONBLOCK) == 0 && Libc.fcntl(st, fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK) < 0) {
                throw new ErrnoException("fcntl(F_SETFL)", Libc.errno(st));
            }
        }
    }

    /** Whether a network device called {@code name} exists in this process's namespace. */
    public static boolean exists(String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(a, name);
            int errno = deviceIoctl(a, SIOCGIFINDEX, ifr);
            if (errno == Libc.ENODEV) {
                return false;
            }
            if (errno != 0) {
                throw new ErrnoException("ioctl(SIOCGIFINDEX)", errno);
            }
            return true;
        }
    }

    public static int mtu(String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(a, name);
            check("ioctl(SIOCGIFMTU)", deviceIoctl(a, SIOCGIFMTU, ifr));
            return ifr.get(JAVA_INT, IFR_UNION);
        }
    }

    public static void setMtu(String name, int mtu) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(a, name);
            ifr.set(JAVA_INT, IFR_UNION, mtu);
            check("ioctl(SIOCSIFMTU)", deviceIoctl(a, SIOCSIFMTU, ifr));
        }
    }

    /** Gives the kernel side an IPv4 address and netmask ({@code address}, {@code mask} as 32-bit values). */
    public static void setAddress(String name, int address, int mask) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(a, name);
            sockaddrIn(ifr, address);
            check("ioctl(SIOCSIFADDR)", deviceIoctl(a, SIOCSIFADDR, ifr));
            ifr = ifreq(a, name);
            sockaddrIn(ifr, mask);
            check("ioctl(SIOCSIFNETMASK)", deviceIoctl(a, SIOCSIFNETMASK, ifr));
        }
    }

    /** Sets {@code IFF_UP} on the kernel side of the device. */
    public static void bringUp(String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(a, name);
            check("ioctl(SIOCGIFFLAGS)", deviceIoctl(a, SIOCGIFFLAGS, ifr));
            short flags = ifr.get(JAVA_SHORT, IFR_UNION);
            if ((flags & IFF_UP) != 0) {
                return;
            }
            ifr.set(JAVA_SHORT, IFR_UNION, (short) (flags | IFF_UP));
            check("ioctl(SIOCSIFFLAGS)", deviceIoctl(a, SIOCSIFFLAGS, ifr));
        }
    }

    private static void sockaddrIn(MemorySegment ifr, int address) {
        // struct sockaddr_in: sa_family (host order), port (network), address (network order)
        ifr.set(JAVA_SHORT, IFR_UNION, (short) Libc.AF_INET);
        ifr.set(JAVA_SHORT, IFR_UNION + 2, (short) 0);
        for (int i = 0; i < 4; i++) {
            ifr.set(JAVA_BYTE, IFR_UNION + 4 + i, (byte) (address >>> (24 - 8 * i)));
        }
    }

    private static void check(String call, int errno) throws ErrnoException {
        if (errno != 0) {
            throw new ErrnoException(call, errno);
        }
    }

    /** Runs a device ioctl on a fresh AF_INET socket; returns 0 or the errno. */
    private static int deviceIoctl(Arena a, long request, MemorySegment ifr) throws ErrnoException {
        MemorySegment st = Libc.newCallState(a);
        int s = Libc.socket(st, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw new ErrnoException("socket(AF_INET, SOCK_DGRAM)", Libc.errno(st));
        }
        try {
            return Libc.ioctl(st, s, request, ifr) < 0 ? Libc.errno(st) : 0;
        } finally {
            Libc.close(st, s);
        }
    }

    private static MemorySegment ifreq(Arena a, String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than " + (IFNAMSIZ - 1) + " characters");
        }
        MemorySegment ifr = a.allocate(IFREQ_SIZE); // zeroed
        MemorySegment.copy(n, 0, ifr, JAVA_BYTE, 0, n.length);
        return ifr;
    }

    private static String name(MemorySegment ifr) {
        return ifr.asSlice(0, IFNAMSIZ).getString(0, StandardCharsets.US_ASCII);
    }

    /** Sets the size of the header before each frame ({@code TUNSETVNETHDRSZ}; 10 is the plain {@code virtio_net_hdr}). */
    public static void setVnetHeaderSize(int fd, int size) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            MemorySegment n = a.allocate(JAVA_INT);
            n.set(JAVA_INT, 0, size);
            if (Libc.ioctl(st, fd, TUNSETVNETHDRSZ, n) < 0) {
                throw new ErrnoException("ioctl(TUNSETVNETHDRSZ)", Libc.errno(st));
            }
        }
    }

    /**
     * Offers the kernel the offloads in {@code flags} ({@code TUNSETOFFLOAD}): it then hands
     * us frames with checksums left partial and segments larger than the MTU, and takes ours.
     *
     * @return 0, or the errno ({@code EINVAL}: a flag this kernel does not know)
     */
    public static int setOffload(int fd, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            return Libc.ioctl(st, fd, TUNSETOFFLOAD, MemorySegment.ofAddress(flags)) < 0 ? Libc.errno(st) : 0;
        }
    }
}
