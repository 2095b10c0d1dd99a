package dev.tsunagu.tcp.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.IpService;

/**
 * A view of a TCP header (RFC 9293 3.1) at the front of a {@link PacketBuffer} that holds
 * exactly the segment (the IP payload): named offsets and in-place accessors, no allocation.
 * {@link #check} is the one validation; after it passes no accessor reads out of bounds and
 * the header length can be trusted.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |          source port          |       destination port        |
 * +-------------------------------+-------------------------------+
 * |                        sequence number                        |
 * +---------------------------------------------------------------+
 * |                    acknowledgment number                      |
 * +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 * |  data |       |C|E|U|A|P|R|S|F|                               |
 * | offset| rsrvd |W|C|R|C|S|S|Y|I|            window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 * |           checksum            |         urgent pointer        |
 * +-------------------------------+-------------------------------+
 * |                    options (data offset > 5)                  |
 * </pre>
 *
 * <p>Options (RFC 9293 3.2) are a kind byte, and for every kind but End of Option List (0)
 * and No-Operation (1) a length byte that counts the kind and length bytes too. The ones read
 * into {@link Options}: Maximum Segment Size (RFC 9293, RFC 6691; kind 2, length 4), Window
 * Scale (RFC 7323; kind 3, length 3), SACK-Permitted (RFC 2018; kind 4, length 2),
 * Timestamps (RFC 7323; kind 8, length 10) and SACK (RFC 2018; kind 5, 8 bytes a block).
 * Others are skipped by their length.
 *
 * <p>The checksum covers a pseudo-header (source and destination address, zero, protocol 6,
 * TCP length), the header and the data. Unlike UDP, zero is an ordinary checksum value.
 */
public final class TcpHeader {
    public static final int SOURCE_PORT = 0, DESTINATION_PORT = 2, SEQUENCE = 4, ACKNOWLEDGMENT = 8,
            DATA_OFFSET = 12, FLAGS = 13, WINDOW = 14, CHECKSUM = 16, URGENT = 18;
    public static final int HEADER_LENGTH = 20, MAX_HEADER_LENGTH = 60;
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40,
            CWR = 0x80;

    /** Option kinds (IANA "TCP Option Kind Numbers"). */
    public static final int OPTION_EOL = 0, OPTION_NOP = 1, OPTION_MSS = 2, OPTION_WINDOW_SCALE = 3,
            OPTION_SACK_PERMITTED = 4, OPTION_SACK = 5, OPTION_TIMESTAMPS = 8;

    /** RFC 7323 2.3: a larger shift count is used as 14. */
    public static final int MAX_WINDOW_SCALE = 14;

    /** RFC 2018 3: at most four SACK blocks fit in the option space (three beside Timestamps). */
    public static final int MAX_SACK_BLOCKS = 4;

    /** The bytes of the Timestamps option as written: NOP, NOP, kind 8, length 10 (RFC 7323 appendix A). */
    public static final int TIMESTAMPS_LENGTH = 12;

    /** The bytes {@link #prepend} writes for the options it is given. */
    public static int optionsLength(int mss, int windowScale, boolean sackPermitted) {
        return (mss > 0 ? 4 : 0) + (sackPermitted ? 4 : 0) + (windowScale >= 0 ? 4 : 0);
    }

    /** What {@link #check} found wrong; each is a drop counter. */
    public enum Problem { OK, TRUNCATED, BAD_DATA_OFFSET, BAD_CHECKSUM }

    private TcpHeader() {}

