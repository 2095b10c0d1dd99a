package dev.tsunagu.tcp;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.tcp.wire.TcpHeader;
import java.util.function.BooleanSupplier;

/**
 * Path MTU discovery as TCP takes part in it (RFC 1191 for IPv4, RFC 8201 for IPv6), one per
 * connection, made at the first "too big" it meets. What an ICMP "fragmentation needed" /
 * "packet too big" is taken to say: the layer checks that the error quotes a segment in flight
 * (RFC 5927 4.1, in {@code TcpLayer.receiveError}); this part decides the MTU to believe, tells
 * the network layer (its per-destination cache, for every connection to the peer), and lowers
 * the connection's MSS; the segments the router dropped go again at once at the new size
 * ({@code LossRecovery.onMssReduced}), with no congestion response (they were not lost to
 * congestion). When the learnt path MTU expires (RFC 1191 6.3), the MSS goes back up
 * ({@link #maybeRaise}). The sizes (payload for a packet size, the largest packet) are here too,
 * for {@link PacketizationLayerPmtud}, which finds the path MTU without ICMP. Loop thread only.
 */
final class PathMtuDiscovery {
    /**
     * The smallest path MTU believed for IPv4 (Linux's min_pmtu, 512 + 20 + 20): RFC 5927 7.2 warns
     * that a forged error reporting a tiny MTU makes a connection crawl in tiny segments, so a
     * lower report is taken as this much.
     */
    static final int IPV4_FLOOR = 552;
    /** IPv6 links carry 1280 bytes (RFC 8200 5): nothing less is believed. */
    static final int IPV6_FLOOR = 1280;
    /**
     * RFC 1191 7, table 7-1: the plateaus to try when an old router reports no next-hop MTU (a
     * zero in the field, RFC 1191 5): the next one below the current path MTU.
     */
    private static final int[] PLATEAUS = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    private final EventLoop loop;
    private final IpService network;
    private final IpAddress remote;
    private final Sender snd;
    private final RttSampler rtt;
    private final CongestionControl cc;
    private final LossRecovery loss;
    private final TcpCounters counters;
    /** How often, at most, a lowered MSS checks whether the path MTU expired ({@link #maybeRaise}). */
    static final long RAISE_CHECK_NANOS = 1_000_000_000L;

    /** A resend at a lowered MSS is queued on the loop ({@link #onSegmentTooBig}). */
    private boolean resendPending;
    /** When {@link #maybeRaise} next looks. */
    private long raiseCheckAt;
    /** RFC 4821's search, if the connection has one: ICMP bounds it. */
    PacketizationLayerPmtud plpmtud;

    PathMtuDiscovery(EventLoop loop, IpService network, IpAddress remote, Sender snd, RttSampler rtt,
                     CongestionControl cc, LossRecovery loss, TcpCounters counters) {
        this.loop = loop;
        this.network = network;
        this.remote = remote;
        this.snd = snd;
        this.rtt = rtt;
        this.cc = cc;
        this.loss = loss;
        this.counters = counters;
        this.raiseCheckAt = loop.now() + RAISE_CHECK_NANOS;
    }

    /** The MSS we offer {@code remote}: the route's MTU less the headers (576 without a route). */
    static int ourMss(IpService network, IpAddress remote) {
        int mtu = network.mtuFor(remote);
        return Math.max(Handshake.MIN_MSS, (mtu > 0 ? mtu : 576) - network.headerLength() - TcpHeader.HEADER_LENGTH);
    }

    /**
     * A router dropped a segment of ours in flight as too big for its next link (RFC 1191 6.4,
     * RFC 5927 7.2): the network layer learns the path MTU, and the MSS comes down to fit it (the
     * MTU less the IP and TCP headers and the options every segment carries). What was in flight
     * at the old size was dropped: it goes again now.
     */
    void onPacketTooBig(IcmpErrorInfo e, boolean synchronizedState) {
        int mtu = believe(e.nextHopMtu(), network.mtuFor(remote), network.headerLength());
        if (mtu > 0) {
            network.learnPathMtu(remote, mtu);
        }
        if (!lowerMss(synchronizedState)) {
            counters.pmtuIgnored.increment(); // no lower than we send, or nothing to resize yet
            return;
        }
        loss.onMssReduced();
    }

