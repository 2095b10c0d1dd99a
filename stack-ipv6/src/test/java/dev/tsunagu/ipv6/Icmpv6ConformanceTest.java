package dev.tsunagu.ipv6;

import static dev.tsunagu.ipv6.RawV6Lan.HOST;
import static dev.tsunagu.ipv6.RawV6Lan.RAW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.net.Ipv6Address;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ICMPv6 (RFC 4443) and the extension-header rules of RFC 8200 as the host applies them to
 * crafted packets: one short test per rule, on the virtual clock.
 */
class Icmpv6ConformanceTest {
    private static final int UDP = 17;
    private final RawV6Lan lan = new RawV6Lan("icmpv6").introduce();

    @AfterEach
    void tearDown() {
        lan.close();
    }

    private byte[] echo(int seq) {
        return lan.echo(RAW, HOST, seq);
    }

    private RawV6Lan.Sent only(List<RawV6Lan.Sent> sent) {
        assertThat(sent).hasSize(1);
        return sent.get(0);
    }

    @Test
    void rfc4443_4_2_anEchoRequestIsAnsweredWithItsIdentifierSequenceAndData() {
        lan.send(V6.packet(RAW, HOST, 58, 64, echo(3)));
        RawV6Lan.Sent reply = only(lan.icmp());
        assertThat(reply.icmpType()).isEqualTo(129);
        assertThat(reply.icmpWord()).isEqualTo((0x77L << 16) | 3);
        assertThat(new String(reply.icmpData())).isEqualTo("ping");
        assertThat(reply.source()).isEqualTo(HOST);
        assertThat(reply.destination()).isEqualTo(RAW);
        assertThat(reply.dstMac()).isEqualTo(RawV6Lan.RAW_MAC);
        // The checksum covers the pseudo-header: recomputing over the reply gives zero.
        byte[] m = Arrays.copyOfRange(reply.packet(), 40, reply.packet().length);
        byte[] again = V6.icmp(HOST, RAW, m[0], m[1], Arrays.copyOfRange(m, 4, m.length));
        assertThat(again).isEqualTo(m);
    }

