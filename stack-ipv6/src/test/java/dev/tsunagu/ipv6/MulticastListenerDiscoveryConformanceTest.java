package dev.tsunagu.ipv6;

import static dev.tsunagu.ipv6.RawV6Lan.HOST;
import static dev.tsunagu.ipv6.RawV6Lan.RAW;
import static dev.tsunagu.ipv6.RawV6Lan.RAW_LINK_LOCAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.net.Ipv6Address;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MLDv2 (RFC 3810) as the host applies it: a report of its solicited-node groups when it comes
 * up (sent twice, a second apart), answers to General and Multicast Address Specific Queries
 * within their Maximum Response Delay, and the queries it must ignore, on the virtual clock; and
 * MLDv1 compatibility (RFC 3810 8) with RFC 2710's reports, delays and suppression.
 */
class MulticastListenerDiscoveryConformanceTest {
    private static final Ipv6Address ALL_MLDV2_ROUTERS = Ipv6Address.parse("ff02::16");
    private final RawV6Lan lan = new RawV6Lan("mld");
    private final Ipv6Address hostGroup = Ipv6Addresses.solicitedNode(HOST);
    private final Ipv6Address linkLocalGroup = Ipv6Addresses.solicitedNode(Ipv6Addresses.linkLocal(lan.hostMac()));

    @AfterEach
    void tearDown() {
        lan.close();
    }

    /** One record of a report: type and group (no sources, no aux data: checked). */
    private record Record(int type, Ipv6Address group) {}

