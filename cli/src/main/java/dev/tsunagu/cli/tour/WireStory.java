package dev.tsunagu.cli.tour;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.wire.IcmpHeader;
import dev.tsunagu.ip.wire.Ipv4Header;
import dev.tsunagu.ipv6.wire.Icmpv6Header;
import dev.tsunagu.ipv6.wire.Ipv6Header;
import dev.tsunagu.ipv6.wire.NdMessage;
import dev.tsunagu.link.arp.ArpRepr;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.link.ethernet.EthernetRepr;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.tcp.wire.TcpHeader;
import dev.tsunagu.udp.dns.DnsFormatException;
import dev.tsunagu.udp.dns.DnsMessage;
import dev.tsunagu.udp.dns.Question;
import dev.tsunagu.udp.dns.ResourceRecord;
import dev.tsunagu.udp.wire.UdpHeader;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Tells what each frame on the cable means, one line per frame, the way the seeds explain it:
 * who asks whom for what, which numbers the headers carry and why.
 *
 * <p>It keeps what a reader of the capture would keep in their head: each TCP direction's
 * initial sequence number (so later numbers are shown relative to it, as Wireshark does), its
 * window scale (so windows are shown in bytes), the highest byte sent (so a retransmission
 * is recognised) and when each segment was first sent (so the line can say how long the
 * retransmission timer waited). It reads frames only; it never changes them. Both families:
 * over IPv6 ({@code tour --ipv6}) it tells Neighbor Discovery where IPv4 has ARP.
 */
final class WireStory {
    /** One direction of one TCP connection, as seen on the wire. */
    private static final class Flow {
        boolean synSeen;
        int isn;
        int mss;
        int windowScale = -1;
        /** Relative sequence number just past the highest byte (or FIN) sent. */
        long highestEnd = 1;
        /** Relative first sequence number of each data segment -> time it was first sent. */
        final Map<Long, Long> firstSent = new HashMap<>();
        long lastAck = -1;
        long lastWindow = -1;
        boolean handshakeAcked;
        long finSeq = -1;
        /** Highest relative ACK this side has received, and when it arrived (the RTO timer restarts then). */
        long ackedUpTo = 1;
        long ackedAt = -1;
        /** Relative end of the last data segment sent, and whether it was a retransmission. */
        long lastDataEnd = -1;
        boolean lastDataRetransmitted;
    }

    private record FlowKey(IpAddress srcIp, int srcPort, IpAddress dstIp, int dstPort) {
        FlowKey reverse() {
            return new FlowKey(dstIp, dstPort, srcIp, srcPort);
        }
    }

    private final Map<IpAddress, String> hostsByIp = new HashMap<>();
    private final Map<FlowKey, Flow> flows = new HashMap<>();
    private final TcpHeader.Options options = new TcpHeader.Options();
    /** The clock reading that is printed as time 0. */
    private final long origin;

    WireStory(long origin) {
        this.origin = origin;
    }

    /** Names a host so lines say "browser -> dns" rather than addresses. */
    void name(IpAddress address, String host) {
        hostsByIp.put(address, host);
    }

    /** What happened: {@code who} is "sender -> receiver", {@code what} the meaning. */
    record Line(String who, String what, boolean dnsQuery) {
        Line(String who, String what) {
            this(who, what, false);
        }
    }

    /** Describes a frame {@code host} is sending at {@code nowNanos}. Never throws. */
    Line transmitted(String host, byte[] frame, long nowNanos) {
        PacketBuffer b = PacketBuffer.copyOf(frame, 0);
        EthernetRepr eth = EthernetRepr.parse(b);
        if (eth == null) {
            return new Line(host, "a runt frame of " + frame.length + " bytes");
        }
        b.consume(EthernetFrame.HEADER_LENGTH);
        return switch (eth.etherType()) {
            case EtherType.ARP -> arp(host, b);
            case EtherType.IPV4 -> ipv4(host, b, nowNanos);
            case EtherType.IPV6 -> ipv6(host, b, nowNanos);
            default -> new Line(host, EtherType.name(eth.etherType()) + " frame, " + b.length() + " bytes");
        };
    }

