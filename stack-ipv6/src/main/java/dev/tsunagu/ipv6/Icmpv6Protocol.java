package dev.tsunagu.ipv6;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.icmp.IcmpErrorDelivery;
import dev.tsunagu.ipv6.wire.ExtensionHeaders;
import dev.tsunagu.ipv6.wire.Icmpv6Header;
import dev.tsunagu.ipv6.wire.Ipv6Header;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stack.TransportProtocol;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;

/**
 * ICMPv6 as upper-layer protocol 58 (RFC 4443): checks the checksum over the IPv6
 * pseudo-header, answers echo requests, hands echo replies to the {@link Icmpv6Pinger},
 * Neighbor Discovery messages to {@link NeighborDiscovery}, and delivers error messages to the
 * transport whose packet they quote (Packet Too Big also lowers the path MTU, RFC 8201, unless it
 * quotes TCP, which checks the quote first: {@link #learnsHere}).
 * Unknown informational messages are dropped and unknown errors passed up as "other" (2.4 (a), (b)).
 */
final class Icmpv6Protocol implements TransportProtocol {
    private final Ipv6Layer ip;
    private final StackContext ctx;
    private final Icmpv6Pinger pinger;
    private final NeighborDiscovery nd;
    private final boolean echoMulticast;
    private final ExtensionHeaders.Walk quotedWalk = new ExtensionHeaders.Walk();

    private final Counter inMsgs;
    private final Counter inErrors;
    private final Counter inEchos;
    private final Counter inEchoReplies;
    private final Counter inDestUnreachs;
    private final Counter inPktTooBigs;
    private final Counter inTimeExcds;
    private final Counter inParmProblems;
    private final Counter inOther;
    private final Counter outMsgs;
    private final Counter outEchoReplies;
    private final Counter outDestUnreachs;
    private final Counter outPktTooBigs;
    private final Counter outTimeExcds;
    private final Counter outParmProblems;
    private final Counter dropTruncated;
    private final Counter dropBadChecksum;
    private final Counter dropBadEchoCode;
    private final Counter dropBadQuote;
    private final Counter dropNotOurs;
    private final Counter ignoredMulticastEchos;

    Icmpv6Protocol(Ipv6Layer ip, StackContext ctx, Icmpv6Pinger pinger, NeighborDiscovery nd) {
        this.ip = ip;
        this.ctx = ctx;
        this.pinger = pinger;
        this.nd = nd;
        this.echoMulticast = ctx.option(Ipv6Options.ECHO_MULTICAST);
        CounterGroup c = ctx.counters("icmpv6");
        inMsgs = c.counter("InMsgs", "ICMPv6 messages received");
        inErrors = c.counter("InErrors", "ICMPv6 messages dropped as malformed");
        inEchos = c.counter("InEchos", "echo requests received");
        inEchoReplies = c.counter("InEchoReplies", "echo replies received");
        inDestUnreachs = c.counter("InDestUnreachs", "destination unreachable received");
        inPktTooBigs = c.counter("InPktTooBigs", "packet too big received");
        inTimeExcds = c.counter("InTimeExcds", "time exceeded received");
        inParmProblems = c.counter("InParmProblems", "parameter problem received");
        inOther = c.counter("InOther", "other ICMPv6 types received (unknown informational ones dropped)");
        outMsgs = c.counter("OutMsgs", "ICMPv6 messages sent");
        outEchoReplies = c.counter("OutEchoReplies", "echo replies sent");
        outDestUnreachs = c.counter("OutDestUnreachs", "destination unreachable sent");
        outPktTooBigs = c.counter("OutPktTooBigs", "packet too big sent");
        outTimeExcds = c.counter("OutTimeExcds", "time exceeded sent");
        outParmProblems = c.counter("OutParmProblems", "parameter problem sent");
        dropTruncated = c.counter("DropTruncated", "shorter than an ICMPv6 header");
        dropBadChecksum = c.counter("DropBadChecksum", "checksum wrong (over the IPv6 pseudo-header)");
        dropBadEchoCode = c.counter("DropBadEchoCode", "echo requests and replies with a code other than 0");
        dropBadQuote = c.counter("DropBadQuote", "error messages whose quoted packet is unusable");
        dropNotOurs = c.counter("DropNotOurs", "error messages about packets we did not send");
        ignoredMulticastEchos = c.counter("IgnoredMulticastEchos", "echo requests to multicast groups, not answered");
    }

