package dev.tsunagu.ip;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.icmp.IcmpErrorDelivery;
import dev.tsunagu.ip.wire.IcmpHeader;
import dev.tsunagu.ip.wire.Ipv4Header;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stack.TransportProtocol;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;

/**
 * ICMP as IP protocol 1 (RFC 792): answers echo requests, hands echo replies to the
 * {@link Pinger}, and delivers error messages to the transport whose datagram they quote
 * ({@link TransportProtocol#receiveError}), as the seeds' "ICMP reports errors" says.
 */
final class IcmpProtocol implements TransportProtocol {
    private final Ipv4Layer ip;
    private final Pinger pinger;
    private final StackContext ctx;
    private final boolean echoBroadcast;

    private final Counter inMsgs;
    private final Counter inErrors;
    private final Counter inEchos;
    private final Counter inEchoReps;
    private final Counter inDestUnreachs;
    private final Counter inTimeExcds;
    private final Counter inParmProbs;
    private final Counter inOther;
    private final Counter outMsgs;
    private final Counter outEchoReps;
    private final Counter outDestUnreachs;
    private final Counter outTimeExcds;
    private final Counter dropTruncated;
    private final Counter dropBadChecksum;
    private final Counter dropBadEchoCode;
    private final Counter dropBadQuote;
    private final Counter dropNotOurs;
    private final Counter ignoredBroadcastEchos;

    IcmpProtocol(Ipv4Layer ip, StackContext ctx, Pinger pinger) {
        this.ip = ip;
        this.ctx = ctx;
        this.pinger = pinger;
        this.echoBroadcast = ctx.option(IpOptions.ECHO_BROADCAST);
        CounterGroup c = ctx.counters("icmp");
        inMsgs = c.counter("InMsgs", "ICMP messages received");
        inErrors = c.counter("InErrors", "ICMP messages dropped as malformed");
        inEchos = c.counter("InEchos", "echo requests received");
        inEchoReps = c.counter("InEchoReps", "echo replies received");
        inDestUnreachs = c.counter("InDestUnreachs", "destination unreachable received");
        inTimeExcds = c.counter("InTimeExcds", "time exceeded received");
        inParmProbs = c.counter("InParmProbs", "parameter problem received");
        inOther = c.counter("InOther", "other ICMP types received (ignored)");
        outMsgs = c.counter("OutMsgs", "ICMP messages sent");
        outEchoReps = c.counter("OutEchoReps", "echo replies sent");
        outDestUnreachs = c.counter("OutDestUnreachs", "destination unreachable sent");
        outTimeExcds = c.counter("OutTimeExcds", "time exceeded sent");
        dropTruncated = c.counter("DropTruncated", "shorter than an ICMP header");
        dropBadChecksum = c.counter("DropBadChecksum", "checksum wrong");
        dropBadEchoCode = c.counter("DropBadEchoCode", "echo requests and replies with a code other than 0 (RFC 792)");
        dropBadQuote = c.counter("DropBadQuote", "error messages whose quoted datagram is unusable");
        dropNotOurs = c.counter("DropNotOurs", "error messages about datagrams we did not send");
        ignoredBroadcastEchos = c.counter("IgnoredBroadcastEchos", "echo requests to broadcast addresses, not answered");
    }

    @Override
    public void receive(IpPacketInfo info, PacketBuffer p) {
        inMsgs.increment();
        if (p.length() < IcmpHeader.HEADER_LENGTH) {
            inErrors.increment();
            dropTruncated.increment();
            p.release();
            return;
        }
        if (!InternetChecksum.verify(p.array(), p.start(), p.length())) {
            inErrors.increment();
            dropBadChecksum.increment();
            p.release();
            return;
        }
        int type = IcmpHeader.type(p);
        if ((type == IcmpHeader.TYPE_ECHO_REQUEST || type == IcmpHeader.TYPE_ECHO_REPLY) && IcmpHeader.code(p) != 0) {
            // RFC 792: echo and echo reply have code 0; with another code the message is no echo
            // we know, and answering it would reflect whatever it is (IcmpRepr calls it Other).
            inErrors.increment();
            dropBadEchoCode.increment();
            p.release();
            return;
        }
        switch (type) {
            case IcmpHeader.TYPE_ECHO_REQUEST -> {
                inEchos.increment();
                if (info.isBroadcastOrMulticast() && !echoBroadcast) {
                    ignoredBroadcastEchos.increment();
                    p.release();
                    return;
                }
                reply(info, p);
            }
            case IcmpHeader.TYPE_ECHO_REPLY -> {
                inEchoReps.increment();
                pinger.onReply(info, p);
                p.release();
            }
            case IcmpHeader.TYPE_DESTINATION_UNREACHABLE, IcmpHeader.TYPE_TIME_EXCEEDED,
                 IcmpHeader.TYPE_PARAMETER_PROBLEM, IcmpHeader.TYPE_SOURCE_QUENCH -> {
                switch (type) {
                    case IcmpHeader.TYPE_DESTINATION_UNREACHABLE -> inDestUnreachs.increment();
                    case IcmpHeader.TYPE_TIME_EXCEEDED -> inTimeExcds.increment();
                    case IcmpHeader.TYPE_PARAMETER_PROBLEM -> inParmProbs.increment();
                    default -> inOther.increment();
                }
                deliverError(info, p, type);
                p.release();
            }
            default -> {
                inOther.increment();
                p.release();
            }
        }
    }

