package dev.tsunagu.testkit.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import java.util.Arrays;
import java.util.Objects;

/**
 * Every TCP option this stack sends or reads, as a value: MSS, window scale, SACK-Permitted
 * (RFC 9293 3.2, RFC 7323, RFC 2018), Timestamps (RFC 7323) and SACK blocks (RFC 2018). Where
 * {@link TcpRepr} is the normalised segment a state machine sees, this is what the wire said,
 * for the tests that look at timestamps and SACK blocks or send segments with any flags.
 *
 * <p>{@link #parse} reads the options of a segment's header; {@link #prependHeader} writes a
 * whole header with them, in the layout Linux uses, each group a whole number of 4-byte words:
 * MSS; SACK-Permitted and Timestamps together ({@code sackOK, TS}) or either alone behind two
 * NOPs; window scale behind a NOP; SACK blocks behind two NOPs. {@link TcpRepr#emit} writes
 * through it, so there is one layout in the kit. {@code sackBlocks} holds
 * {@code {left0, right0, left1, right1, ...}}; the array is copied on the way in and out.
 *
 * @param mss the maximum segment size; 0 for none
 * @param windowScale the shift count, at most {@link TcpRepr#MAX_WINDOW_SCALE}; -1 for none
 * @param timestamps whether the Timestamps option is present, with {@code tsValue} and {@code tsEcho}
 */
