package dev.tsunagu.ipv6;

import static dev.tsunagu.ipv6.RawV6Lan.HOST;
import static dev.tsunagu.ipv6.RawV6Lan.RAW;
import static dev.tsunagu.ipv6.RawV6Lan.RAW_LINK_LOCAL;
import static dev.tsunagu.ipv6.RawV6Lan.RAW_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import dev.tsunagu.stack.Neighbors;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Neighbor Discovery (RFC 4861) and the host side of address autoconfiguration (RFC 4862) as
 * the host applies them to crafted messages: validity, answers, the neighbour cache's states,
 * DAD and Router Advertisements, on the virtual clock.
 */
class NeighborDiscoveryConformanceTest {
    private static final Ipv6Address SOLICITED = Ipv6Addresses.solicitedNode(HOST);
    private RawV6Lan lan = new RawV6Lan("nd");

    @AfterEach
    void tearDown() {
        lan.close();
    }

    private byte[] ns(Ipv6Address src, Ipv6Address dst, int hopLimit, int code, Ipv6Address target, long slla) {
        return V6.packet(src, dst, 58, hopLimit, V6.icmp(src, dst, 135, code, V6.ndBody(0, target, 1, slla)));
    }

    private byte[] na(Ipv6Address src, Ipv6Address dst, int flags, Ipv6Address target, long tlla) {
        return V6.packet(src, dst, 58, 255, V6.icmp(src, dst, 136, 0, V6.ndBody(flags, target, 2, tlla)));
    }

    private Neighbors.State stateOfRaw() {
        return lan.host.call(() -> lan.v6().neighbors().stream().filter(e -> e.address().equals(RAW))
                .map(Neighbors.Entry::state).findFirst().orElse(null));
    }

    /** Makes the host send something to the raw host (an echo reply), so its cache acts. */
    private void provokeTraffic(int seq) {
        lan.send(V6.packet(RAW, HOST, 58, 64, lan.echo(RAW, HOST, seq)));
    }

    @Test
    void rfc4861_7_2_4_aSolicitationIsAnsweredSolicitedAndOverrideWithOurMac() {
        lan.sendTo(SOLICITED, ns(RAW, SOLICITED, 255, 0, HOST, RAW_MAC));
        List<RawV6Lan.Sent> sent = lan.icmp();
        assertThat(sent).hasSize(1);
        RawV6Lan.Sent na = sent.get(0);
        assertThat(na.icmpType()).isEqualTo(136);
        assertThat(na.hopLimit()).isEqualTo(255);
        assertThat(na.source()).isEqualTo(HOST);
        assertThat(na.destination()).isEqualTo(RAW);
        assertThat(na.dstMac()).isEqualTo(RAW_MAC);
        assertThat(na.icmpWord() >>> 24).isEqualTo(0x60); // S and O, not R
        byte[] tlla = java.util.Arrays.copyOfRange(na.packet(), 64, 72);
        assertThat(tlla[0]).isEqualTo((byte) 2);
        assertThat(ByteBuffer.wrap(tlla).getLong() & 0xFFFF_FFFF_FFFFL).isEqualTo(lan.hostMac());
        // 7.2.3: the solicitation's source link-layer address made a STALE entry, and sending
        // the advertisement through it moved it to DELAY (7.3.3).
        assertThat(stateOfRaw()).isEqualTo(Neighbors.State.DELAY);
    }

