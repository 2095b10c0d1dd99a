package dev.tsunagu.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An address and port as every table, log and trace of the stack prints them: {@code 10.0.0.2:80},
 * and an IPv6 address in brackets so its colons are not read as the port's (RFC 3986 3.2.2,
 * {@code [fd00::2]:80}), in RFC 5952's short text rather than {@code java.net}'s
 * {@code fd00:0:0:0:0:0:0:2}. A port of 0 (none chosen, a transparent listener) is shown as
 * {@code *}, as {@code netstat} does.
 */
public final class Endpoint {
    private Endpoint() {}

    /** {@code 10.0.0.2:80}, {@code [fd00::2]:80}, {@code [::]:*}; {@code *:*} for null. */
    public static String format(InetSocketAddress a) {
        if (a == null) {
            return "*:*";
        }
        String port = a.getPort() == 0 ? "*" : Integer.toString(a.getPort());
        if (a.getAddress() == null) {
            return a.getHostString() + ":" + port; // unresolved: the name as given
        }
        String host = host(a.getAddress());
        return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }

    /** The address alone: dotted IPv4, or RFC 5952 IPv6 without brackets ({@code fd00::2}). */
    public static String host(InetAddress address) {
        return IpAddress.of(address).toString();
    }
}
