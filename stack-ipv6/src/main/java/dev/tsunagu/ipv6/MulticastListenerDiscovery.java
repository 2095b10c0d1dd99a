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
import java.util.LinkedHashSet;
import java.util.List;
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
 *       with hop limit 1 (5.1.14, 6.2); shorter (MLDv1, 24-byte) queries are counted and not
 *       answered (no version 1 compatibility mode, section 8).</li>
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
    private final Counter ignoredV1Queries;

    MulticastListenerDiscovery(Ipv6Layer ip, StackContext ctx) {
        this.ip = ip;
        this.ctx = ctx;
        CounterGroup c = ctx.counters("mld");
        outReports = c.counter("OutReports", "MLDv2 reports sent (state changes and answers to queries)");
        inQueries = c.counter("InQueries", "MLDv2 queries received and answered");
        dropInvalidQueries = c.counter("DropInvalidQueries", "queries not from a link-local source, hop limit not 1, or truncated");
        ignoredV1Queries = c.counter("IgnoredV1Queries", "MLDv1 queries (24 bytes), not answered: no version 1 compatibility mode");
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
        report(s, groups, CHANGE_TO_EXCLUDE_MODE);
        for (int i = 1; i < ROBUSTNESS; i++) {
            ctx.loop().newTimer("mld report", () -> report(s, groups, CHANGE_TO_EXCLUDE_MODE))
                    .scheduleAfter(i * UNSOLICITED_REPORT_INTERVAL);
        }
    }

    /** An MLD query (its ICMPv6 checksum verified); does not take ownership. */
    void receive(IpPacketInfo info, PacketBuffer p) {
        Ipv6Interface s = ip.interfaceState(info.inInterface());
        if (s == null) {
            return;
        }
        if (p.length() < QUERY_LENGTH) {
            (p.length() == 24 ? ignoredV1Queries : dropInvalidQueries).increment();
            return;
        }
        if (info.ttl() != 1 || !(info.source() instanceof Ipv6Address src) || !Ipv6Addresses.isLinkLocal(src)) {
            dropInvalidQueries.increment();
            return;
        }
        inQueries.increment();
        Ipv6Address group = new Ipv6Address(p.getI64(QUERY_MULTICAST_ADDRESS), p.getI64(QUERY_MULTICAST_ADDRESS + 8));
        List<Ipv6Address> answer;
        if (group.isAny()) {
            answer = groups(s);
        } else {
            answer = groups(s).contains(group) ? List.of(group) : List.of();
        }
        if (answer.isEmpty()) {
            return;
        }
        // 6.2: answer at a random time within the Maximum Response Delay, so that hosts spread out.
        long maxDelayNanos = maximumResponseDelayMillis(p.getU16(QUERY_MAX_RESPONSE_CODE)) * 1_000_000L;
        long delay = maxDelayNanos <= 0 ? 0 : Math.floorMod(ctx.random().nextLong(), maxDelayNanos);
        ctx.loop().newTimer("mld answer", () -> report(s, answer, MODE_IS_EXCLUDE)).scheduleAfter(delay);
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

    private void report(Ipv6Interface s, List<Ipv6Address> groups, int recordType) {
        NetInterface iface = s.iface();
        if (!iface.isUp() || ip.interfaceState(iface) != s) {
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
