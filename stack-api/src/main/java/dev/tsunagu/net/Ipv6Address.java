package dev.tsunagu.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv6 address (RFC 4291) as two {@code long}s, the high and low 64 bits in network order,
 * so that it compares, hashes and sums without an array. Only the value for now: the stack has
 * no IPv6 layer yet, but the contracts already carry IPv6 addresses where they will need to.
 *
 * <p>{@link #toString()} is the RFC 5952 text: lower-case hex, no leading zeros, the longest
 * run of two or more zero groups (the first of equal runs) as {@code ::}, and the dotted quad
 * for IPv4-mapped addresses.
 */
public record Ipv6Address(long high, long low) implements IpAddress, Comparable<Ipv6Address> {
    /** {@code ::}: the unspecified address. */
    public static final Ipv6Address ANY = new Ipv6Address(0, 0);
    /** {@code ::1}. */
    public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);

    /**
     * Parses any RFC 4291 2.2 text form ({@code ::} compression, an embedded dotted quad),
     * without DNS and without a zone ({@code %eth0} is refused).
     *
     * @throws IllegalArgumentException if {@code text} is not an IPv6 address
     */
    public static Ipv6Address parse(String text) {
        String s = text.trim();
        if (s.indexOf(':') < 0 || s.indexOf('%') >= 0) {
            throw new IllegalArgumentException("not an IPv6 address: " + text);
        }
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + text, e);
        }
        if (a instanceof Inet4Address v4) {
            // The JDK turns ::ffff:a.b.c.d into its IPv4 address; asked for IPv6, keep the mapped form.
            return mapped(Ipv4Address.of(v4));
        }
        return of(a.getAddress(), 0);
    }

    /** The address in 16 bytes at {@code offset}, in network order. */
    public static Ipv6Address of(byte[] bytes, int offset) {
        return new Ipv6Address(readLong(bytes, offset), readLong(bytes, offset + 8));
    }

    /** The same address as a {@code java.net} one; its scope id, if any, is dropped. */
    public static Ipv6Address of(Inet6Address address) {
        return of(address.getAddress(), 0);
    }

    /** {@code ::ffff:a.b.c.d}, the IPv4-mapped form of {@code v4} (RFC 4291 2.5.5.2). */
    public static Ipv6Address mapped(Ipv4Address v4) {
        return new Ipv6Address(0, 0xFFFF_0000_0000L | (v4.bits() & 0xFFFF_FFFFL));
    }

    @Override
    public AddressFamily family() {
        return AddressFamily.IPV6;
    }

    @Override
    public InetAddress toInetAddress() {
        try {
            // Inet6Address.getByAddress keeps a mapped address as IPv6 (InetAddress.getByAddress would not).
            return Inet6Address.getByAddress(null, toBytes(), -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // sixteen bytes are always a valid address
        }
    }

    @Override
    public void writeTo(byte[] target, int offset) {
        writeLong(target, offset, high);
        writeLong(target, offset + 8, low);
    }

    @Override
    public long addToChecksum(long sum) {
        return sum + (high >>> 32) + (high & 0xFFFF_FFFFL) + (low >>> 32) + (low & 0xFFFF_FFFFL);
    }

    @Override
    public boolean isAny() {
        return high == 0 && low == 0;
    }

    @Override
    public boolean isLoopback() {
        return high == 0 && low == 1;
    }

    @Override
    public boolean isMulticast() {
        return (high >>> 56) == 0xFF;
    }

    /** Whether this is an IPv4-mapped address, {@code ::ffff:0:0/96}. */
    public boolean isIpv4Mapped() {
        return high == 0 && (low >>> 32) == 0xFFFF;
    }

    /**
     * The IPv4 address this one maps.
     *
     * @throws IllegalStateException if this is not {@link #isIpv4Mapped() IPv4-mapped}
     */
    public Ipv4Address mappedIpv4() {
        if (!isIpv4Mapped()) {
            throw new IllegalStateException("not an IPv4-mapped address: " + this);
        }
        return new Ipv4Address((int) low);
    }

    /** The 16-bit group {@code i} (0..7), as written in text. */
    public int group(int i) {
        long half = i < 4 ? high : low;
        return (int) (half >>> (48 - 16 * (i & 3))) & 0xFFFF;
    }

    @Override
    public int compareTo(Ipv6Address o) {
        int c = Long.compareUnsigned(high, o.high);
        return c != 0 ? c : Long.compareUnsigned(low, o.low);
    }

    /** The RFC 5952 canonical text. */
    @Override
    public String toString() {
        if (isIpv4Mapped()) {
            return "::ffff:" + Ipv4Address.format((int) low); // RFC 5952 5
        }
        // RFC 5952 4.2: the longest run of zero groups, at least two long, the first on a tie.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (group(i) != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && group(j) == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(i))); // RFC 5952 4.1 and 4.3: no leading zeros, lower case
        }
        return sb.toString();
    }

    private static long readLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    private static void writeLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }
}
