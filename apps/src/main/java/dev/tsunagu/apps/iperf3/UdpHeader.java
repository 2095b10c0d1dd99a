package dev.tsunagu.apps.iperf3;

/**
 * The header at the front of every iperf3 UDP datagram, big-endian: the sender's time when it
 * sent the datagram (seconds, then microseconds, 32 bits each) and the datagram's number in its
 * stream, counting from 1 (32 bits, or 64 with {@code --udp-counters-64bit}). The rest of the
 * datagram is filler. A view over the datagram's bytes: {@link #check} once, then the getters
 * cannot fail.
 */
final class UdpHeader {
    static final int SEC = 0;
    static final int USEC = 4;
    static final int COUNT = 8;

    private UdpHeader() {}

    static int size(boolean counters64) {
        return counters64 ? 16 : 12;
    }

    /** True if {@code length} bytes can hold the header. */
    static boolean check(int length, boolean counters64) {
        return length >= size(counters64);
    }

    /** The send time in microseconds (of whatever clock the sender uses: only differences matter). */
    static long sentMicros(byte[] d) {
        return u32(d, SEC) * 1_000_000L + u32(d, USEC);
    }

    static long count(byte[] d, boolean counters64) {
        return counters64 ? (u32(d, COUNT) << 32) | u32(d, COUNT + 4) : u32(d, COUNT);
    }

    /** Writes the header for datagram {@code count} sent at {@code micros}. */
    static void write(byte[] d, long micros, long count, boolean counters64) {
        put32(d, SEC, micros / 1_000_000L);
        put32(d, USEC, micros % 1_000_000L);
        if (counters64) {
            put32(d, COUNT, count >>> 32);
            put32(d, COUNT + 4, count);
        } else {
            put32(d, COUNT, count);
        }
    }

    private static long u32(byte[] d, int at) {
        return ((d[at] & 0xffL) << 24) | ((d[at + 1] & 0xffL) << 16) | ((d[at + 2] & 0xffL) << 8) | (d[at + 3] & 0xffL);
    }

    private static void put32(byte[] d, int at, long v) {
        d[at] = (byte) (v >>> 24);
        d[at + 1] = (byte) (v >>> 16);
        d[at + 2] = (byte) (v >>> 8);
        d[at + 3] = (byte) v;
    }
}
