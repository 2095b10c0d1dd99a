package dev.tsunagu.apps.iperf3;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The 37 bytes every iperf3 connection starts with: 36 printable characters the client drew at
 * random, then a NUL. The control connection's cookie names the test; each stream connection
 * sends the same cookie so the server can tell which test it belongs to.
 */
record Cookie(byte[] bytes) {
    static final int SIZE = 37;

    Cookie {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("an iperf3 cookie is " + SIZE + " bytes, not " + bytes.length);
        }
        bytes = bytes.clone();
    }

    /** A cookie as the client makes one (for tests): the text, padded with NULs to 37 bytes. */
    static Cookie of(String text) {
        byte[] b = Arrays.copyOf(text.getBytes(StandardCharsets.US_ASCII), SIZE);
        b[SIZE - 1] = 0;
        return new Cookie(b);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cookie c && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The printable part, for logs. */
    @Override
    public String toString() {
        int end = 0;
        while (end < SIZE && bytes[end] >= 0x20 && bytes[end] < 0x7f) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }
}
