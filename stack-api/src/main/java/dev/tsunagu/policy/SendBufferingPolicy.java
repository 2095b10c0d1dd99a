package dev.tsunagu.policy;

/**
 * Decides whether a <em>partial</em> segment (less than one MSS of data) leaves now: the
 * seeds' trade-off between filling packets and not making the application wait.
 *
 * <p>TCP asks only about partial segments; a full MSS always leaves (window permitting), and
 * so does anything when the application forces a push. A policy is a pure function of the
 * {@link State} it is shown: it owns no timers and touches no connection. Shipped with
 * {@code stack-tcp}: {@code nagle} (RFC 896, the default), {@code nodelay}
 * ({@code TCP_NODELAY}) and {@code full-segment-or-timer} (the seeds' "send when a segment
 * is full or a timer fires").
 */
public interface SendBufferingPolicy {
    /** What to do with a partial segment. */
    enum Decision {
        /** Send the partial segment now. */
        SEND,
        /** Wait: for more data, or for outstanding data to be acknowledged. */
        HOLD,
        /** Wait, but send it when {@link #holdTimeoutNanos()} has passed since the data was written. */
        HOLD_WITH_TIMER
    }

    /** The sender's situation, read through a reused view (no allocation per decision). */
    interface State {
        /** Bytes written by the application and not yet sent (less than one MSS here). */
        int unsentBytes();

        /** The effective maximum segment size. */
        int mss();

        /** Bytes sent and not yet acknowledged. */
        long bytesInFlight();

        /** Whether a FIN follows the unsent bytes (the application closed). */
        boolean finQueued();

        /** The time now, in the loop's nanoseconds. */
        long nowNanos();

        /** When the oldest unsent byte was written, in the loop's nanoseconds. */
        long oldestUnsentWrittenAtNanos();
    }

    /**
     * Decides about the partial segment described by {@code state}; called on the event loop. The
     * {@code state} view is reused: read it during the call, do not keep it.
     */
    Decision decide(State state);

    /** For {@link Decision#HOLD_WITH_TIMER}: how long data may wait before it leaves anyway. */
    default long holdTimeoutNanos() {
        return 0;
    }
}
