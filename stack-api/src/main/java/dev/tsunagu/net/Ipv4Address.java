package dev.tsunagu.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address. Hot paths carry addresses as a plain {@code int} (network order read as a
 * big-endian integer, so {@code 10.0.0.1} is {@code 0x0A000001}); this record is the
 * readable form for APIs, configuration and logs.
 */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {
    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address BROADCAST = new Ipv4Address(0xFFFF_FFFF);
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

    public static Ipv4Address of(int a, int b, int c, int d) {
        return new Ipv4Address((a & 0xFF) << 24 | (b & 0xFF) << 16 | (c & 0xFF) << 8 | (d & 0xFF));
    }

    public static Ipv4Address of(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        byte[] b = address.getAddress();
        return of(b[0], b[1], b[2], b[3]);
    }

    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(new byte[] {
                    (byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid address
        }
    }

    public boolean isLoopback() {
        return (bits >>> 24) == 127;
    }

    public boolean isMulticast() {
        return (bits >>> 28) == 0xE;
    }

    public boolean isBroadcast() {
        return bits == 0xFFFF_FFFF;
    }

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

    public static String format(int bits) {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xFF) + "." + ((bits >>> 8) & 0xFF) + "." + (bits & 0xFF);
    }
}
