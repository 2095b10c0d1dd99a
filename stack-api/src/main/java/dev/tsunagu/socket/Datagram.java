package dev.tsunagu.socket;

import java.net.InetSocketAddress;

/**
 * One received UDP datagram: who sent it, to which of our addresses, and its bytes (a copy the
 * application owns).
 */
public record Datagram(InetSocketAddress source, InetSocketAddress destination, byte[] data) {
    /** The payload length in bytes. */
    public int length() {
        return data.length;
    }
}
