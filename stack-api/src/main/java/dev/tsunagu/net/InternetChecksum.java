package dev.tsunagu.net;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of the
 * data as 16-bit big-endian words. Used by IPv4, ICMP, UDP and TCP.
 *
 * <p>Sums are accumulated in {@code long}s 32 bytes at a time and folded at the end
 * (RFC 1071 section 2: the sum is independent of byte order and of how carries are
 * deferred), which keeps the per-packet cost low. Building blocks are exposed so callers can
 * add a pseudo-header and several buffers before {@link #finish finishing}.
 */
public final class InternetChecksum {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private InternetChecksum() {}

    /**
     * Adds {@code length} bytes at {@code offset} to a running sum; an odd final byte is
     * padded with zero, as the RFC says. Only the last chunk of a message may have odd length.
     */
    public static long add(long sum, byte[] data, int offset, int length) {
        int i = offset;
        int end = offset + length;
        if (end - i >= 32) {
            // The bulk of a packet, 32 bytes a turn into two independent sums (the loads and
            // adds of one do not wait for the other's), with little-endian loads: on x86 and
            // ARM they need no byte swap. Summing byte-swapped words gives the byte-swapped
            // sum (RFC 1071 section 2(B)), so the folded result is swapped back once at the end.
            long a = 0;
            long b = 0;
            do {
                long v0 = (long) LONG_LE.get(data, i);
                long v1 = (long) LONG_LE.get(data, i + 8);
                long v2 = (long) LONG_LE.get(data, i + 16);
                long v3 = (long) LONG_LE.get(data, i + 24);
                a += (v0 >>> 32) + (v0 & 0xFFFF_FFFFL) + (v1 >>> 32) + (v1 & 0xFFFF_FFFFL);
                b += (v2 >>> 32) + (v2 & 0xFFFF_FFFFL) + (v3 >>> 32) + (v3 & 0xFFFF_FFFFL);
                i += 32;
            } while (end - i >= 32);
            int swapped = fold(a + b);
            sum += ((swapped & 0xFF) << 8) | (swapped >>> 8);
        }
        // Eight bytes at a time; each long is split into two 32-bit halves so the 64-bit
        // accumulator cannot overflow before the final fold (it would need 2^32 additions).
        while (end - i >= 8) {
            long v = (long) LONG_BE.get(data, i);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
            i += 8;
        }
        while (end - i >= 2) {
            sum += ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
            i += 2;
        }
        if (i < end) {
            sum += (data[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** A sum folded to 16 bits with end-around carries (not complemented). */
    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** Adds a 16-bit value. */
    public static long add16(long sum, int value) {
        return sum + (value & 0xFFFF);
    }

    /** Adds a 32-bit value (an IPv4 address) as two 16-bit words. */
    public static long add32(long sum, int value) {
        return sum + (value >>> 16) + (value & 0xFFFF);
    }

    /** The TCP/UDP pseudo-header sum: source, destination, zero + protocol, length (RFC 768, RFC 9293). */
    public static long pseudoHeader(int source, int destination, int protocol, int length) {
        return add32(add32(0, source), destination) + protocol + length;
    }

    /** Folds a running sum to 16 bits and complements it: the value to put in a header. */
    public static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** The checksum of {@code length} bytes at {@code offset}. */
    public static int compute(byte[] data, int offset, int length) {
        return finish(add(0, data, offset, length));
    }

    /**
     * Whether data that contains its own checksum field verifies: its folded sum is all ones,
     * so {@code finish} gives zero.
     */
    public static boolean verify(byte[] data, int offset, int length) {
        return compute(data, offset, length) == 0;
    }

    /**
     * Updates a checksum after one 16-bit word of the covered data changed from {@code old} to
     * {@code now} (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')), as a router does after
     * decrementing the TTL, without summing the header again.
     */
    public static int update(int checksum, int old, int now) {
        long sum = (~checksum & 0xFFFF) + (~old & 0xFFFF) + (now & 0xFFFF);
        return finish(sum);
    }

    /**
     * The value a transport puts in its checksum field when the device is to finish the sum
     * ({@link dev.tsunagu.buffer.PacketBuffer#setChecksumPartial}): the folded pseudo-header sum,
     * not complemented, as Linux leaves it for a {@code CHECKSUM_PARTIAL} packet.
     */
    public static int partial(long pseudoHeaderSum) {
        return ~finish(pseudoHeaderSum) & 0xFFFF;
    }

    /**
     * Finishes in software a checksum left partial in {@code b} (for a device or capture that
     * cannot): sums from the checksum start to the end, the pseudo-header sum in the field
     * included, and writes the result there. Does nothing if the checksum is complete.
     */
    public static void finishPartial(dev.tsunagu.buffer.PacketBuffer b) {
        if (!b.checksumPartial()) {
            return;
        }
        int from = b.checksumStart();
        int field = from + b.checksumFieldOffset();
        long sum = add(0, b.array(), b.start() + from, b.length() - from);
        b.setU16(field, finish(sum));
        b.setChecksumComplete();
    }

    /**
     * {@link #finishPartial(dev.tsunagu.buffer.PacketBuffer)} over a copy of a packet in
     * {@code data}: sums from {@code from} to the end and writes the result {@code fieldOffset}
     * bytes after {@code from}.
     */
    public static void finishPartial(byte[] data, int from, int fieldOffset) {
        int sum = finish(add(0, data, from, data.length - from));
        data[from + fieldOffset] = (byte) (sum >>> 8);
        data[from + fieldOffset + 1] = (byte) sum;
    }
}
