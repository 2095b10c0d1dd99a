package dev.tsunagu.net;

/**
 * An address with a prefix length, of either family: what an interface is configured with
 * ({@code 10.0.0.2/24}, {@code 2001:db8::2/64}). The IPv4 layer works with {@link Ipv4Prefix}
 * and its {@code int} masks; this is the family-neutral view for configuration and APIs.
 */
public sealed interface IpPrefix permits Ipv4Prefix, Ipv6Prefix {
    /** The address, host bits included (the interface's own address). */
    IpAddress address();

    /** The prefix length in bits: 0..32 for IPv4, 0..128 for IPv6. */
    int length();

    /** The family of the address. */
    default AddressFamily family() {
        return address().family();
    }

    /** Whether {@code a} is inside this prefix (an address of the other family never is). */
    boolean contains(IpAddress a);

    /**
     * Parses {@code address/length} of either family; a bare address means a host prefix
     * (/32, /128).
     *
     * @throws IllegalArgumentException if {@code text} is not a prefix
     */
    static IpPrefix parse(String text) {
        return text.indexOf(':') >= 0 ? Ipv6Prefix.parse(text) : Ipv4Prefix.parse(text);
    }
}
