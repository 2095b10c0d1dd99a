package dev.tsunagu.testkit.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An ICMP message (RFC 792) as a value, for tests: one record per message the stack acts on,
 * and {@link Other} for the rest, so a {@code switch} over a parsed message is exhaustive. It
 * reads and writes the bytes itself and shares no code with stack-ip's parser, so a test that
 * checks the stack's messages with it does not check the parser against itself.
 *
 * <p>{@link #parse} normalises: a message is only given its own record when that record can
 * say everything the message says, so {@code emit} reproduces the bytes. An echo or a
 * parameter problem with a code other than 0 therefore parses as {@link Other}, and
 * {@link Other} refuses a type and code that have their own record. The one exception is the
 * "unused" bytes of the error messages (RFC 792: zero; RFC 4884 puts a length there), which
 * {@link #parse} ignores and {@link #emit} writes as zero, so that an error is still
 * recognised as one.
 *
 * <p>Byte arrays are copied on the way in and out; equality compares their contents.
 */
public sealed interface IcmpRepr
        permits IcmpRepr.EchoRequest, IcmpRepr.EchoReply, IcmpRepr.DestinationUnreachable, IcmpRepr.TimeExceeded,
                IcmpRepr.ParameterProblem, IcmpRepr.Other {

    /** Byte offsets in the message (RFC 792): the 8-byte header, then the data or the quoted datagram. */
    int TYPE = 0, CODE = 1, CHECKSUM = 2, REST = 4, IDENTIFIER = 4, SEQUENCE = 6, NEXT_HOP_MTU = 6, POINTER = 4,
            HEADER_LENGTH = 8;
    /** Message types (RFC 792). */
    int TYPE_ECHO_REPLY = 0, TYPE_DESTINATION_UNREACHABLE = 3, TYPE_SOURCE_QUENCH = 4, TYPE_REDIRECT = 5,
            TYPE_ECHO_REQUEST = 8, TYPE_TIME_EXCEEDED = 11, TYPE_PARAMETER_PROBLEM = 12;
    /** Codes of Destination Unreachable (RFC 792, RFC 1191 for 4) and of Time Exceeded. */
    int CODE_NET_UNREACHABLE = 0, CODE_HOST_UNREACHABLE = 1, CODE_PROTOCOL_UNREACHABLE = 2, CODE_PORT_UNREACHABLE = 3,
            CODE_FRAGMENTATION_NEEDED = 4, CODE_TTL_EXCEEDED = 0, CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    /** The largest ICMP message an IPv4 datagram with a 20-byte header can carry. */
    int MAX_LENGTH = 65535 - 20;

    /** Why a message is unusable: shorter than the 8-byte header, or a wrong checksum. */
    enum Reason { TRUNCATED, BAD_CHECKSUM }

    /** Either a message or the reason there is none. */
    sealed interface Result permits Parsed, Rejected {}

    record Parsed(IcmpRepr repr) implements Result {}

    record Rejected(Reason reason) implements Result {
        public Rejected {
            Objects.requireNonNull(reason);
        }
    }

    int type();

    int code();

    /** The length of the message, header included. */
    int bufferLength();

    /**
     * Appends this message to {@code b}, checksum included. The checksum covers the message
     * only, so whatever {@code b} held before is left alone.
     */
    default void emit(PacketBuffer b) {
        int at = b.length();
        int length = bufferLength();
        b.append(length);
        b.setU8(at + TYPE, type());
        b.setU8(at + CODE, code());
        b.setU16(at + CHECKSUM, 0);
        switch (this) {
            case EchoRequest e -> emitEcho(b, at, e.identifier, e.sequence, e.data);
            case EchoReply e -> emitEcho(b, at, e.identifier, e.sequence, e.data);
            case DestinationUnreachable d -> {
                b.setU16(at + REST, 0);
                b.setU16(at + NEXT_HOP_MTU, d.nextHopMtu);
                b.setBytes(at + HEADER_LENGTH, d.quoted, 0, d.quoted.length);
            }
            case TimeExceeded t -> {
                b.setI32(at + REST, 0);
                b.setBytes(at + HEADER_LENGTH, t.quoted, 0, t.quoted.length);
            }
            case ParameterProblem p -> {
                b.setI32(at + REST, p.pointer << 24);
                b.setBytes(at + HEADER_LENGTH, p.quoted, 0, p.quoted.length);
            }
            case Other x -> b.setBytes(at + REST, x.rest, 0, x.rest.length);
        }
        b.setU16(at + CHECKSUM, InternetChecksum.compute(b.array(), b.start() + at, length));
    }

    /**
     * The message that fills {@code b} (exactly the IP payload): at least the 8-byte header and
     * a correct checksum over the whole message. The buffer is not changed.
     */
    static Result parse(PacketBuffer b) {
        int length = b.length();
        if (length < HEADER_LENGTH) {
            return new Rejected(Reason.TRUNCATED);
        }
        if (!InternetChecksum.verify(b.array(), b.start(), length)) {
            return new Rejected(Reason.BAD_CHECKSUM);
        }
        int type = b.getU8(TYPE);
        int code = b.getU8(CODE);
        if (!hasOwnRecord(type, code)) {
            byte[] rest = new byte[length - REST];
            b.getBytes(REST, rest, 0, rest.length);
            return new Parsed(new Other(type, code, rest));
        }
        IcmpRepr repr = switch (type) {
            case TYPE_ECHO_REQUEST ->
                    new EchoRequest(b.getU16(IDENTIFIER), b.getU16(SEQUENCE), data(b));
            case TYPE_ECHO_REPLY ->
                    new EchoReply(b.getU16(IDENTIFIER), b.getU16(SEQUENCE), data(b));
            case TYPE_DESTINATION_UNREACHABLE ->
                    new DestinationUnreachable(code, b.getU16(NEXT_HOP_MTU), data(b));
            case TYPE_TIME_EXCEEDED -> new TimeExceeded(code, data(b));
            case TYPE_PARAMETER_PROBLEM -> new ParameterProblem(b.getU8(POINTER), data(b));
            default -> throw new AssertionError("type " + type + " has no record"); // hasOwnRecord said it has
        };
        return new Parsed(repr);
    }

    private static byte[] data(PacketBuffer b) {
        byte[] data = new byte[b.length() - HEADER_LENGTH];
        b.getBytes(HEADER_LENGTH, data, 0, data.length);
        return data;
    }

    /** Whether a message of this type and code parses to its own record rather than {@link Other}. */
    static boolean hasOwnRecord(int type, int code) {
        return switch (type) {
            case TYPE_ECHO_REQUEST, TYPE_ECHO_REPLY, TYPE_PARAMETER_PROBLEM ->
                    code == 0;
            case TYPE_DESTINATION_UNREACHABLE, TYPE_TIME_EXCEEDED -> true;
            default -> false;
        };
    }

    // ---- the messages ----

    /** Echo (type 8, code 0): identifier, sequence number and data to be returned. */
    record EchoRequest(int identifier, int sequence, byte[] data) implements IcmpRepr {
        public EchoRequest {
            checkRange("identifier", identifier, 0xFFFF);
            checkRange("sequence", sequence, 0xFFFF);
            data = copy(data, "data", MAX_LENGTH - HEADER_LENGTH);
        }

        /** The reply RFC 792 asks for: same identifier, sequence number and data. */
        public EchoReply reply() {
            return new EchoReply(identifier, sequence, data);
        }

        @Override
        public int type() {
            return TYPE_ECHO_REQUEST;
        }

        @Override
        public int code() {
            return 0;
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public int bufferLength() {
            return HEADER_LENGTH + data.length;
        }


        @Override
        public boolean equals(Object o) {
            return o instanceof EchoRequest e && identifier == e.identifier && sequence == e.sequence
                    && Arrays.equals(data, e.data);
        }

        @Override
        public int hashCode() {
            return (identifier * 31 + sequence) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "ICMP echo request, id " + identifier + ", seq " + sequence + ", length " + bufferLength();
        }
    }

    /** Echo Reply (type 0, code 0). */
    record EchoReply(int identifier, int sequence, byte[] data) implements IcmpRepr {
        public EchoReply {
            checkRange("identifier", identifier, 0xFFFF);
            checkRange("sequence", sequence, 0xFFFF);
            data = copy(data, "data", MAX_LENGTH - HEADER_LENGTH);
        }

        @Override
        public int type() {
            return TYPE_ECHO_REPLY;
        }

        @Override
        public int code() {
            return 0;
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public int bufferLength() {
            return HEADER_LENGTH + data.length;
        }


        @Override
        public boolean equals(Object o) {
            return o instanceof EchoReply e && identifier == e.identifier && sequence == e.sequence
                    && Arrays.equals(data, e.data);
        }

        @Override
        public int hashCode() {
            return (identifier * 31 + sequence) * 31 + Arrays.hashCode(data) + 1;
        }

        @Override
        public String toString() {
            return "ICMP echo reply, id " + identifier + ", seq " + sequence + ", length " + bufferLength();
        }
    }

    /**
     * Destination Unreachable (type 3). {@code nextHopMtu} is the RFC 1191 field of code 4
     * (fragmentation needed and DF set), zero otherwise; {@code quoted} is the offending
     * datagram's header and at least its first 8 data bytes.
     */
    record DestinationUnreachable(int code, int nextHopMtu, byte[] quoted) implements IcmpRepr {
        public DestinationUnreachable {
            checkRange("code", code, 0xFF);
            checkRange("nextHopMtu", nextHopMtu, 0xFFFF);
            quoted = copy(quoted, "quoted", MAX_LENGTH - HEADER_LENGTH);
        }

        @Override
        public int type() {
            return TYPE_DESTINATION_UNREACHABLE;
        }

        @Override
        public byte[] quoted() {
            return quoted.clone();
        }

        @Override
        public int bufferLength() {
            return HEADER_LENGTH + quoted.length;
        }


        @Override
        public boolean equals(Object o) {
            return o instanceof DestinationUnreachable d && code == d.code && nextHopMtu == d.nextHopMtu
                    && Arrays.equals(quoted, d.quoted);
        }

        @Override
        public int hashCode() {
            return (code * 31 + nextHopMtu) * 31 + Arrays.hashCode(quoted) + 3;
        }

        @Override
        public String toString() {
            String what = switch (code) {
                case CODE_NET_UNREACHABLE -> "net unreachable";
                case CODE_HOST_UNREACHABLE -> "host unreachable";
                case CODE_PROTOCOL_UNREACHABLE -> "protocol unreachable";
                case CODE_PORT_UNREACHABLE -> "port unreachable";
                case CODE_FRAGMENTATION_NEEDED -> "need to frag (mtu " + nextHopMtu + ")";
                default -> "unreachable code " + code;
            };
            return "ICMP " + what + ", length " + bufferLength();
        }
    }

    /** Time Exceeded (type 11): code 0 TTL exceeded in transit, 1 fragment reassembly time exceeded. */
    record TimeExceeded(int code, byte[] quoted) implements IcmpRepr {
        public TimeExceeded {
            checkRange("code", code, 0xFF);
            quoted = copy(quoted, "quoted", MAX_LENGTH - HEADER_LENGTH);
        }

        @Override
        public int type() {
            return TYPE_TIME_EXCEEDED;
        }

        @Override
        public byte[] quoted() {
            return quoted.clone();
        }

        @Override
        public int bufferLength() {
            return HEADER_LENGTH + quoted.length;
        }


        @Override
        public boolean equals(Object o) {
            return o instanceof TimeExceeded t && code == t.code && Arrays.equals(quoted, t.quoted);
        }

        @Override
        public int hashCode() {
            return code * 31 + Arrays.hashCode(quoted) + 11;
        }

        @Override
        public String toString() {
            String what = switch (code) {
                case CODE_TTL_EXCEEDED -> "time exceeded in-transit";
                case CODE_REASSEMBLY_TIME_EXCEEDED -> "ip reassembly time exceeded";
                default -> "time exceeded code " + code;
            };
            return "ICMP " + what + ", length " + bufferLength();
        }
    }

    /** Parameter Problem (type 12, code 0): {@code pointer} is the offset of the bad octet in the quoted header. */
    record ParameterProblem(int pointer, byte[] quoted) implements IcmpRepr {
        public ParameterProblem {
            checkRange("pointer", pointer, 0xFF);
            quoted = copy(quoted, "quoted", MAX_LENGTH - HEADER_LENGTH);
        }

        @Override
        public int type() {
            return TYPE_PARAMETER_PROBLEM;
        }

        @Override
        public int code() {
            return 0;
        }

        @Override
        public byte[] quoted() {
            return quoted.clone();
        }

        @Override
        public int bufferLength() {
            return HEADER_LENGTH + quoted.length;
        }


        @Override
        public boolean equals(Object o) {
            return o instanceof ParameterProblem p && pointer == p.pointer && Arrays.equals(quoted, p.quoted);
        }

        @Override
        public int hashCode() {
            return pointer * 31 + Arrays.hashCode(quoted) + 12;
        }

        @Override
        public String toString() {
            return "ICMP parameter problem - octet " + pointer + ", length " + bufferLength();
        }
    }

    /**
     * Any other message, kept as its type, code and the bytes after the checksum ({@code rest},
     * at least the 4 remaining header bytes): redirects, source quench, timestamps, codes
     * RFC 792 does not define.
     */
    record Other(int type, int code, byte[] rest) implements IcmpRepr {
        public Other {
            checkRange("type", type, 0xFF);
            checkRange("code", code, 0xFF);
            if (hasOwnRecord(type, code)) {
                throw new IllegalArgumentException("type " + type + " code " + code + " has its own record");
            }
            rest = copy(rest, "rest", MAX_LENGTH - REST);
            if (rest.length < HEADER_LENGTH - REST) {
                throw new IllegalArgumentException("rest has " + rest.length + " bytes, the header needs 4");
            }
        }

        @Override
        public byte[] rest() {
            return rest.clone();
        }

        @Override
        public int bufferLength() {
            return REST + rest.length;
        }


        @Override
        public boolean equals(Object o) {
            return o instanceof Other x && type == x.type && code == x.code && Arrays.equals(rest, x.rest);
        }

        @Override
        public int hashCode() {
            return (type * 31 + code) * 31 + Arrays.hashCode(rest);
        }

        @Override
        public String toString() {
            String head = HexFormat.of().formatHex(rest, 0, 4);
            return "ICMP type " + type + ", code " + code + ", rest of header " + head + ", length " + bufferLength();
        }
    }

    // ---- shared by the records ----

    private static void emitEcho(PacketBuffer b, int at, int identifier, int sequence, byte[] data) {
        b.setU16(at + IDENTIFIER, identifier);
        b.setU16(at + SEQUENCE, sequence);
        b.setBytes(at + HEADER_LENGTH, data, 0, data.length);
    }

    private static void checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " " + value + " is not in [0, " + max + "]");
        }
    }

    private static byte[] copy(byte[] bytes, String name, int max) {
        Objects.requireNonNull(bytes, name);
        if (bytes.length > max) {
            throw new IllegalArgumentException(
                    name + " has " + bytes.length + " bytes, more than an IPv4 datagram holds");
        }
        return bytes.clone();
    }
}
