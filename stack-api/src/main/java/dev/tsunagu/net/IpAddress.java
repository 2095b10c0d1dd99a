package dev.tsunagu.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An Internet address of either family: what the layer contracts carry (next hops, the
 * addresses of a received datagram, a connection's endpoints), so that TCP and UDP above
 * and the link layer below need not know which family they handle.
 *
 * <p>The IPv4 layer keeps working with {@link Ipv4Address#bits() int}s inside itself, where
 * they are fast and right; the records cross the contracts. Code that needs the family's
 * details switches over the two permitted records.
 *
 * <p><b>IPv4-mapped IPv6 addresses</b> ({@code ::ffff:a.b.c.d}, RFC 4291 2.5.5.2) exist only
 * where a dual-stack socket hands an IPv4 peer to an IPv6 application; Tsunagu has no such
 * sockets, so {@link #of(InetAddress)} and {@link #parse} follow the JDK and give the IPv4
 * address such a literal maps ({@code InetAddress} already turns one into an
 * {@code Inet4Address}). Only {@link Ipv6Address#parse} keeps the mapped form, as an IPv6 value.
 */
public sealed interface IpAddress permits Ipv4Address, Ipv6Address {
    /** The family: {@link AddressFamily#IPV4} or {@link AddressFamily#IPV6}. */
    AddressFamily family();

    /** The address length in bytes: 4 or 16. */
    default int byteLength() {
        return family().byteLength();
    }

    /** The same address as a {@code java.net} one ({@code Inet4Address} or {@code Inet6Address}). */
    InetAddress toInetAddress();

    /** Writes the address in network order at {@code offset}, {@link #byteLength()} bytes. */
    void writeTo(byte[] target, int offset);

    /** The address in network order, {@link #byteLength()} bytes (a new array). */
    default byte[] toBytes() {
        byte[] b = new byte[byteLength()];
        writeTo(b, 0);
        return b;
    }

    /**
     * Adds the address's 16-bit words to a running Internet checksum sum, as a pseudo-header
     * does (RFC 768, RFC 9293 3.1, RFC 8200 8.1), without building the bytes.
     */
    long addToChecksum(long sum);

    /** Whether this is the unspecified address ({@code 0.0.0.0}, {@code ::}). */
    boolean isAny();

    /** Whether this is a loopback address ({@code 127.0.0.0/8}, {@code ::1}). */
    boolean isLoopback();

    /** Whether this is a multicast address ({@code 224.0.0.0/4}, {@code ff00::/8}). */
    boolean isMulticast();

    /**
     * The address of a {@code java.net} one, by its class: {@code Inet4Address} gives an
     * {@link Ipv4Address}, {@code Inet6Address} an {@link Ipv6Address} (the scope id is dropped).
     */
    static IpAddress of(InetAddress address) {
        Objects.requireNonNull(address, "address");
        return switch (address) {
            case Inet4Address a -> Ipv4Address.of(a);
            case Inet6Address a -> Ipv6Address.of(a);
            default -> throw new IllegalArgumentException("neither IPv4 nor IPv6: " + address);
        };
    }

    /**
     * Parses an address literal of either family ({@code 10.0.0.1}, {@code 2001:db8::1}); never
     * asks DNS. An IPv4-mapped literal gives the IPv4 address (see the class comment).
     *
     * @throws IllegalArgumentException if {@code text} is neither
     */
    static IpAddress parse(String text) {
        String s = text.trim();
        if (s.indexOf(':') < 0) {
            return Ipv4Address.parse(s);
        }
        Ipv6Address v6 = Ipv6Address.parse(s);
        return v6.isIpv4Mapped() ? v6.mappedIpv4() : v6;
    }
}
