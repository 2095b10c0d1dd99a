package example.thirdparty.tcp;

import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.policy.SendBufferingPolicyProvider;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A third party's send-buffering policy, registered only through {@code META-INF/services}:
 * {@code hold-for-batch} keeps a partial segment until {@link #BATCH} bytes have gathered (or a
 * FIN follows), but never longer than {@link #HOLD_NANOS}; it counts its decisions.
 */
public final class HoldForBatchProvider implements SendBufferingPolicyProvider {
    public static final String NAME = "hold-for-batch";
    public static final int BATCH = 512;
    public static final long HOLD_NANOS = 3_000_000;
    /** See {@link HoldForBatch#decide}. */
    public static final int LIVELOCK_GUARD = 10_000;
    public static final List<HoldForBatch> CREATED = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Example Corp batching: " + BATCH + " bytes or 3 ms";
    }

    @Override
    public SendBufferingPolicy create(PolicyContext context) {
        HoldForBatch p = new HoldForBatch();
        CREATED.add(p);
        return p;
    }

    public static final class HoldForBatch implements SendBufferingPolicy {
        public final AtomicLong decisions = new AtomicLong();
        public final AtomicLong sent = new AtomicLong();
        public final AtomicLong held = new AtomicLong();

        /** Decisions asked for data already held longer than {@link #HOLD_NANOS}, over all time. */
        public final AtomicLong overdueDecisions = new AtomicLong();
        /** The most overdue decisions asked at one instant: a sender that honours the timer asks at most once. */
        public final AtomicLong maxOverdueAtOneInstant = new AtomicLong();
        private long overdueInstant = Long.MIN_VALUE;
        private long overdueHere;

        /**
         * Pure, as the SPI asks: it never looks at the clock to decide. The contract of
         * {@link Decision#HOLD_WITH_TIMER} is that the <em>sender</em> sends the data once the
         * hold timeout has passed. The clock is read only to notice a sender that asks again and
         * again at the same instant instead (its hold timer re-armed in the past, a livelock);
         * after {@link #LIVELOCK_GUARD} such questions the policy gives in and says SEND, so that
         * a test sees the fault as a failed assertion rather than a hung event loop.
         */
        @Override
        public Decision decide(State s) {
            decisions.incrementAndGet();
            if (s.unsentBytes() >= BATCH || s.finQueued()) {
                sent.incrementAndGet();
                return Decision.SEND;
            }
            if (s.nowNanos() - s.oldestUnsentWrittenAtNanos() >= HOLD_NANOS) {
                overdueDecisions.incrementAndGet();
                if (s.nowNanos() != overdueInstant) {
                    overdueInstant = s.nowNanos();
                    overdueHere = 0;
                }
                overdueHere++;
                maxOverdueAtOneInstant.accumulateAndGet(overdueHere, Math::max);
                if (overdueHere >= LIVELOCK_GUARD) {
                    sent.incrementAndGet();
                    return Decision.SEND;
                }
            }
            held.incrementAndGet();
            return Decision.HOLD_WITH_TIMER;
        }

        @Override
        public long holdTimeoutNanos() {
            return HOLD_NANOS;
        }

        @Override
        public String toString() {
            return "HoldForBatch[decisions " + decisions + ", sent " + sent + ", held " + held + "]";
        }
    }
}
