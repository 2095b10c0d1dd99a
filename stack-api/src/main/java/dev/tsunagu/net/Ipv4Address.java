package dev.tsunagu.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address. The IPv4 layer's hot paths carry addresses as a plain {@code int} (network
 * order read as a big-endian integer, so {@code 10.0.0.1} is {@code 0x0A000001}); this record
 * is the {@link IpAddress} that crosses the layer contracts, and the readable form for APIs,
 * configuration and logs.
 */
public record Ipv4Address(int bits) implements IpAddress, Comparable<Ipv4Address> {
    /** {@code 0.0.0.0}: the wildcard (bind to every local address) or "no address yet". */
    public static final Ipv4Address ANY = new Ipv4Address(0);
    /** {@code 255.255.255.255}: the limited broadcast. */
    public static final Ipv4Address BROADCAST = new Ipv4Address(0xFFFF_FFFF);
    /** {@code 127.0.0.1}. */
    public static final Ipv4Address LOOPBACK = new Ipv4Address(0x7F00_0001);

    /** Parses dotted-quad notation, strictly: four decimal parts 0–255, no leading junk. */
    public static Ipv4Address parse(String text) {
        String s = text.trim();
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address (want a.b.c.d): " + text);
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("not an IPv4 address (want a.b.c.d): " + text);
            }
            int v = Integer.parseInt(part);
            if (v > 255) {
                throw new IllegalArgumentException("not an IPv4 address (part " + v + " > 255): " + text);
            }
            bits = (bits << 8) | v;
        }
        return new Ipv4Address(bits);
    }

    /** The address {@code a.b.c.d}; each part is taken modulo 256. */
    public static Ipv4Address of(int a, int b, int c, int d) {
        return new Ipv4Address((a & 0xFF) << 24 | (b & 0xFF) << 16 | (c & 0xFF) << 8 | (d & 0xFF));
    }

    /**
     * The same address as a {@code java.net} one.
     *
     * @throws IllegalArgumentException if {@code address} is not IPv4
     */
    public static Ipv4Address of(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        byte[] b = address.getAddress();
        return of(b[0], b[1], b[2], b[3]);
    }

    @Override
    public AddressFamily family() {
        return AddressFamily.IPV4;
    }

    @Override
    public void writeTo(byte[] target, int offset) {
        target[offset] = (byte) (bits >>> 24);
        target[offset + 1] = (byte) (bits >>> 16);
        target[offset + 2] = (byte) (bits >>> 8);
        target[offset + 3] = (byte) bits;
    }

    @Override
    public long addToChecksum(long sum) {
        return InternetChecksum.add32(sum, bits);
    }

    /** This address as a {@code java.net} one, for {@code InetSocketAddress} and friends. */
    @Override
    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(new byte[] {
                    (byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid address
        }
    }

    /** Whether this is in 127.0.0.0/8. */
    @Override
    public boolean isLoopback() {
        return (bits >>> 24) == 127;
    }

    /** Whether this is a class D (multicast) address, 224.0.0.0/4. */
    @Override
    public boolean isMulticast() {
        return (bits >>> 28) == 0xE;
    }

    /** Whether this is the limited broadcast, 255.255.255.255. */
    public boolean isBroadcast() {
        return bits == 0xFFFF_FFFF;
    }

    /** Whether this is the wildcard 0.0.0.0. */
    @Override
    public boolean isAny() {
        return bits == 0;
    }

    @Override
    public int compareTo(Ipv4Address o) {
        return Integer.compareUnsigned(bits, o.bits);
    }

    @Override
    public String toString() {
        return format(bits);
    }

    /** Dotted-quad text for an address held as an {@code int}, without allocating a record. */
    public static String format(int bits) {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xFF) + "." + ((bits >>> 8) & 0xFF) + "." + (bits & 0xFF);
    }
}
