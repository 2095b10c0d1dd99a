package dev.tsunagu.ip.wire;

import static dev.tsunagu.ip.wire.Ipv4WireTest.PING_REPLY;
import static dev.tsunagu.ip.wire.Ipv4WireTest.PING_REQUEST;
import static dev.tsunagu.ip.wire.Ipv4WireTest.PING_TTL_1;
import static dev.tsunagu.ip.wire.Ipv4WireTest.PORT_UNREACHABLE;
import static dev.tsunagu.ip.wire.Ipv4WireTest.TIME_EXCEEDED;
import static dev.tsunagu.ip.wire.Ipv4WireTest.UDP_HELLO;
import static dev.tsunagu.ip.wire.Ipv4WireTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.testkit.wire.IcmpRepr;
import dev.tsunagu.testkit.wire.Ipv4Repr;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ICMP messages (RFC 792) as the Linux kernel sent them (see {@link Ipv4WireTest} for how
 * they were captured): parse gives the expected {@link IcmpRepr}, emit the kernel's bytes;
 * truncation and every single-bit error are rejected.
 */
class IcmpWireTest {
    /** The ICMP message inside an IPv4 datagram with a 20-byte header. */
    private static byte[] icmp(byte[] datagram) {
        return Arrays.copyOfRange(datagram, 20, datagram.length);
    }

    private static IcmpRepr parsed(byte[] message) {
        IcmpRepr.Result result = IcmpRepr.parse(PacketBuffer.copyOf(message, 0));
        assertThat(result).isInstanceOf(IcmpRepr.Parsed.class);
        return ((IcmpRepr.Parsed) result).repr();
    }

    private static byte[] emitted(IcmpRepr repr) {
        PacketBuffer b = PacketBuffer.allocate(60 + repr.bufferLength(), 60);
        repr.emit(b);
        assertThat(b.length()).isEqualTo(repr.bufferLength());
        return b.toByteArray();
    }

    private static byte[] withChecksum(byte[] message) {
        message[2] = 0;
        message[3] = 0;
        int c = InternetChecksum.compute(message, 0, message.length);
        message[2] = (byte) (c >>> 8);
        message[3] = (byte) c;
        return message;
    }

    // ---- kernel messages ----

    @Test
    void theKernelsEchoRequestParsesAndReEmitsByteForByte() {
        byte[] message = icmp(PING_REQUEST);
        IcmpRepr repr = parsed(message);
        assertThat(repr).isEqualTo(new IcmpRepr.EchoRequest(0x4c4b, 1, Arrays.copyOfRange(message, 8, 64)));
        assertThat(repr.type()).isEqualTo(IcmpHeader.TYPE_ECHO_REQUEST);
        assertThat(repr.code()).isZero();
        assertThat(repr.bufferLength()).isEqualTo(64);
        assertThat(repr).hasToString("ICMP echo request, id 19531, seq 1, length 64");
        assertThat(emitted(repr)).isEqualTo(message);

        PacketBuffer b = PacketBuffer.copyOf(message, 0);
        assertThat(IcmpHeader.type(b)).isEqualTo(8);
        assertThat(IcmpHeader.identifier(b)).isEqualTo(0x4c4b);
        assertThat(IcmpHeader.sequence(b)).isEqualTo(1);
    }

    @Test
    void ourReplyToTheKernelsRequestIsTheKernelsReply() {
        IcmpRepr.EchoRequest request = (IcmpRepr.EchoRequest) parsed(icmp(PING_REQUEST));
        IcmpRepr.EchoReply reply = request.reply();
        assertThat(parsed(icmp(PING_REPLY))).isEqualTo(reply);
        assertThat(reply).hasToString("ICMP echo reply, id 19531, seq 1, length 64");

        // The whole datagram, with the reply's IP header as the kernel chose it.
        PacketBuffer b = PacketBuffer.allocate(84, 20);
        reply.emit(b);
        new Ipv4Repr(Ipv4WireTest.IP_10_0_0_2, Ipv4WireTest.IP_10_0_0_1, IpProtocol.ICMP, 64, 0, 0x1d13, false,
                false, 0, reply.bufferLength(), null).emit(b);
        assertThat(b.toByteArray()).isEqualTo(PING_REPLY);
    }

