package dev.tsunagu.tcp;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Initial sequence numbers as RFC 6528 (section 3) asks: {@code ISN = M + F(localip,
 * localport, remoteip, remoteport, secretkey)}, where M is a timer that ticks every 4
 * microseconds and F a keyed pseudorandom function of the connection's 4-tuple. Each
 * connection gets its own sequence space that an off-path attacker cannot guess, while a new
 * incarnation of the same 4-tuple still starts above the old one (the clock has moved on),
 * which is what RFC 9293 3.4.1 wants of the clock-driven generator.
 *
 * <p>F is SipHash-2-4 (Aumasson and Bernstein, 2012) under a 128-bit secret drawn once from
 * the key source, over the 12 bytes {@code localIp, localPort, remoteIp, remotePort} in
 * network order, truncated to its low 32 bits. Linux does the same (with SipHash since 4.11).
 * Time is passed in: the stack's clock, so ISNs in a virtual-time test are reproducible for
 * a seeded key source.
 *
 * <p>Stateless after construction and so safe to share across threads.
 */
public final class IsnGenerator {
    /** The timer M ticks once per this many nanoseconds (RFC 6528: 4 µs). */
    public static final long TICK_NANOS = 4_000;

    private final long k0;
    private final long k1;

    /** Draws the 128-bit secret: two {@code nextLong()}s, the first the key's low 8 bytes. */
    public IsnGenerator(RandomGenerator keySource) {
        Objects.requireNonNull(keySource, "keySource");
        this.k0 = keySource.nextLong();
        this.k1 = keySource.nextLong();
    }

    /**
     * The initial sequence number for a connection from {@code localIp:localPort} to
     * {@code remoteIp:remotePort} at {@code nowNanos} (on the stack's monotonic clock; any
     * origin, negative values included: the tick count is floored, so M never steps back).
     */
    public int isn(int localIp, int localPort, int remoteIp, int remotePort, long nowNanos) {
        int m = (int) Math.floorDiv(nowNanos, TICK_NANOS);
        return m + (int) hashTuple(k0, k1, localIp, localPort, remoteIp, remotePort);
    }

    /**
     * A per-connection offset for the Timestamps clock (RFC 7323 5.4), so a timestamp tells
     * nobody the host's uptime or links its connections: the same keyed hash of the 4-tuple
     * as the ISN's, under the key's halves swapped.
     */
    public int timestampOffset(int localIp, int localPort, int remoteIp, int remotePort) {
        return (int) hashTuple(k1, k0, localIp, localPort, remoteIp, remotePort);
    }

    /**
     * SipHash-2-4 of the 12 bytes {@code localIp (4), localPort (2), remoteIp (4),
     * remotePort (2)}, big-endian, without building the array: the same as
     * {@link #sipHash24} over those bytes.
     */
    static long hashTuple(long k0, long k1, int localIp, int localPort, int remoteIp, int remotePort) {
        // Bytes 0..7 as a little-endian word: localIp, localPort, the high half of remoteIp.
        long m0 = Integer.reverseBytes(localIp) & 0xFFFF_FFFFL
                | (long) Short.reverseBytes((short) localPort) << 32 & 0xFFFF_0000_0000L
                | (long) Short.reverseBytes((short) (remoteIp >>> 16)) << 48;
        // Bytes 8..11 (the low half of remoteIp, remotePort) and the length, 12, in the top byte.
        long last = Short.reverseBytes((short) remoteIp) & 0xFFFFL
                | ((long) Short.reverseBytes((short) remotePort) & 0xFFFFL) << 16
                | 12L << 56;
        long[] v = initialState(k0, k1);
        compress(v, m0);
        compress(v, last);
        return finalise(v);
    }

    /**
     * SipHash-2-4 of {@code length} bytes at {@code offset} under the key {@code (k0, k1)}
     * (the key's bytes 0..7 and 8..15 read little-endian, as in the reference code).
     */
    static long sipHash24(long k0, long k1, byte[] data, int offset, int length) {
        long[] v = initialState(k0, k1);
        int end = offset + length;
        int i = offset;
        for (; end - i >= 8; i += 8) {
            long m = 0;
            for (int j = 7; j >= 0; j--) {
                m = m << 8 | (data[i + j] & 0xFF);
            }
            compress(v, m);
        }
        long last = (long) (length & 0xFF) << 56;
        for (int j = end - i - 1; j >= 0; j--) {
            last |= (long) (data[i + j] & 0xFF) << (8 * j);
        }
        compress(v, last);
        return finalise(v);
    }

    private static long[] initialState(long k0, long k1) {
        // "somepseudorandomlygeneratedbytes"
        return new long[] {
            k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L, k1 ^ 0x7465646279746573L
        };
    }

    /** Absorbs one message word: two SipRounds (the "2" of 2-4). */
    private static void compress(long[] v, long m) {
        v[3] ^= m;
        sipRound(v);
        sipRound(v);
        v[0] ^= m;
    }

    /** Four SipRounds after XORing 0xff into v2 (the "4"), then the XOR of the state. */
    private static long finalise(long[] v) {
        v[2] ^= 0xFF;
        sipRound(v);
        sipRound(v);
        sipRound(v);
        sipRound(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void sipRound(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13);
        v[1] ^= v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17);
        v[1] ^= v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }
}
