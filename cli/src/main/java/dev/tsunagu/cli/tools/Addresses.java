package dev.tsunagu.cli.tools;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import dev.tsunagu.net.Endpoint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Address literals and {@code host:port} as the commands read and print them, through Guava's
 * {@link InetAddresses} and {@link HostAndPort}: IPv4 and IPv6 literals alike
 * ({@code 10.0.0.1:53}, {@code [fd00::1]:53}), so an IPv6 address is recognised as one rather
 * than misread as a name or a malformed port.
 */
final class Addresses {
    private Addresses() {}

    /** {@code 10.0.0.1:49152}, {@code [fd00::1]:80}; {@code *:*} for none. */
    static String format(InetSocketAddress a) {
        return Endpoint.format(a); // the stack's one way of printing an endpoint
    }

    /**
     * The IP literal {@code text} (IPv6 with or without brackets), or null if it is not one
     * (a name, or garbage).
     */
    static InetAddress literal(String text) {
        if (InetAddresses.isUriInetAddress(text)) {
            return InetAddresses.forUriString(text);
        }
        return InetAddresses.isInetAddress(text) ? InetAddresses.forString(text) : null;
    }

    /**
     * The IPv4 address {@code text} is a literal of.
     *
     * @throws IllegalArgumentException saying why, if it is an IPv6 literal or no literal at all
     */
    static Inet4Address ipv4(String text) {
        InetAddress a = literal(text);
        if (a == null) {
            throw new IllegalArgumentException("not an IPv4 address (want a.b.c.d): " + text);
        }
        if (!(a instanceof Inet4Address v4)) {
            throw new IllegalArgumentException(text + " is an IPv6 address; want an IPv4 one here");
        }
        return v4;
    }

    /**
     * An {@code ADDR[:PORT]} of either family: {@code 10.0.0.1}, {@code 10.0.0.1:5353},
     * {@code fd00::1}, {@code [fd00::1]:5353}.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static InetSocketAddress addressAndPort(String text, int defaultPort) {
        HostAndPort hp;
        try {
            hp = HostAndPort.fromString(text.strip()).withDefaultPort(defaultPort);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("want ADDR[:PORT] (e.g. 10.0.0.1:53 or [fd00::1]:53), not '" + text + "'", e);
        }
        int port = hp.getPort();
        if (port < 1) {
            throw new IllegalArgumentException("port " + port + " out of range 1-65535 in '" + text + "'");
        }
        InetAddress a = literal(hp.getHost());
        if (a == null) {
            throw new IllegalArgumentException("not an IP address (want a.b.c.d or an IPv6 one): " + hp.getHost());
        }
        return new InetSocketAddress(a, port);
    }
}