    /**
     * Notes a frame {@code host} has received at {@code nowNanos}: only an ACK's arrival matters
     * (it restarts the sender's retransmission timer). Never throws.
     */
    void received(byte[] frame, long nowNanos) {
        PacketBuffer b = PacketBuffer.copyOf(frame, 0);
        EthernetRepr eth = EthernetRepr.parse(b);
        if (eth == null) {
            return;
        }
        b.consume(EthernetFrame.HEADER_LENGTH);
        IpAddress src;
        IpAddress dst;
        if (eth.etherType() == EtherType.IPV4) {
            if (Ipv4Header.check(b) != Ipv4Header.Problem.OK || Ipv4Header.protocol(b) != IpProtocol.TCP
                    || Ipv4Header.isFragment(b)) {
                return;
            }
            src = new Ipv4Address(Ipv4Header.source(b));
            dst = new Ipv4Address(Ipv4Header.destination(b));
            b.truncate(Ipv4Header.totalLength(b));
            b.consume(Ipv4Header.headerLength(b));
        } else if (eth.etherType() == EtherType.IPV6) {
            if (Ipv6Header.check(b) != Ipv6Header.Problem.OK || Ipv6Header.nextHeader(b) != IpProtocol.TCP) {
                return;
            }
            src = Ipv6Header.source(b);
            dst = Ipv6Header.destination(b);
            b.truncate(Ipv6Header.HEADER_LENGTH + Ipv6Header.payloadLength(b));
            b.consume(Ipv6Header.HEADER_LENGTH);
        } else {
            return;
        }
        if (b.length() < TcpHeader.HEADER_LENGTH || (TcpHeader.flags(b) & TcpHeader.ACK) == 0
                || (TcpHeader.flags(b) & TcpHeader.SYN) != 0) {
            return;
        }
        // The receiver of this ACK is the sender of the data it acknowledges.
        Flow data = flows.get(new FlowKey(dst, TcpHeader.destinationPort(b), src, TcpHeader.sourcePort(b)));
        if (data == null || !data.synSeen) {
            return;
        }
        long relAck = Integer.toUnsignedLong(TcpHeader.acknowledgment(b) - data.isn);
        if (relAck > data.ackedUpTo && relAck <= data.highestEnd) {
            data.ackedUpTo = relAck;
            data.ackedAt = nowNanos;
        }
    }

    private Line arp(String host, PacketBuffer b) {
        if (!(ArpRepr.parse(b) instanceof ArpRepr.Parsed(ArpRepr a))) {
            return new Line(host, "a malformed ARP packet");
        }
        String senderIp = Ipv4Address.format(a.senderIp());
        String senderMac = new MacAddress(a.senderMac()).toString();
        if (a.isRequest() && a.senderIp() == a.targetIp()) {
            return new Line(host + " -> all", "ARP announcement (gratuitous ARP, broadcast): " + senderIp + " is at "
                    + senderMac + "; nobody asked, so the others just update an entry they already have");
        }
        if (a.isRequest()) {
            return new Line(host + " -> all", "ARP request (broadcast to ff:ff:ff:ff:ff:ff): who has "
                    + Ipv4Address.format(a.targetIp()) + "? tell " + senderIp + " (" + senderMac
                    + "). IP knows the next hop's address but the Ethernet header needs its MAC");
        }
        return new Line(host + " -> " + nameOf(new Ipv4Address(a.targetIp())), "ARP reply (unicast): " + senderIp + " is at "
                + senderMac + "; the asker caches it, so the next packets go out at once");
    }