    @Test
    void theRoutersPortUnreachableQuotesTheDatagram() {
        byte[] message = icmp(PORT_UNREACHABLE);
        IcmpRepr repr = parsed(message);
        assertThat(repr).isEqualTo(new IcmpRepr.DestinationUnreachable(IcmpHeader.CODE_PORT_UNREACHABLE, 0, UDP_HELLO));
        assertThat(repr).hasToString("ICMP port unreachable, length 42");
        assertThat(emitted(repr)).isEqualTo(message);
        assertThat(IcmpHeader.isError(repr.type())).isTrue();

        // What the UDP layer will do with it: the quoted header parses and names the ports.
        PacketBuffer quoted = PacketBuffer.copyOf(((IcmpRepr.DestinationUnreachable) repr).quoted(), 0);
        Ipv4Repr original = ((Ipv4Repr.Parsed) Ipv4Repr.parse(quoted)).repr();
        assertThat(original.protocol()).isEqualTo(IpProtocol.UDP);
        assertThat(original.source()).isEqualTo(Ipv4WireTest.IP_10_0_0_1);
        quoted.consume(original.headerLength());
        assertThat(quoted.getU16(0)).isEqualTo(40000);
        assertThat(quoted.getU16(2)).isEqualTo(53);
    }

    @Test
    void theRoutersTimeExceededQuotesTheWholePing() {
        byte[] message = icmp(TIME_EXCEEDED);
        IcmpRepr repr = parsed(message);
        assertThat(repr).isEqualTo(new IcmpRepr.TimeExceeded(IcmpHeader.CODE_TTL_EXCEEDED, PING_TTL_1));
        assertThat(repr).hasToString("ICMP time exceeded in-transit, length 92");
        assertThat(emitted(repr)).isEqualTo(message);
        Ipv4Repr original = ((Ipv4Repr.Parsed) Ipv4Repr.parse(PacketBuffer.copyOf(PING_TTL_1, 0))).repr();
        assertThat(original.ttl()).isEqualTo(1);
    }

    // ---- the other records ----

    @Test
    void fragmentationNeededCarriesTheNextHopMtu() {
        IcmpRepr repr = new IcmpRepr.DestinationUnreachable(IcmpHeader.CODE_FRAGMENTATION_NEEDED, 1400,
                Arrays.copyOf(PING_REQUEST, 28));
        byte[] message = emitted(repr);
        assertThat(Arrays.copyOf(message, 2)).isEqualTo(hex("0304"));
        assertThat(Arrays.copyOfRange(message, 4, 8)).isEqualTo(hex("0000 0578"));
        assertThat(IcmpHeader.nextHopMtu(PacketBuffer.copyOf(message, 0))).isEqualTo(1400);
        assertThat(parsed(message)).isEqualTo(repr);
        assertThat(repr).hasToString("ICMP need to frag (mtu 1400), length 36");
    }

    @Test
    void parameterProblemCarriesThePointer() {
        IcmpRepr repr = new IcmpRepr.ParameterProblem(20, Arrays.copyOf(Ipv4WireTest.UDP_WITH_OPTIONS, 32));
        byte[] message = emitted(repr);
        assertThat(Arrays.copyOf(message, 2)).isEqualTo(hex("0c00"));
        assertThat(Arrays.copyOfRange(message, 4, 8)).isEqualTo(hex("1400 0000"));
        assertThat(PacketBuffer.copyOf(message, 0).getU8(IcmpHeader.POINTER)).isEqualTo(20);
        assertThat(parsed(message)).isEqualTo(repr);
        assertThat(repr).hasToString("ICMP parameter problem - octet 20, length 40");
    }

