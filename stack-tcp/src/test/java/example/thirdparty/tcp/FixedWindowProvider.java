package example.thirdparty.tcp;

import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.CongestionControlProvider;
import dev.tsunagu.policy.PolicyContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A third party's congestion control, registered only through {@code META-INF/services}:
 * {@code fixed-window}, a constant window of {@link #SEGMENTS} segments that ignores loss,
 * counting every event it receives so a test can see what the stack told it.
 */
public final class FixedWindowProvider implements CongestionControlProvider {
    public static final String NAME = "fixed-window";
    /** The window, in segments of the connection's current MSS. */
    public static final int SEGMENTS = 7;
    /** Every controller made in this JVM, in order (the stack makes one per connection). */
    public static final List<FixedWindow> CREATED = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Example Corp fixed window: " + SEGMENTS + " segments, whatever happens";
    }

    @Override
    public CongestionControl create(PolicyContext context) {
        FixedWindow w = new FixedWindow(context.mss());
        CREATED.add(w);
        return w;
    }

    /** One connection's controller; its counters are read by the test thread. */
    public static final class FixedWindow implements CongestionControl {
        public final int createdWithMss;
        public volatile int mss;
        public final AtomicLong acks = new AtomicLong();
        public final AtomicLong ackedBytes = new AtomicLong();
        public final AtomicLong rttSamples = new AtomicLong();
        public final AtomicLong sends = new AtomicLong();
        public final AtomicLong sentBytes = new AtomicLong();
        public final AtomicLong duplicateAcks = new AtomicLong();
        public final AtomicLong fastRetransmits = new AtomicLong();
        public final AtomicLong timeouts = new AtomicLong();
        public final AtomicLong mssChanges = new AtomicLong();
        /** The largest bytes-in-flight the stack reported: never more than the window. */
        public final AtomicLong maxInFlight = new AtomicLong();

        FixedWindow(int mss) {
            this.createdWithMss = mss;
            this.mss = mss;
        }

        @Override
        public long congestionWindow() {
            return (long) SEGMENTS * mss;
        }

        @Override
        public long slowStartThreshold() {
            return congestionWindow();
        }

        @Override
        public void onAck(long now, long acked, long rttNanos, long bytesInFlight) {
            acks.incrementAndGet();
            ackedBytes.addAndGet(acked);
            if (rttNanos >= 0) {
                rttSamples.incrementAndGet();
            }
        }

        @Override
        public void onDuplicateAck(long now, int count, long bytesInFlight) {
            duplicateAcks.incrementAndGet();
        }

        @Override
        public void onFastRetransmit(long now, long bytesInFlight) {
            fastRetransmits.incrementAndGet();
        }

        @Override
        public void onRecoveryEnd(long now) {}

        @Override
        public void onRetransmissionTimeout(long now, long bytesInFlight) {
            timeouts.incrementAndGet();
        }

        @Override
        public void onSent(long now, long bytes, long bytesInFlight) {
            sends.incrementAndGet();
            sentBytes.addAndGet(bytes);
            maxInFlight.accumulateAndGet(bytesInFlight, Math::max);
        }

        @Override
        public boolean inRecovery() {
            return false;
        }

        @Override
        public void onMssChanged(int newMss) {
            mssChanges.incrementAndGet();
            mss = newMss;
        }

        @Override
        public String toString() {
            return "FixedWindow[mss " + mss + ", acks " + acks + " (" + ackedBytes + " B), sends " + sends + " ("
                    + sentBytes + " B), max in flight " + maxInFlight + "]";
        }
    }
}