    /** The MLDv2 reports among {@code sent}, each checked for the form 5.2 and 5.2.13 ask, as their records. */
    private static List<List<Record>> reports(List<RawV6Lan.Sent> sent) {
        List<List<Record>> out = new ArrayList<>();
        for (RawV6Lan.Sent s : sent) {
            byte[] p = s.packet();
            if (s.nextHeader() != 0 || p.length < 56 || (p[48] & 0xFF) != 143) {
                continue;
            }
            assertThat(s.destination()).isEqualTo(ALL_MLDV2_ROUTERS);
            assertThat(s.dstMac()).isEqualTo(0x3333_0000_0016L);
            assertThat(s.hopLimit()).as("hop limit").isEqualTo(1);
            // Hop-by-Hop: next header ICMPv6, 8 bytes, Router Alert (type 5, length 2) value 0 (MLD), PadN.
            assertThat(java.util.Arrays.copyOfRange(p, 40, 48)).containsExactly(58, 0, 5, 2, 0, 0, 1, 0);
            assertThat(checksumOk(s)).as("ICMPv6 checksum").isTrue();
            int n = ByteBuffer.wrap(p, 54, 2).getShort() & 0xFFFF;
            assertThat(p.length).isEqualTo(56 + 20 * n);
            List<Record> records = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int at = 56 + 20 * i;
                assertThat(p[at + 1]).as("aux data length").isZero();
                assertThat(ByteBuffer.wrap(p, at + 2, 2).getShort()).as("sources").isZero();
                records.add(new Record(p[at] & 0xFF, Ipv6Address.of(p, at + 4)));
            }
            out.add(records);
        }
        return out;
    }

    private static boolean checksumOk(RawV6Lan.Sent s) {
        byte[] p = s.packet();
        byte[] icmp = java.util.Arrays.copyOfRange(p, 48, p.length);
        long sum = s.destination().addToChecksum(s.source().addToChecksum(0)) + icmp.length + 58;
        return dev.tsunagu.net.InternetChecksum.finish(dev.tsunagu.net.InternetChecksum.add(sum, icmp, 0, icmp.length)) == 0;
    }

    /** An MLD query body: Maximum Response Code, reserved, the group, flags, QQIC, no sources. */
    private static byte[] queryBody(int maxResponseCode, Ipv6Address group, boolean v1) {
        ByteBuffer b = ByteBuffer.allocate(v1 ? 20 : 24);
        b.putShort((short) maxResponseCode).putShort((short) 0).put(group.toBytes());
        return b.array();
    }

    /** A query from {@code src} to {@code dst} with a Router Alert, as routers send them. */
    private void query(Ipv6Address src, Ipv6Address dst, int hopLimit, int maxResponseCode, Ipv6Address group, boolean v1) {
        byte[] icmp = V6.icmp(src, dst, 130, 0, queryBody(maxResponseCode, group, v1));
        lan.sendTo(dst, V6.packet(src, dst, 0, hopLimit, V6.optionsHeader(58, new byte[] {5, 2, 0, 0}, icmp)));
    }

    /** Lets the start-up reports (the second one a second later) pass. */
    private void settle() {
        lan.loop.advance(Duration.ofSeconds(2));
        lan.sent();
    }

    @Test
    void rfc3810_5_1_2_andRfc4862_5_4_2_theHostReportsItsSolicitedNodeGroupsWhenItComesUpTwiceASecondApart() {
        List<List<Record>> first = reports(lan.startup);
        assertThat(first).as("a State Change Report at start-up").hasSize(1);
        assertThat(first.getFirst()).containsExactlyInAnyOrder(new Record(4, hostGroup), new Record(4, linkLocalGroup));
        assertThat(lan.startup.stream().filter(s -> s.nextHeader() == 0).findFirst().orElseThrow().source())
                .as("from the link-local address (already preferred: DAD is off here)")
                .isEqualTo(Ipv6Addresses.linkLocal(lan.hostMac()));
        lan.loop.advance(Duration.ofMillis(999));
        assertThat(reports(lan.sent())).isEmpty();
        lan.loop.advance(Duration.ofMillis(1));
        assertThat(reports(lan.sent())).as("the Robustness Variable's second copy").containsExactly(first.getFirst());
        lan.loop.advance(Duration.ofSeconds(10));
        assertThat(reports(lan.sent())).as("no third").isEmpty();
        assertThat(lan.count("mld", "OutReports")).isEqualTo(2);
    }

    @Test
    void rfc3810_6_and_2_the_allNodesGroupIsNeverReported() {
        assertThat(reports(lan.startup).getFirst()).noneMatch(r -> r.group().equals(Ipv6Addresses.ALL_NODES));
    }

    @Test
    void rfc3810_5_2_13_whileTheLinkLocalAddressIsTentativeTheReportComesFromTheUnspecifiedAddress() {
        try (RawV6Lan dad = new RawV6Lan("mld-dad", b -> b.option(Ipv6Options.DAD_TRANSMITS, 1))) {
            RawV6Lan.Sent report = dad.startup.stream().filter(s -> s.nextHeader() == 0).findFirst().orElseThrow();
            assertThat(report.source()).isEqualTo(Ipv6Address.ANY);
            int reportAt = dad.startup.indexOf(report);
            int firstSolicitation = -1;
            for (int i = 0; i < dad.startup.size(); i++) {
                if (dad.startup.get(i).icmpType() == 135) {
                    firstSolicitation = i;
                    break;
                }
            }
            assertThat(reportAt).as("the join comes before DAD's first solicitation (RFC 4862 5.4.2)")
                    .isLessThan(firstSolicitation);
        }
    }

    @Test
    void rfc3810_6_2_aGeneralQueryIsAnsweredWithEveryGroupWithinTheMaximumResponseDelay() {
        settle();
        query(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 1, 1000, Ipv6Address.ANY, false); // 1000 ms
        List<RawV6Lan.Sent> answered = new ArrayList<>(lan.sent());
        lan.loop.advance(Duration.ofMillis(1000));
        answered.addAll(lan.sent());
        List<List<Record>> r = reports(answered);
        assertThat(r).hasSize(1);
        assertThat(r.getFirst()).containsExactlyInAnyOrder(new Record(2, hostGroup), new Record(2, linkLocalGroup));
        assertThat(lan.count("mld", "InQueries")).isEqualTo(1);
    }

    @Test
    void rfc3810_6_2_aMulticastAddressSpecificQueryIsAnsweredForThatGroupOnly() {
        settle();
        query(RAW_LINK_LOCAL, hostGroup, 1, 100, hostGroup, false);
        lan.loop.advance(Duration.ofMillis(100));
        assertThat(reports(lan.sent())).containsExactly(List.of(new Record(2, hostGroup)));
        // A group we are not in, asked in a query we do receive (to all nodes): no answer.
        query(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 1, 100, Ipv6Address.parse("ff02::1:ff12:3456"), false);
        lan.loop.advance(Duration.ofSeconds(1));
        assertThat(reports(lan.sent())).isEmpty();
    }

    @Test
    void rfc3810_5_1_14_and_6_2_queriesNotFromALinkLocalSourceOrWithAHopLimitAbove1AreIgnored() {
        settle();
        query(RAW, Ipv6Addresses.ALL_NODES, 1, 100, Ipv6Address.ANY, false);
        query(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 2, 100, Ipv6Address.ANY, false);
        lan.loop.advance(Duration.ofSeconds(1));
        assertThat(reports(lan.sent())).isEmpty();
        assertThat(lan.count("mld", "DropInvalidQueries")).isEqualTo(2);
    }

    /** The MLDv1 reports among {@code sent} (RFC 2710 3), each checked for its form, as the groups they report. */
    private static List<Ipv6Address> v1Reports(List<RawV6Lan.Sent> sent) {
        List<Ipv6Address> out = new ArrayList<>();
        for (RawV6Lan.Sent s : sent) {
            byte[] p = s.packet();
            if (s.nextHeader() != 0 || p.length < 72 || (p[48] & 0xFF) != 131) {
                continue;
            }
            Ipv6Address group = Ipv6Address.of(p, 56);
            assertThat(p.length).as("an MLDv1 report is 24 bytes").isEqualTo(72);
            assertThat(s.destination()).as("sent to the group it reports").isEqualTo(group);
            assertThat(s.dstMac()).isEqualTo(Ipv6Addresses.multicastMac(group));
            assertThat(s.hopLimit()).isEqualTo(1);
            assertThat(java.util.Arrays.copyOfRange(p, 40, 48)).containsExactly(58, 0, 5, 2, 0, 0, 1, 0);
            assertThat(checksumOk(s)).as("ICMPv6 checksum").isTrue();
            out.add(group);
        }
        return out;
    }

    /** Another host's MLDv1 report of {@code group}, as RFC 2710 3 has it. */
    private void otherHostsV1Report(Ipv6Address group, int hopLimit) {
        Ipv6Address other = Ipv6Address.parse("fe80::77");
        byte[] body = ByteBuffer.allocate(20).putInt(0).put(group.toBytes()).array();
        byte[] icmp = V6.icmp(other, group, 131, 0, body);
        lan.sendTo(group, V6.packet(other, group, 0, hopLimit, V6.optionsHeader(58, new byte[] {5, 2, 0, 0}, icmp)));
    }

    @Test
    void rfc3810_8_2_1_anMldv1QueryIsAnsweredWithMldv1ReportsOnePerGroupSentToTheGroup() {
        settle();
        query(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 1, 500, Ipv6Address.ANY, true); // 500 ms
        List<RawV6Lan.Sent> sent = new ArrayList<>(lan.sent());
        lan.loop.advance(Duration.ofMillis(500));
        sent.addAll(lan.sent());
        assertThat(v1Reports(sent)).containsExactlyInAnyOrder(hostGroup, linkLocalGroup);
        assertThat(reports(sent)).as("no MLDv2 report to an MLDv1 router").isEmpty();
        assertThat(lan.count("mld", "InV1Queries")).isEqualTo(1);
        assertThat(lan.count("mld", "OutV1Reports")).isEqualTo(2);
    }

    @Test
    void rfc3810_8_2_1_inMldv1CompatibilityAnMldv2QueryAndAJoinAreAnsweredInMldv1UntilTheTimeoutPasses() {
        settle();
        query(RAW_LINK_LOCAL, hostGroup, 1, 100, hostGroup, true);
        lan.loop.advance(Duration.ofSeconds(1));
        assertThat(v1Reports(lan.sent())).containsExactly(hostGroup);
        // An MLDv2 query while the MLDv1 router is still there: MLDv1 only.
        query(RAW_LINK_LOCAL, hostGroup, 1, 100, hostGroup, false);
        lan.loop.advance(Duration.ofSeconds(1));
        List<RawV6Lan.Sent> sent = lan.sent();
        assertThat(v1Reports(sent)).containsExactly(hostGroup);
        assertThat(reports(sent)).isEmpty();
        // A group joined now (as for a new address): MLDv1 reports, not State Change Reports.
        Ipv6Address joined = Ipv6Address.parse("ff02::1:ff12:3456");
        lan.host.call(() -> {
            Ipv6Layer layer = (Ipv6Layer) lan.v6();
            layer.neighborDiscovery().mld().joined(lan.v6().interfaceState(lan.host.primaryInterface()), List.of(joined));
            return null;
        });
        lan.loop.advance(Duration.ofSeconds(2));
        sent = lan.sent();
        assertThat(v1Reports(sent)).containsExactly(joined, joined); // sent Robustness (2) times
        assertThat(reports(sent)).isEmpty();
        // 260 s (9.12) after the last MLDv1 query, MLDv2 again.
        lan.loop.advance(Duration.ofSeconds(260));
        lan.sent();
        query(RAW_LINK_LOCAL, hostGroup, 1, 100, hostGroup, false);
        lan.loop.advance(Duration.ofSeconds(1));
        sent = lan.sent();
        assertThat(reports(sent)).containsExactly(List.of(new Record(2, hostGroup)));
        assertThat(v1Reports(sent)).isEmpty();
    }

    @Test
    void rfc3810_8_2_1_theMldv2RepeatOfAJoinPendingAtTheSwitchIsCancelled() {
        // At start-up the second State Change Report is due 1 s later; an MLDv1 query comes first.
        query(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 1, 0, Ipv6Address.ANY, true);
        lan.loop.advance(Duration.ofSeconds(2));
        List<RawV6Lan.Sent> sent = lan.sent();
        assertThat(reports(sent)).as("the MLDv2 repeat is dropped").isEmpty();
        assertThat(v1Reports(sent)).containsExactlyInAnyOrder(hostGroup, linkLocalGroup);
    }

    @Test
    void rfc2710_4_anotherHostsReportOfTheGroupSuppressesOursAndAShorterDelayOnlyBringsItForward() {
        settle();
        query(RAW_LINK_LOCAL, hostGroup, 1, 10_000, hostGroup, true); // up to 10 s
        otherHostsV1Report(hostGroup, 1);
        lan.loop.advance(Duration.ofSeconds(11));
        assertThat(v1Reports(lan.sent())).as("suppressed").isEmpty();
        assertThat(lan.count("mld", "V1ReportsSuppressed")).isEqualTo(1);
        // A second query asking for an answer within 0 ms moves a 10 s timer forward; a third,
        // allowing 10 s again, does not push it back.
        query(RAW_LINK_LOCAL, hostGroup, 1, 10_000, hostGroup, true);
        query(RAW_LINK_LOCAL, hostGroup, 1, 0, hostGroup, true);
        query(RAW_LINK_LOCAL, hostGroup, 1, 10_000, hostGroup, true);
        assertThat(v1Reports(lan.sent())).as("at once").containsExactly(hostGroup);
        lan.loop.advance(Duration.ofSeconds(11));
        assertThat(v1Reports(lan.sent())).as("and only once").isEmpty();
    }

    @Test
    void rfc3810_8_1_and_5_1_14_malformedMldv1MessagesAreCountedAndDropped() {
        settle();
        query(RAW, Ipv6Addresses.ALL_NODES, 1, 100, Ipv6Address.ANY, true);            // not link-local
        query(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 255, 100, Ipv6Address.ANY, true); // hop limit not 1
        // 8.1: 26 bytes is neither version.
        byte[] odd = V6.icmp(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 130, 0, new byte[22]);
        lan.sendTo(Ipv6Addresses.ALL_NODES, V6.packet(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 0, 1,
                V6.optionsHeader(58, new byte[] {5, 2, 0, 0}, odd)));
        lan.loop.advance(Duration.ofSeconds(1));
        assertThat(lan.count("mld", "DropInvalidQueries")).isEqualTo(3);
        assertThat(lan.count("mld", "InV1Queries")).isZero();
        // A report heard with the wrong hop limit, and one cut short, do not suppress anything.
        query(RAW_LINK_LOCAL, hostGroup, 1, 1000, hostGroup, true);
        otherHostsV1Report(hostGroup, 64);
        byte[] cut = V6.icmp(RAW_LINK_LOCAL, hostGroup, 131, 0, new byte[8]);
        lan.sendTo(hostGroup, V6.packet(RAW_LINK_LOCAL, hostGroup, 0, 1, V6.optionsHeader(58, new byte[] {5, 2, 0, 0}, cut)));
        lan.loop.advance(Duration.ofSeconds(1));
        assertThat(lan.count("mld", "DropInvalidReports")).isEqualTo(2);
        assertThat(v1Reports(lan.sent())).containsExactly(hostGroup);
        assertThat(lan.count("loop", "Errors")).isZero();
    }

    /**
     * Random queries (any length 4 to 63 bytes after the type and code, any hop limit, link-local
     * or global source, to all nodes or to our group, checksums valid so they reach the parser):
     * nothing escapes the loop, every one is counted as answered, invalid or MLDv1, and what goes
     * out is only well-formed reports. A failure names its seed.
     */
    @Test
    void randomQueriesAreCountedAndNeverCrashTheHost() {
        settle();
        long seed = 3810;
        java.util.Random r = new java.util.Random(seed);
        int n = 500;
        for (int i = 0; i < n; i++) {
            byte[] body = new byte[r.nextInt(60)];
            r.nextBytes(body);
            if (body.length > 0) {
                body[0] = 0; // Maximum Response Code at most 255 ms, so the answers come while we look
            }
            Ipv6Address src = r.nextBoolean() ? RAW_LINK_LOCAL : RAW;
            Ipv6Address dst = r.nextBoolean() ? Ipv6Addresses.ALL_NODES : hostGroup;
            int hopLimit = r.nextInt(4) == 0 ? r.nextInt(256) : 1;
            byte[] icmp = V6.icmp(src, dst, 130, r.nextInt(3) == 0 ? r.nextInt(256) : 0, body);
            lan.sendTo(dst, V6.packet(src, dst, 0, hopLimit, V6.optionsHeader(58, new byte[] {5, 2, 0, 0}, icmp)));
        }
        lan.loop.advance(Duration.ofSeconds(1));
        reports(lan.sent()); // each checked for its form
        long counted = lan.count("mld", "InQueries") + lan.count("mld", "DropInvalidQueries")
                + lan.count("mld", "InV1Queries")
                + lan.count("icmpv6", "DropTruncated"); // under 8 bytes: ICMPv6 drops them before MLD sees them
        assertThat(counted).as("seed %d: every query counted once", seed).isEqualTo(n);
        assertThat(lan.count("mld", "InQueries")).as("seed %d: some were valid and answered", seed).isPositive();
        assertThat(lan.count("loop", "Errors")).as("seed %d: exceptions in the loop", seed).isZero();
    }

    @Test
    void rfc3810_5_1_3_theMaximumResponseCodeIsLinearBelow32768AndExponentialAbove() {
        assertThat(MulticastListenerDiscovery.maximumResponseDelayMillis(0)).isZero();
        assertThat(MulticastListenerDiscovery.maximumResponseDelayMillis(10_000)).isEqualTo(10_000);
        assertThat(MulticastListenerDiscovery.maximumResponseDelayMillis(32767)).isEqualTo(32767);
        // 1 exp(000) mant(0): (0x1000 | 0) << 3 = 32768, the smallest exponential value.
        assertThat(MulticastListenerDiscovery.maximumResponseDelayMillis(0x8000)).isEqualTo(32768);
        // 1 111 FFF: the largest, (0x1FFF) << 10.
        assertThat(MulticastListenerDiscovery.maximumResponseDelayMillis(0xFFFF)).isEqualTo(0x1FFFL << 10);
    }

    /**
     * An address from a Router Advertisement's prefix has the MAC's interface identifier, as the
     * link-local one does, so its solicited-node group is one the host already reported: no new
     * report (a group is reported when it is joined, not once per address).
     */
    @Test
    void aSlaacAddressWhoseGroupIsAlreadyJoinedSendsNoNewReport() {
        settle();
        Ipv6Address router = RAW_LINK_LOCAL;
        // An RA with an autonomous /64 prefix fd01::/64 (valid and preferred 1 h).
        byte[] prefix = ByteBuffer.allocate(32).put((byte) 3).put((byte) 4).put((byte) 64).put((byte) 0xC0)
                .putInt(3600).putInt(3600).putInt(0).put(Ipv6Address.parse("fd01::").toBytes()).array();
        byte[] body = ByteBuffer.allocate(12 + prefix.length).put((byte) 64).put((byte) 0).putShort((short) 0)
                .putInt(0).putInt(0).put(prefix).array();
        lan.sendTo(Ipv6Addresses.ALL_NODES, V6.packet(router, Ipv6Addresses.ALL_NODES, 58, 255,
                V6.icmp(router, Ipv6Addresses.ALL_NODES, 134, 0, body)));
        Ipv6Address slaac = Ipv6Addresses.withInterfaceIdentifier(Ipv6Address.parse("fd01::"), lan.hostMac());
        List<RawV6Lan.Sent> after = new ArrayList<>(lan.sent());
        assertThat(lan.host.call(() -> lan.v6().interfaceState(lan.host.primaryInterface()).addresses()))
                .anyMatch(a -> a.address().equals(slaac));
        assertThat(Ipv6Addresses.solicitedNode(slaac)).isEqualTo(linkLocalGroup);
        lan.loop.advance(Duration.ofSeconds(3));
        after.addAll(lan.sent());
        assertThat(reports(after)).isEmpty();
    }
}
