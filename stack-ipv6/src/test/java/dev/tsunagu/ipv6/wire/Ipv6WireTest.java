package dev.tsunagu.ipv6.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ipv6.V6;
import dev.tsunagu.ipv6.wire.ExtensionHeaders.Status;
import dev.tsunagu.net.Ipv6Address;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fixed header's one check and the extension-header walk, rule by rule (RFC 8200 3, 4). */
class Ipv6WireTest {
    static final Ipv6Address SRC = Ipv6Address.parse("fd00::9");
    static final Ipv6Address DST = Ipv6Address.parse("fd00::2");
    static final int UDP = 17;
    private final ExtensionHeaders.Walk w = new ExtensionHeaders.Walk();

    private static PacketBuffer buffer(byte[] packet) {
        return PacketBuffer.copyOf(packet, 64);
    }

    private Status walk(byte[] packet) {
        return ExtensionHeaders.walk(buffer(packet), false, w);
    }

    @Test
    void aHeaderRoundTripsThroughPrependAndTheAccessors() {
        PacketBuffer b = PacketBuffer.allocate(200, 64);
        b.append(new byte[] {1, 2, 3}, 0, 3);
        Ipv6Header.prepend(b, 0xB8, 0x12345, UDP, 17, SRC, DST);
        assertThat(Ipv6Header.check(b)).isEqualTo(Ipv6Header.Problem.OK);
        assertThat(Ipv6Header.version(b)).isEqualTo(6);
        assertThat(Ipv6Header.trafficClass(b)).isEqualTo(0xB8);
        assertThat(Ipv6Header.flowLabel(b)).isEqualTo(0x12345);
        assertThat(Ipv6Header.payloadLength(b)).isEqualTo(3);
        assertThat(Ipv6Header.nextHeader(b)).isEqualTo(UDP);
        assertThat(Ipv6Header.hopLimit(b)).isEqualTo(17);
        assertThat(Ipv6Header.source(b)).isEqualTo(SRC);
        assertThat(Ipv6Header.destination(b)).isEqualTo(DST);
        assertThat(b.toByteArray()).isEqualTo(V6.concat(
                new byte[] {0x6B, (byte) 0x81, 0x23, 0x45}, java.util.Arrays.copyOfRange(
                        V6.packet(SRC, DST, UDP, 17, new byte[] {1, 2, 3}), 4, 43)));
    }

    @Test
    void theCheckRefusesShortPacketsOtherVersionsAndPayloadsBeyondTheFrame() {
        byte[] ok = V6.packet(SRC, DST, UDP, 64, new byte[8]);
        assertThat(Ipv6Header.check(buffer(ok))).isEqualTo(Ipv6Header.Problem.OK);
        assertThat(Ipv6Header.check(buffer(java.util.Arrays.copyOf(ok, 39)))).isEqualTo(Ipv6Header.Problem.TRUNCATED);
        byte[] v4 = ok.clone();
        v4[0] = 0x45;
        assertThat(Ipv6Header.check(buffer(v4))).isEqualTo(Ipv6Header.Problem.BAD_VERSION);
        assertThat(Ipv6Header.check(buffer(java.util.Arrays.copyOf(ok, 47)))).isEqualTo(Ipv6Header.Problem.BAD_PAYLOAD_LENGTH);
        byte[] padded = java.util.Arrays.copyOf(ok, 60); // Ethernet padding is fine
        assertThat(Ipv6Header.check(buffer(padded))).isEqualTo(Ipv6Header.Problem.OK);
    }

    @Test
    void withoutExtensionHeadersTheUpperLayerStartsAt40() {
        assertThat(walk(V6.packet(SRC, DST, UDP, 64, new byte[8]))).isEqualTo(Status.UPPER_LAYER);
        assertThat(w.protocol).isEqualTo(UDP);
        assertThat(w.offset).isEqualTo(40);
        assertThat(w.nextHeaderAt).isEqualTo(6);
    }

    @Test
    void rfc8200_4_3_hopByHopAndDestinationOptionsWithPaddingAreSkipped() {
        byte[] dest = V6.optionsHeader(UDP, new byte[] {0, 1, 2, 0, 0}, new byte[8]); // Pad1, PadN(2)
        byte[] hbh = V6.optionsHeader(60, new byte[] {5, 2, 0, 0}, dest); // Router Alert
        assertThat(walk(V6.packet(SRC, DST, 0, 64, hbh))).isEqualTo(Status.UPPER_LAYER);
        assertThat(w.protocol).isEqualTo(UDP);
        assertThat(w.offset).isEqualTo(56);
        assertThat(w.nextHeaderAt).isEqualTo(48);
        assertThat(w.routerAlert).isTrue();
    }

    @Test
    void rfc8200_4_3_hopByHopAnywhereButFirstIsAnUnrecognisedNextHeader() {
        byte[] hbh = V6.optionsHeader(UDP, new byte[0], new byte[8]);
        byte[] dest = V6.optionsHeader(0, new byte[0], hbh);
        assertThat(walk(V6.packet(SRC, DST, 60, 64, dest))).isEqualTo(Status.PARAMETER_PROBLEM);
        assertThat(w.code).isEqualTo(ExtensionHeaders.CODE_UNRECOGNIZED_NEXT_HEADER);
        assertThat(w.pointer).isEqualTo(40); // the Next Header field of the destination options header
    }

