package dev.tsunagu.tcp.wire;

import static dev.tsunagu.tcp.wire.TcpHeaderTest.HELLO;
import static dev.tsunagu.tcp.wire.TcpHeaderTest.IP_10_0_0_1;
import static dev.tsunagu.tcp.wire.TcpHeaderTest.IP_10_0_0_2;
import static dev.tsunagu.tcp.wire.TcpHeaderTest.tcp;
import static dev.tsunagu.tcp.wire.TcpHeaderTest.withChecksum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.testkit.wire.TcpRepr;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import dev.tsunagu.testkit.wire.TcpRepr.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link TcpRepr}: the kernel's segments (see {@link TcpHeaderTest} for the captures) parse
 * to the expected values and, where they carry no timestamps, emit back byte for byte;
 * {@code parse(emit(r))} is {@code r}; the flags are normalised and impossible combinations
 * rejected; every {@link Reason} has a crafted segment that produces it.
 */
class TcpReprTest {
    private static final OptionalInt NO_ACK = OptionalInt.empty();

    private static TcpRepr.Result parse(byte[] segment, int src, int dst) {
        return TcpRepr.parse(PacketBuffer.copyOf(segment, 0), src, dst);
    }

    private static TcpRepr parsed(byte[] segment, int src, int dst) {
        TcpRepr.Result result = parse(segment, src, dst);
        assertThat(result).isInstanceOf(TcpRepr.Parsed.class);
        return ((TcpRepr.Parsed) result).repr();
    }

    private static TcpRepr clientToServer(byte[] ipDatagram) {
        return parsed(tcp(ipDatagram), IP_10_0_0_1, IP_10_0_0_2);
    }

    private static byte[] emitted(TcpRepr repr, int src, int dst) {
        PacketBuffer b = PacketBuffer.allocate(TcpHeader.MAX_HEADER_LENGTH + repr.payloadLength(),
                TcpHeader.MAX_HEADER_LENGTH);
        repr.emit(b, src, dst);
        assertThat(b.length()).isEqualTo(repr.bufferLength());
        return b.toByteArray();
    }