    private Line ipv4(String host, PacketBuffer b, long now) {
        if (Ipv4Header.check(b) != Ipv4Header.Problem.OK) {
            return new Line(host, "a malformed IPv4 packet");
        }
        IpAddress src = new Ipv4Address(Ipv4Header.source(b));
        IpAddress dst = new Ipv4Address(Ipv4Header.destination(b));
        int protocol = Ipv4Header.protocol(b);
        String who = nameOf(src) + " -> " + nameOf(dst);
        boolean fragment = Ipv4Header.isFragment(b);
        b.truncate(Ipv4Header.totalLength(b));
        b.consume(Ipv4Header.headerLength(b));
        if (fragment) {
            return new Line(who, "an IPv4 fragment of " + b.length() + " bytes");
        }
        if (protocol == IpProtocol.ICMP && b.length() >= IcmpHeader.HEADER_LENGTH) {
            return new Line(who, "ICMP type " + IcmpHeader.type(b) + " code " + IcmpHeader.code(b));
        }
        return transport(who, src, dst, protocol, b, now, Ipv4Header.MIN_HEADER_LENGTH);
    }

    /** TCP or UDP (or anything else, briefly) after either family's header; {@code ipHeader} bytes of IP in a full segment. */
    private Line transport(String who, IpAddress src, IpAddress dst, int protocol, PacketBuffer b, long now, int ipHeader) {
        if (protocol == IpProtocol.TCP && b.length() >= TcpHeader.HEADER_LENGTH) {
            return new Line(who, tcp(src, dst, b, now, ipHeader + TcpHeader.HEADER_LENGTH));
        }
        if (protocol == IpProtocol.UDP && b.length() >= UdpHeader.HEADER_LENGTH) {
            String what = udp(src, dst, b);
            return new Line(who, what, what.contains(": DNS query id "));
        }
        return new Line(who, IpProtocol.name(protocol) + ", " + b.length() + " bytes");
    }

    private Line ipv6(String host, PacketBuffer b, long now) {
        if (Ipv6Header.check(b) != Ipv6Header.Problem.OK) {
            return new Line(host, "a malformed IPv6 packet");
        }
        Ipv6Address src = Ipv6Header.source(b);
        Ipv6Address dst = Ipv6Header.destination(b);
        int next = Ipv6Header.nextHeader(b);
        b.truncate(Ipv6Header.HEADER_LENGTH + Ipv6Header.payloadLength(b));
        b.consume(Ipv6Header.HEADER_LENGTH);
        String who = (src.isAny() ? host : nameOf(src)) + " -> " + (dst.isMulticast() ? "all" : nameOf(dst));
        if (next == 0 && b.length() >= 8 && b.length() >= (b.getU8(1) + 1) * 8) { // Hop-by-Hop (MLD's Router Alert)
            next = b.getU8(0);
            b.consume((b.getU8(1) + 1) * 8);
        }
        if (next == IpProtocol.ICMPV6 && b.length() >= Icmpv6Header.HEADER_LENGTH) {
            return new Line(who, icmpv6(src, dst, b));
        }
        if (next == 44) {
            return new Line(who, "an IPv6 fragment of " + b.length() + " bytes");
        }
        return transport(who, src, dst, next, b, now, Ipv6Header.HEADER_LENGTH);
    }

