package dev.tsunagu.tcp;

import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;

/** The {@code tcp} counter group: the TCP MIB's names (RFC 4022) and one counter per drop reason. */
final class TcpCounters {
    final Counter activeOpens;
    final Counter passiveOpens;
    final Counter attemptFails;
    final Counter estabResets;
    final Counter inSegs;
    final Counter outSegs;
    final Counter retransSegs;
    final Counter inErrs;
    final Counter outRsts;
    final Counter inCsumErrors;
    final Counter dropTruncated;
    final Counter dropBadDataOffset;
    final Counter dropBadOptions;
    final Counter dropSynFin;
    final Counter dropSynRst;
    final Counter dropFinRst;
    final Counter dropNoControl;
    final Counter dropBroadcast;
    final Counter dropNoAck;
    final Counter listenOverflows;
    final Counter synQueueOverflows;
    final Counter transparentDeclined;
    final Counter syncookiesSent;
    final Counter syncookiesRecv;
    final Counter syncookiesFailed;
    final Counter challengeAcks;
    final Counter challengeAcksLimited;
    final Counter ackRateLimited;
    final Counter outOfWindow;
    final Counter badAcks;
    final Counter dupAcks;
    final Counter fastRetransmits;
    final Counter timeouts;
    final Counter abortOnTimeout;
    final Counter handshakeTimeouts;
    final Counter outOfOrderSegments;
    final Counter outOfOrderDrops;
    final Counter duplicateData;
    final Counter zeroWindowProbesAcked;
    final Counter windowProbes;
    final Counter windowUpdates;
    final Counter keepaliveProbes;
    final Counter inRsts;
    final Counter rstsOutOfWindow;
    final Counter rstsNoConnection;
    final Counter outRstsAborts;
    final Counter pawsRejected;
    final Counter sackRecoveries;
    final Counter lostRetransmits;
    final Counter tailLossProbes;
    final Counter pmtuReductions;
    final Counter pmtuIgnored;
    final Counter pmtuRaises;
    final Counter pmtuBlackHoles;
    final Counter mtuProbes;
    final Counter mtuProbeSuccesses;
    final Counter mtuProbeFailures;
    final Counter ecnConnections;
    final Counter ecnCeReceived;
    final Counter ecnReductions;
    final Counter ecnSynFallbacks;
    final Counter dsacksSent;
    final Counter dsacksReceived;
    final Counter tailLossProbeRecoveries;

    /** The counter of a segment {@link Segment#parse} refused. */
    Counter rejected(Segment.Verdict v) {
        return switch (v) {
            case BAD_OPTIONS -> dropBadOptions;
            case SYN_FIN -> dropSynFin;
            case SYN_RST -> dropSynRst;
            case FIN_RST -> dropFinRst;
            case NO_CONTROL -> dropNoControl;
            case OK -> throw new IllegalArgumentException("OK is not a rejection");
        };
    }