    @Test
    void otherMessagesKeepTheirBytes() {
        // Redirect for host (type 5 code 1): gateway 10.0.0.254, then the quoted datagram.
        byte[] redirectRest = Arrays.copyOf(hex("0a0000fe"), 4 + 28);
        System.arraycopy(PING_REQUEST, 0, redirectRest, 4, 28);
        // Timestamp request (type 13): identifier, sequence, three timestamps.
        byte[] timestampRest = hex("1234 0001 0036ee80 00000000 00000000");
        // A code RFC 792 does not define for echo, and parameter problem "missing option" (RFC 1108).
        for (IcmpRepr.Other other : List.of(
                new IcmpRepr.Other(IcmpHeader.TYPE_REDIRECT, 1, redirectRest),
                new IcmpRepr.Other(13, 0, timestampRest),
                new IcmpRepr.Other(IcmpHeader.TYPE_ECHO_REQUEST, 1, hex("0001 0002 abcd")),
                new IcmpRepr.Other(IcmpHeader.TYPE_PARAMETER_PROBLEM, 1, hex("0000 0000")),
                new IcmpRepr.Other(255, 255, hex("ffff ffff")))) {
            byte[] message = emitted(other);
            assertThat(message[0] & 0xFF).isEqualTo(other.type());
            assertThat(message[1] & 0xFF).isEqualTo(other.code());
            assertThat(Arrays.copyOfRange(message, 4, message.length)).isEqualTo(other.rest());
            assertThat(parsed(message)).isEqualTo(other);
        }
        assertThat(new IcmpRepr.Other(13, 0, timestampRest))
                .hasToString("ICMP type 13, code 0, rest of header 12340001, length 20");
    }

    @Test
    void anEchoWithANonZeroCodeIsNotAnEcho() {
        byte[] message = icmp(PING_REQUEST);
        message[1] = 1;
        IcmpRepr repr = parsed(withChecksum(message));
        assertThat(repr).isInstanceOf(IcmpRepr.Other.class);
        assertThat(emitted(repr)).isEqualTo(message);
    }

    @Test
    void otherRefusesWhatHasItsOwnRecord() {
        byte[] four = new byte[4];
        assertThatThrownBy(() -> new IcmpRepr.Other(8, 0, four)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IcmpRepr.Other(0, 0, four)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IcmpRepr.Other(3, 13, four)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IcmpRepr.Other(11, 1, four)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IcmpRepr.Other(12, 0, four)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IcmpRepr.Other(5, 0, new byte[3])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unusedBytesOfAnErrorAreIgnoredAndEmittedAsZero() {
        // RFC 4884 puts the quoted length in byte 5; the message is still a port unreachable.
        byte[] message = icmp(PORT_UNREACHABLE);
        message[5] = 0x11;
        IcmpRepr repr = parsed(withChecksum(message));
        assertThat(repr).isEqualTo(parsed(icmp(PORT_UNREACHABLE)));
        assertThat(emitted(repr)).isEqualTo(icmp(PORT_UNREACHABLE));
    }

    // ---- rejections ----

    @Test
    void fewerThanEightBytesAreTruncated() {
        byte[] message = icmp(PING_REQUEST);
        for (int n = 0; n < 8; n++) {
            assertThat(IcmpRepr.parse(PacketBuffer.copyOf(message, 0, n, 0))).as("%d bytes", n)
                    .isEqualTo(new IcmpRepr.Rejected(IcmpRepr.Reason.TRUNCATED));
        }
        // Eight bytes with a checksum over just those parse: an echo without data.
        byte[] headerOnly = withChecksum(Arrays.copyOf(message, 8));
        assertThat(parsed(headerOnly)).isEqualTo(new IcmpRepr.EchoRequest(0x4c4b, 1, new byte[0]));
    }

    @Test
    void everySingleBitErrorIsABadChecksum() {
        for (byte[] datagram : List.of(PING_REQUEST, PORT_UNREACHABLE, TIME_EXCEEDED)) {
            byte[] message = icmp(datagram);
            for (int i = 0; i < message.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] corrupt = message.clone();
                    corrupt[i] ^= (byte) (1 << bit);
                    assertThat(IcmpRepr.parse(PacketBuffer.copyOf(corrupt, 0))).as("byte %d bit %d", i, bit)
                            .isEqualTo(new IcmpRepr.Rejected(IcmpRepr.Reason.BAD_CHECKSUM));
                }
            }
        }
    }

