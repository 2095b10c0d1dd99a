package dev.tsunagu.tcp.wire;

import dev.tsunagu.buffer.PacketBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A TCP segment (RFC 9293 3.1) as a normalised value: what the state machine needs to know
 * of a segment, for tests, traces and slow paths. The receive path reads fields in place
 * through {@link TcpHeader}.
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
 * <p>{@link #emit} writes the options through {@link TcpHeader#prepend}, so
 * {@code parse(emit(r))} equals {@code r}. The payload is copied on the way in and out;
 * equality compares its contents.
 */
public record TcpRepr(int sourcePort, int destinationPort, Control control, int sequence, OptionalInt acknowledgment,
                      int window, int mss, int windowScale, boolean sackPermitted, byte[] payload) {
    /** The most a segment (header and data) may be to fit an IPv4 datagram with a 20-byte header. */
    public static final int MAX_SEGMENT_LENGTH = 65535 - 20;

    /** The flags that matter to the state machine, one at a time. */
    public enum Control {
        NONE(0), PSH(TcpHeader.PSH), SYN(TcpHeader.SYN), FIN(TcpHeader.FIN), RST(TcpHeader.RST);

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

    /** Why {@link #parse} refused a segment; each is a drop counter. */
    public enum Reason {
        TRUNCATED, BAD_DATA_OFFSET, BAD_CHECKSUM, BAD_OPTIONS, IMPOSSIBLE_FLAGS;

        /** The reason for a problem {@link TcpHeader#check} found. */
        public static Reason of(TcpHeader.Problem problem) {
            return switch (problem) {
                case TRUNCATED -> TRUNCATED;
                case BAD_DATA_OFFSET -> BAD_DATA_OFFSET;
                case BAD_CHECKSUM -> BAD_CHECKSUM;
                case OK -> throw new IllegalArgumentException("OK is not a reason to reject");
            };
        }
    }

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
        checkRange("sourcePort", sourcePort, 0xFFFF);
        checkRange("destinationPort", destinationPort, 0xFFFF);
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(acknowledgment, "acknowledgment (OptionalInt.empty() for none)");
        checkRange("window", window, 0xFFFF);
        checkRange("mss", mss, 0xFFFF);
        if (windowScale < -1 || windowScale > TcpHeader.MAX_WINDOW_SCALE) {
            throw new IllegalArgumentException("windowScale " + windowScale + " is not in [-1, "
                    + TcpHeader.MAX_WINDOW_SCALE + "]");
        }
        Objects.requireNonNull(payload, "payload");
        int length = TcpHeader.HEADER_LENGTH + TcpHeader.optionsLength(mss, windowScale, sackPermitted)
                + payload.length;
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

    private static void checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " " + value + " is not in [0, " + max + "]");
        }
    }

    /**
     * The segment in {@code b}, which holds exactly the IP payload, validated by
     * {@link TcpHeader#check} against the pseudo-header of {@code sourceIp} and
     * {@code destinationIp}, then its options and flags. The buffer is not changed.
     */
    public static Result parse(PacketBuffer b, int sourceIp, int destinationIp) {
        TcpHeader.Problem problem = TcpHeader.check(b, sourceIp, destinationIp);
        if (problem != TcpHeader.Problem.OK) {
            return new Rejected(Reason.of(problem));
        }
        TcpHeader.Options options = new TcpHeader.Options();
        if (!TcpHeader.parseOptions(b, options)) {
            return new Rejected(Reason.BAD_OPTIONS);
        }
        int flags = TcpHeader.flags(b);
        Control control;
        switch (flags & (TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST)) {
            case 0 -> control = (flags & TcpHeader.PSH) != 0 ? Control.PSH : Control.NONE;
            case TcpHeader.SYN -> control = Control.SYN;
            case TcpHeader.FIN -> control = Control.FIN;
            case TcpHeader.RST -> control = Control.RST;
            default -> {
                return new Rejected(Reason.IMPOSSIBLE_FLAGS);
            }
        }
        OptionalInt ack = (flags & TcpHeader.ACK) != 0
                ? OptionalInt.of(TcpHeader.acknowledgment(b)) : OptionalInt.empty();
        int headerLength = TcpHeader.headerLength(b);
        byte[] payload = new byte[b.length() - headerLength];
        b.getBytes(headerLength, payload, 0, payload.length);
        return new Parsed(new TcpRepr(TcpHeader.sourcePort(b), TcpHeader.destinationPort(b), control,
                TcpHeader.sequence(b), ack, TcpHeader.window(b), options.mss, options.windowScale,
                options.sackPermitted, payload));
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
        return control.flag() | (acknowledgment.isPresent() ? TcpHeader.ACK : 0);
    }

    /** The header length {@link #emit} writes, options included. */
    public int headerLength() {
        return TcpHeader.HEADER_LENGTH + TcpHeader.optionsLength(mss, windowScale, sackPermitted);
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
     * payload is appended, then the header prepended with {@link TcpHeader#prepend}, its
     * checksum over the pseudo-header of {@code sourceIp} and {@code destinationIp}.
     *
     * @throws IllegalArgumentException if {@code b} is not empty (what it holds would become payload)
     */
    public void emit(PacketBuffer b, int sourceIp, int destinationIp) {
        if (b.length() != 0) {
            throw new IllegalArgumentException("emit needs an empty buffer, not one of " + b.length() + " bytes");
        }
        b.append(payload, 0, payload.length);
        TcpHeader.prepend(b, sourcePort, destinationPort, sequence, acknowledgment.orElse(0), flags(), window, mss,
                windowScale, sackPermitted, sourceIp, destinationIp);
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
     * In the manner of {@code tcpdump -S}, as {@link TcpHeader#describe} shows the emitted
     * segment: {@code TCP 40000 > 8080: Flags [S], seq 3047993049, win 64240,
     * options [mss 1460,nop,nop,sackOK,nop,wscale 10], length 0}.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(112).append("TCP ").append(sourcePort).append(" > ")
                .append(destinationPort).append(": Flags [");
        TcpHeader.appendFlags(s, flags());
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
}
