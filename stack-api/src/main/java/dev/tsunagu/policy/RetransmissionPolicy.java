package dev.tsunagu.policy;

/**
 * One connection's retransmission timer policy: how long to wait for an ACK, how to back
 * off, and when to give up. The default (RFC 6298: SRTT/RTTVAR, Karn's rule, 1 s initial RTO,
 * configurable floor and ceiling, exponential backoff, a retry limit) ships with
 * {@code stack-tcp}.
 */
public interface RetransmissionPolicy {
    /** A round-trip time measured on data that was not retransmitted (Karn's rule is the sender's job). */
    void onRttSample(long rttNanos);

    /** The timeout to arm now, backoff included. */
    long currentTimeoutNanos();

    /**
     * The timer fired: back off. Returns whether to retransmit again (true) or give up and
     * abort the connection (false).
     */
    boolean onTimeout(long now);

    /** New data was acknowledged: the backoff ends. */
    void onNewDataAcked();

    /** Smoothed RTT, or -1 before the first sample (for the socket table). */
    long smoothedRttNanos();

    /** RTT variation, or -1 before the first sample. */
    long rttVariationNanos();

    /** Consecutive timeouts so far. */
    int consecutiveTimeouts();
}
