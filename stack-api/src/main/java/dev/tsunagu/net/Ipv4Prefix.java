package dev.tsunagu.net;

/**
 * An address with a prefix length, as configured on an interface ({@code 10.0.0.2/24}) or
 * as a route's destination ({@code 0.0.0.0/0}).
 */
public record Ipv4Prefix(Ipv4Address address, int length) implements IpPrefix {
    /**
     * Checks the length.
     *
     * @throws IllegalArgumentException if {@code length} is not 0..32
     */
    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32: " + length);
        }
    }

    /** Parses {@code a.b.c.d/len}; a bare address means /32. */
    public static Ipv4Prefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return new Ipv4Prefix(Ipv4Address.parse(text), 32);
        }
        int len;
        try {
            len = Integer.parseInt(text.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + text, e);
        }
        return new Ipv4Prefix(Ipv4Address.parse(text.substring(0, slash)), len);
    }

    /** The netmask as an {@code int}: {@code /24} is {@code 0xFFFFFF00}. */
    public int mask() {
        return mask(length);
    }

    /** The netmask of a prefix {@code length} bits long; 0 gives 0. */
    public static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** The network address: this address with the host bits cleared. */
    public Ipv4Address network() {
        return new Ipv4Address(address.bits() & mask());
    }

    /** The directed broadcast address of this prefix. */
    public Ipv4Address broadcast() {
        return new Ipv4Address(address.bits() | ~mask());
    }

    /** Whether {@code a} is inside this prefix. */
    public boolean contains(Ipv4Address a) {
        return contains(a.bits());
    }

    @Override
    public boolean contains(IpAddress a) {
        return a instanceof Ipv4Address v4 && contains(v4.bits());
    }

    /** Whether the address held as {@code bits} is inside this prefix. */
    public boolean contains(int bits) {
        int m = mask();
        return (bits & m) == (address.bits() & m);
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
