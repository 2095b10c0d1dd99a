package dev.tsunagu.testkit.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A TCP segment (RFC 9293 3.1) as a normalised value: what the state machine needs to know
 * of a segment, for tests. It reads and writes the bytes itself, from the RFC's layout, and
 * shares no code with stack-tcp's parser, so a test that checks the stack's segments with it
 * does not check the parser against itself.
 *
 * <p>{@link #parse} normalises. The acknowledgment number is present exactly when ACK is
 * set. SYN, FIN, RST and PSH fold into one {@link Control}; a segment with more than one of
 * SYN, FIN and RST is rejected as {@link Reason#IMPOSSIBLE_FLAGS}, and PSH survives only on
 * a segment without them (as in smoltcp). A segment with no flags at all is legal on the
 * wire and parses as {@link Control#NONE} without an acknowledgment; whether it is acceptable
 * is the state machine's call (RFC 9293 3.10.7.4 drops it). URG, ECE, CWR, the urgent
 * pointer, Timestamps and unknown options are not part of the value. The window is the
 * field as sent, not scaled.
 *
 * <p>{@link #emit} writes the options as Linux lays them out without timestamps (MSS;
 * NOP, NOP, SACK-Permitted; NOP, window scale), through {@link TcpOptions#prependHeader}, so
 * {@code parse(emit(r))} equals {@code r}. {@link TcpOptions} has the rest of the options. The payload is copied on the way in and out;
 * equality compares its contents.
 */
public record TcpRepr(int sourcePort, int destinationPort, Control control, int sequence, OptionalInt acknowledgment,
                      int window, int mss, int windowScale, boolean sackPermitted, byte[] payload) {
    /** The most a segment (header and data) may be to fit an IPv4 datagram with a 20-byte header. */
    public static final int MAX_SEGMENT_LENGTH = 65535 - 20;

    /** The fixed header's length, and the most a header may be (data offset 15). */
    public static final int HEADER_LENGTH = 20, MAX_HEADER_LENGTH = 60;
    /** The flag bits of byte 13 (RFC 9293 3.1, RFC 3168 for ECE and CWR). */
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40,
            CWR = 0x80;
    /** The largest window scale shift (RFC 7323 2.3); a larger one on the wire reads as this. */
    public static final int MAX_WINDOW_SCALE = 14;

    // Offsets in the header and option kinds (RFC 9293 3.1 and 3.2, RFC 7323, RFC 2018).
    private static final int SEQUENCE = 4, ACKNOWLEDGMENT = 8, DATA_OFFSET = 12, FLAGS = 13, WINDOW = 14;

    /** The flags that matter to the state machine, one at a time. */
    public enum Control {
        NONE(0), PSH(TcpRepr.PSH), SYN(TcpRepr.SYN), FIN(TcpRepr.FIN), RST(TcpRepr.RST);

        private final int flag;

        Control(int flag) {
            this.flag = flag;
        }

        /** The flag bit this control sets (0 for NONE). */
        public int flag() {
            return flag;
        }

        /** The sequence space it takes: one for SYN and FIN (RFC 9293 3.3.1). */
        public int sequenceLength() {
            return this == SYN || this == FIN ? 1 : 0;
        }
    }

    /**
     * Why {@link #parse} refused a segment: shorter than a header, a data offset below 5 words
     * or past the end, a wrong checksum, malformed options, more than one of SYN, FIN and RST.
     */
    public enum Reason { TRUNCATED, BAD_DATA_OFFSET, BAD_CHECKSUM, BAD_OPTIONS, IMPOSSIBLE_FLAGS }

    /** Either a segment or the reason there is none. */
    public sealed interface Result permits Parsed, Rejected {}

    public record Parsed(TcpRepr repr) implements Result {}

    public record Rejected(Reason reason) implements Result {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Checks the ranges of every field and copies the payload.
     *
     * @throws IllegalArgumentException if a port, the window or the MSS does not fit 16 bits,
     *         the window scale is not in [-1, 14], or the segment would exceed
     *         {@link #MAX_SEGMENT_LENGTH}
     */
    public TcpRepr {
        TcpOptions.checkRange("sourcePort", sourcePort, 0xFFFF);
        TcpOptions.checkRange("destinationPort", destinationPort, 0xFFFF);
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(acknowledgment, "acknowledgment (OptionalInt.empty() for none)");
        TcpOptions.checkRange("window", window, 0xFFFF);
        TcpOptions.checkRange("mss", mss, 0xFFFF);
        if (windowScale < -1 || windowScale > MAX_WINDOW_SCALE) {
            throw new IllegalArgumentException("windowScale " + windowScale + " is not in [-1, "
                    + MAX_WINDOW_SCALE + "]");
        }
        Objects.requireNonNull(payload, "payload");
        int length = HEADER_LENGTH + optionsLength(mss, windowScale, sackPermitted) + payload.length;
        if (length > MAX_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("a segment of " + length + " bytes, at most " + MAX_SEGMENT_LENGTH + " fit");
        }
        payload = payload.clone();
    }

    /** A segment without options. */
    public TcpRepr(int sourcePort, int destinationPort, Control control, int sequence, OptionalInt acknowledgment,
                   int window, byte[] payload) {
        this(sourcePort, destinationPort, control, sequence, acknowledgment, window, 0, -1, false, payload);
    }

    /** The option bytes {@link #emit} writes: a 4-byte word for each option present. */
    private static int optionsLength(int mss, int windowScale, boolean sackPermitted) {
        return (mss > 0 ? 4 : 0) + (sackPermitted ? 4 : 0) + (windowScale >= 0 ? 4 : 0);
    }


    /**
     * The segment in {@code b}, which holds exactly the IP payload: at least a fixed header,
     * 20 ≤ data offset × 4 ≤ length, the checksum right over the pseudo-header of
     * {@code sourceIp} and {@code destinationIp} (protocol 6), well-formed options
     * ({@link TcpOptions#parse}) and at most one of SYN, FIN and RST. The buffer is not changed.
     */
    public static Result parse(PacketBuffer b, int sourceIp, int destinationIp) {
        int length = b.length();
        if (length < HEADER_LENGTH) {
            return new Rejected(Reason.TRUNCATED);
        }
        int headerLength = (b.getU8(DATA_OFFSET) >>> 4) * 4;
        if (headerLength < HEADER_LENGTH || headerLength > length) {
            return new Rejected(Reason.BAD_DATA_OFFSET);
        }
        long sum = InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.TCP, length);
        if (InternetChecksum.finish(InternetChecksum.add(sum, b.array(), b.start(), length)) != 0) {
            return new Rejected(Reason.BAD_CHECKSUM);
        }
        TcpOptions options;
        try {
            options = TcpOptions.parse(b);
        } catch (IllegalArgumentException malformed) {
            return new Rejected(Reason.BAD_OPTIONS);
        }
        int flags = b.getU8(FLAGS);
        Control control;
        switch (flags & (SYN | FIN | RST)) {
            case 0 -> control = (flags & PSH) != 0 ? Control.PSH : Control.NONE;
            case SYN -> control = Control.SYN;
            case FIN -> control = Control.FIN;
            case RST -> control = Control.RST;
            default -> {
                return new Rejected(Reason.IMPOSSIBLE_FLAGS);
            }
        }
        OptionalInt ack = (flags & ACK) != 0 ? OptionalInt.of(b.getI32(ACKNOWLEDGMENT)) : OptionalInt.empty();
        byte[] payload = new byte[length - headerLength];
        b.getBytes(headerLength, payload, 0, payload.length);
        return new Parsed(new TcpRepr(b.getU16(0), b.getU16(2), control, b.getI32(SEQUENCE), ack,
                b.getU16(WINDOW), options.mss(), options.windowScale(), options.sackPermitted(), payload));
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /** The flag bits {@link #emit} writes: the control's, and ACK if there is an acknowledgment. */
    public int flags() {
        return control.flag() | (acknowledgment.isPresent() ? ACK : 0);
    }

    /** The header length {@link #emit} writes, options included. */
    public int headerLength() {
        return HEADER_LENGTH + optionsLength(mss, windowScale, sackPermitted);
    }

    /** The bytes {@link #emit} writes: header and payload. */
    public int bufferLength() {
        return headerLength() + payload.length;
    }

    /** The sequence space the segment takes (RFC 9293 3.3.1): the payload, plus one for SYN or FIN. */
    public int segmentLength() {
        return payload.length + control.sequenceLength();
    }

    /**
     * Writes this segment into {@code b}, which must be empty and have at least
     * {@link #headerLength()} bytes of headroom and the payload's length of tailroom: the
     * payload is appended, then the header prepended, its checksum over the pseudo-header of
     * {@code sourceIp} and {@code destinationIp}. The reserved bits and the urgent pointer are
     * zero; without an acknowledgment the field is zero.
     *
     * @throws IllegalArgumentException if {@code b} is not empty (what it holds would become payload)
     */
    public void emit(PacketBuffer b, int sourceIp, int destinationIp) {
        if (b.length() != 0) {
            throw new IllegalArgumentException("emit needs an empty buffer, not one of " + b.length() + " bytes");
        }
        b.append(payload, 0, payload.length);
        TcpOptions.syn(mss, windowScale, sackPermitted).prependHeader(b, sourcePort, destinationPort, sequence,
                acknowledgment.orElse(0), flags(), window, sourceIp, destinationIp);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpRepr t && sourcePort == t.sourcePort && destinationPort == t.destinationPort
                && control == t.control && sequence == t.sequence && acknowledgment.equals(t.acknowledgment)
                && window == t.window && mss == t.mss && windowScale == t.windowScale
                && sackPermitted == t.sackPermitted && Arrays.equals(payload, t.payload);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(sourcePort, destinationPort, control, sequence, acknowledgment, window, mss, windowScale,
                sackPermitted);
        return h * 31 + Arrays.hashCode(payload);
    }

    /**
     * In the manner of {@code tcpdump -S}: {@code TCP 40000 > 8080: Flags [S], seq 3047993049, win 64240,
     * options [mss 1460,nop,nop,sackOK,nop,wscale 10], length 0}.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(112).append("TCP ").append(sourcePort).append(" > ")
                .append(destinationPort).append(": Flags [");
        appendFlags(s, flags());
        s.append("], seq ").append(Integer.toUnsignedString(sequence));
        if (payload.length > 0) {
            s.append(':').append(Integer.toUnsignedString(sequence + payload.length));
        }
        if (acknowledgment.isPresent()) {
            s.append(", ack ").append(Integer.toUnsignedString(acknowledgment.getAsInt()));
        }
        s.append(", win ").append(window);
        if (mss > 0 || sackPermitted || windowScale >= 0) {
            s.append(", options [");
            String sep = "";
            if (mss > 0) {
                s.append("mss ").append(mss);
                sep = ",";
            }
            if (sackPermitted) {
                s.append(sep).append("nop,nop,sackOK");
                sep = ",";
            }
            if (windowScale >= 0) {
                s.append(sep).append("nop,wscale ").append(windowScale);
            }
            s.append(']');
        }
        return s.append(", length ").append(payload.length).toString();
    }

    /** The flags in tcpdump's letters and order (ACK is "."), or "none". */
    private static void appendFlags(StringBuilder s, int flags) {
        if (flags == 0) {
            s.append("none");
            return;
        }
        String letters = "FSRP.UEW";
        for (int bit = 0; bit < letters.length(); bit++) {
            if ((flags & (1 << bit)) != 0) {
                s.append(letters.charAt(bit));
            }
        }
    }
}