    /** ICMPv6, above all Neighbor Discovery (RFC 4861, 4862): IPv6's ARP, over ICMPv6 and multicast. */
    private String icmpv6(Ipv6Address src, Ipv6Address dst, PacketBuffer b) {
        int type = Icmpv6Header.type(b);
        boolean nd = (type == Icmpv6Header.TYPE_NEIGHBOR_SOLICITATION || type == Icmpv6Header.TYPE_NEIGHBOR_ADVERTISEMENT)
                && b.length() >= NdMessage.NS_NA_OPTIONS && NdMessage.optionsValid(b, NdMessage.NS_NA_OPTIONS);
        if (nd && type == Icmpv6Header.TYPE_NEIGHBOR_SOLICITATION) {
            Ipv6Address target = NdMessage.target(b);
            if (src.isAny()) {
                return "Neighbor Solicitation from the unspecified address ::, to " + dst + " (the solicited-node"
                        + " multicast group of " + target + "): Duplicate Address Detection. Is anyone already using " + target
                        + "? If no one answers within a second, the address is this host's to use (until then it is"
                        + " tentative: no packet may come from it)";
            }
            String mac = linkAddress(b, NdMessage.OPTION_SOURCE_LINK_ADDRESS);
            if (!dst.isMulticast()) {
                return "Neighbor Solicitation (unicast): " + target + ", are you still at the MAC I have for you?"
                        + " (Neighbor Unreachability Detection)";
            }
            return "Neighbor Solicitation (multicast to " + dst + ", the solicited-node group that only " + target
                    + " and addresses ending like it join): who has " + target + "? tell " + src
                    + (mac == null ? "" : " (" + mac + ")") + ". NDP's ARP request: IP knows the next hop's address but"
                    + " the Ethernet header needs its MAC";
        }
        if (nd) {
            Ipv6Address target = NdMessage.target(b);
            String mac = linkAddress(b, NdMessage.OPTION_TARGET_LINK_ADDRESS);
            boolean solicited = (NdMessage.flags(b) & NdMessage.FLAG_SOLICITED) != 0;
            if (solicited) {
                return "Neighbor Advertisement (solicited, unicast): " + target + " is at " + mac
                        + "; the asker caches it as REACHABLE, so the next packets go out at once";
            }
            return "Neighbor Advertisement (unsolicited, to all nodes): " + target + " is at " + mac
                    + "; nobody asked, so the others just update an entry they already have";
        }
        if (type == 143 && b.length() >= 8) {
            int records = b.getU16(6);
            return "MLDv2 report to " + dst + " (all MLD routers, with a Router Alert so switches look inside): this"
                    + " host listens to " + records + " multicast group" + (records == 1 ? "" : "s") + " (the solicited-node"
                    + " groups of its addresses), so a switch that snoops MLD forwards those solicitations to it";
        }
        if (type == Icmpv6Header.TYPE_ROUTER_SOLICITATION) {
            return "Router Solicitation to all routers (" + dst + "): is a router here to tell us prefixes and a default"
                    + " route? On this cable none answers: the hosts have their addresses by hand";
        }
        if (type == Icmpv6Header.TYPE_ECHO_REQUEST || type == Icmpv6Header.TYPE_ECHO_REPLY) {
            return "ICMPv6 echo " + (type == Icmpv6Header.TYPE_ECHO_REQUEST ? "request" : "reply") + " (ping), seq "
                    + Icmpv6Header.sequence(b);
        }
        return "ICMPv6 type " + type + " code " + Icmpv6Header.code(b);
    }

    /** The MAC in a Neighbor Discovery link-layer address option of {@code type}, or null. */
    private static String linkAddress(PacketBuffer b, int type) {
        long mac = NdMessage.linkAddress(b, NdMessage.findOption(b, NdMessage.NS_NA_OPTIONS, type));
        return mac < 0 ? null : new MacAddress(mac).toString();
    }

    /** {@code 10.0.0.1:53}, or {@code [fd00::1]:53}. */
    private static String endpoint(IpAddress address, int port) {
        return (address instanceof Ipv6Address ? "[" + address + "]" : address.toString()) + ":" + port;
    }