    @Override
    public void receive(IpPacketInfo info, PacketBuffer p) {
        inMsgs.increment();
        if (p.length() < Icmpv6Header.HEADER_LENGTH) {
            drop(p, dropTruncated);
            return;
        }
        if (!Icmpv6Header.verify(p, info.pseudoHeaderSum(IpProtocol.ICMPV6, p.length()))) {
            drop(p, dropBadChecksum);
            return;
        }
        int type = Icmpv6Header.type(p);
        if ((type == Icmpv6Header.TYPE_ECHO_REQUEST || type == Icmpv6Header.TYPE_ECHO_REPLY) && Icmpv6Header.code(p) != 0) {
            drop(p, dropBadEchoCode);
            return;
        }
        switch (type) {
            case Icmpv6Header.TYPE_ECHO_REQUEST -> {
                inEchos.increment();
                if (info.isBroadcastOrMulticast() && !echoMulticast) {
                    ignoredMulticastEchos.increment();
                    p.release();
                    return;
                }
                reply(info, p);
            }
            case Icmpv6Header.TYPE_ECHO_REPLY -> {
                inEchoReplies.increment();
                pinger.onReply(info, p);
                p.release();
            }
            case MulticastListenerDiscovery.TYPE_QUERY, MulticastListenerDiscovery.TYPE_REPORT_V1 -> {
                try {
                    nd.mld().receive(info, p);
                } finally {
                    p.release();
                }
            }
            case Icmpv6Header.TYPE_ROUTER_SOLICITATION, Icmpv6Header.TYPE_ROUTER_ADVERTISEMENT,
                 Icmpv6Header.TYPE_NEIGHBOR_SOLICITATION, Icmpv6Header.TYPE_NEIGHBOR_ADVERTISEMENT,
                 Icmpv6Header.TYPE_REDIRECT -> {
                try {
                    nd.receive(info, p, type);
                } finally {
                    p.release();
                }
            }
            default -> {
                if (Icmpv6Header.isError(type)) {
                    switch (type) {
                        case Icmpv6Header.TYPE_DESTINATION_UNREACHABLE -> inDestUnreachs.increment();
                        case Icmpv6Header.TYPE_PACKET_TOO_BIG -> inPktTooBigs.increment();
                        case Icmpv6Header.TYPE_TIME_EXCEEDED -> inTimeExcds.increment();
                        case Icmpv6Header.TYPE_PARAMETER_PROBLEM -> inParmProblems.increment();
                        default -> inOther.increment();
                    }
                    deliverError(info, p, type);
                } else {
                    inOther.increment();
                }
                p.release();
            }
        }
    }

    private void drop(PacketBuffer p, Counter reason) {
        inErrors.increment();
        reason.increment();
        p.release();
    }

    /** The reply carries the request's identifier, sequence and data (4.2), from the address asked, or ours on the link for a group. */
    private void reply(IpPacketInfo info, PacketBuffer p) {
        Ipv6Address to = (Ipv6Address) info.source();
        Ipv6Address from = info.isBroadcastOrMulticast() ? (Ipv6Address) ip.sourceAddressFor(to)
                : (Ipv6Address) info.destination();
        if (from == null || to.isAny()) {
            p.release();
            return;
        }
        p.setU8(Icmpv6Header.TYPE, Icmpv6Header.TYPE_ECHO_REPLY);
        Icmpv6Header.setChecksum(p, from, to);
        outMsgs.increment();
        outEchoReplies.increment();
        // The request's DSCP, not its ECN field: ICMP is no ECN-capable transport, and CE is a
        // router's to set (RFC 3168 5).
        ip.send(p, from, to, IpProtocol.ICMPV6, 0, Ecn.with(info.tos(), Ecn.NOT_ECT), false);
    }