    /**
     * The network layer refused a segment of ours as larger than the path MTU it knows (DF is
     * on): it learnt a smaller one without an error for this connection (for another connection
     * to the peer, or in a family that learns from every "packet too big"). The MSS comes down
     * now; the refused segment and those after it go again once this send is over, if the
     * connection is still {@code alive} then.
     */
    void onSegmentTooBig(boolean synchronizedState, BooleanSupplier alive) {
        if (lowerMss(synchronizedState) && !resendPending) {
            resendPending = true;
            loop.execute(() -> {
                resendPending = false;
                if (alive.getAsBoolean()) {
                    loss.onMssReduced();
                }
            });
        }
    }

    /** Lowers the MSS to fit the path MTU the network layer reports, if that is smaller; whether it did. */
    private boolean lowerMss(boolean synchronizedState) {
        int pathMtu = network.mtuFor(remote);
        if (pathMtu <= 0 || !synchronizedState) {
            return false;
        }
        if (plpmtud != null) {
            plpmtud.onPathMtuLowered(pathMtu);
        }
        int mss = mssFor(pathMtu);
        if (mss >= snd.mss) {
            return false;
        }
        counters.pmtuReductions.increment();
        snd.mss = mss;
        cc.onMssChanged(mss);
        raiseCheckAt = loop.now() + RAISE_CHECK_NANOS;
        return true;
    }

    /**
     * While sending: if the path MTU that lowered the MSS has expired from the network layer's
     * cache (RFC 1191 6.3, RFC 8201 4: after 10 minutes by default), the MSS goes back up to
     * what the path now allows, and a router that still cannot take it says so again. Looked
     * at once a second at most; not while RFC 4821's probing sizes the segments (its own
     * search tries larger sizes again).
     */
    void maybeRaise(long now) {
        if (now - raiseCheckAt < 0) {
            return;
        }
        raiseCheckAt = now + RAISE_CHECK_NANOS;
        if (plpmtud != null && plpmtud.enabled) {
            return;
        }
        int pathMtu = network.mtuFor(remote);
        if (pathMtu <= 0) {
            return;
        }
        int mss = mssFor(pathMtu);
        if (mss > snd.mss) {
            counters.pmtuRaises.increment();
            snd.mss = mss;
            cc.onMssChanged(mss);
        }
    }

    // ---- sizes, shared with RFC 4821's search ----

    /** IP and TCP headers, without TCP options. */
    int headers() {
        return network.headerLength() + TcpHeader.HEADER_LENGTH;
    }

    /**
     * The payload a segment may carry in a packet of {@code packet} bytes: what is left after the
     * headers and the options every segment carries (timestamps), within the peer's MSS.
     */
    int mssFor(int packet) {
        return Math.max(Handshake.MIN_MSS, Math.min(snd.peerMss, packet - headers())
                - (rtt.tsEnabled ? TcpHeader.TIMESTAMPS_LENGTH : 0));
    }

    /** The packet a segment of {@code mss} bytes makes, with its headers and the options every segment carries. */
    int packetFor(int mss) {
        return mss + headers() + (rtt.tsEnabled ? TcpHeader.TIMESTAMPS_LENGTH : 0);
    }

    /** The largest packet a segment may be: the path MTU the network layer knows, within the peer's MSS. */
    int largestPacket() {
        int mtu = network.mtuFor(remote);
        return Math.min(mtu > 0 ? mtu : 576, snd.peerMss + headers());
    }

    /** The smallest path MTU believed for the family (RFC 5927 7.2's floor, or IPv6's 1280). */
    int floorPacket() {
        return network.headerLength() >= 40 ? IPV6_FLOOR : IPV4_FLOOR;
    }

    /**
     * The path MTU to believe from an error reporting {@code reported} (0: none) while the path
     * MTU is {@code current}, over a network header of {@code headerLength} bytes (20 for IPv4,
     * 40 for IPv6); -1 if the error is to be ignored because it would not lower the MTU (RFC 1191
     * 6.3: an error never raises it).
     */
    static int believe(int reported, int current, int headerLength) {
        int floor = headerLength >= 40 ? IPV6_FLOOR : IPV4_FLOOR;
        int mtu = reported > 0 ? reported : plateauBelow(current);
        mtu = Math.max(mtu, floor);
        return mtu < current ? mtu : -1;
    }

    /** RFC 1191 7: the largest plateau below {@code mtu}. */
    static int plateauBelow(int mtu) {
        for (int p : PLATEAUS) {
            if (p < mtu) {
                return p;
            }
        }
        return PLATEAUS[PLATEAUS.length - 1];
    }
}
