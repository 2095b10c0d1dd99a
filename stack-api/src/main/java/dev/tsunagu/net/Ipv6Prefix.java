package dev.tsunagu.net;

/**
 * An IPv6 address with a prefix length (RFC 4291 2.3), as an interface is configured
 * ({@code 2001:db8::2/64}).
 */
public record Ipv6Prefix(Ipv6Address address, int length) implements IpPrefix {
    /**
     * Checks the length.
     *
     * @throws IllegalArgumentException if {@code length} is not 0..128
     */
    public Ipv6Prefix {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("prefix length must be 0..128: " + length);
        }
    }

    /** Parses {@code address/len}; a bare address means /128. */
    public static Ipv6Prefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return new Ipv6Prefix(Ipv6Address.parse(text), 128);
        }
        int len;
        try {
            len = Integer.parseInt(text.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + text, e);
        }
        return new Ipv6Prefix(Ipv6Address.parse(text.substring(0, slash)), len);
    }

    /** The network address: this address with the interface-identifier bits cleared. */
    public Ipv6Address network() {
        return new Ipv6Address(address.high() & highMask(), address.low() & lowMask());
    }

    @Override
    public boolean contains(IpAddress a) {
        return a instanceof Ipv6Address v6
                && ((v6.high() ^ address.high()) & highMask()) == 0
                && ((v6.low() ^ address.low()) & lowMask()) == 0;
    }

    private long highMask() {
        return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
    }

    private long lowMask() {
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
