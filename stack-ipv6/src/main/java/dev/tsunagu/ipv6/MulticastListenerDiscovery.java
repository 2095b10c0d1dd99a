package dev.tsunagu.ipv6;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ipv6.wire.ExtensionHeaders;
import dev.tsunagu.ipv6.wire.Icmpv6Header;
import dev.tsunagu.ipv6.wire.Ipv6Header;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.loop.Timer;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MLDv2 (RFC 3810) as far as a host needs it for a snooping switch to forward its
 * solicited-node groups: without a report, a switch that snoops MLD may never deliver the
 * Neighbor Solicitations sent to those groups, and the host cannot be found.
 *
 * <ul>
 *   <li><b>Joining</b> (5.1.2 unsolicited reports, 6.1): when an interface's addresses start
 *       (at Duplicate Address Detection; RFC 4862 5.4.2 requires the join before the first
 *       solicitation) and when SLAAC adds one, a State Change Report with one
 *       CHANGE_TO_EXCLUDE_MODE record per new group, sent {@link #ROBUSTNESS} times,
 *       {@link #UNSOLICITED_REPORT_INTERVAL} apart.</li>
 *   <li><b>Answering queries</b> (6.2, 6.3): a General Query (multicast address ::) gets a
 *       Current State Report of every group (MODE_IS_EXCLUDE, no sources) after a random delay
 *       up to the query's Maximum Response Delay; a Multicast Address Specific Query gets the
 *       record of that group if we are in it. Queries are valid only from a link-local source
 *       with hop limit 1 (5.1.14, 6.2); a query of 25 to 27 bytes, or under 24, is neither
 *       version and is ignored (8.1), counted.</li>
 *   <li><b>MLDv1 compatibility</b> (8.2.1, with RFC 2710 for MLDv1 itself): a 24-byte query is
 *       an MLDv1 router's. The interface then speaks only MLDv1 for the Older Version Querier
 *       Present Timeout ({@link #OLDER_VERSION_QUERIER_PRESENT_TIMEOUT}, renewed by each such
 *       query): answers, and joins, are one MLDv1 Report (type 131) per group, sent to the group
 *       itself; a query is answered after a random delay up to its Maximum Response Delay (a
 *       running timer only ever brought forward, RFC 2710 4), and another host's Report for the
 *       group stops ours (report suppression, RFC 2710 4). Answers and repeats pending from
 *       MLDv2 are dropped at the switch (8.2.1: "MUST cancel"). Once the timeout passes with no
 *       MLDv1 query, MLDv2 again.</li>
 *   <li><b>Not reported</b>: the all-nodes group ff02::1 (6: never), so a host with no address
 *       but its link-local one still reports that address's solicited-node group.</li>
 * </ul>
 *
 * Reports go to ff02::16 (all MLDv2-capable routers) with hop limit 1 and a Hop-by-Hop Router
 * Alert option (5.2.13, RFC 2711), from the interface's link-local address, or from :: while that
 * is still tentative (5.2.13 allows it). Leaving (a group's TO_INCLUDE record) is not sent: hosts
 * here give up an address only when DAD finds it a duplicate. Loop thread only.
 */
final class MulticastListenerDiscovery {
    static final int TYPE_QUERY = 130;
    static final int TYPE_REPORT_V2 = 143;
    /** MLDv1's Multicast Listener Report (RFC 2710 3), in compatibility mode only. */
    static final int TYPE_REPORT_V1 = 131;
    /** An MLDv1 query, and an MLDv1 report: type, code, checksum, delay, reserved, address (RFC 2710 3; RFC 3810 8.1). */
    static final int V1_LENGTH = 24;
    /**
     * RFC 3810 9.12, the Older Version Querier Present Timeout: Robustness Variable (2) times the
     * Query Interval (125 s) plus the Query Response Interval (10 s), the defaults of 9.1 to 9.3
     * (an MLDv1 query carries no QRV or QQIC of its own).
     */
    static final long OLDER_VERSION_QUERIER_PRESENT_TIMEOUT = 260_000_000_000L;
    /** ff02::16, where MLDv2 reports go (RFC 3810 5.2.14). */
    static final Ipv6Address ALL_MLDV2_ROUTERS = Ipv6Address.parse("ff02::16");
    /** Multicast Address Record types (5.2.12). */
    static final int MODE_IS_EXCLUDE = 2;
    static final int CHANGE_TO_EXCLUDE_MODE = 4;
    /** Robustness Variable's default (9.1): unsolicited reports are sent this many times. */
    static final int ROBUSTNESS = 2;
    /** Unsolicited Report Interval (9.11): 1 second. */
    static final long UNSOLICITED_REPORT_INTERVAL = 1_000_000_000L;
    /** The MLDv2 query's fixed part (5.1): type, code, checksum, max response code, reserved, address, flags, QQIC, sources. */
    static final int QUERY_LENGTH = 28;
    static final int QUERY_MAX_RESPONSE_CODE = 4;
    static final int QUERY_MULTICAST_ADDRESS = 8;
    /** A report's fixed part (5.2): type, code, checksum, reserved, number of records. */
    static final int REPORT_HEADER = 8;
    static final int RECORD_LENGTH = 20;

    private final Ipv6Layer ip;
    private final StackContext ctx;
    private final Counter outReports;
    private final Counter inQueries;
    private final Counter dropInvalidQueries;
    private final Counter inV1Queries;
    private final Counter outV1Reports;
    private final Counter v1ReportsSuppressed;
    private final Counter dropInvalidReports;
    /** Per interface in MLDv1 compatibility (or that was): see {@link V1Compatibility}. At most one per interface. */
    private final Map<Ipv6Interface, V1Compatibility> v1 = new IdentityHashMap<>();

    /**
     * An interface's Host Compatibility Mode (RFC 3810 8.2.1): MLDv1 until {@code until}; the
     * MLDv1 reports waiting to answer a query, by group (at most one per group we are in); and
     * how often the mode went to MLDv1, which MLDv2 timers set before compare to drop themselves.
     */
    private static final class V1Compatibility {
        long until = Long.MIN_VALUE;
        int switches;
        final Map<Ipv6Address, Timer> pending = new HashMap<>();
    }

    MulticastListenerDiscovery(Ipv6Layer ip, StackContext ctx) {
        this.ip = ip;
        this.ctx = ctx;
        CounterGroup c = ctx.counters("mld");
        outReports = c.counter("OutReports", "MLDv2 reports sent (state changes and answers to queries)");
        inQueries = c.counter("InQueries", "MLDv2 queries received and answered");
        dropInvalidQueries = c.counter("DropInvalidQueries", "queries not from a link-local source, hop limit not 1, or truncated");
        inV1Queries = c.counter("InV1Queries", "MLDv1 queries (24 bytes) received: MLDv1 compatibility (RFC 3810 8.2.1)");
        outV1Reports = c.counter("OutV1Reports", "MLDv1 reports sent in MLDv1 compatibility");
        v1ReportsSuppressed = c.counter("V1ReportsSuppressed", "MLDv1 answers not sent: another host reported the group (RFC 2710 4)");
        dropInvalidReports = c.counter("DropInvalidReports", "MLDv1 reports heard not from a link-local source, hop limit not 1, or truncated");
    }

    /** The groups {@code s} is in that MLD reports: the solicited-node groups of its addresses, tentative ones included. */
    static List<Ipv6Address> groups(Ipv6Interface s) {
        Set<Ipv6Address> groups = new LinkedHashSet<>();
        for (Ipv6Interface.Address a : s.addresses) {
            groups.add(Ipv6Addresses.solicitedNode(a.address()));
        }
        return List.copyOf(groups);
    }

    /** {@code s} joins {@code groups} (5.1.2): a State Change Report now and {@link #ROBUSTNESS} - 1 more, a second apart. */
    void joined(Ipv6Interface s, List<Ipv6Address> groups) {
        if (groups.isEmpty() || !s.iface().needsAddressResolution()) {
            return; // loopback: no switch to tell
        }
        int switches = switches(s);
        report(s, groups, CHANGE_TO_EXCLUDE_MODE, switches);
        for (int i = 1; i < ROBUSTNESS; i++) {
            ctx.loop().newTimer("mld report", () -> report(s, groups, CHANGE_TO_EXCLUDE_MODE, switches))
                    .scheduleAfter(i * UNSOLICITED_REPORT_INTERVAL);
        }
    }

    /** Whether {@code s} is in MLDv1 compatibility now (8.2.1). */
    boolean inV1Mode(Ipv6Interface s) {
        V1Compatibility c = v1.get(s);
        return c != null && ctx.loop().now() < c.until;
    }

    private int switches(Ipv6Interface s) {
        V1Compatibility c = v1.get(s);
        return c == null ? 0 : c.switches;
    }

    /** An MLD query, or an MLDv1 report of another host (its ICMPv6 checksum verified); does not take ownership. */
    void receive(IpPacketInfo info, PacketBuffer p) {
        Ipv6Interface s = ip.interfaceState(info.inInterface());
        if (s == null) {
            return;
        }
        boolean fromLinkLocalRouterHop = info.ttl() == 1 && info.source() instanceof Ipv6Address src
                && Ipv6Addresses.isLinkLocal(src);
        if (p.getU8(Icmpv6Header.TYPE) == TYPE_REPORT_V1) {
            if (p.length() < V1_LENGTH || !fromLinkLocalRouterHop) {
                dropInvalidReports.increment();
                return;
            }
            heardV1Report(s, new Ipv6Address(p.getI64(QUERY_MULTICAST_ADDRESS), p.getI64(QUERY_MULTICAST_ADDRESS + 8)));
            return;
        }
        // 8.1: 24 bytes is MLDv1, 28 or more MLDv2, anything else neither (ignored).
        boolean v1Query = p.length() == V1_LENGTH;
        if ((!v1Query && p.length() < QUERY_LENGTH) || !fromLinkLocalRouterHop) {
            dropInvalidQueries.increment();
            return;
        }
        Ipv6Address group = new Ipv6Address(p.getI64(QUERY_MULTICAST_ADDRESS), p.getI64(QUERY_MULTICAST_ADDRESS + 8));
        List<Ipv6Address> answer;
        if (group.isAny()) {
            answer = groups(s);
        } else {
            answer = groups(s).contains(group) ? List.of(group) : List.of();
        }
        int code = p.getU16(QUERY_MAX_RESPONSE_CODE);
        if (v1Query) {
            inV1Queries.increment();
            V1Compatibility c = v1.computeIfAbsent(s, k -> new V1Compatibility());
            if (ctx.loop().now() >= c.until) {
                c.switches++; // MLDv2's pending answers and repeats now drop themselves (8.2.1)
            }
            c.until = ctx.loop().now() + OLDER_VERSION_QUERIER_PRESENT_TIMEOUT;
            // RFC 2710 3: MLDv1's Maximum Response Delay is plain milliseconds.
            for (Ipv6Address g : answer) {
                answerV1(s, c, g, randomDelay(code * 1_000_000L));
            }
            return;
        }
        inQueries.increment();
        if (answer.isEmpty()) {
            return;
        }
        if (inV1Mode(s)) {
            // An MLDv2 query while an MLDv1 router is present: answered in MLDv1 (8.2.1, "only MLDv1").
            V1Compatibility c = v1.get(s);
            for (Ipv6Address g : answer) {
                answerV1(s, c, g, randomDelay(maximumResponseDelayMillis(code) * 1_000_000L));
            }
            return;
        }
        // 6.2: answer at a random time within the Maximum Response Delay, so that hosts spread out.
        long delay = randomDelay(maximumResponseDelayMillis(code) * 1_000_000L);
        int switches = switches(s);
        ctx.loop().newTimer("mld answer", () -> report(s, answer, MODE_IS_EXCLUDE, switches)).scheduleAfter(delay);
    }

    private long randomDelay(long maxNanos) {
        return maxNanos <= 0 ? 0 : Math.floorMod(ctx.random().nextLong(), maxNanos);
    }

    /**
     * RFC 2710 4: a report for {@code group} in {@code delay}, unless one is already due sooner (a
     * running timer is reset only to a shorter remaining time).
     */
    private void answerV1(Ipv6Interface s, V1Compatibility c, Ipv6Address group, long delay) {
        Timer t = c.pending.get(group);
        long due = ctx.loop().now() + delay;
        if (t != null && t.isPending() && t.deadline() <= due) {
            return;
        }
        if (t == null) {
            t = ctx.loop().newTimer("mldv1 answer", () -> {
                c.pending.remove(group);
                if (inV1Mode(s)) {
                    reportV1(s, group);
                }
            });
            c.pending.put(group, t);
        }
        t.scheduleAt(due);
    }

    /** RFC 2710 4: another host reported {@code group}, which is all a router needs: ours is not sent. */
    private void heardV1Report(Ipv6Interface s, Ipv6Address group) {
        V1Compatibility c = v1.get(s);
        Timer t = c == null ? null : c.pending.remove(group);
        if (t != null && t.isPending()) {
            t.cancel();
            v1ReportsSuppressed.increment();
        }
    }

    /** RFC 3810 5.1.3: the Maximum Response Code in milliseconds, exponential above 32767. */
    static long maximumResponseDelayMillis(int code) {
        if (code < 32768) {
            return code;
        }
        int exp = (code >>> 12) & 0x7;
        int mant = code & 0xFFF;
        return (long) (mant | 0x1000) << (exp + 3);
    }

    /**
     * An MLDv2 report of {@code groups}, made when the mode had switched {@code switches} times to
     * MLDv1: dropped if it has switched since (8.2.1: pending MLDv2 timers are cancelled). A join
     * while in MLDv1 compatibility goes as MLDv1 Reports, one per group.
     */
    private void report(Ipv6Interface s, List<Ipv6Address> groups, int recordType, int switches) {
        NetInterface iface = s.iface();
        if (!iface.isUp() || ip.interfaceState(iface) != s || switches != switches(s)) {
            return;
        }
        if (inV1Mode(s)) {
            for (Ipv6Address g : groups) {
                reportV1(s, g);
            }
            return;
        }
        int length = REPORT_HEADER + groups.size() * RECORD_LENGTH;
        PacketBuffer b = ctx.buffers().acquire(length + ExtensionHeaders.ROUTER_ALERT_HOP_BY_HOP_LENGTH);
        b.append(length);
        b.fill(0, length, (byte) 0);
        b.setU8(Icmpv6Header.TYPE, TYPE_REPORT_V2);
        b.setU16(6, groups.size());
        int at = REPORT_HEADER;
        for (Ipv6Address g : groups) {
            b.setU8(at, recordType); // aux data length 0, no sources
            Ipv6Header.setAddress(b, at + 4, g);
            at += RECORD_LENGTH;
        }
        Ipv6Address source = linkLocalSource(s);
        Icmpv6Header.setChecksum(b, source, ALL_MLDV2_ROUTERS);
        ExtensionHeaders.prependRouterAlert(b, IpProtocol.ICMPV6, ExtensionHeaders.ROUTER_ALERT_MLD);
        Ipv6Header.prepend(b, 0, 0, ExtensionHeaders.HOP_BY_HOP, 1, source, ALL_MLDV2_ROUTERS);
        outReports.increment();
        iface.output(b, EtherType.IPV6, ALL_MLDV2_ROUTERS);
    }

    /**
     * An MLDv1 Report of {@code group} (RFC 2710 3, 4): to the group itself, hop limit 1, a Router
     * Alert, from the link-local address (or :: while it is tentative, RFC 3590 4).
     */
    private void reportV1(Ipv6Interface s, Ipv6Address group) {
        NetInterface iface = s.iface();
        if (!iface.isUp() || ip.interfaceState(iface) != s) {
            return;
        }
        PacketBuffer b = ctx.buffers().acquire(V1_LENGTH + ExtensionHeaders.ROUTER_ALERT_HOP_BY_HOP_LENGTH);
        b.append(V1_LENGTH);
        b.fill(0, V1_LENGTH, (byte) 0);
        b.setU8(Icmpv6Header.TYPE, TYPE_REPORT_V1);
        Ipv6Header.setAddress(b, QUERY_MULTICAST_ADDRESS, group);
        Ipv6Address source = linkLocalSource(s);
        Icmpv6Header.setChecksum(b, source, group);
        ExtensionHeaders.prependRouterAlert(b, IpProtocol.ICMPV6, ExtensionHeaders.ROUTER_ALERT_MLD);
        Ipv6Header.prepend(b, 0, 0, ExtensionHeaders.HOP_BY_HOP, 1, source, group);
        outV1Reports.increment();
        iface.output(b, EtherType.IPV6, group);
    }

    /** The interface's preferred link-local address, or :: while it is tentative (5.2.13). */
    private static Ipv6Address linkLocalSource(Ipv6Interface s) {
        for (Ipv6Interface.Address a : s.addresses) {
            if (Ipv6Addresses.isLinkLocal(a.address()) && a.state == Ipv6Interface.AddressState.PREFERRED) {
                return a.address();
            }
        }
        return Ipv6Address.ANY;
    }
}