    @Test
    void rfc4443_2_3_aWrongChecksumIsDropped() {
        byte[] bad = echo(1);
        bad[3] ^= 1;
        lan.send(V6.packet(RAW, HOST, 58, 64, bad));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("icmpv6", "DropBadChecksum")).isEqualTo(1);
    }

    @Test
    void anEchoWithANonZeroCodeIsNotAnswered() {
        lan.send(V6.packet(RAW, HOST, 58, 64, V6.icmp(RAW, HOST, 128, 1, V6.echoBody(1, 1, new byte[0]))));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("icmpv6", "DropBadEchoCode")).isEqualTo(1);
    }

    @Test
    void rfc4443_4_2_anEchoToAllNodesIsAnsweredFromAUnicastAddress() {
        lan.sendTo(Ipv6Addresses.ALL_NODES, V6.packet(RAW, Ipv6Addresses.ALL_NODES, 58, 64,
                lan.echo(RAW, Ipv6Addresses.ALL_NODES, 4)));
        RawV6Lan.Sent reply = only(lan.icmp());
        assertThat(reply.icmpType()).isEqualTo(129);
        assertThat(reply.source()).isEqualTo(HOST);
    }

    @Test
    void aGroupWeAreNotInIsDropped() {
        Ipv6Address other = Ipv6Address.parse("ff02::1:ff00:77");
        lan.sendTo(other, V6.packet(RAW, other, 58, 64, lan.echo(RAW, other, 1)));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("ipv6", "DropMulticast")).isEqualTo(1);
    }

    @Test
    void rfc8200_4_anUnknownNextHeaderIsParameterProblemCode1PointingAtIt() {
        byte[] packet = V6.packet(RAW, HOST, 253, 64, new byte[8]);
        lan.send(packet);
        RawV6Lan.Sent e = only(lan.icmp());
        assertThat(e.icmpType()).isEqualTo(4);
        assertThat(e.icmpCode()).isEqualTo(1);
        assertThat(e.icmpWord()).isEqualTo(6);
        assertThat(e.icmpData()).isEqualTo(packet); // RFC 4443 2.4 (c): as much as fits
        assertThat(lan.count("ipv6", "InUnknownProtos")).isEqualTo(1);
    }

    @Test
    void rfc4443_2_4_e3_noErrorAboutAPacketToAGroup() {
        lan.sendTo(Ipv6Addresses.ALL_NODES, V6.packet(RAW, Ipv6Addresses.ALL_NODES, 253, 64, new byte[8]));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("icmpv6", "OutErrorsSuppressed")).isEqualTo(1);
    }

    @Test
    void rfc4443_2_4_e3_butAnOptionWithAction10IsReportedEvenToAGroup() {
        byte[] dest = V6.optionsHeader(58, new byte[] {(byte) 0x9E, 0}, lan.echo(RAW, Ipv6Addresses.ALL_NODES, 1));
        lan.sendTo(Ipv6Addresses.ALL_NODES, V6.packet(RAW, Ipv6Addresses.ALL_NODES, 60, 64, dest));
        RawV6Lan.Sent e = only(lan.icmp());
        assertThat(e.icmpType()).isEqualTo(4);
        assertThat(e.icmpCode()).isEqualTo(2);
        assertThat(e.icmpWord()).isEqualTo(42);
    }

    @Test
    void rfc8200_4_2_action11IsSilentToAGroupAndAction01AlwaysSilent() {
        byte[] dest11 = V6.optionsHeader(58, new byte[] {(byte) 0xDE, 0}, lan.echo(RAW, Ipv6Addresses.ALL_NODES, 1));
        lan.sendTo(Ipv6Addresses.ALL_NODES, V6.packet(RAW, Ipv6Addresses.ALL_NODES, 60, 64, dest11));
        byte[] dest01 = V6.optionsHeader(58, new byte[] {0x5E, 0}, echo(2));
        lan.send(V6.packet(RAW, HOST, 60, 64, dest01));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("ipv6", "DropOption")).isEqualTo(2);
    }

    @Test
    void rfc8200_4_2_anUnknownOptionWithAction00IsSkippedAndTheEchoAnswered() {
        lan.send(V6.packet(RAW, HOST, 0, 64, V6.optionsHeader(58, new byte[] {0x1E, 1, 0}, echo(5))));
        assertThat(only(lan.icmp()).icmpType()).isEqualTo(129);
    }

    @Test
    void rfc5095_routingType0WithSegmentsLeftIsRefusedAndWithNoneIgnored() {
        lan.send(V6.packet(RAW, HOST, 43, 64, V6.routingHeader(58, 0, 2, echo(1))));
        RawV6Lan.Sent e = only(lan.icmp());
        assertThat(e.icmpType()).isEqualTo(4);
        assertThat(e.icmpCode()).isZero();
        assertThat(e.icmpWord()).isEqualTo(42);
        lan.send(V6.packet(RAW, HOST, 43, 64, V6.routingHeader(58, 0, 0, echo(2))));
        assertThat(only(lan.icmp()).icmpType()).isEqualTo(129);
    }

    @Test
    void rfc8021_anAtomicFragmentIsProcessedAsAWholePacket() {
        lan.send(V6.packet(RAW, HOST, 44, 64, V6.fragmentHeader(58, 0, false, 99, echo(6))));
        assertThat(only(lan.icmp()).icmpType()).isEqualTo(129);
        assertThat(lan.count("ipv6", "ReasmReqds")).isZero();
    }

    @Test
    void rfc4443_2_4_e1_noErrorAboutAnIcmpv6Error() {
        // An ICMPv6 error behind an option that asks for a Parameter Problem: none is sent.
        byte[] error = V6.icmp(RAW, HOST, 1, 4, new byte[44]);
        lan.send(V6.packet(RAW, HOST, 60, 64, V6.optionsHeader(58, new byte[] {(byte) 0x9E, 0}, error)));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("icmpv6", "OutErrorsSuppressed")).isEqualTo(1);
    }

    @Test
    void rfc4443_2_4_e_noErrorToTheUnspecifiedSource() {
        lan.send(V6.packet(Ipv6Address.ANY, HOST, UDP, 64, V6.udp(Ipv6Address.ANY, HOST, 1, 9, new byte[1], false)));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("icmpv6", "OutErrorsSuppressed")).isEqualTo(1);
    }

    @Test
    void rfc4443_4_1_aClosedUdpPortIsDestinationUnreachableCode4() {
        lan.send(V6.packet(RAW, HOST, UDP, 64, V6.udp(RAW, HOST, 1000, 9, "x".getBytes(), false)));
        RawV6Lan.Sent e = only(lan.icmp());
        assertThat(e.icmpType()).isEqualTo(1);
        assertThat(e.icmpCode()).isEqualTo(4);
    }

    @Test
    void rfc4443_2_4_f_errorsAreRateLimitedByTheSameTokenBucketAsIcmpv4() {
        int burst = Ipv6Options.ICMP_ERROR_BURST.defaultValue();
        for (int i = 0; i < burst + 10; i++) {
            lan.send(V6.packet(RAW, HOST, UDP, 64, V6.udp(RAW, HOST, 1000, 9, new byte[1], false)));
        }
        assertThat(lan.icmp()).hasSize(burst);
        assertThat(lan.count("icmpv6", "OutRateLimited")).isEqualTo(10);
        lan.loop.advance(Duration.ofSeconds(1));
        lan.send(V6.packet(RAW, HOST, UDP, 64, V6.udp(RAW, HOST, 1000, 9, new byte[1], false)));
        assertThat(lan.icmp()).hasSize(1);
    }

    @Test
    void rfc8200_4_5_reassemblyTimeoutSendsTimeExceededCode1QuotingTheFirstFragment() {
        byte[] first = V6.packet(RAW, HOST, 44, 64, V6.fragmentHeader(58, 0, true, 5, new byte[1232]));
        lan.send(first);
        lan.loop.advance(Duration.ofSeconds(59));
        assertThat(lan.icmp()).noneMatch(s -> s.icmpType() < 128);
        lan.introduce(); // the host's neighbour entry for us lapsed meanwhile (its probes went unanswered)
        lan.loop.advance(Duration.ofSeconds(2));
        RawV6Lan.Sent e = only(lan.icmp().stream().filter(s -> s.icmpType() < 128).toList());
        assertThat(e.icmpType()).isEqualTo(3);
        assertThat(e.icmpCode()).isEqualTo(1);
        assertThat(Arrays.copyOf(e.icmpData(), 48)).isEqualTo(Arrays.copyOf(first, 48));
        assertThat(e.packet().length).isLessThanOrEqualTo(1280);
    }

    @Test
    void rfc8201_packetTooBigLowersThePathMtuButNeverBelow1280() {
        byte[] quoted = V6.packet(HOST, RAW, UDP, 64, new byte[1452]);
        byte[] body = V6.concat(new byte[] {0, 0, 5, 0x78}, Arrays.copyOf(quoted, 1232)); // MTU 1400
        lan.send(V6.packet(RAW_ROUTER, HOST, 58, 64, V6.icmp(RAW_ROUTER, HOST, 2, 0, body)));
        lan.loop.runUntilIdle();
        assertThat(lan.host.call(() -> lan.v6().pathMtu(RAW))).isEqualTo(1400);
        byte[] lower = V6.concat(new byte[] {0, 0, 3, (byte) 0xE8}, Arrays.copyOf(quoted, 1232)); // 1000
        lan.send(V6.packet(RAW_ROUTER, HOST, 58, 64, V6.icmp(RAW_ROUTER, HOST, 2, 0, lower)));
        lan.loop.runUntilIdle();
        assertThat(lan.host.call(() -> lan.v6().pathMtu(RAW))).isEqualTo(1280);
        assertThat(lan.count("icmpv6", "InPktTooBigs")).isEqualTo(2);
        lan.loop.advance(Duration.ofMinutes(11)); // RFC 8201 5.3: forgotten after a while
        assertThat(lan.host.call(() -> lan.v6().pathMtu(RAW))).isEqualTo(1500);
    }

    @Test
    void rfc4443_3_1_anErrorAboutOurEchoEndsThePingUnreachable() throws Exception {
        var f = lan.host.service(PingService.class).orElseThrow().ping(RAW, 8, Duration.ofSeconds(5));
        RawV6Lan.Sent request = lan.icmp().stream().filter(s -> s.icmpType() == 128).findFirst().orElseThrow();
        byte[] body = V6.concat(new byte[4], request.packet());
        lan.send(V6.packet(RAW_ROUTER, HOST, 58, 64, V6.icmp(RAW_ROUTER, HOST, 1, 3, body)));
        PingResult r = lan.loop.await(f, Duration.ofSeconds(1));
        assertThat(r).isInstanceOf(PingResult.Unreachable.class);
        assertThat(((PingResult.Unreachable) r).from()).isEqualTo(RAW_ROUTER);
        assertThat(((PingResult.Unreachable) r).describe()).isEqualTo("Address unreachable");
    }

    private static final Ipv6Address RAW_ROUTER = Ipv6Address.parse("fd00::fe");

    @Test
    void randomGarbageIsCountedAndDroppedAndTheHostStillAnswers() {
        Random r = new Random(23);
        for (int i = 0; i < 3000; i++) {
            byte[] p;
            if (r.nextBoolean()) {
                byte[] payload = new byte[r.nextInt(200)];
                r.nextBytes(payload);
                int next = new int[] {0, 43, 44, 58, 60, 17, 6, 59, r.nextInt(256)}[r.nextInt(9)];
                p = V6.packet(RAW, HOST, next, r.nextBoolean() ? 255 : r.nextInt(256), payload);
                if (r.nextInt(4) == 0) {
                    p[4] = (byte) r.nextInt(256); // a lying payload length
                }
            } else {
                p = new byte[r.nextInt(100)];
                r.nextBytes(p);
            }
            lan.send(p);
            if (i % 100 == 0) {
                lan.loop.runUntilIdle();
            }
        }
        lan.loop.advance(Duration.ofSeconds(61));
        lan.sent();
        assertThat(lan.loop.statistics().errors()).isZero();
        assertThat(lan.count("ipv6", "InReceives")).isPositive();
        assertThat(lan.count("ipv6", "InHdrErrors")).isPositive();
        assertThat(lan.host.call(() -> lan.v6().reassemblyPackets())).isZero();
        lan.introduce(); // the host gave the raw host up meanwhile (its probes went unanswered)
        lan.send(V6.packet(RAW, HOST, 58, 64, echo(9)));
        assertThat(lan.icmp()).anySatisfy(s -> assertThat(s.icmpType()).isEqualTo(129));
    }
}