    private static Reason rejection(byte[] segment) {
        TcpRepr.Result result = parse(segment, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(result).isInstanceOf(TcpRepr.Rejected.class);
        return ((TcpRepr.Rejected) result).reason();
    }

    /** The kernel's bare ACK with other flags, checksum fixed. */
    private static byte[] ackWithFlags(int flags) {
        byte[] s = tcp(TcpHeaderTest.PLAIN_ACK);
        s[13] = (byte) flags;
        return withChecksum(s, IP_10_0_0_1, IP_10_0_0_2);
    }

    // ---- kernel segments ----

    @Test
    void theKernelsSynParsesWithItsOptionsAndReEmitsByteForByte() {
        TcpRepr syn = clientToServer(TcpHeaderTest.PLAIN_SYN);
        assertThat(syn).isEqualTo(new TcpRepr(40000, 8080, Control.SYN, 0xdfa64040, NO_ACK, 64240, 1460, 10, true,
                new byte[0]));
        assertThat(syn.segmentLength()).isEqualTo(1);
        assertThat(emitted(syn, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(tcp(TcpHeaderTest.PLAIN_SYN));
    }

    @Test
    void theKernelsSynAckParsesAndReEmitsByteForByte() {
        TcpRepr synAck = parsed(tcp(TcpHeaderTest.PLAIN_SYN_ACK), IP_10_0_0_2, IP_10_0_0_1);
        assertThat(synAck).isEqualTo(new TcpRepr(8080, 40000, Control.SYN, 0x10e0055c, OptionalInt.of(0xdfa64041),
                64240, 1460, 10, true, new byte[0]));
        assertThat(emitted(synAck, IP_10_0_0_2, IP_10_0_0_1)).isEqualTo(tcp(TcpHeaderTest.PLAIN_SYN_ACK));
    }

    @Test
    void theKernelsAckDataAndFinParseAndReEmitByteForByte() {
        TcpRepr ack = clientToServer(TcpHeaderTest.PLAIN_ACK);
        assertThat(ack).isEqualTo(new TcpRepr(40000, 8080, Control.NONE, 0xdfa64041, OptionalInt.of(0x10e0055d), 63,
                new byte[0]));
        assertThat(ack.segmentLength()).isZero();

        TcpRepr data = clientToServer(TcpHeaderTest.PLAIN_DATA);
        assertThat(data).isEqualTo(new TcpRepr(40000, 8080, Control.PSH, 0xdfa64041, OptionalInt.of(0x10e0055d), 63,
                HELLO));
        assertThat(data.segmentLength()).isEqualTo(6);

        TcpRepr fin = clientToServer(TcpHeaderTest.PLAIN_FIN);
        assertThat(fin).isEqualTo(new TcpRepr(40000, 8080, Control.FIN, 0xdfa64047, OptionalInt.of(0x10e0055d), 63,
                new byte[0]));
        assertThat(fin.segmentLength()).isEqualTo(1);

        for (byte[] d : new byte[][] {TcpHeaderTest.PLAIN_ACK, TcpHeaderTest.PLAIN_DATA, TcpHeaderTest.PLAIN_FIN}) {
            assertThat(emitted(clientToServer(d), IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(tcp(d));
        }
        TcpRepr bye = parsed(tcp(TcpHeaderTest.PLAIN_SERVER_DATA), IP_10_0_0_2, IP_10_0_0_1);
        assertThat(bye.payload()).isEqualTo("bye\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(emitted(bye, IP_10_0_0_2, IP_10_0_0_1)).isEqualTo(tcp(TcpHeaderTest.PLAIN_SERVER_DATA));
    }

    @Test
    void timestampsAreNotPartOfTheValueSoSuchSegmentsRoundTripWithoutThem() {
        TcpRepr syn = clientToServer(TcpHeaderTest.KERNEL_SYN);
        assertThat(syn).isEqualTo(new TcpRepr(40000, 8080, Control.SYN, 0xb5acaed9, NO_ACK, 64240, 1460, 10, true,
                new byte[0]));
        TcpRepr data = clientToServer(TcpHeaderTest.KERNEL_DATA);
        assertThat(data).isEqualTo(new TcpRepr(40000, 8080, Control.PSH, 0xb5acaeda, OptionalInt.of(0xe6e673f5), 63,
                HELLO));
        TcpRepr fin = clientToServer(TcpHeaderTest.KERNEL_FIN);
        assertThat(fin.control()).isEqualTo(Control.FIN);
        assertThat(fin.sequence()).isEqualTo(data.sequence() + data.segmentLength());
        for (TcpRepr r : new TcpRepr[] {syn, data, fin}) {
            byte[] ours = emitted(r, IP_10_0_0_1, IP_10_0_0_2);
            assertThat(TcpHeaderTest.options(PacketBuffer.copyOf(ours, 0)).timestamps).isFalse();
            assertThat(parsed(ours, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(r);
        }
        TcpRepr serverFin = parsed(tcp(TcpHeaderTest.KERNEL_SERVER_FIN), IP_10_0_0_2, IP_10_0_0_1);
        assertThat(serverFin.acknowledgment()).hasValue(fin.sequence() + 1);
    }

    // ---- round trip ----

    @Test
    void emitThenParseGivesTheSameValue() {
        Random random = new Random(6528);
        Control[] controls = Control.values();
        for (int i = 0; i < 2000; i++) {
            byte[] payload = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(1500)];
            random.nextBytes(payload);
            TcpRepr r = new TcpRepr(random.nextInt(0x10000), random.nextInt(0x10000),
                    controls[random.nextInt(controls.length)], random.nextInt(),
                    random.nextBoolean() ? OptionalInt.of(random.nextInt()) : NO_ACK, random.nextInt(0x10000),
                    random.nextBoolean() ? random.nextInt(0x10000) : 0, random.nextInt(16) - 1, random.nextBoolean(),
                    payload);
            int src = random.nextInt();
            int dst = random.nextInt();
            byte[] wire = emitted(r, src, dst);
            assertThat(TcpHeader.check(PacketBuffer.copyOf(wire, 0), src, dst)).isEqualTo(TcpHeader.Problem.OK);
            assertThat(parsed(wire, src, dst)).isEqualTo(r);
        }
    }

    @Test
    void emitWritesTheAckFlagExactlyWhenThereIsAnAcknowledgment() {
        TcpRepr withAck = new TcpRepr(1, 2, Control.RST, 10, OptionalInt.of(0), 0, new byte[0]);
        assertThat(withAck.flags()).isEqualTo(TcpHeader.RST | TcpHeader.ACK);
        byte[] wire = emitted(withAck, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(wire[13]).isEqualTo((byte) (TcpHeader.RST | TcpHeader.ACK));
        assertThat(parsed(wire, IP_10_0_0_1, IP_10_0_0_2).acknowledgment()).hasValue(0);

        TcpRepr bare = new TcpRepr(1, 2, Control.RST, 10, NO_ACK, 0, new byte[0]);
        byte[] bareWire = emitted(bare, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(bareWire[13]).isEqualTo((byte) TcpHeader.RST);
        assertThat(Arrays.copyOfRange(bareWire, 8, 12)).as("acknowledgment field").containsOnly(0);
    }

    @Test
    void emitNeedsAnEmptyBuffer() {
        TcpRepr r = new TcpRepr(1, 2, Control.NONE, 0, NO_ACK, 0, HELLO);
        PacketBuffer b = PacketBuffer.allocate(200, 60);
        b.append(1);
        assertThatThrownBy(() -> r.emit(b, IP_10_0_0_1, IP_10_0_0_2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.length()).isEqualTo(1);
    }

    // ---- flags ----

    @Test
    void thePushFlagSurvivesOnlyWithoutSynFinOrRst() {
        assertThat(clientToServerFlags(TcpHeader.PSH | TcpHeader.ACK)).isEqualTo(Control.PSH);
        assertThat(clientToServerFlags(TcpHeader.PSH)).isEqualTo(Control.PSH);
        assertThat(clientToServerFlags(TcpHeader.SYN | TcpHeader.PSH)).isEqualTo(Control.SYN);
        assertThat(clientToServerFlags(TcpHeader.FIN | TcpHeader.PSH | TcpHeader.ACK)).isEqualTo(Control.FIN);
        assertThat(clientToServerFlags(TcpHeader.RST | TcpHeader.PSH)).isEqualTo(Control.RST);
    }

    private static Control clientToServerFlags(int flags) {
        return parsed(ackWithFlags(flags), IP_10_0_0_1, IP_10_0_0_2).control();
    }

    @Test
    void urgEceAndCwrAreNotPartOfTheValue() {
        TcpRepr r = parsed(ackWithFlags(TcpHeader.ACK | TcpHeader.URG | TcpHeader.ECE | TcpHeader.CWR),
                IP_10_0_0_1, IP_10_0_0_2);
        assertThat(r).isEqualTo(clientToServer(TcpHeaderTest.PLAIN_ACK));
    }

    @Test
    void aSegmentWithoutFlagsIsLegalAndHasNoAcknowledgment() {
        // The acknowledgment field still holds the kernel's number: without ACK it means nothing.
        TcpRepr r = parsed(ackWithFlags(0), IP_10_0_0_1, IP_10_0_0_2);
        assertThat(r.control()).isEqualTo(Control.NONE);
        assertThat(r.acknowledgment()).isEmpty();
        assertThat(r.segmentLength()).isZero();
        TcpRepr finWithoutAck = parsed(ackWithFlags(TcpHeader.FIN), IP_10_0_0_1, IP_10_0_0_2);
        assertThat(finWithoutAck.control()).isEqualTo(Control.FIN);
        assertThat(finWithoutAck.acknowledgment()).isEmpty();
    }

    @Test
    void impossibleFlagCombinationsAreRejected() {
        int[] impossible = {
            TcpHeader.SYN | TcpHeader.FIN, TcpHeader.SYN | TcpHeader.RST, TcpHeader.FIN | TcpHeader.RST,
            TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST
        };
        for (int flags : impossible) {
            assertThat(rejection(ackWithFlags(flags))).as("flags %02x", flags).isEqualTo(Reason.IMPOSSIBLE_FLAGS);
            assertThat(rejection(ackWithFlags(flags | TcpHeader.ACK))).isEqualTo(Reason.IMPOSSIBLE_FLAGS);
            assertThat(rejection(ackWithFlags(flags | 0xE8))).isEqualTo(Reason.IMPOSSIBLE_FLAGS);
        }
    }

    // ---- every rejection ----

    @Test
    void everyProblemOfTheViewBecomesAReason() {
        byte[] data = tcp(TcpHeaderTest.PLAIN_DATA);
        assertThat(rejection(Arrays.copyOf(data, 19))).isEqualTo(Reason.TRUNCATED);
        byte[] offset = data.clone();
        offset[12] = (byte) 0x40;
        assertThat(rejection(withChecksum(offset, IP_10_0_0_1, IP_10_0_0_2))).isEqualTo(Reason.BAD_DATA_OFFSET);
        byte[] corrupt = data.clone();
        corrupt[data.length - 1] ^= 0x20;
        assertThat(rejection(corrupt)).isEqualTo(Reason.BAD_CHECKSUM);
        assertThat(TcpRepr.parse(PacketBuffer.copyOf(data, 0), 0x0A00_0003, IP_10_0_0_2))
                .isEqualTo(new TcpRepr.Rejected(Reason.BAD_CHECKSUM));
        // The oracle's reasons are named as the view's problems, so a test can compare the two.
        for (TcpHeader.Problem p : TcpHeader.Problem.values()) {
            if (p != TcpHeader.Problem.OK) {
                assertThat(Reason.valueOf(p.name())).isNotNull();
            }
        }
    }

    @Test
    void malformedOptionsAreRejectedEvenWithAGoodChecksum() {
        byte[] syn = tcp(TcpHeaderTest.PLAIN_SYN);
        byte[] zeroLength = syn.clone();
        zeroLength[TcpHeader.HEADER_LENGTH + 7] = 0; // NOP, NOP, SACK-permitted of length 2 -> 0
        assertThat(rejection(withChecksum(zeroLength, IP_10_0_0_1, IP_10_0_0_2))).isEqualTo(Reason.BAD_OPTIONS);
        byte[] pastTheEnd = syn.clone();
        pastTheEnd[TcpHeader.HEADER_LENGTH + 1] = 20; // MSS claims 20 bytes
        assertThat(rejection(withChecksum(pastTheEnd, IP_10_0_0_1, IP_10_0_0_2))).isEqualTo(Reason.BAD_OPTIONS);
    }

    @Test
    void aWindowScaleAbove14ParsesAs14() {
        byte[] syn = tcp(TcpHeaderTest.PLAIN_SYN);
        syn[syn.length - 1] = 20;
        assertThat(parsed(withChecksum(syn, IP_10_0_0_1, IP_10_0_0_2), IP_10_0_0_1, IP_10_0_0_2).windowScale())
                .isEqualTo(14);
    }

    @Test
    void aRejectionNeedsAReason() {
        assertThatThrownBy(() -> new TcpRepr.Rejected(null)).isInstanceOf(NullPointerException.class);
    }

    // ---- the value ----

    @Test
    void lengthsCountHeaderOptionsPayloadAndControl() {
        TcpRepr syn = new TcpRepr(1, 2, Control.SYN, 0, NO_ACK, 0, 1460, 7, true, new byte[0]);
        assertThat(syn.headerLength()).isEqualTo(32);
        assertThat(syn.bufferLength()).isEqualTo(32);
        assertThat(syn.segmentLength()).isEqualTo(1);
        TcpRepr finWithData = new TcpRepr(1, 2, Control.FIN, 0, OptionalInt.of(1), 0, HELLO);
        assertThat(finWithData.headerLength()).isEqualTo(20);
        assertThat(finWithData.bufferLength()).isEqualTo(26);
        assertThat(finWithData.segmentLength()).isEqualTo(7);
        assertThat(new TcpRepr(1, 2, Control.RST, 0, NO_ACK, 0, HELLO).segmentLength()).isEqualTo(6);
        assertThat(new TcpRepr(1, 2, Control.PSH, 0, NO_ACK, 0, HELLO).segmentLength()).isEqualTo(6);
        assertThat(new TcpRepr(1, 2, Control.SYN, 0, NO_ACK, 0, 0, -1, false, HELLO).segmentLength()).isEqualTo(7);
    }

    @Test
    void theConstructorChecksRanges() {
        byte[] none = new byte[0];
        assertThatThrownBy(() -> new TcpRepr(-1, 2, Control.NONE, 0, NO_ACK, 0, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sourcePort");
        assertThatThrownBy(() -> new TcpRepr(1, 65536, Control.NONE, 0, NO_ACK, 0, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("destinationPort");
        assertThatThrownBy(() -> new TcpRepr(1, 2, Control.NONE, 0, NO_ACK, 65536, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
        assertThatThrownBy(() -> new TcpRepr(1, 2, Control.SYN, 0, NO_ACK, 0, -1, -1, false, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mss");
        assertThatThrownBy(() -> new TcpRepr(1, 2, Control.SYN, 0, NO_ACK, 0, 0, 15, false, none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("windowScale");
        assertThatThrownBy(() -> new TcpRepr(1, 2, Control.NONE, 0, NO_ACK, 0, new byte[65535 - 20 - 20 + 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65515");
        assertThatThrownBy(() -> new TcpRepr(1, 2, null, 0, NO_ACK, 0, none)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new TcpRepr(1, 2, Control.NONE, 0, null, 0, none))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new TcpRepr(1, 2, Control.NONE, 0, NO_ACK, 0, null))
                .isInstanceOf(NullPointerException.class);
        assertThat(new TcpRepr(1, 2, Control.NONE, 0, NO_ACK, 0, new byte[65535 - 20 - 20]).bufferLength())
                .isEqualTo(TcpRepr.MAX_SEGMENT_LENGTH);
    }

    @Test
    void thePayloadIsCopiedInAndOutAndComparedByContent() {
        byte[] payload = HELLO.clone();
        TcpRepr r = new TcpRepr(1, 2, Control.PSH, 0, NO_ACK, 0, payload);
        payload[0] = 'j';
        assertThat(r.payload()).isEqualTo(HELLO);
        r.payload()[0] = 'j';
        assertThat(r.payload()).isEqualTo(HELLO);
        TcpRepr same = new TcpRepr(1, 2, Control.PSH, 0, NO_ACK, 0, HELLO.clone());
        assertThat(r).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(r).isNotEqualTo(new TcpRepr(1, 2, Control.PSH, 0, NO_ACK, 0, new byte[6]));
        assertThat(r).isNotEqualTo(new TcpRepr(1, 2, Control.PSH, 0, OptionalInt.of(0), 0, HELLO));
    }

    @Test
    void toStringIsTcpdumpsLineForTheEmittedSegment() {
        TcpRepr syn = clientToServer(TcpHeaderTest.PLAIN_SYN);
        assertThat(syn.toString()).isEqualTo(
                "TCP 40000 > 8080: Flags [S], seq 3752214592, win 64240, options [mss 1460,nop,nop,sackOK,nop,wscale 10],"
                        + " length 0");
        TcpRepr data = clientToServer(TcpHeaderTest.PLAIN_DATA);
        assertThat(data.toString()).isEqualTo(
                "TCP 40000 > 8080: Flags [P.], seq 3752214593:3752214599, ack 283116893, win 63, length 6");
        Random random = new Random(9293);
        for (int i = 0; i < 200; i++) {
            TcpRepr r = new TcpRepr(random.nextInt(0x10000), random.nextInt(0x10000),
                    Control.values()[random.nextInt(5)], random.nextInt(),
                    random.nextBoolean() ? OptionalInt.of(random.nextInt()) : NO_ACK, random.nextInt(0x10000),
                    random.nextBoolean() ? random.nextInt(0x10000) : 0, random.nextInt(16) - 1, random.nextBoolean(),
                    new byte[random.nextInt(3)]);
            String describe = TcpHeader.describe(PacketBuffer.copyOf(emitted(r, 1, 2), 0));
            assertThat(r.toString()).isEqualTo("TCP " + r.sourcePort() + " > " + r.destinationPort() + ": " + describe);
        }
    }
}
