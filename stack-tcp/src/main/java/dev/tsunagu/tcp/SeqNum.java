package dev.tsunagu.tcp;

/**
 * Sequence number arithmetic modulo 2^32 (RFC 9293 3.4): sequence numbers are plain
 * {@code int}s, and "a is before b" means the signed difference {@code a - b} is negative,
 * which holds as long as the two are within 2^31 of each other (windows are far smaller).
 */
public final class SeqNum {
    private SeqNum() {}

    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /** Whether {@code lo <= x < hi}, modulo 2^32. */
    public static boolean inRange(int x, int lo, int hi) {
        return Integer.compareUnsigned(x - lo, hi - lo) < 0;
    }

    /** Whether {@code lo <= x <= hi}, modulo 2^32. */
    public static boolean inRangeInclusive(int x, int lo, int hi) {
        return Integer.compareUnsigned(x - lo, hi - lo) <= 0;
    }
}