    @Test
    void theChecksumCoversTheWholeMessageIncludingAnOddLastByte() {
        IcmpRepr repr = new IcmpRepr.EchoRequest(7, 9, new byte[] {1, 2, 3});
        byte[] message = emitted(repr);
        assertThat(message).hasSize(11);
        assertThat(InternetChecksum.verify(message, 0, 11)).isTrue();
        assertThat(parsed(message)).isEqualTo(repr);
        message[10] ^= 0x40;
        assertThat(IcmpRepr.parse(PacketBuffer.copyOf(message, 0)))
                .isEqualTo(new IcmpRepr.Rejected(IcmpRepr.Reason.BAD_CHECKSUM));
    }

    // ---- values ----

    @Test
    void emitAppendsAfterWhatTheBufferHolds() {
        IcmpRepr repr = parsed(icmp(PING_REQUEST));
        PacketBuffer b = PacketBuffer.allocate(128, 20);
        b.append(new byte[] {'a', 'b', 'c', 'd', 'e'}, 0, 5);
        repr.emit(b);
        byte[] all = b.toByteArray();
        assertThat(Arrays.copyOf(all, 5)).isEqualTo(new byte[] {'a', 'b', 'c', 'd', 'e'});
        assertThat(Arrays.copyOfRange(all, 5, all.length)).isEqualTo(icmp(PING_REQUEST));
        b.consume(5);
        assertThat(IcmpRepr.parse(b)).isEqualTo(new IcmpRepr.Parsed(repr));
    }

    private static byte[] randomBytes(Random random, int max) {
        byte[] b = new byte[random.nextInt(max + 1)];
        random.nextBytes(b);
        return b;
    }

