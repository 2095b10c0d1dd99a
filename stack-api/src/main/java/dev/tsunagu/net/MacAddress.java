package dev.tsunagu.net;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * A 48-bit IEEE 802 MAC address, held in the low 48 bits of a {@code long} so that hot paths
 * can compare and store addresses without allocating; this record is the readable form for
 * APIs, configuration and logs.
 */
public record MacAddress(long bits) {
    /** {@code ff:ff:ff:ff:ff:ff}: every station on the segment. */
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    /** {@code 00:00:00:00:00:00}: no address (loopback frames, ARP requests' target). */
    public static final MacAddress ZERO = new MacAddress(0);

    /**
     * Checks that only the low 48 bits are used.
     *
     * @throws IllegalArgumentException if a higher bit is set
     */
    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits: " + Long.toHexString(bits));
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also accepts {@code -} as separator). */
    public static MacAddress parse(String text) {
        String[] parts = text.trim().split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text);
        }
        long bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2 || !part.matches("[0-9a-fA-F]+")) {
                throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text);
            }
            try {
                bits = (bits << 8) | Integer.parseInt(part, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text, e);
            }
        }
        return new MacAddress(bits);
    }

    /** The address in the first six bytes of {@code six}, in wire order. */
    public static MacAddress of(byte[] six) {
        return new MacAddress(readBits(six, 0));
    }

    /**
     * A random unicast, locally administered address (the U/L bit set, the I/G bit clear), as
     * a stack picks for itself so that it never collides with a vendor-assigned one.
     */
    public static MacAddress randomLocal(RandomGenerator random) {
        long bits = random.nextLong() & 0xFFFF_FFFF_FFFFL;
        bits |= 0x0200_0000_0000L;   // locally administered
        bits &= ~0x0100_0000_0000L;  // unicast
        return new MacAddress(bits);
    }

    /** Reads six bytes of {@code a} from {@code offset}, in wire order, into the low 48 bits of a long. */
    public static long readBits(byte[] a, int offset) {
        long bits = 0;
        for (int i = 0; i < 6; i++) {
            bits = (bits << 8) | (a[offset + i] & 0xFF);
        }
        return bits;
    }

    /**
     * Writes the low 48 bits of {@code bits} into six bytes of {@code a} from {@code offset}, in wire order.
     */
    public static void writeBits(long bits, byte[] a, int offset) {
        for (int i = 5; i >= 0; i--) {
            a[offset + i] = (byte) bits;
            bits >>>= 8;
        }
    }

    /** Whether this is the broadcast address. */
    public boolean isBroadcast() {
        return bits == BROADCAST.bits;
    }

    /** The I/G bit: group (multicast or broadcast) addresses. */
    public boolean isMulticast() {
        return isMulticast(bits);
    }

    /** Whether the address held in {@code bits} has the I/G (group) bit set. */
    public static boolean isMulticast(long bits) {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    /** The six bytes in wire order (a new array). */
    public byte[] toBytes() {
        byte[] b = new byte[6];
        writeBits(bits, b, 0);
        return b;
    }

    @Override
    public String toString() {
        return format(bits);
    }

    /** {@code aa:bb:cc:dd:ee:ff} text for an address held as a long, lower-case hex. */
    public static String format(long bits) {
        HexFormat hex = HexFormat.ofDelimiter(":");
        byte[] b = new byte[6];
        writeBits(bits, b, 0);
        return hex.formatHex(b);
    }
}
