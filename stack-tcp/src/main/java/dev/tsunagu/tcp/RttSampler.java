package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.ge;
import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.le;
import static dev.tsunagu.tcp.SeqNum.lt;
import static dev.tsunagu.tcp.wire.TcpHeader.RST;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.policy.RetransmissionPolicy;
import dev.tsunagu.tcp.wire.TcpHeader;

/**
 * Round-trip time samples for the retransmission policy, and the timestamps that give them
 * (RFC 7323), with the timestamps' other job, PAWS. The policy ({@code Rfc6298} by default)
 * turns samples into a timeout; this class decides which round trips may be sampled at all.
 *
 * <p><b>Karn's rule</b> (RFC 6298 3): one segment at a time is timed by the clock, never a
 * retransmitted one, and a retransmission stops the timing, because the ACK of a segment sent
 * twice does not say which copy it answers.
 *
 * <p><b>Timestamps</b> (RFC 7323 4): when no segment is timed, the echo of our timestamp in an
 * ACK that moves SND.UNA times the segment that drew it, retransmitted or not; one sample per
 * flight (when SND.UNA passes the {@link #tsSampleGate}). An echo older than our latest
 * retransmission is not used: that copy's own ACK was lost, and its "RTT" would hold a whole
 * timeout. Our clock is milliseconds, offset per connection by a keyed value (RFC 7323 5.4).
 *
 * <p><b>PAWS</b> (RFC 7323 5): a segment whose timestamp is older than TS.Recent is an old
 * duplicate. TS.Recent is taken only from a segment that is not ahead of our ACK (4.3).
 *
 * <p>Called by the connection (segment arrival), the {@link Handshake} (options, the SYN's
 * sample), the {@link Sender} (timing new data, retransmissions) and {@link TcpOutput} (the
 * option on every segment). Calls only the retransmission policy.
 */
final class RttSampler {
    /** RFC 7323 5.5: PAWS does not trust a TS.Recent older than 24 days. */
    private static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;

    private final EventLoop loop;
    private final RetransmissionPolicy rto;
    /** A keyed per-connection offset of our timestamp clock (RFC 7323 5.4, as Linux's tsoffset). */
    private final int tsOffset;

    // ---- Karn: one timed segment at a time ----
    private boolean timing;
    private int timedSeq;
    private long timedAt;
    /** When our first SYN left (its RTT sample counts only if it was never retransmitted). */
    private long synSentAt;

    // ---- Timestamps (RFC 7323) ----
    boolean tsEnabled;
    /** TS.Recent: the peer's timestamp we echo, and when it was set (for PAWS's 24-day rule). */
    int tsRecent;
    private long tsRecentAt;
    /** Last.ACK.sent: the acknowledgment number of our latest segment. */
    int lastAckSent;
    /** An RTT sample from a timestamp echo is taken once per flight: when SND.UNA passes this. */
    private int tsSampleGate;
    /** Our timestamp on the latest retransmission: an echo older than it times a copy whose ACK was lost. */
    private int tsLastRetransmit;

    RttSampler(EventLoop loop, RetransmissionPolicy rto, int tsOffset) {
        this.loop = loop;
        this.rto = rto;
        this.tsOffset = tsOffset;
    }

    /** Our timestamp clock (RFC 7323 5.4): milliseconds, offset per connection. */
    int tsNow() {
        return tsClock(loop.now(), tsOffset);
    }

    /** The timestamp clock of a connection whose offset is {@code tsOffset}, at {@code nowNanos}. */
    static int tsClock(long nowNanos, int tsOffset) {
        return (int) Math.floorDiv(nowNanos, 1_000_000L) + tsOffset;
    }

    /** RFC 7323 3.2: timestamps are on only if both SYNs carried them; {@code peerTsValue} is the peer's SYN's. */
    void negotiate(boolean on, int peerTsValue) {
        tsEnabled = on;
        if (on) {
            tsRecent = peerTsValue;
            tsRecentAt = loop.now();
            tsLastRetransmit = tsNow();
        }
    }

    // ---- the handshake ----

    void onFirstSynSent() {
        synSentAt = loop.now();
    }

    /**
     * Our SYN (in SYN-SENT) or SYN-ACK (in SYN-RECEIVED) is acknowledged. Karn: no sample if
     * its round trip is {@code ambiguous} (sent more than once, or not timed at all).
     */
    void onSynAcked(boolean ambiguous) {
        if (!ambiguous) {
            rto.onRttSample(loop.now() - synSentAt);
        }
        rto.onNewDataAcked();
    }