    private String udp(IpAddress src, IpAddress dst, PacketBuffer b) {
        int sport = UdpHeader.sourcePort(b);
        int dport = UdpHeader.destinationPort(b);
        int length = Math.min(UdpHeader.length(b), b.length()) - UdpHeader.HEADER_LENGTH;
        String head = String.format(Locale.ROOT, "UDP %s -> %s, %d bytes of data",
                endpoint(src, sport), endpoint(dst, dport), Math.max(0, length));
        if (sport != 53 && dport != 53 || length <= 0) {
            return head;
        }
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) b.getU8(UdpHeader.HEADER_LENGTH + i);
        }
        try {
            DnsMessage m = DnsMessage.parse(payload);
            String question = m.questions().stream().map(WireStory::question).collect(Collectors.joining(", "));
            if (!m.response()) {
                return head + String.format(Locale.ROOT, ": DNS query id 0x%04x, %s (one datagram: no connection,"
                        + " no handshake; if no answer comes the resolver asks again)", m.id(), question);
            }
            String answers = m.answers().isEmpty() ? "no records (" + DnsMessage.rcodeName(m.rcode()) + ")"
                    : m.answers().stream().map(WireStory::answer).collect(Collectors.joining(", "));
            return head + String.format(Locale.ROOT, ": DNS answer id 0x%04x%s: %s", m.id(),
                    m.authoritative() ? " (authoritative)" : "", answers);
        } catch (DnsFormatException e) {
            return head + ": a malformed DNS message (" + e.getMessage() + ")";
        }
    }

    private static String question(Question q) {
        return "what is the " + DnsMessage.typeName(q.type()) + " record ("
                + (q.type() == DnsMessage.TYPE_AAAA ? "IPv6" : "IPv4") + " address) of " + q.name() + "?";
    }

    private static String answer(ResourceRecord r) {
        return switch (r) {
            case ResourceRecord.A a -> a.name() + " is " + a.address().getHostAddress() + " (keep it " + a.ttl() + " s)";
            case ResourceRecord.Aaaa a -> a.name() + " is " + Ipv6Address.of(a.address()) + " (keep it " + a.ttl() + " s)";
            default -> r.toString();
        };
    }

    /** {@code headers}: the IP and TCP header bytes a full segment carries (40 over IPv4, 60 over IPv6). */
    private String tcp(IpAddress src, IpAddress dst, PacketBuffer b, long now, int headers) {
        int headerLength = TcpHeader.headerLength(b);
        if (headerLength < TcpHeader.HEADER_LENGTH || headerLength > b.length()) {
            return "a TCP segment with a bad header length";
        }
        int sport = TcpHeader.sourcePort(b);
        int dport = TcpHeader.destinationPort(b);
        FlowKey key = new FlowKey(src, sport, dst, dport);
        Flow f = flows.computeIfAbsent(key, k -> new Flow());
        Flow peer = flows.computeIfAbsent(key.reverse(), k -> new Flow());
        int flags = TcpHeader.flags(b);
        int seq = TcpHeader.sequence(b);
        int ack = TcpHeader.acknowledgment(b);
        int len = b.length() - headerLength;
        boolean hasAck = (flags & TcpHeader.ACK) != 0;
        String ports = "TCP " + sport + " -> " + dport + ", ";
        if ((flags & TcpHeader.RST) != 0) {
            return ports + "RST: the connection is reset (aborted) at once";
        }
        if ((flags & TcpHeader.SYN) != 0) {
            TcpHeader.parseOptions(b, options);
            f.synSeen = true;
            f.isn = seq;
            f.mss = options.mss;
            f.windowScale = options.windowScale;
            String common = String.format(Locale.ROOT, "window %,d, MSS %d (MTU %d - %d bytes of IP and TCP headers)%s",
                    TcpHeader.window(b), options.mss, options.mss + headers, headers,
                    options.windowScale >= 0 ? ", window scale " + options.windowScale + " (later windows count in units of "
                            + (1 << options.windowScale) + " bytes)" : "");
            if (!hasAck) {
                return ports + "SYN, seq " + Integer.toUnsignedString(seq) + " (the ISN: a random initial sequence number;"
                        + " this side's bytes are numbered from it), " + common;
            }
            return ports + "SYN+ACK, seq " + Integer.toUnsignedString(seq) + " (the server's own ISN), ack "
                    + Integer.toUnsignedString(ack) + " (the client's ISN + 1: SYN received), " + common
                    + ". The server's TCP found the socket listening on port " + sport;
        }
        long relSeq = Integer.toUnsignedLong(seq - f.isn);
        long relAck = hasAck ? Integer.toUnsignedLong(ack - peer.isn) : -1;
        long window = (long) TcpHeader.window(b) << (f.windowScale >= 0 && peer.windowScale >= 0 ? f.windowScale : 0);
        boolean fin = (flags & TcpHeader.FIN) != 0;
        StringBuilder s = new StringBuilder(ports);
        if (len > 0) {
            long end = relSeq + len;
            f.lastDataEnd = end;
            f.lastDataRetransmitted = end <= f.highestEnd;
            if (end <= f.highestEnd) {
                Long first = f.firstSent.get(relSeq);
                s.append(String.format(Locale.ROOT, "RETRANSMISSION of seq %d:%d (%d bytes)", relSeq, end, len));
                if (first != null) {
                    long timerStart = Math.max(first, f.ackedAt);
                    s.append(String.format(Locale.ROOT, ", %.1f ms after the first copy. No ACK covered it, and the"
                            + " retransmission timer, (re)started %s, ran out after %.1f ms, the RTO: TCP sends the bytes"
                            + " again from its send buffer, and doubles the RTO in case the network is congested",
                            (now - first) / 1e6, timerStart == first ? "when it was sent"
                                    : String.format(Locale.ROOT, "at %.6f when the last new ACK arrived",
                                            (timerStart - origin) / 1e9),
                            (now - timerStart) / 1e6));
                }
                return s.toString();
            }
            f.firstSent.putIfAbsent(relSeq, now);
            f.highestEnd = end;
            int sendMss = peer.mss > 0 ? peer.mss : 536;
            s.append(String.format(Locale.ROOT, "data, seq %d:%d (%d bytes%s), ack %d, window %,d", relSeq, end, len,
                    len == sendMss ? ": a full segment, one MSS" : "", relAck, window));
            if (fin) {
                f.finSeq = end;
                f.highestEnd = end + 1;
                s.append(", and FIN: this side has nothing more to send");
            }
            f.lastAck = relAck;
            f.lastWindow = window;
            return s.toString();
        }
        if (fin) {
            f.finSeq = relSeq;
            f.highestEnd = Math.max(f.highestEnd, relSeq + 1);
            f.lastAck = relAck;
            f.lastWindow = window;
            return s.append(String.format(Locale.ROOT, "FIN+ACK, seq %d, ack %d: \"I have nothing more to send\""
                    + " (the FIN takes one sequence number)", relSeq, relAck)).toString();
        }
        String what;
        if (!f.handshakeAcked && relAck == 1 && peer.synSeen && relSeq == 1) {
            f.handshakeAcked = true;
            what = String.format(Locale.ROOT, "ACK, ack 1, window %,d: the handshake's third step; the connection is"
                    + " ESTABLISHED (sequence numbers from here on count from each ISN, as Wireshark shows them)", window);
        } else if (peer.finSeq >= 0 && relAck == peer.finSeq + 1 && f.lastAck != relAck) {
            what = String.format(Locale.ROOT, "ACK, ack %d: acknowledges the peer's FIN", relAck);
        } else if (peer.lastDataRetransmitted && relAck > peer.lastDataEnd && relAck > f.lastAck) {
            what = String.format(Locale.ROOT, "ACK, ack %d, window %,d: the retransmission filled the gap, and the"
                    + " receiver had kept the bytes that came after it, so the ACK jumps to %d", relAck, window, relAck);
        } else if (relAck == f.lastAck && window == f.lastWindow && peer.highestEnd <= relAck) {
            what = String.format(Locale.ROOT, "ACK, ack %d, window %,d, the same again: one ACK went out for the"
                    + " segment and one as the application read it (a window update)", relAck, window);
        } else if (relAck == f.lastAck && window == f.lastWindow && peer.highestEnd > relAck) {
            what = String.format(Locale.ROOT, "duplicate ACK, ack %d again: a segment arrived after a gap; the"
                    + " receiver keeps it and still expects byte %d", relAck, relAck);
        } else if (relAck == f.lastAck && window > f.lastWindow) {
            what = String.format(Locale.ROOT, "window update, ack %d, window %,d: the application read data, so the"
                    + " receive buffer has room again", relAck, window);
        } else {
            what = String.format(Locale.ROOT, "ACK, ack %d, window %,d: every byte before %d has arrived; the"
                    + " receive buffer has room for %,d more", relAck, window, relAck, window);
        }
        f.lastAck = relAck;
        f.lastWindow = window;
        return s.append(what).toString();
    }

    private String nameOf(IpAddress ip) {
        String n = hostsByIp.get(ip);
        return n != null ? n : ip.toString();
    }
}