    @Test
    void rfc4861_7_1_1_aSolicitationWithAHopLimitBelow255IsIgnored() {
        lan.sendTo(SOLICITED, ns(RAW, SOLICITED, 254, 0, HOST, RAW_MAC));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("nd", "DropBadHopLimit")).isEqualTo(1);
        assertThat(stateOfRaw()).isNull();
    }

    @Test
    void rfc4861_7_1_1_aNonZeroCodeAMulticastTargetAndAZeroLengthOptionAreIgnored() {
        lan.sendTo(SOLICITED, ns(RAW, SOLICITED, 255, 1, HOST, RAW_MAC));
        lan.sendTo(SOLICITED, ns(RAW, SOLICITED, 255, 0, Ipv6Addresses.ALL_NODES, RAW_MAC));
        byte[] body = V6.ndBody(0, HOST, 1, RAW_MAC);
        body[21] = 0; // option length 0
        lan.sendTo(SOLICITED, V6.packet(RAW, SOLICITED, 58, 255, V6.icmp(RAW, SOLICITED, 135, 0, body)));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("nd", "DropBadCode")).isEqualTo(1);
        assertThat(lan.count("nd", "DropInvalid")).isEqualTo(1);
        assertThat(lan.count("nd", "DropBadOptions")).isEqualTo(1);
    }

    @Test
    void rfc4861_7_2_4_aDadSolicitationIsAnsweredToAllNodesNotSolicited() {
        lan.sendTo(SOLICITED, ns(Ipv6Address.ANY, SOLICITED, 255, 0, HOST, -1));
        RawV6Lan.Sent na = lan.icmp().get(0);
        assertThat(na.destination()).isEqualTo(Ipv6Addresses.ALL_NODES);
        assertThat(na.dstMac()).isEqualTo(0x3333_0000_0001L);
        assertThat(na.icmpWord() >>> 24).isEqualTo(0x20); // O only
    }

    @Test
    void rfc4861_7_1_1_aDadSolicitationWithASourceLinkAddressIsInvalid() {
        lan.sendTo(SOLICITED, ns(Ipv6Address.ANY, SOLICITED, 255, 0, HOST, RAW_MAC));
        assertThat(lan.icmp()).isEmpty();
        assertThat(lan.count("nd", "DropInvalid")).isEqualTo(1);
    }

    @Test
    void aSolicitationForAnAddressNotOursIsNotAnswered() {
        Ipv6Address other = Ipv6Address.parse("fd00::77");
        Ipv6Address group = Ipv6Addresses.solicitedNode(other);
        lan.sendTo(group, ns(RAW, group, 255, 0, other, RAW_MAC));
        assertThat(lan.icmp()).isEmpty();
    }

    @Test
    void rfc4861_7_2_2_resolutionSolicitsTheGroupAndASolicitedAdvertMakesTheNeighbourReachable() {
        provokeTraffic(1);
        List<RawV6Lan.Sent> sent = lan.icmp();
        assertThat(sent).hasSize(1); // the echo reply waits; the solicitation is out
        RawV6Lan.Sent ns = sent.get(0);
        assertThat(ns.icmpType()).isEqualTo(135);
        assertThat(ns.destination()).isEqualTo(Ipv6Addresses.solicitedNode(RAW));
        assertThat(ns.dstMac()).isEqualTo(Ipv6Addresses.multicastMac(Ipv6Addresses.solicitedNode(RAW)));
        assertThat(ns.hopLimit()).isEqualTo(255);
        assertThat(stateOfRaw()).isEqualTo(Neighbors.State.INCOMPLETE);
        lan.send(na(RAW, HOST, 0x60, RAW, RAW_MAC));
        assertThat(lan.icmp()).extracting(RawV6Lan.Sent::icmpType).containsExactly(129); // the queued reply
        assertThat(stateOfRaw()).isEqualTo(Neighbors.State.REACHABLE);
    }

    @Test
    void rfc4861_7_3_3_reachableGoesStaleThenDelayThenProbeThenAway() {
        provokeTraffic(1);
        lan.sent();
        lan.send(na(RAW, HOST, 0x60, RAW, RAW_MAC));
        lan.sent();
        lan.loop.advance(Duration.ofSeconds(46)); // ReachableTime is at most 1.5 x 30 s
        assertThat(stateOfRaw()).isEqualTo(Neighbors.State.STALE);
        provokeTraffic(2);
        assertThat(lan.icmp()).extracting(RawV6Lan.Sent::icmpType).containsExactly(129); // sent at once
        assertThat(stateOfRaw()).isEqualTo(Neighbors.State.DELAY);
        lan.loop.advance(Duration.ofSeconds(5));
        assertThat(stateOfRaw()).isEqualTo(Neighbors.State.PROBE);
        List<RawV6Lan.Sent> probes = lan.icmp();
        assertThat(probes).hasSize(1);
        assertThat(probes.get(0).icmpType()).isEqualTo(135);
        assertThat(probes.get(0).destination()).isEqualTo(RAW); // unicast, to the MAC we have
        assertThat(probes.get(0).dstMac()).isEqualTo(RAW_MAC);
        lan.loop.advance(Duration.ofSeconds(3));
        assertThat(lan.icmp()).hasSize(2); // MAX_UNICAST_SOLICIT in all
        lan.loop.advance(Duration.ofSeconds(1));
        assertThat(stateOfRaw()).isNull();
        assertThat(lan.count("nd", "ResolutionFailures")).isEqualTo(1);
    }

    @Test
    void rfc4861_7_2_5_anAdvertWithoutOverrideAndAnotherMacOnlyMakesTheEntryStale() {
        provokeTraffic(1);
        lan.sent();
        lan.send(na(RAW, HOST, 0x60, RAW, RAW_MAC));
        lan.sent();
        lan.send(na(RAW, HOST, 0x40, RAW, 0x02_00_00_00_00_99L));
        lan.loop.runUntilIdle();
        assertThat(stateOfRaw()).isEqualTo(Neighbors.State.STALE);
        assertThat(lan.host.call(() -> lan.v6().neighbors().get(0).mac().bits())).isEqualTo(RAW_MAC);
    }

    @Test
    void rfc4861_7_2_5_anAdvertForANeighbourNotInTheCacheIsIgnored() {
        lan.send(na(RAW, HOST, 0x20, RAW, RAW_MAC));
        lan.loop.runUntilIdle();
        assertThat(stateOfRaw()).isNull();
        assertThat(lan.count("nd", "AdvertNoEntry")).isEqualTo(1);
    }

    @Test
    void rfc4861_7_1_2_aSolicitedAdvertToAGroupIsInvalid() {
        lan.sendTo(Ipv6Addresses.ALL_NODES, na(RAW, Ipv6Addresses.ALL_NODES, 0x60, RAW, RAW_MAC));
        lan.loop.runUntilIdle();
        assertThat(lan.count("nd", "DropInvalid")).isEqualTo(1);
    }

    @Test
    void rfc4862_5_4_dadAdvertForATentativeAddressGivesItUp() {
        lan.close();
        lan = new RawV6Lan("dad", b -> b.option(Ipv6Options.DAD_TRANSMITS, 1));
        Ipv6Interface s = lan.v6().interfaceState(lan.host.primaryInterface());
        List<RawV6Lan.Sent> probes = lan.startup;
        assertThat(probes).extracting(RawV6Lan.Sent::icmpType).contains(135);
        assertThat(probes).filteredOn(p -> p.icmpType() == 135).allSatisfy(p -> {
            assertThat(p.source()).isEqualTo(Ipv6Address.ANY);
            assertThat(p.packet().length).isEqualTo(40 + 24); // no source link-layer address option
        });
        lan.sendTo(Ipv6Addresses.ALL_NODES, na(RAW, Ipv6Addresses.ALL_NODES, 0x20, HOST, RAW_MAC));
        lan.loop.advance(Duration.ofSeconds(2));
        assertThat(s.addresses()).extracting(Ipv6Interface.Address::address).doesNotContain(HOST);
        assertThat(lan.count("nd", "DadDuplicates")).isEqualTo(1);
        // The link-local address passed: the host now asks for routers (RFC 4861 6.3.7).
        assertThat(lan.count("nd", "OutRouterSolicits")).isEqualTo(1);
        // A packet to the address it gave up is not for it.
        lan.send(V6.packet(RAW, HOST, 58, 64, lan.echo(RAW, HOST, 1)));
        assertThat(lan.icmp()).noneMatch(p -> p.icmpType() == 129);
    }

    @Test
    void rfc4862_5_4_packetsToATentativeAddressAreDropped() {
        lan.close();
        lan = new RawV6Lan("tentative", b -> b.option(Ipv6Options.DAD_TRANSMITS, 1));
        lan.send(V6.packet(RAW, HOST, 58, 64, lan.echo(RAW, HOST, 1)));
        assertThat(lan.icmp()).noneMatch(p -> p.icmpType() == 129);
        assertThat(lan.count("ipv6", "DropTentative")).isEqualTo(1);
    }

    private byte[] routerAdvert(Ipv6Address src, int hopLimit, int lifetime, int mtu, Ipv6Prefix prefix, int prefixFlags) {
        ByteBuffer b = ByteBuffer.allocate(12 + 8 + 8 + 32);
        b.put((byte) 64).put((byte) 0).putShort((short) lifetime).putInt(0).putInt(0);
        b.put((byte) 1).put((byte) 1).putShort((short) (RAW_MAC >>> 32)).putInt((int) RAW_MAC);
        b.put((byte) 5).put((byte) 1).putShort((short) 0).putInt(mtu);
        b.put((byte) 3).put((byte) 4).put((byte) prefix.length()).put((byte) prefixFlags)
                .putInt(86400).putInt(14400).putInt(0).put(prefix.address().toBytes());
        return V6.packet(src, Ipv6Addresses.ALL_NODES, 58, hopLimit,
                V6.icmp(src, Ipv6Addresses.ALL_NODES, 134, 0, b.array()));
    }

    @Test
    void rfc4861_6_3_4_aRouterAdvertGivesADefaultRouterTheMtuAndAnAutoconfiguredAddress() throws Exception {
        lan.sendTo(Ipv6Addresses.ALL_NODES, routerAdvert(RAW_LINK_LOCAL, 255, 1800, 1400,
                Ipv6Prefix.parse("2001:db8:1::/64"), 0xC0));
        lan.loop.runUntilIdle();
        Ipv6Interface s = lan.v6().interfaceState(lan.host.primaryInterface());
        Ipv6Address slaac = Ipv6Addresses.withInterfaceIdentifier(Ipv6Address.parse("2001:db8:1::"), lan.hostMac());
        assertThat(s.addresses()).extracting(Ipv6Interface.Address::address).contains(slaac);
        assertThat(s.linkMtu()).isEqualTo(1400);
        assertThat(lan.host.call(() -> lan.v6().pathMtu(Ipv6Address.parse("2001:db8:9::1")))).isEqualTo(1400);
        assertThat(lan.v6().routes().routes()).anySatisfy(r -> {
            assertThat(r.destination().length()).isZero();
            assertThat(r.gateway()).isEqualTo(RAW_LINK_LOCAL);
        });
        // Off-link traffic goes to the router's MAC (learned from its advert) with the new address as source.
        lan.sent();
        lan.host.service(PingService.class).orElseThrow().ping(Ipv6Address.parse("2001:db8:9::1"), 8, Duration.ofSeconds(1));
        List<RawV6Lan.Sent> sent = lan.sent();
        assertThat(sent).anySatisfy(p -> {
            assertThat(p.icmpType()).isEqualTo(128);
            assertThat(p.dstMac()).isEqualTo(RAW_MAC);
            assertThat(p.destination()).isEqualTo(Ipv6Address.parse("2001:db8:9::1"));
            assertThat(p.source()).isEqualTo(slaac);
        });
        // A lifetime of 0 withdraws the router.
        lan.sendTo(Ipv6Addresses.ALL_NODES, routerAdvert(RAW_LINK_LOCAL, 255, 0, 1400,
                Ipv6Prefix.parse("2001:db8:1::/64"), 0xC0));
        lan.loop.runUntilIdle();
        assertThat(lan.v6().routes().routes()).noneMatch(r -> r.destination().length() == 0);
    }

    @Test
    void rfc4861_6_1_2_anAdvertFromANonLinkLocalSourceOrThroughARouterIsIgnored() {
        lan.sendTo(Ipv6Addresses.ALL_NODES, routerAdvert(RAW, 255, 1800, 1400, Ipv6Prefix.parse("2001:db8:1::/64"), 0xC0));
        lan.sendTo(Ipv6Addresses.ALL_NODES, routerAdvert(RAW_LINK_LOCAL, 254, 1800, 1400,
                Ipv6Prefix.parse("2001:db8:1::/64"), 0xC0));
        lan.loop.runUntilIdle();
        assertThat(lan.count("nd", "DropInvalid")).isEqualTo(1);
        assertThat(lan.count("nd", "DropBadHopLimit")).isEqualTo(1);
        assertThat(lan.v6().routes().routes()).noneMatch(r -> r.destination().length() == 0);
        assertThat(lan.v6().interfaceState(lan.host.primaryInterface()).linkMtu()).isEqualTo(1500);
    }
}