    /** Turns the request into the reply in place: same identifier, sequence and data (RFC 792). */
    private void reply(IpPacketInfo info, PacketBuffer p) {
        int oldWord = p.getU16(IcmpHeader.TYPE);
        int newWord = (IcmpHeader.TYPE_ECHO_REPLY << 8) | (oldWord & 0xFF);
        p.setU16(IcmpHeader.TYPE, newWord);
        p.setU16(IcmpHeader.CHECKSUM, InternetChecksum.update(p.getU16(IcmpHeader.CHECKSUM), oldWord, newWord));
        outMsgs.increment();
        outEchoReps.increment();
        IpAddress from = info.isBroadcastOrMulticast() ? null : info.destination();
        // The request's DSCP, not its ECN field: ICMP is no ECN-capable transport, and CE is a
        // router's to set (RFC 3168 5).
        ip.send(p, from, info.source(), IpProtocol.ICMP, 0, Ecn.with(info.tos(), Ecn.NOT_ECT), false);
    }

    /** Finds the transport whose datagram the error quotes and tells it. */
    private void deliverError(IpPacketInfo info, PacketBuffer p, int type) {
        int code = IcmpHeader.code(p);
        int mtu = type == IcmpHeader.TYPE_DESTINATION_UNREACHABLE && code == IcmpHeader.CODE_FRAGMENTATION_NEEDED
                ? IcmpHeader.nextHopMtu(p) : 0;
        p.consume(IcmpHeader.HEADER_LENGTH);
        // RFC 792: the quote is the IP header and at least 64 bits of the datagram's data.
        if (p.length() < Ipv4Header.MIN_HEADER_LENGTH || Ipv4Header.version(p) != 4) {
            dropBadQuote.increment();
            return;
        }
        int hl = Ipv4Header.headerLength(p);
        if (hl < Ipv4Header.MIN_HEADER_LENGTH || p.length() < hl + 8) {
            dropBadQuote.increment();
            return;
        }
        int quotedSource = Ipv4Header.source(p);
        if (!ip.isLocalAddress(quotedSource)) {
            dropNotOurs.increment();
            return;
        }
        IcmpErrorInfo error = new IcmpErrorInfo(kind(type, code), type, code, info.source(),
                new Ipv4Address(quotedSource), new Ipv4Address(Ipv4Header.destination(p)), mtu);
        int protocol = Ipv4Header.protocol(p);
        p.consume(hl);
        IcmpErrorDelivery.deliver(ctx, error, protocol, p, IpProtocol.ICMP, pinger::onError);
    }

    /** What an ICMPv4 error means to a transport (RFC 1122 4.2.3.9, RFC 792 codes). */
    static IcmpErrorInfo.Kind kind(int type, int code) {
        return switch (type) {
            case IcmpHeader.TYPE_DESTINATION_UNREACHABLE -> switch (code) {
                case IcmpHeader.CODE_PROTOCOL_UNREACHABLE -> IcmpErrorInfo.Kind.PROTOCOL_UNREACHABLE;
                case IcmpHeader.CODE_PORT_UNREACHABLE -> IcmpErrorInfo.Kind.PORT_UNREACHABLE;
                case IcmpHeader.CODE_FRAGMENTATION_NEEDED -> IcmpErrorInfo.Kind.PACKET_TOO_BIG;
                default -> IcmpErrorInfo.Kind.UNREACHABLE;
            };
            case IcmpHeader.TYPE_TIME_EXCEEDED -> IcmpErrorInfo.Kind.TIME_EXCEEDED;
            case IcmpHeader.TYPE_PARAMETER_PROBLEM -> IcmpErrorInfo.Kind.PARAMETER_PROBLEM;
            default -> IcmpErrorInfo.Kind.OTHER;
        };
    }

    void countErrorSent(int type) {
        outMsgs.increment();
        if (type == IcmpHeader.TYPE_DESTINATION_UNREACHABLE) {
            outDestUnreachs.increment();
        } else if (type == IcmpHeader.TYPE_TIME_EXCEEDED) {
            outTimeExcds.increment();
        }
    }
}
