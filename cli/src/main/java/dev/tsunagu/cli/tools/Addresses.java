package dev.tsunagu.cli.tools;

import java.net.InetSocketAddress;

/** How the commands print socket addresses: {@code 10.0.0.1:49152}. */
final class Addresses {
    private Addresses() {}

    static String format(InetSocketAddress a) {
        if (a == null) {
            return "*:*";
        }
        return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort();
    }
}