public record TcpOptions(int mss, int windowScale, boolean sackPermitted, boolean timestamps, int tsValue, int tsEcho,
                         int[] sackBlocks) {
    /** No options at all. */
    public static final TcpOptions NONE = new TcpOptions(0, -1, false, false, 0, 0, new int[0]);
    /** RFC 2018 3: at most four SACK blocks fit in the option space (three beside Timestamps). */
    public static final int MAX_SACK_BLOCKS = 4;

    private static final int KIND_EOL = 0, KIND_NOP = 1, KIND_MSS = 2, KIND_WINDOW_SCALE = 3,
            KIND_SACK_PERMITTED = 4, KIND_SACK = 5, KIND_TIMESTAMPS = 8;
    private static final int MAX_OPTIONS_LENGTH = TcpRepr.MAX_HEADER_LENGTH - TcpRepr.HEADER_LENGTH;

    /**
     * @throws IllegalArgumentException if the MSS does not fit 16 bits, the window scale is not
     *         in [-1, 14], the SACK blocks are odd in number or too many, or the options exceed
     *         40 bytes
     */
    public TcpOptions {
        if (mss < 0 || mss > 0xFFFF) {
            throw new IllegalArgumentException("mss " + mss + " is not in [0, 65535]");
        }
        if (windowScale < -1 || windowScale > TcpRepr.MAX_WINDOW_SCALE) {
            throw new IllegalArgumentException("windowScale " + windowScale + " is not in [-1, 14]");
        }
        sackBlocks = Objects.requireNonNull(sackBlocks, "sackBlocks").clone();
        if (sackBlocks.length % 2 != 0) {
            throw new IllegalArgumentException("SACK blocks come in pairs (left, right), not " + sackBlocks.length);
        }
        if (sackBlocks.length / 2 > (timestamps ? MAX_SACK_BLOCKS - 1 : MAX_SACK_BLOCKS)) {
            throw new IllegalArgumentException(sackBlocks.length / 2 + " SACK blocks do not fit");
        }
        int length = length(mss, windowScale, sackPermitted, timestamps, sackBlocks.length / 2);
        if (length > MAX_OPTIONS_LENGTH) {
            throw new IllegalArgumentException(length + " bytes of options, at most " + MAX_OPTIONS_LENGTH + " fit");
        }
    }

    /** Timestamps alone: TSval {@code value}, TSecr {@code echo}. */
    public static TcpOptions timestamps(int value, int echo) {
        return new TcpOptions(0, -1, false, true, value, echo, new int[0]);
    }

    /** The handshake options of a SYN: MSS, SACK-Permitted, window scale (-1: none); no timestamps. */
    public static TcpOptions syn(int mss, int windowScale, boolean sackPermitted) {
        return new TcpOptions(mss, windowScale, sackPermitted, false, 0, 0, new int[0]);
    }

    /** These options with an MSS. */
    public TcpOptions withMss(int value) {
        return new TcpOptions(value, windowScale, sackPermitted, timestamps, tsValue, tsEcho, sackBlocks);
    }

    /** These options with SACK-Permitted. */
    public TcpOptions withSackPermitted() {
        return new TcpOptions(mss, windowScale, true, timestamps, tsValue, tsEcho, sackBlocks);
    }

    /** These options with SACK blocks {@code left0, right0, left1, right1, ...}. */
    public TcpOptions withSack(int... blocks) {
        return new TcpOptions(mss, windowScale, sackPermitted, timestamps, tsValue, tsEcho, blocks);
    }

    /** A copy of the SACK blocks, {@code {left0, right0, ...}}. */
    @Override
    public int[] sackBlocks() {
        return sackBlocks.clone();
    }

    public int sackCount() {
        return sackBlocks.length / 2;
    }

    /** The option bytes {@link #prependHeader} writes. */
    public int length() {
        return length(mss, windowScale, sackPermitted, timestamps, sackCount());
    }

    private static int length(int mss, int windowScale, boolean sackPermitted, boolean timestamps, int sackCount) {
        int n = (mss > 0 ? 4 : 0) + (windowScale >= 0 ? 4 : 0);
        n += timestamps ? 12 : sackPermitted ? 4 : 0; // sackOK rides in the two NOPs before the timestamps
        return n + (sackCount > 0 ? 4 + 8 * sackCount : 0);
    }

    /**
     * The options of the TCP segment in {@code segment} (header first).
     *
     * @throws IllegalArgumentException if the header or its options are malformed (a known
     *         option with the wrong length, an option running past the header, a length below 2)
     */
    public static TcpOptions parse(byte[] segment) {
        return parse(PacketBuffer.copyOf(segment, 0));
    }

    /**
     * The options of the TCP header at the front of {@code b}. End of Option List ends the walk;
     * unknown kinds are skipped by their length; a window scale above 14 reads as 14 (RFC 7323
     * 2.3). The buffer is not changed.
     *
     * @throws IllegalArgumentException as {@link #parse(byte[])}
     */
    public static TcpOptions parse(PacketBuffer b) {
        if (b.length() < TcpRepr.HEADER_LENGTH) {
            throw new IllegalArgumentException("not a TCP header: " + b.length() + " bytes");
        }
        int end = (b.getU8(12) >>> 4) * 4;
        if (end < TcpRepr.HEADER_LENGTH || end > b.length()) {
            throw new IllegalArgumentException("data offset " + end + " in a segment of " + b.length() + " bytes");
        }
        int mss = 0;
        int windowScale = -1;
        boolean sackPermitted = false;
        boolean timestamps = false;
        int tsValue = 0;
        int tsEcho = 0;
        int[] sack = new int[0];
        for (int i = TcpRepr.HEADER_LENGTH; i < end; ) {
            int kind = b.getU8(i);
            if (kind == KIND_EOL) {
                break;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            int length = i + 1 < end ? b.getU8(i + 1) : 0;
            if (length < 2 || i + length > end) {
                throw new IllegalArgumentException("option " + kind + " of length " + length + " at " + i);
            }
            switch (kind) {
                case KIND_MSS -> mss = b.getU16(expect(kind, length, 4, i) + 2);
                case KIND_WINDOW_SCALE -> windowScale = Math.min(b.getU8(expect(kind, length, 3, i) + 2),
                        TcpRepr.MAX_WINDOW_SCALE);
                case KIND_SACK_PERMITTED -> sackPermitted = expect(kind, length, 2, i) >= 0;
                case KIND_TIMESTAMPS -> {
                    timestamps = true;
                    tsValue = b.getI32(expect(kind, length, 10, i) + 2);
                    tsEcho = b.getI32(i + 6);
                }
                case KIND_SACK -> {
                    if (length == 2 || (length - 2) % 8 != 0) {
                        throw new IllegalArgumentException("SACK option of length " + length + " at " + i);
                    }
                    sack = new int[(length - 2) / 4];
                    for (int k = 0; k < sack.length; k++) {
                        sack[k] = b.getI32(i + 2 + 4 * k);
                    }
                }
                default -> { } // unknown kinds are skipped by their length
            }
            i += length;
        }
        return new TcpOptions(mss, windowScale, sackPermitted, timestamps, tsValue, tsEcho, sack);
    }

    private static int expect(int kind, int length, int wanted, int at) {
        if (length != wanted) {
            throw new IllegalArgumentException("option " + kind + " of length " + length + " at " + at
                    + ", the RFC says " + wanted);
        }
        return at;
    }

    /**
     * Prepends a TCP header with these options to the payload in {@code b} (everything it holds)
     * and fills in the checksum over the pseudo-header of {@code sourceIp} and
     * {@code destinationIp}. {@code flags} are written as given (any combination, impossible ones
     * included); the reserved bits and the urgent pointer are zero.
     *
     * @throws IllegalArgumentException if a field does not fit or the segment would exceed 65535 bytes
     */
    public void prependHeader(PacketBuffer b, int sourcePort, int destinationPort, int sequence, int acknowledgment,
                              int flags, int window, int sourceIp, int destinationIp) {
        checkRange("sourcePort", sourcePort, 0xFFFF);
        checkRange("destinationPort", destinationPort, 0xFFFF);
        checkRange("flags", flags, 0xFF);
        checkRange("window", window, 0xFFFF);
        int headerLength = TcpRepr.HEADER_LENGTH + length();
        int length = b.length() + headerLength;
        checkRange("segment length", length, 0xFFFF);
        b.prepend(headerLength);
        b.setU16(0, sourcePort);
        b.setU16(2, destinationPort);
        b.setI32(4, sequence);
        b.setI32(8, acknowledgment);
        b.setU8(12, (headerLength / 4) << 4);
        b.setU8(13, flags);
        b.setU16(14, window);
        b.setI32(16, 0); // checksum and urgent pointer
        int at = TcpRepr.HEADER_LENGTH;
        if (mss > 0) {
            at = put(b, at, KIND_MSS, 4, mss >>> 8, mss);
        }
        if (timestamps) {
            at = sackPermitted ? put(b, at, KIND_SACK_PERMITTED, 2) : put(b, at, KIND_NOP, KIND_NOP);
            at = put(b, at, KIND_TIMESTAMPS, 10);
            b.setI32(at, tsValue);
            b.setI32(at + 4, tsEcho);
            at += 8;
        } else if (sackPermitted) {
            at = put(b, at, KIND_NOP, KIND_NOP, KIND_SACK_PERMITTED, 2);
        }
        if (windowScale >= 0) {
            at = put(b, at, KIND_NOP, KIND_WINDOW_SCALE, 3, windowScale);
        }
        if (sackBlocks.length > 0) {
            at = put(b, at, KIND_NOP, KIND_NOP, KIND_SACK, 2 + 4 * sackBlocks.length);
            for (int edge : sackBlocks) {
                b.setI32(at, edge);
                at += 4;
            }
        }
        long sum = InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.TCP, length);
        b.setU16(16, InternetChecksum.finish(InternetChecksum.add(sum, b.array(), b.start(), length)));
    }

    private static int put(PacketBuffer b, int at, int... bytes) {
        for (int v : bytes) {
            b.setU8(at++, v & 0xFF);
        }
        return at;
    }

    static void checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " " + value + " is not in [0, " + max + "]");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpOptions t && mss == t.mss && windowScale == t.windowScale
                && sackPermitted == t.sackPermitted && timestamps == t.timestamps && tsValue == t.tsValue
                && tsEcho == t.tsEcho && Arrays.equals(sackBlocks, t.sackBlocks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mss, windowScale, sackPermitted, timestamps, tsValue, tsEcho) * 31
                + Arrays.hashCode(sackBlocks);
    }

    /** In tcpdump's words: {@code [mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7]}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        String sep = "";
        if (mss > 0) {
            s.append("mss ").append(mss);
            sep = ",";
        }
        if (sackPermitted) {
            s.append(sep).append("sackOK");
            sep = ",";
        }
        if (timestamps) {
            s.append(sep).append("TS val ").append(Integer.toUnsignedString(tsValue)).append(" ecr ")
                    .append(Integer.toUnsignedString(tsEcho));
            sep = ",";
        }
        if (windowScale >= 0) {
            s.append(sep).append("wscale ").append(windowScale);
            sep = ",";
        }
        if (sackBlocks.length > 0) {
            s.append(sep).append("sack ").append(sackCount());
            for (int k = 0; k < sackBlocks.length; k += 2) {
                s.append(" {").append(Integer.toUnsignedString(sackBlocks[k])).append(':')
                        .append(Integer.toUnsignedString(sackBlocks[k + 1])).append('}');
            }
        }
        return s.append(']').toString();
    }
}