    private static IcmpRepr randomRepr(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> new IcmpRepr.EchoRequest(random.nextInt(65536), random.nextInt(65536), randomBytes(random, 100));
            case 1 -> new IcmpRepr.EchoReply(random.nextInt(65536), random.nextInt(65536), randomBytes(random, 100));
            case 2 -> new IcmpRepr.DestinationUnreachable(random.nextInt(256), random.nextInt(65536),
                    randomBytes(random, 100));
            case 3 -> new IcmpRepr.TimeExceeded(random.nextInt(256), randomBytes(random, 100));
            case 4 -> new IcmpRepr.ParameterProblem(random.nextInt(256), randomBytes(random, 100));
            default -> {
                int type;
                int code;
                do {
                    type = random.nextInt(256);
                    code = random.nextInt(4);
                } while (IcmpRepr.hasOwnRecord(type, code));
                byte[] rest = new byte[4 + random.nextInt(100)];
                random.nextBytes(rest);
                yield new IcmpRepr.Other(type, code, rest);
            }
        };
    }

    @Test
    void randomMessagesRoundTrip() {
        Random random = new Random(792);
        for (int n = 0; n < 3000; n++) {
            IcmpRepr repr = randomRepr(random);
            byte[] message = emitted(repr);
            assertThat(InternetChecksum.verify(message, 0, message.length)).isTrue();
            assertThat(parsed(message)).as("%s", repr).isEqualTo(repr);
        }
    }

    /** An exhaustive switch with no default: adding a record breaks this until it is handled. */
    private static String kind(IcmpRepr repr) {
        return switch (repr) {
            case IcmpRepr.EchoRequest e -> "echo";
            case IcmpRepr.EchoReply e -> "echo-reply";
            case IcmpRepr.DestinationUnreachable d -> "unreachable";
            case IcmpRepr.TimeExceeded t -> "time-exceeded";
            case IcmpRepr.ParameterProblem p -> "parameter-problem";
            case IcmpRepr.Other o -> "other";
        };
    }

    @Test
    void messagesSwitchExhaustively() {
        assertThat(kind(parsed(icmp(PING_REQUEST)))).isEqualTo("echo");
        assertThat(kind(parsed(icmp(PING_REPLY)))).isEqualTo("echo-reply");
        assertThat(kind(parsed(icmp(PORT_UNREACHABLE)))).isEqualTo("unreachable");
        assertThat(kind(parsed(icmp(TIME_EXCEEDED)))).isEqualTo("time-exceeded");
    }

    @Test
    void arraysAreComparedByContentAndCopied() {
        byte[] data = {1, 2, 3};
        IcmpRepr.EchoRequest a = new IcmpRepr.EchoRequest(1, 2, data);
        IcmpRepr.EchoRequest b = new IcmpRepr.EchoRequest(1, 2, data.clone());
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new IcmpRepr.EchoRequest(1, 2, new byte[] {1, 2, 4}));
        assertThat(a).isNotEqualTo(new IcmpRepr.EchoReply(1, 2, data));
        data[0] = 9;
        a.data()[1] = 9;
        assertThat(a.data()).containsExactly(1, 2, 3);

        byte[] quoted = {4, 5};
        assertThat(new IcmpRepr.DestinationUnreachable(3, 0, quoted))
                .isEqualTo(new IcmpRepr.DestinationUnreachable(3, 0, quoted.clone()))
                .hasSameHashCodeAs(new IcmpRepr.DestinationUnreachable(3, 0, quoted.clone()))
                .isNotEqualTo(new IcmpRepr.DestinationUnreachable(3, 1, quoted));
        assertThat(new IcmpRepr.TimeExceeded(0, quoted)).isEqualTo(new IcmpRepr.TimeExceeded(0, quoted.clone()));
        assertThat(new IcmpRepr.ParameterProblem(1, quoted))
                .isEqualTo(new IcmpRepr.ParameterProblem(1, quoted.clone()));
        assertThat(new IcmpRepr.Other(5, 0, new byte[4])).isEqualTo(new IcmpRepr.Other(5, 0, new byte[4]))
                .hasSameHashCodeAs(new IcmpRepr.Other(5, 0, new byte[4]));
        IcmpRepr.TimeExceeded t = new IcmpRepr.TimeExceeded(0, quoted);
        quoted[0] = 0;
        assertThat(t.quoted()).containsExactly(4, 5);
    }

    @Test
    void fieldsOutOfRangeAreRefused() {
        List<Runnable> bad = List.of(
                () -> new IcmpRepr.EchoRequest(65536, 0, new byte[0]),
                () -> new IcmpRepr.EchoReply(0, -1, new byte[0]),
                () -> new IcmpRepr.DestinationUnreachable(256, 0, new byte[0]),
                () -> new IcmpRepr.DestinationUnreachable(4, 65536, new byte[0]),
                () -> new IcmpRepr.TimeExceeded(-1, new byte[0]),
                () -> new IcmpRepr.ParameterProblem(256, new byte[0]),
                () -> new IcmpRepr.Other(256, 0, new byte[4]),
                () -> new IcmpRepr.EchoRequest(0, 0, new byte[IcmpRepr.MAX_LENGTH - 7]));
        for (Runnable r : bad) {
            assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new IcmpRepr.EchoRequest(0, 0, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new IcmpRepr.Rejected(null)).isInstanceOf(NullPointerException.class);
    }
}
