package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.policy.SendBufferingPolicyProvider;
import dev.tsunagu.tcp.TcpOptions;

/**
 * The seeds' rule, {@code full-segment-or-timer}: send when a segment is full or a timer fires.
 * A partial segment waits until its oldest byte has waited {@link TcpOptions#SEND_HOLD} (read
 * when the policy is made), whatever is in flight; the sender arms the timer on
 * {@link SendBufferingPolicy.Decision#HOLD_WITH_TIMER}. A partial segment followed by the FIN
 * leaves at once: nothing more can be written to fill it.
 */
public final class FullSegmentOrTimerProvider implements SendBufferingPolicyProvider {
    @Override
    public String name() {
        return "full-segment-or-timer";
    }

    @Override
    public String description() {
        return "send when a segment is full or the hold timer (" + TcpOptions.SEND_HOLD.name() + ") fires";
    }

    /**
     * @throws IllegalArgumentException if {@link TcpOptions#SEND_HOLD} is negative
     */
    @Override
    public SendBufferingPolicy create(PolicyContext context) {
        long hold = context.option(TcpOptions.SEND_HOLD).toNanos();
        if (hold < 0) {
            throw new IllegalArgumentException(TcpOptions.SEND_HOLD.name() + " must not be negative: " + hold + " ns");
        }
        return new FullSegmentOrTimer(hold);
    }

    private record FullSegmentOrTimer(long holdTimeoutNanos) implements SendBufferingPolicy {
        @Override
        public Decision decide(State s) {
            if (s.finQueued() || s.unsentBytes() >= s.mss()
                    || s.nowNanos() - s.oldestUnsentWrittenAtNanos() >= holdTimeoutNanos) {
                return Decision.SEND;
            }
            return Decision.HOLD_WITH_TIMER;
        }

        @Override
        public String toString() {
            return "full-segment-or-timer[hold=" + holdTimeoutNanos / 1_000 + "us]";
        }
    }
}
