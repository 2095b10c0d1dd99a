package dev.tsunagu.testkit.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv4Address;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 header (RFC 791) as a value: what {@link #parse} finds at the front of a packet and
 * {@link #emit} writes, for tests. It reads and writes the bytes itself, from the RFC's
 * layout, and shares no code with stack-ip's parser, so a test that checks the stack's
 * packets with it does not check the parser against itself.
 *
 * <p>Addresses are plain {@code int}s in network order ({@code 10.0.0.1} is
 * {@code 0x0A000001}); {@link #fragmentOffset} is in bytes (a multiple of 8), not in the
 * field's 8-byte units. {@link #payloadLength} is the total length
 * minus the header length: link-layer padding after the datagram is not part of it.
 *
 * <p>{@link #options} are the raw option bytes between the fixed header and the payload, kept
 * uninterpreted. The constructor pads them with zeros (End of Option List) to a multiple of
 * four bytes, so a value always says exactly what goes on the wire and
 * {@code parse(emit(r))} equals {@code r}. The array is copied on the way in and out.
 * The reserved flag bit (RFC 791, "must be zero") is ignored by {@link #parse} and
 * written as zero.
 */
public record Ipv4Repr(int source, int destination, int protocol, int ttl, int tos, int identification,
                       boolean dontFragment, boolean moreFragments, int fragmentOffset, int payloadLength,
                       byte[] options) {
    /** The header without options, the largest header (IHL 15), the largest datagram. */
    public static final int MIN_HEADER_LENGTH = 20, MAX_HEADER_LENGTH = 60, MAX_LENGTH = 65535;
    /** The most option bytes a header can carry (IHL 15). */
    public static final int MAX_OPTIONS_LENGTH = MAX_HEADER_LENGTH - MIN_HEADER_LENGTH;
    /** The largest fragment offset in bytes: 13 bits of 8-byte units. */
    public static final int MAX_FRAGMENT_OFFSET = 0x1FFF * 8;

    private static final byte[] NO_OPTIONS = {};
    private static final int FLAG_DF = 0x4000, FLAG_MF = 0x2000, OFFSET_MASK = 0x1FFF;

    /**
     * Why {@link #parse} refused a header: shorter than 20 bytes, a version other than 4, a
     * header length below 20 or past the buffer, a total length below the header's or past the
     * buffer, a wrong header checksum.
     */
    public enum Reason { TRUNCATED, BAD_VERSION, BAD_HEADER_LENGTH, BAD_TOTAL_LENGTH, BAD_CHECKSUM }

    /** Either a header or the reason there is none. */
    public sealed interface Result permits Parsed, Rejected {}

    public record Parsed(Ipv4Repr repr) implements Result {}

    public record Rejected(Reason reason) implements Result {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Checks the ranges of every field. {@code options} may be null or empty for none; they
     * are copied and padded to a multiple of four bytes.
     *
     * @throws IllegalArgumentException if a field does not fit its bits, the fragment offset
     *         is not a multiple of 8, the options exceed 40 bytes or the datagram 65535 bytes
     */
    public Ipv4Repr {
        checkRange("protocol", protocol, 0xFF);
        checkRange("ttl", ttl, 0xFF);
        checkRange("tos", tos, 0xFF);
        checkRange("identification", identification, 0xFFFF);
        checkRange("fragmentOffset", fragmentOffset, MAX_FRAGMENT_OFFSET);
        if (fragmentOffset % 8 != 0) {
            throw new IllegalArgumentException("fragmentOffset " + fragmentOffset + " is not a multiple of 8");
        }
        options = padOptions(options);
        int headerLength = MIN_HEADER_LENGTH + options.length;
        checkRange("payloadLength", payloadLength, MAX_LENGTH - headerLength);
    }

    private static void checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " " + value + " is not in [0, " + max + "]");
        }
    }

    private static byte[] padOptions(byte[] options) {
        if (options == null || options.length == 0) {
            return NO_OPTIONS;
        }
        if (options.length > MAX_OPTIONS_LENGTH) {
            throw new IllegalArgumentException(
                    options.length + " option bytes, at most " + MAX_OPTIONS_LENGTH + " fit");
        }
        return Arrays.copyOf(options, (options.length + 3) & ~3);
    }

    /**
     * The header at the front of {@code b}: at least 20 bytes, version 4, 20 ≤ IHL × 4 ≤
     * total length ≤ buffer length, the header checksum right. Link padding after the total
     * length is allowed. The buffer is not changed: the caller consumes {@link #headerLength()}
     * bytes and truncates the rest to {@link #payloadLength()} to drop link padding.
     */
    public static Result parse(PacketBuffer b) {
        int length = b.length();
        if (length < MIN_HEADER_LENGTH) {
            return new Rejected(Reason.TRUNCATED);
        }
        int versionIhl = b.getU8(0);
        if (versionIhl >>> 4 != 4) {
            return new Rejected(Reason.BAD_VERSION);
        }
        int headerLength = (versionIhl & 0x0F) * 4;
        if (headerLength < MIN_HEADER_LENGTH || headerLength > length) {
            return new Rejected(Reason.BAD_HEADER_LENGTH);
        }
        int totalLength = b.getU16(2);
        if (totalLength < headerLength || totalLength > length) {
            return new Rejected(Reason.BAD_TOTAL_LENGTH);
        }
        if (!InternetChecksum.verify(b.array(), b.start(), headerLength)) {
            return new Rejected(Reason.BAD_CHECKSUM);
        }
        byte[] options = NO_OPTIONS;
        if (headerLength > MIN_HEADER_LENGTH) {
            options = new byte[headerLength - MIN_HEADER_LENGTH];
            b.getBytes(MIN_HEADER_LENGTH, options, 0, options.length);
        }
        int flagsAndOffset = b.getU16(6);
        return new Parsed(new Ipv4Repr(b.getI32(12), b.getI32(16), b.getU8(9), b.getU8(8), b.getU8(1), b.getU16(4),
                (flagsAndOffset & FLAG_DF) != 0, (flagsAndOffset & FLAG_MF) != 0, (flagsAndOffset & OFFSET_MASK) * 8,
                totalLength - headerLength, options));
    }

    /** A copy of the option bytes (a multiple of four, empty for none). */
    @Override
    public byte[] options() {
        return options.length == 0 ? NO_OPTIONS : options.clone();
    }

    /** The header length in bytes: 20 plus the options. */
    public int headerLength() {
        return MIN_HEADER_LENGTH + options.length;
    }

    /** The datagram length, header included: the total length field. */
    public int totalLength() {
        return headerLength() + payloadLength;
    }

    /** The flags and fragment offset word as on the wire. */
    public int flagsAndOffset() {
        return (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0)
                | fragmentOffset / 8;
    }

    /** Whether this header belongs to a fragment (MF set or a non-zero offset). */
    public boolean isFragment() {
        return moreFragments || fragmentOffset != 0;
    }

    /**
     * Prepends this header, options and checksum included, to the payload in {@code b}.
     *
     * @throws IllegalArgumentException if {@code b} does not hold exactly {@link #payloadLength} bytes
     * @throws IndexOutOfBoundsException if {@code b} lacks the headroom
     */
    public void emit(PacketBuffer b) {
        if (b.length() != payloadLength) {
            throw new IllegalArgumentException("the buffer holds " + b.length() + " bytes, the header says "
                    + payloadLength);
        }
        int headerLength = headerLength();
        b.prepend(headerLength);
        b.setU8(0, 0x40 | headerLength / 4);
        b.setU8(1, tos);
        b.setU16(2, headerLength + payloadLength);
        b.setU16(4, identification);
        b.setU16(6, flagsAndOffset());
        b.setU8(8, ttl);
        b.setU8(9, protocol);
        b.setU16(10, 0);
        b.setI32(12, source);
        b.setI32(16, destination);
        b.setBytes(MIN_HEADER_LENGTH, options, 0, options.length);
        b.setU16(10, InternetChecksum.compute(b.array(), b.start(), headerLength));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Repr r
                && source == r.source && destination == r.destination && protocol == r.protocol && ttl == r.ttl
                && tos == r.tos && identification == r.identification && dontFragment == r.dontFragment
                && moreFragments == r.moreFragments && fragmentOffset == r.fragmentOffset
                && payloadLength == r.payloadLength && Arrays.equals(options, r.options);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(source, destination, protocol, ttl, tos, identification, dontFragment, moreFragments,
                fragmentOffset, payloadLength);
        return 31 * h + Arrays.hashCode(options);
    }

    /**
     * In the manner of tcpdump: {@code 10.0.0.1 > 10.0.0.2: ICMP, ttl 64, id 1, length 84},
     * with the TOS, flags, fragment offset and options when present. The length is the
     * total length.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(80)
                .append(Ipv4Address.format(source)).append(" > ").append(Ipv4Address.format(destination))
                .append(": ").append(IpProtocol.name(protocol));
        if (tos != 0) {
            s.append(", tos 0x").append(Integer.toHexString(tos));
        }
        s.append(", ttl ").append(ttl).append(", id ").append(identification);
        if (dontFragment || moreFragments) {
            s.append(", flags [").append(dontFragment ? "DF" : "").append(moreFragments ? "+" : "").append(']');
        }
        if (fragmentOffset != 0) {
            s.append(", offset ").append(fragmentOffset);
        }
        if (options.length != 0) {
            s.append(", options (").append(options.length).append(" bytes)");
        }
        return s.append(", length ").append(totalLength()).toString();
    }
}