    @Test
    void rfc8200_4_2_unknownOptionsAreHandledByTheirTwoHighBits() {
        byte[] skip = V6.optionsHeader(UDP, new byte[] {0x1E, 0}, new byte[8]);
        assertThat(walk(V6.packet(SRC, DST, 60, 64, skip))).isEqualTo(Status.UPPER_LAYER);
        byte[] discard = V6.optionsHeader(UDP, new byte[] {0x5E, 0}, new byte[8]);
        assertThat(walk(V6.packet(SRC, DST, 60, 64, discard))).isEqualTo(Status.DISCARD);
        byte[] report = V6.optionsHeader(UDP, new byte[] {1, 0, (byte) 0x9E, 0}, new byte[8]);
        assertThat(walk(V6.packet(SRC, DST, 60, 64, report))).isEqualTo(Status.PARAMETER_PROBLEM);
        assertThat(w.code).isEqualTo(ExtensionHeaders.CODE_UNRECOGNIZED_OPTION);
        assertThat(w.pointer).isEqualTo(44); // the option type, after PadN(0)
        assertThat(w.reportEvenIfMulticast).isTrue();
        byte[] unlessMulticast = V6.optionsHeader(UDP, new byte[] {(byte) 0xDE, 0}, new byte[8]);
        assertThat(walk(V6.packet(SRC, DST, 60, 64, unlessMulticast))).isEqualTo(Status.PARAMETER_PROBLEM);
        assertThat(w.reportEvenIfMulticast).isFalse();
        assertThat(ExtensionHeaders.walk(buffer(V6.packet(SRC, DST, 60, 64, unlessMulticast)), true, w))
                .isEqualTo(Status.DISCARD);
    }

    @Test
    void rfc5095_routingType0WithSegmentsLeftIsRefusedPointingAtTheType() {
        assertThat(walk(V6.packet(SRC, DST, 43, 64, V6.routingHeader(UDP, 0, 1, new byte[8]))))
                .isEqualTo(Status.PARAMETER_PROBLEM);
        assertThat(w.code).isEqualTo(ExtensionHeaders.CODE_ERRONEOUS_FIELD);
        assertThat(w.pointer).isEqualTo(42);
    }

    @Test
    void rfc8200_4_4_aRoutingHeaderWithNoSegmentsLeftIsIgnored() {
        assertThat(walk(V6.packet(SRC, DST, 43, 64, V6.routingHeader(UDP, 0, 0, new byte[8]))))
                .isEqualTo(Status.UPPER_LAYER);
        assertThat(w.offset).isEqualTo(64);
    }

    @Test
    void rfc8021_anAtomicFragmentIsAWholePacketAndAnyOtherStopsTheWalk() {
        assertThat(walk(V6.packet(SRC, DST, 44, 64, V6.fragmentHeader(UDP, 0, false, 7, new byte[8]))))
                .isEqualTo(Status.UPPER_LAYER);
        assertThat(w.offset).isEqualTo(48);
        assertThat(w.nextHeaderAt).isEqualTo(40);
        assertThat(walk(V6.packet(SRC, DST, 44, 64, V6.fragmentHeader(UDP, 0, true, 7, new byte[8]))))
                .isEqualTo(Status.FRAGMENT);
        assertThat(w.offset).isEqualTo(40);
        assertThat(w.nextHeaderAt).isEqualTo(6);
    }

    @Test
    void noNextHeaderEndsThePacketAndAHeaderPastTheEndIsTruncated() {
        assertThat(walk(V6.packet(SRC, DST, 59, 64, new byte[0]))).isEqualTo(Status.NO_NEXT_HEADER);
        byte[] dest = V6.optionsHeader(UDP, new byte[0], new byte[0]);
        dest[1] = 3; // claims 32 bytes
        assertThat(walk(V6.packet(SRC, DST, 60, 64, dest))).isEqualTo(Status.TRUNCATED);
        byte[] badOption = V6.optionsHeader(UDP, new byte[] {0x1E, 9}, new byte[0]);
        assertThat(walk(V6.packet(SRC, DST, 60, 64, badOption))).isEqualTo(Status.TRUNCATED);
        assertThat(walk(V6.packet(SRC, DST, 44, 64, new byte[4]))).isEqualTo(Status.TRUNCATED);
    }

    @Test
    void randomGarbageNeverThrowsFromTheCheckOrTheWalk() {
        Random r = new Random(17);
        int upper = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] p = new byte[r.nextInt(120)];
            r.nextBytes(p);
            if (p.length > 0 && r.nextBoolean()) {
                p[0] = 0x60;
            }
            if (p.length >= 7 && r.nextBoolean()) {
                p[4] = 0;
                p[5] = (byte) Math.max(0, p.length - 40);
                p[6] = (byte) new int[] {0, 43, 44, 59, 60, 17}[r.nextInt(6)];
            }
            PacketBuffer b = buffer(p);
            if (Ipv6Header.check(b) == Ipv6Header.Problem.OK) {
                b.truncate(40 + Ipv6Header.payloadLength(b));
                if (ExtensionHeaders.walk(b, r.nextBoolean(), w) == Status.UPPER_LAYER) {
                    upper++;
                    assertThat(w.offset).isBetween(40, b.length());
                }
            }
        }
        assertThat(upper).isPositive();
    }
}