    TcpCounters(CounterGroup g) {
        activeOpens = g.counter("ActiveOpens", "connections opened by us (SYN sent)");
        passiveOpens = g.counter("PassiveOpens", "connections opened by peers (SYN received at a listener)");
        attemptFails = g.counter("AttemptFails", "connects that failed (refused, timed out)");
        estabResets = g.counter("EstabResets", "established connections reset by the peer");
        inSegs = g.counter("InSegs", "segments received");
        outSegs = g.counter("OutSegs", "segments sent");
        retransSegs = g.counter("RetransSegs", "segments retransmitted");
        inErrs = g.counter("InErrs", "segments dropped as malformed");
        outRsts = g.counter("OutRsts", "RST segments sent");
        inCsumErrors = g.counter("InCsumErrors", "segments with a wrong checksum");
        dropTruncated = g.counter("DropTruncated", "shorter than a TCP header");
        dropBadDataOffset = g.counter("DropBadDataOffset", "data offset below 5 or beyond the segment");
        dropBadOptions = g.counter("DropBadOptions", "malformed options");
        dropSynFin = g.counter("DropSynFin", "segments with SYN and FIN together");
        dropSynRst = g.counter("DropSynRst", "segments with SYN and RST together");
        dropFinRst = g.counter("DropFinRst", "segments with FIN and RST together");
        dropNoControl = g.counter("DropNoControl", "segments with none of SYN, ACK and RST (null, FIN, Xmas scans)");
        dropBroadcast = g.counter("DropBroadcast", "segments to a broadcast or multicast address");
        dropNoAck = g.counter("DropNoAck", "segments without ACK in a synchronized state");
        listenOverflows = g.counter("ListenOverflows",
                "SYNs and handshake-completing ACKs dropped because a listener's accept queue (backlog) was full");
        synQueueOverflows = g.counter("SynQueueOverflows",
                "SYNs that found a listener's SYN queue full (answered with a cookie, or dropped without cookies)");
        transparentDeclined = g.counter("TransparentDeclined",
                "SYNs the transparent listener's filter declined (answered with RST)");
        syncookiesSent = g.counter("SyncookiesSent", "SYN-ACKs sent with a SYN cookie (RFC 4987)");
        syncookiesRecv = g.counter("SyncookiesRecv", "valid SYN cookies returned: connections made from them");
        syncookiesFailed = g.counter("SyncookiesFailed", "ACKs at a listener with a forged or stale SYN cookie (dropped)");
        challengeAcks = g.counter("ChallengeAcks", "RFC 5961 challenge ACKs sent");
        challengeAcksLimited = g.counter("ChallengeAcksLimited", "challenge ACKs not sent because of the rate limit");
        ackRateLimited = g.counter("AckRateLimited", "ACKs for out-of-window segments not sent (rate limit)");
        outOfWindow = g.counter("OutOfWindow", "segments outside the receive window");
        badAcks = g.counter("BadAcks", "segments acknowledging data never sent (or far too old)");
        dupAcks = g.counter("DupAcks", "duplicate ACKs received");
        fastRetransmits = g.counter("FastRetransmits", "fast retransmits (three duplicate ACKs)");
        timeouts = g.counter("Timeouts", "retransmission timeouts");
        abortOnTimeout = g.counter("AbortOnTimeout",
                "connections aborted because the retransmission limit ran out (tcp.maxRetries timeouts in a row)");
        handshakeTimeouts = g.counter("HandshakeTimeouts",
                "handshakes given up because the SYN or SYN-ACK retries ran out (tcp.synRetries)");
        outOfOrderSegments = g.counter("OutOfOrderSegments", "segments received out of order (kept)");
        outOfOrderDrops = g.counter("OutOfOrderDrops", "out-of-order segments dropped (too many holes)");
        duplicateData = g.counter("DuplicateData", "segments whose data we already had");
        zeroWindowProbesAcked = g.counter("ZeroWindowProbesAcked", "zero-window probes answered");
        windowProbes = g.counter("WindowProbes", "zero-window probes sent");
        windowUpdates = g.counter("WindowUpdates", "window updates sent after the application read");
        keepaliveProbes = g.counter("KeepaliveProbes", "keepalive probes sent");
        inRsts = g.counter("InRsts", "acceptable RSTs received");
        rstsOutOfWindow = g.counter("RstsOutOfWindow", "RSTs outside the receive window, dropped silently (RFC 5961 3.2)");
        rstsNoConnection = g.counter("RstsNoConnection",
                "RSTs for no connection (a closed port, or a listener), ignored (RFC 9293 3.10.7.1, 3.10.7.2)");
        outRstsAborts = g.counter("OutRstsAborts", "RSTs sent to abort our own connections");
        pawsRejected = g.counter("PawsRejected", "segments dropped as old duplicates by their timestamp (RFC 7323 PAWS)");
        sackRecoveries = g.counter("SackRecoveries", "loss recoveries driven by SACK (RFC 6675)");
        lostRetransmits = g.counter("LostRetransmits", "retransmissions found lost (data sent after them was SACKed) and sent again");
        tailLossProbes = g.counter("TailLossProbes", "tail loss probes sent (RFC 8985 7)");
        pmtuReductions = g.counter("PmtuReductions", "MSS lowered on a connection by a checked fragmentation needed (RFC 1191)");
        pmtuIgnored = g.counter("PmtuIgnored",
                "fragmentation needed errors ignored: quoting no segment in flight (RFC 5927) or not lowering the MSS");
        pmtuRaises = g.counter("PmtuRaises", "MSS raised on a connection when a learnt path MTU expired (RFC 1191 6.3, RFC 8201 4)");
        pmtuBlackHoles = g.counter("PmtuBlackHoles",
                "MSS lowered after full-sized segments timed out in a row: an ICMP black hole suspected (RFC 4821 7.7)");
        mtuProbes = g.counter("MtuProbes", "path MTU probes sent (RFC 4821 7.4)");
        mtuProbeSuccesses = g.counter("MtuProbeSuccesses", "path MTU probes acknowledged: the MSS went up (RFC 4821 7.6.1)");
        mtuProbeFailures = g.counter("MtuProbeFailures", "path MTU probes lost alone: the size is too big (RFC 4821 7.6.2)");
        ecnConnections = g.counter("EcnConnections", "connections that negotiated ECN (RFC 3168 6.1.1)");
        ecnCeReceived = g.counter("EcnCeReceived", "data segments that arrived marked CE (RFC 3168 6.1.3)");
        ecnReductions = g.counter("EcnReductions", "window reductions for an ECE echo (RFC 3168 6.1.2)");
        dsacksSent = g.counter("DsacksSent", "D-SACK blocks sent for data that arrived again (RFC 2883)");
        dsacksReceived = g.counter("DsacksReceived", "ACKs whose first SACK block was a D-SACK (RFC 2883): data the peer got twice");
        tailLossProbeRecoveries = g.counter("TailLossProbeRecoveries",
                "tail loss probes that repaired a loss (RFC 8985 7.4): the window reduced as for a fast recovery");
        ecnSynFallbacks = g.counter("EcnSynFallbacks", "SYNs sent again without ECN setup after a timeout (RFC 3168 6.1.1.1)");
    }
}