    // ---- arrivals ----

    /**
     * RFC 7323 5.3 (PAWS): a timestamp older than TS.Recent marks an old duplicate, unless
     * TS.Recent is over 24 days old (the peer's clock may have wrapped since). Not for RSTs.
     */
    boolean pawsRejects(Segment s) {
        return tsEnabled && s.options.timestamps && !s.has(RST) && lt(s.options.tsValue, tsRecent)
                && loop.now() - tsRecentAt < PAWS_IDLE_NANOS;
    }

    /** RFC 7323 4.3: remember the timestamp to echo, from an acceptable segment that is not ahead of our ACK. */
    void onAcceptable(Segment s) {
        if (tsEnabled && s.options.timestamps && ge(s.options.tsValue, tsRecent) && le(s.seq, lastAckSent)) {
            tsRecent = s.options.tsValue;
            tsRecentAt = loop.now();
        }
    }

    /**
     * An ACK moved SND.UNA to {@code ack}: takes the sample it gives, if any, to the policy,
     * and ends the policy's backoff.
     *
     * <p>The congestion control gets more samples than the retransmission policy: with
     * timestamps, every ACK that moves SND.UNA echoes the segment that drew it (RFC 7323 4.1
     * allows a sample from each), and delay-based rules such as HyStart++ (RFC 9406) need
     * several per round trip; the retransmission timer keeps one per flight, the rate its
     * gains were made for.
     *
     * @return the congestion control's sample in nanoseconds (the policy's, or one from the echo), or -1
     */
    long onAckAdvanced(Segment s, int ack, int sndMax, long now) {
        long sample = -1;
        if (timing && gt(ack, timedSeq)) {
            sample = now - timedAt;
            timing = false;
        } else if (!timing && tsEnabled && s.options.timestamps && s.options.tsEcho != 0 && ge(ack, tsSampleGate)
                && ge(s.options.tsEcho, tsLastRetransmit)) {
            // RFC 7323 4.1: the echo times the segment that drew this ACK, retransmitted or not.
            // Not an echo from before our latest retransmission: that copy's own ACK was lost,
            // and its "RTT" would hold a whole timeout (which would then feed the next one).
            int ms = tsNow() - s.options.tsEcho;
            if (ms >= 0 && ms < 3_600_000) {
                sample = ms * 1_000_000L;
                tsLastRetransmit = s.options.tsEcho; // keeps the mark near the clock (no wrap)
            }
        }
        if (sample >= 0) {
            rto.onRttSample(sample);
            tsSampleGate = sndMax;
        } else if (tsEnabled && s.options.timestamps && s.options.tsEcho != 0 && ge(s.options.tsEcho, tsLastRetransmit)) {
            int ms = tsNow() - s.options.tsEcho;
            if (ms >= 0 && ms < 3_600_000) {
                sample = ms * 1_000_000L; // for the congestion control only
            }
        }
        rto.onNewDataAcked();
        return sample;
    }

    // ---- departures ----

    /** New data left at {@code seq}: time it, unless a segment is already timed. */
    void onNewDataSent(int seq) {
        if (!timing) {
            timing = true;
            timedSeq = seq;
            timedAt = loop.now();
        }
    }

    /** Something went again: an echo older than this moment times a copy whose ACK was lost. */
    void onRetransmit() {
        tsLastRetransmit = tsNow();
    }

    /** Karn: no RTT sample across a retransmission (or while recovery holds the timed segment's ACK back). */
    void stopTiming() {
        timing = false;
    }

    /**
     * Whether {@code s} echoes a timestamp of ours older than {@code sentAtNanos}: it answers a
     * copy sent before then (RFC 8985 6.2: a retransmission's RTT is not taken from it).
     */
    boolean echoBefore(Segment s, long sentAtNanos) {
        return tsEnabled && s.options.timestamps && s.options.tsEcho != 0
                && lt(s.options.tsEcho, tsClock(sentAtNanos, tsOffset));
    }

    /** Puts our timestamp, and the echo of TS.Recent (or 0, in our first SYN), into {@code o}. */
    void stamp(TcpHeader.Options o, boolean echo) {
        o.timestamps = true;
        o.tsValue = tsNow();
        o.tsEcho = echo ? tsRecent : 0;
    }
}
