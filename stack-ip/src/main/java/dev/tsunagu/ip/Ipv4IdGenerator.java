package dev.tsunagu.ip;

import java.util.SplittableRandom;

/**
 * The Identification field of the datagrams we originate, as RFC 7739 (section 5.3, the
 * hash-based generator) recommends and RFC 6864 allows: no counter shared by every destination,
 * which would let anyone who receives two of our datagrams count what we sent to others between
 * them (idle scans, traffic estimates), and no ID an off-path host can predict for a
 * destination it does not see.
 *
 * <pre>
 *   index = F(src, dst, protocol, k1) mod TABLE_LENGTH
 *   id    = (table[index] + F(src, dst, protocol, k2)) mod 2^16
 *   table[index] += 1
 * </pre>
 *
 * Each (source, destination, protocol) thus sees its own counter, starting at a secret offset:
 * its IDs still change from datagram to datagram, which is what reassembly needs (RFC 6864 4.2:
 * unique per source, destination and protocol for the maximum datagram lifetime, as far as
 * 2^16 allows), while flows that hash to other slots share nothing. The table is bounded
 * ({@link #TABLE_LENGTH} 16-bit counters, 8 KiB), started at random values, so memory does not
 * grow with the number of destinations. F is SipHash-2-4 (Aumasson and Bernstein, 2012) of the
 * 16 bytes {@code src, dst, protocol}, under two 128-bit secrets; the last flow's index and
 * offset are remembered, so a bulk transfer hashes once.
 *
 * <p>The same rule serves atomic datagrams (DF set, not fragmented), whose ID RFC 6864 4.1 lets
 * be anything: giving them the flow's counter too keeps every retransmission distinguishable on
 * the wire, and costs nothing more. Loop thread only.
 */
final class Ipv4IdGenerator {
    /** Counters in the table (RFC 7739 suggests a table of that order; a power of two for the index). */
    static final int TABLE_LENGTH = 4096;

    private final long indexKey0;
    private final long indexKey1;
    private final long offsetKey0;
    private final long offsetKey1;
    private final char[] table = new char[TABLE_LENGTH];

    // The last flow asked for, and its slot and offset.
    private boolean memoValid;
    private int memoSource;
    private int memoDestination;
    private int memoProtocol;
    private int memoIndex;
    private int memoOffset;

    /** The secrets and the table's starting values all come from {@code seed} (one draw of the stack's random). */
    Ipv4IdGenerator(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        indexKey0 = r.nextLong();
        indexKey1 = r.nextLong();
        offsetKey0 = r.nextLong();
        offsetKey1 = r.nextLong();
        for (int i = 0; i < TABLE_LENGTH; i++) {
            table[i] = (char) r.nextInt(0x10000);
        }
    }

    /** The ID for the next datagram from {@code source} to {@code destination} of {@code protocol}. */
    int next(int source, int destination, int protocol) {
        if (!memoValid || source != memoSource || destination != memoDestination || protocol != memoProtocol) {
            long m0 = ((long) source << 32) | (destination & 0xFFFF_FFFFL);
            memoIndex = (int) (sipHash24(indexKey0, indexKey1, m0, protocol) & (TABLE_LENGTH - 1));
            memoOffset = (int) sipHash24(offsetKey0, offsetKey1, m0, protocol);
            memoSource = source;
            memoDestination = destination;
            memoProtocol = protocol;
            memoValid = true;
        }
        int id = (table[memoIndex] + memoOffset) & 0xFFFF;
        table[memoIndex]++;
        return id;
    }

    /**
     * SipHash-2-4 of a 16-byte message, the words {@code m0} and {@code m1} in little-endian
     * order, under the key {@code k0, k1} (the paper's algorithm for exactly two message words).
     */
    static long sipHash24(long k0, long k1, long m0, long m1) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        long[] v = {v0, v1, v2, v3};
        compress(v, m0);
        compress(v, m1);
        compress(v, 16L << 56); // the last block: the message length in its top byte, no bytes left over
        v[2] ^= 0xFF;
        for (int i = 0; i < 4; i++) {
            round(v);
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void compress(long[] v, long m) {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    }

    private static void round(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13) ^ v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16) ^ v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21) ^ v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17) ^ v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }
}