    /** Finds the transport whose packet the error quotes and tells it. */
    private void deliverError(IpPacketInfo info, PacketBuffer p, int type) {
        int code = Icmpv6Header.code(p);
        long mtu = type == Icmpv6Header.TYPE_PACKET_TOO_BIG ? Icmpv6Header.mtu(p) : 0;
        p.consume(Icmpv6Header.HEADER_LENGTH);
        if (p.length() < Ipv6Header.HEADER_LENGTH || Ipv6Header.version(p) != 6) {
            dropBadQuote.increment();
            return;
        }
        Ipv6Address quotedSource = Ipv6Header.source(p);
        if (!ip.isLocalAddress(quotedSource)) {
            dropNotOurs.increment();
            return;
        }
        Ipv6Address quotedDestination = Ipv6Header.destination(p);
        int reportedMtu = (int) Math.min(mtu, Integer.MAX_VALUE);
        ExtensionHeaders.Status quote = ExtensionHeaders.locate(p, quotedWalk);
        boolean usable = quote == ExtensionHeaders.Status.UPPER_LAYER && p.length() >= quotedWalk.offset + 8;
        if (mtu > 0 && learnsHere(quote, usable, quotedWalk.protocol)) {
            ip.learnPathMtu(quotedDestination, reportedMtu);
        }
        if (!usable) {
            dropBadQuote.increment();
            return;
        }
        IcmpErrorInfo error = new IcmpErrorInfo(kind(type, code), type, code, info.source(), quotedSource,
                quotedDestination, reportedMtu);
        int protocol = quotedWalk.protocol;
        p.consume(quotedWalk.offset);
        IcmpErrorDelivery.deliver(ctx, error, protocol, p, IpProtocol.ICMPV6, pinger::onError);
    }

    /**
     * Whether a Packet Too Big lowers the path MTU here, before any transport sees it (RFC 8201
     * 4, never below 1280: {@link Ipv6Layer#learnPathMtu}). Not for one quoting a TCP segment:
     * TCP believes it only if the quoted sequence number is in flight (RFC 5927 4.1, in
     * {@code TcpLayer.receiveError}) and then tells the layer itself, as it does for IPv4's
     * "fragmentation needed"; a forged error could otherwise shrink every connection to the peer
     * without knowing their sequence numbers. UDP and echo requests keep no state to check a
     * quote against, so the report is taken as it is; so is one quoting a fragment (only
     * datagrams that are not TCP are fragmented: TCP sends with fragmenting forbidden). A quote
     * too short to say what it carries is not believed.
     */
    private static boolean learnsHere(ExtensionHeaders.Status quote, boolean usable, int protocol) {
        if (quote == ExtensionHeaders.Status.FRAGMENT) {
            return true;
        }
        return usable && protocol != IpProtocol.TCP;
    }

    /** What an ICMPv6 error means to a transport (RFC 4443 3; "unrecognised next header" is IPv6's protocol unreachable). */
    static IcmpErrorInfo.Kind kind(int type, int code) {
        return switch (type) {
            case Icmpv6Header.TYPE_DESTINATION_UNREACHABLE -> code == Icmpv6Header.CODE_PORT_UNREACHABLE
                    ? IcmpErrorInfo.Kind.PORT_UNREACHABLE : IcmpErrorInfo.Kind.UNREACHABLE;
            case Icmpv6Header.TYPE_PACKET_TOO_BIG -> IcmpErrorInfo.Kind.PACKET_TOO_BIG;
            case Icmpv6Header.TYPE_TIME_EXCEEDED -> IcmpErrorInfo.Kind.TIME_EXCEEDED;
            case Icmpv6Header.TYPE_PARAMETER_PROBLEM -> code == ExtensionHeaders.CODE_UNRECOGNIZED_NEXT_HEADER
                    ? IcmpErrorInfo.Kind.PROTOCOL_UNREACHABLE : IcmpErrorInfo.Kind.PARAMETER_PROBLEM;
            default -> IcmpErrorInfo.Kind.OTHER;
        };
    }

    void countErrorSent(int type) {
        outMsgs.increment();
        switch (type) {
            case Icmpv6Header.TYPE_DESTINATION_UNREACHABLE -> outDestUnreachs.increment();
            case Icmpv6Header.TYPE_PACKET_TOO_BIG -> outPktTooBigs.increment();
            case Icmpv6Header.TYPE_TIME_EXCEEDED -> outTimeExcds.increment();
            case Icmpv6Header.TYPE_PARAMETER_PROBLEM -> outParmProblems.increment();
            default -> { }
        }
    }

    /** Counts a message Neighbor Discovery sent. */
    void countSent() {
        outMsgs.increment();
    }

    void close() {
        pinger.close();
    }
}