    /**
     * Validates the segment in {@code b}, which holds exactly the TCP segment (the IP
     * payload): at least a fixed header, 20 ≤ data offset × 4 ≤ length, checksum correct over
     * the pseudo-header of {@code sourceIp} and {@code destinationIp} (protocol 6). Options
     * are not looked at here: see {@link #parseOptions}.
     */
    public static Problem check(PacketBuffer b, int sourceIp, int destinationIp) {
        Problem p = checkLengths(b);
        if (p != Problem.OK) {
            return p;
        }
        return verifies(b, InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.TCP, b.length()));
    }

    /**
     * {@link #check(PacketBuffer, int, int)} for a segment received as {@code info} says, in
     * either address family: the network layer sums the pseudo-header.
     */
    public static Problem check(PacketBuffer b, IpPacketInfo info) {
        Problem p = checkLengths(b);
        if (p != Problem.OK || b.checksumVerified()) {
            return p; // a device that verified the checksum (or a kernel that never put it on a wire) vouches
        }
        return verifies(b, info.pseudoHeaderSum(IpProtocol.TCP, b.length()));
    }

    private static Problem checkLengths(PacketBuffer b) {
        int length = b.length();
        if (length < HEADER_LENGTH) {
            return Problem.TRUNCATED;
        }
        int headerLength = headerLength(b);
        if (headerLength < HEADER_LENGTH || headerLength > length) {
            return Problem.BAD_DATA_OFFSET;
        }
        return Problem.OK;
    }

    private static Problem verifies(PacketBuffer b, long pseudoHeaderSum) {
        boolean ok = InternetChecksum.finish(InternetChecksum.add(pseudoHeaderSum, b.array(), b.start(), b.length())) == 0;
        return ok ? Problem.OK : Problem.BAD_CHECKSUM;
    }

    public static int sourcePort(PacketBuffer b) {
        return b.getU16(SOURCE_PORT);
    }

    public static int destinationPort(PacketBuffer b) {
        return b.getU16(DESTINATION_PORT);
    }

    public static int sequence(PacketBuffer b) {
        return b.getI32(SEQUENCE);
    }

    public static int acknowledgment(PacketBuffer b) {
        return b.getI32(ACKNOWLEDGMENT);
    }

    /** The header length in bytes, options included (the data offset counts 32-bit words). */
    public static int headerLength(PacketBuffer b) {
        return (b.getU8(DATA_OFFSET) >>> 4) * 4;
    }

    /** The eight flag bits (CWR … FIN); the reserved bits are not included. */
    public static int flags(PacketBuffer b) {
        return b.getU8(FLAGS);
    }

    /** The window field as sent: not scaled. */
    public static int window(PacketBuffer b) {
        return b.getU16(WINDOW);
    }

    public static int checksum(PacketBuffer b) {
        return b.getU16(CHECKSUM);
    }

    public static int urgentPointer(PacketBuffer b) {
        return b.getU16(URGENT);
    }

    /** The payload length: the segment less its header. */
    public static int payloadLength(PacketBuffer b) {
        return b.length() - headerLength(b);
    }

    /**
     * A mutable, reusable holder for the options of one segment, so the receive path parses and
     * the send path builds headers without allocating. Absent options keep their {@link #reset} values.
     */
    public static final class Options {
        /** Maximum segment size; 0 = absent (a zero on the wire reads as absent too). */
        public int mss;
        /** Window scale shift count, at most {@link TcpHeader#MAX_WINDOW_SCALE}; -1 = absent. */
        public int windowScale = -1;
        public boolean sackPermitted;
        /** Whether a Timestamps option was present; then {@link #tsValue} and {@link #tsEcho} hold it. */
        public boolean timestamps;
        public int tsValue;
        public int tsEcho;
        /** SACK blocks (RFC 2018) as {@code {left0, right0, left1, right1, ...}}: {@link #sackCount} of them. */
        public final int[] sackBlocks = new int[2 * MAX_SACK_BLOCKS];
        public int sackCount;

        public void reset() {
            mss = 0;
            windowScale = -1;
            sackPermitted = false;
            timestamps = false;
            tsValue = 0;
            tsEcho = 0;
            sackCount = 0;
        }

        /** {@link #reset}, for filling the holder with the options of a segment to send. */
        public Options clear() {
            reset();
            return this;
        }

        /** The bytes {@link #prepend(PacketBuffer, int, int, int, int, int, int, Options, int, int)} writes for these options. */
        public int length() {
            int n = (mss > 0 ? 4 : 0) + (windowScale >= 0 ? 4 : 0);
            if (timestamps) {
                n += TIMESTAMPS_LENGTH; // sackOK rides in the two NOPs before it
            } else if (sackPermitted) {
                n += 4;
            }
            if (sackCount > 0) {
                n += 4 + 8 * sackCount;
            }
            return n;
        }

        @Override
        public String toString() {
            return "Options[mss=" + mss + ", windowScale=" + windowScale + ", sackPermitted=" + sackPermitted
                    + (timestamps ? ", tsValue=" + Integer.toUnsignedString(tsValue) + ", tsEcho="
                    + Integer.toUnsignedString(tsEcho) : "") + "]";
        }
    }

    /**
     * Parses the options of the header in {@code b} (which passed {@link #check}) into
     * {@code into}, after {@link Options#reset resetting} it. End of Option List stops the
     * walk; unknown kinds are skipped by their length; a repeated option overwrites the
     * earlier one. A window scale above 14 reads as 14 (RFC 7323 2.3). The options are read
     * whatever the flags: whether an MSS or window scale counts outside a SYN is the caller's
     * decision.
     *
     * @return false if the options are malformed: a kind other than EOL or NOP without a
     *         length byte, a length below 2, an option running past the header, or a known
     *         option with the wrong length (an MSS of length 3, say). {@code into} then holds
     *         what was parsed before the fault.
     */
    public static boolean parseOptions(PacketBuffer b, Options into) {
        into.reset();
        int end = headerLength(b);
        int i = HEADER_LENGTH;
        while (i < end) {
            int kind = b.getU8(i);
            if (kind == OPTION_EOL) {
                return true;
            }
            if (kind == OPTION_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return false;
            }
            int length = b.getU8(i + 1);
            if (length < 2 || i + length > end) {
                return false;
            }
            switch (kind) {
                case OPTION_MSS -> {
                    if (length != 4) {
                        return false;
                    }
                    into.mss = b.getU16(i + 2);
                }
                case OPTION_WINDOW_SCALE -> {
                    if (length != 3) {
                        return false;
                    }
                    into.windowScale = Math.min(b.getU8(i + 2), MAX_WINDOW_SCALE);
                }
                case OPTION_SACK_PERMITTED -> {
                    if (length != 2) {
                        return false;
                    }
                    into.sackPermitted = true;
                }
                case OPTION_TIMESTAMPS -> {
                    if (length != 10) {
                        return false;
                    }
                    into.timestamps = true;
                    into.tsValue = b.getI32(i + 2);
                    into.tsEcho = b.getI32(i + 6);
                }
                case OPTION_SACK -> {
                    // RFC 2018 3: 8 bytes a block, at most 4 fit in 40 bytes of options.
                    if ((length - 2) % 8 != 0 || length == 2) {
                        return false;
                    }
                    int n = Math.min((length - 2) / 8, MAX_SACK_BLOCKS);
                    for (int k = 0; k < n; k++) {
                        into.sackBlocks[2 * k] = b.getI32(i + 2 + 8 * k);
                        into.sackBlocks[2 * k + 1] = b.getI32(i + 6 + 8 * k);
                    }
                    into.sackCount = n;
                }
                default -> { }
            }
            i += length;
        }
        return true;
    }

    /**
     * Prepends a header to the payload in {@code b} (everything it holds) and fills in the
     * checksum over the pseudo-header of {@code sourceIp} and {@code destinationIp}, the
     * header and the payload. Options, in the order Linux writes them when it sends no
     * timestamps, each in a 4-byte word so no padding is needed: MSS if {@code mss > 0} (kind
     * 2, length 4), SACK-Permitted if {@code sackPermitted} (NOP, NOP, kind 4, length 2),
     * window scale if {@code windowScale >= 0} (NOP, kind 3, length 3). The reserved bits and
     * the urgent pointer are zero. {@code acknowledgment} is written as given whether or not
     * {@code flags} has ACK.
     *
     * @throws IllegalArgumentException if a field does not fit or the segment would exceed
     *         65535 bytes
     */
    public static void prepend(PacketBuffer b, int sourcePort, int destinationPort, int sequence, int acknowledgment,
                               int flags, int window, int mss, int windowScale, boolean sackPermitted, int sourceIp,
                               int destinationIp) {
        Options o = new Options(); // a convenience for tests and slow paths; the send path reuses one
        o.mss = mss;
        o.windowScale = windowScale;
        o.sackPermitted = sackPermitted;
        prepend(b, sourcePort, destinationPort, sequence, acknowledgment, flags, window, o, sourceIp, destinationIp);
    }

    private static void checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " " + value + " is not in [0, " + max + "]");
        }
    }

    /**
     * As {@link #prepend(PacketBuffer, int, int, int, int, int, int, int, int, boolean, int, int)}
     * with every option this stack sends, laid out as Linux lays them out, each group a whole
     * number of 4-byte words: MSS; SACK-Permitted and Timestamps together ({@code sackOK, TS}:
     * kind 4 length 2, kind 8 length 10) or either alone behind two NOPs; window scale behind a
     * NOP; SACK blocks behind two NOPs.
     *
     * @throws IllegalArgumentException if a field does not fit, there are more than 4 SACK blocks
     *         (3 with Timestamps), the options exceed 40 bytes, or the segment 65535 bytes
     */
    public static void prepend(PacketBuffer b, int sourcePort, int destinationPort, int sequence, int acknowledgment,
                               int flags, int window, Options o, int sourceIp, int destinationIp) {
        int length = writeHeader(b, sourcePort, destinationPort, sequence, acknowledgment, flags, window, o);
        setChecksum(b, InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.TCP, length));
    }

    /**
     * {@link #prepend(PacketBuffer, int, int, int, int, int, int, Options, int, int)} between
     * addresses of either family: {@code ip}, the network layer of their family, sums the
     * pseudo-header.
     */
    public static void prepend(PacketBuffer b, int sourcePort, int destinationPort, int sequence, int acknowledgment,
                               int flags, int window, Options o, IpService ip, IpAddress source,
                               IpAddress destination) {
        int length = writeHeader(b, sourcePort, destinationPort, sequence, acknowledgment, flags, window, o);
        setChecksum(b, ip.pseudoHeaderSum(source, destination, IpProtocol.TCP, length));
    }

    /**
     * As {@link #prepend(PacketBuffer, int, int, int, int, int, int, Options, IpService, IpAddress, IpAddress)},
     * but the checksum is left for the device ({@link PacketBuffer#setChecksumPartial}): the field
     * holds the pseudo-header sum over the whole segment's length, as Linux leaves it, and the
     * device (or, cutting it, its segmentation) finishes it.
     */
    public static void prependPartial(PacketBuffer b, int sourcePort, int destinationPort, int sequence,
                                      int acknowledgment, int flags, int window, Options o, IpService ip,
                                      IpAddress source, IpAddress destination) {
        int length = writeHeader(b, sourcePort, destinationPort, sequence, acknowledgment, flags, window, o);
        b.setU16(CHECKSUM, InternetChecksum.partial(ip.pseudoHeaderSum(source, destination, IpProtocol.TCP, length)));
        b.setChecksumPartial(0, CHECKSUM);
    }

    private static void setChecksum(PacketBuffer b, long pseudoHeaderSum) {
        b.setU16(CHECKSUM, InternetChecksum.finish(InternetChecksum.add(pseudoHeaderSum, b.array(), b.start(), b.length())));
    }

    /** Prepends the header with checksum zero; returns the segment's length. */
    private static int writeHeader(PacketBuffer b, int sourcePort, int destinationPort, int sequence,
                                   int acknowledgment, int flags, int window, Options o) {
        checkRange("sourcePort", sourcePort, 0xFFFF);
        checkRange("destinationPort", destinationPort, 0xFFFF);
        checkRange("flags", flags, 0xFF);
        checkRange("window", window, 0xFFFF);
        checkRange("mss", o.mss, 0xFFFF);
        if (o.windowScale < -1 || o.windowScale > MAX_WINDOW_SCALE) {
            throw new IllegalArgumentException("windowScale " + o.windowScale + " is not in [-1, " + MAX_WINDOW_SCALE + "]");
        }
        if (o.sackCount < 0 || o.sackCount > (o.timestamps ? MAX_SACK_BLOCKS - 1 : MAX_SACK_BLOCKS)) {
            throw new IllegalArgumentException(o.sackCount + " SACK blocks do not fit");
        }
        int optionsLength = o.length();
        if (optionsLength > MAX_HEADER_LENGTH - HEADER_LENGTH) {
            throw new IllegalArgumentException(optionsLength + " bytes of options, at most 40 fit");
        }
        int headerLength = HEADER_LENGTH + optionsLength;
        int length = b.length() + headerLength;
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("a TCP segment holds at most 65535 bytes, not " + length);
        }
        b.prepend(headerLength);
        b.setU16(SOURCE_PORT, sourcePort);
        b.setU16(DESTINATION_PORT, destinationPort);
        b.setI32(SEQUENCE, sequence);
        b.setI32(ACKNOWLEDGMENT, acknowledgment);
        b.setU8(DATA_OFFSET, (headerLength / 4) << 4);
        b.setU8(FLAGS, flags);
        b.setU16(WINDOW, window);
        b.setU16(CHECKSUM, 0);
        b.setU16(URGENT, 0);
        int at = HEADER_LENGTH;
        if (o.mss > 0) {
            b.setI32(at, (OPTION_MSS << 24) | (4 << 16) | o.mss);
            at += 4;
        }
        if (o.timestamps) {
            int lead = o.sackPermitted ? (OPTION_SACK_PERMITTED << 8) | 2 : (OPTION_NOP << 8) | OPTION_NOP;
            b.setI32(at, (lead << 16) | (OPTION_TIMESTAMPS << 8) | 10);
            b.setI32(at + 4, o.tsValue);
            b.setI32(at + 8, o.tsEcho);
            at += TIMESTAMPS_LENGTH;
        } else if (o.sackPermitted) {
            b.setI32(at, (OPTION_NOP << 24) | (OPTION_NOP << 16) | (OPTION_SACK_PERMITTED << 8) | 2);
            at += 4;
        }
        if (o.windowScale >= 0) {
            b.setI32(at, (OPTION_NOP << 24) | (OPTION_WINDOW_SCALE << 16) | (3 << 8) | o.windowScale);
            at += 4;
        }
        if (o.sackCount > 0) {
            b.setI32(at, (OPTION_NOP << 24) | (OPTION_NOP << 16) | (OPTION_SACK << 8) | (2 + 8 * o.sackCount));
            at += 4;
            for (int k = 0; k < o.sackCount; k++) {
                b.setI32(at, o.sackBlocks[2 * k]);
                b.setI32(at + 4, o.sackBlocks[2 * k + 1]);
                at += 8;
            }
        }
        return length;
    }

    /**
     * Describes the segment as {@code tcpdump -S} does after the addresses, with raw sequence
     * numbers: {@code Flags [S.], seq 123, ack 456, win 65535, options [mss 1460,nop,wscale 7],
     * length 0}. Unlike tcpdump the sequence number is always shown (tcpdump leaves it out of
     * a bare ACK); with data it is the range {@code seq first:end}. Never throws: a header
     * that is cut short or has a bad data offset is described as such, and options that do
     * not parse end in {@code [bad opt]}, as tcpdump shows them.
     */
    public static String describe(PacketBuffer b) {
        if (b.length() < HEADER_LENGTH) {
            return "[|tcp] truncated header, length " + b.length();
        }
        int headerLength = headerLength(b);
        if (headerLength < HEADER_LENGTH || headerLength > b.length()) {
            return "bad data offset " + headerLength + ", length " + b.length();
        }
        int flags = flags(b);
        int payload = b.length() - headerLength;
        StringBuilder s = new StringBuilder(96).append("Flags [");
        appendFlags(s, flags);
        s.append("], seq ").append(Integer.toUnsignedString(sequence(b)));
        if (payload > 0) {
            s.append(':').append(Integer.toUnsignedString(sequence(b) + payload));
        }
        if ((flags & ACK) != 0) {
            s.append(", ack ").append(Integer.toUnsignedString(acknowledgment(b)));
        }
        s.append(", win ").append(window(b));
        if ((flags & URG) != 0) {
            s.append(", urg ").append(urgentPointer(b));
        }
        if (headerLength > HEADER_LENGTH) {
            s.append(", options [");
            appendOptions(s, b, headerLength);
            s.append(']');
        }
        return s.append(", length ").append(payload).toString();
    }

    /** The flags in tcpdump's letters and order (ACK is "."), or "none". */
    static void appendFlags(StringBuilder s, int flags) {
        if ((flags & 0xFF) == 0) {
            s.append("none");
            return;
        }
        String letters = "FSRP.UEW";
        for (int bit = 0; bit < 8; bit++) {
            if ((flags & (1 << bit)) != 0) {
                s.append(letters.charAt(bit));
            }
        }
    }

    private static void appendOptions(StringBuilder s, PacketBuffer b, int end) {
        int i = HEADER_LENGTH;
        boolean first = true;
        while (i < end) {
            if (!first) {
                s.append(',');
            }
            first = false;
            int kind = b.getU8(i);
            if (kind == OPTION_EOL) {
                s.append("eol");
                return;
            }
            if (kind == OPTION_NOP) {
                s.append("nop");
                i++;
                continue;
            }
            int length = i + 1 < end ? b.getU8(i + 1) : 0;
            if (length < 2 || i + length > end) {
                s.append("[bad opt]");
                return;
            }
            switch (kind) {
                case OPTION_MSS -> {
                    if (length != 4) {
                        s.append("[bad opt]");
                        return;
                    }
                    s.append("mss ").append(b.getU16(i + 2));
                }
                case OPTION_WINDOW_SCALE -> {
                    if (length != 3) {
                        s.append("[bad opt]");
                        return;
                    }
                    s.append("wscale ").append(b.getU8(i + 2));
                }
                case OPTION_SACK_PERMITTED -> {
                    if (length != 2) {
                        s.append("[bad opt]");
                        return;
                    }
                    s.append("sackOK");
                }
                case OPTION_TIMESTAMPS -> {
                    if (length != 10) {
                        s.append("[bad opt]");
                        return;
                    }
                    s.append("TS val ").append(b.getU32(i + 2)).append(" ecr ").append(b.getU32(i + 6));
                }
                case OPTION_SACK -> {
                    if ((length - 2) % 8 != 0) {
                        s.append("[bad opt]");
                        return;
                    }
                    s.append("sack ").append((length - 2) / 8);
                    for (int block = i + 2; block < i + length; block += 8) {
                        s.append(" {").append(b.getU32(block)).append(':').append(b.getU32(block + 4)).append('}');
                    }
                }
                default -> {
                    s.append("opt-").append(kind).append(':');
                    for (int j = i + 2; j < i + length; j++) {
                        s.append(Character.forDigit(b.getU8(j) >>> 4, 16)).append(Character.forDigit(b.getU8(j) & 0xF, 16));
                    }
                }
            }
            i += length;
        }
    }
}
