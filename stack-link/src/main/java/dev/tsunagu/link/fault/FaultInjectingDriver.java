package dev.tsunagu.link.fault;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.ForwardingDriverContext;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.fault.FaultPlan.Direction;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LinkDriver} decorator that makes the wire behind any driver lossy, noisy, slow and
 * out of order according to a {@link FaultPlan}, reproducibly from a seed.
 *
 * <p>Why a decorator: every driver (cable, TAP, pcap, third-party) then gets the same faults
 * for free, and protocol tests can exercise loss recovery against real drivers as well as
 * against the in-memory cable.
 *
 * <p>Frames the stack transmits go through the plan on the loop thread before they reach the
 * wrapped driver; frames the wrapped driver receives go through it in the wrapped
 * {@link DriverContext} before they reach the stack. Per frame, in this order: drop, duplicate
 * (a pooled copy of the unmodified frame follows it), corrupt (one bit flipped in place),
 * delay, reorder, rate limit. Every random decision for a frame is taken when it enters, on
 * the calling thread, from that direction's own seeded generator; everything that needs time
 * (delay, reorder window, shaping) happens on the event loop with loop timers. On a
 * {@link dev.tsunagu.loop.VirtualEventLoop} a run is therefore a pure function of the seed and
 * the traffic.
 *
 * <p>{@link #transmit} returns {@code true} once the decorator has accepted a frame, even if
 * the plan then drops it: a lossy wire is not a driver error. Only a frame passed straight
 * through reports the wrapped driver's own answer.
 *
 * <p>Memory is bounded: each direction holds at most {@link FaultPlan#maxInFlight()} frames
 * (delayed, held for reordering or queued by the shaper); beyond that new frames are dropped
 * and counted in {@link FaultStatistics#overflowDrops()}.
 */
public final class FaultInjectingDriver extends ForwardingLinkDriver {
    private static final Logger log = LoggerFactory.getLogger(FaultInjectingDriver.class);
    /** Decorrelates the receive stream from the transmit stream of the same seed. */
    private static final long RECEIVE_SEED_SALT = 0x9E37_79B9_7F4A_7C15L;

    private final FaultPlan plan;
    private final long seed;
    private final FaultStatistics statistics = new FaultStatistics();
    private final Lane transmitLane;
    private final Lane receiveLane;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Wraps {@code inner} so that its frames suffer {@code plan}'s faults.
     *
     * @param inner the driver to wrap; this decorator owns it from now on and closes it
     * @param plan  the faults to inject
     * @param seed  seeds the random decisions; the same seed and traffic give the same faults
     */
    public FaultInjectingDriver(LinkDriver inner, FaultPlan plan, long seed) {
        super(Objects.requireNonNull(inner, "inner"));
        this.plan = Objects.requireNonNull(plan, "plan");
        this.seed = seed;
        boolean active = !plan.isNone();
        this.transmitLane = active && plan.direction().includes(Direction.TRANSMIT)
                ? new Lane("tx", new SplittableRandom(seed), this::sendToInner) : null;
        this.receiveLane = active && plan.direction().includes(Direction.RECEIVE)
                ? new Lane("rx", new SplittableRandom(seed ^ RECEIVE_SEED_SALT), this::deliverToStack) : null;
    }

    @Override
    public String name() {
        return "fault(" + delegate().name() + ")";
    }

    public FaultPlan plan() {
        return plan;
    }

    public long seed() {
        return seed;
    }

    /** What the decorator has done so far, over both directions. */
    public FaultStatistics statistics() {
        return statistics;
    }

    @Override
    protected DriverContext innerContext(DriverContext stack) {
        return receiveLane == null ? stack : new FaultingContext(stack);
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        if (transmitLane == null || context() == null) {
            return delegate().transmit(frame); // nothing to inject, or not open: the inner driver answers
        }
        return transmitLane.offer(frame);
    }

    /**
     * Closes the wrapped driver and releases every frame still held. Held frames are loop
     * state: they are released at once when called on the loop thread, otherwise by a task
     * posted to the loop (or directly if the loop has already stopped). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            delegate().close(); // first: no more frames arrive while the lanes empty
        } finally {
            DriverContext ctx = context();
            if (ctx != null && (transmitLane != null || receiveLane != null)) {
                EventLoop loop = ctx.loop();
                if (loop.inEventLoop()) {
                    shutdownLanes(true);
                } else {
                    try {
                        loop.execute(() -> shutdownLanes(true));
                    } catch (RejectedExecutionException e) {
                        shutdownLanes(false); // the loop is gone: nobody else touches lane state
                    }
                }
            }
        }
    }

    private void shutdownLanes(boolean onLoop) {
        if (transmitLane != null) {
            transmitLane.shutdown(onLoop);
        }
        if (receiveLane != null) {
            receiveLane.shutdown(onLoop);
        }
    }

    private boolean sendToInner(PacketBuffer frame) {
        return delegate().transmit(frame);
    }

    private boolean deliverToStack(PacketBuffer frame) {
        return context().receive(frame);
    }

    @Override
    public String toString() {
        return name() + " " + plan.toSpec() + " seed=" + seed;
    }

    /** Where a lane's surviving frames go: the wrapped driver, or the stack. */
    @FunctionalInterface
    private interface Sink {
        boolean accept(PacketBuffer frame);
    }

    /** A frame waiting out its delay; ordered by deadline, then arrival. */
    private record Delayed(long deadline, long order, PacketBuffer frame, boolean hold) implements Comparable<Delayed> {
        @Override
        public int compareTo(Delayed o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /**
     * The plan applied to one direction. {@link #offer} may run on any thread (one at a time
     * per lane: drivers read on one thread); the stages after it are loop-confined.
     */
    private final class Lane {
        private final String label;
        private final RandomGenerator random;
        private final Sink sink;
        /** Frames between {@link #offer} and the sink (or their release); bounded by the plan. */
        private final AtomicInteger inFlight = new AtomicInteger();

        // ---- loop-confined ----
        private final PriorityQueue<Delayed> delayed = new PriorityQueue<>();
        private long delayedOrder;
        private Timer delayTimer;
        private PacketBuffer held;
        private Timer reorderTimer;
        private final ArrayDeque<PacketBuffer> shaperQueue = new ArrayDeque<>();
        private Timer shaperTimer;
        /** When the shaper may send next: {@code nextDeparture + nextDepartureFraction / rate} ns. */
        private long nextDeparture = Long.MIN_VALUE;
        private long nextDepartureFraction;

        Lane(String label, RandomGenerator random, Sink sink) {
            this.label = label;
            this.random = random;
            this.sink = sink;
        }

        private boolean hit(double probability) {
            return probability > 0 && random.nextDouble() < probability;
        }

        /** Takes ownership of {@code frame} and decides its fate. */
        boolean offer(PacketBuffer frame) {
            if (closed.get()) {
                frame.release();
                return false;
            }
            DriverContext ctx = context();
            PacketBuffer copy = null;
            long delayNanos = -1;
            boolean hold;
            synchronized (this) { // the generator is not thread-safe; drivers rarely contend
                if (hit(plan.drop())) {
                    statistics.dropped.increment();
                    frame.release();
                    return true;
                }
                if (hit(plan.duplicate()) && frame.length() <= ctx.buffers().maxLength()) {
                    copy = ctx.buffers().copyOf(frame);
                    statistics.duplicated.increment();
                }
                if (hit(plan.corrupt()) && frame.length() > 0) {
                    int bit = random.nextInt(frame.length() * 8);
                    frame.setU8(bit >>> 3, frame.getU8(bit >>> 3) ^ (1 << (bit & 7)));
                    statistics.corrupted.increment();
                }
                if (hit(plan.delayProbability())) {
                    long jitter = plan.jitter().toNanos();
                    delayNanos = plan.delay().toNanos() + (jitter > 0 ? random.nextLong(jitter + 1) : 0);
                }
                hold = hit(plan.reorder());
            }
            if (delayNanos < 0 && !plan.needsLoopForEveryFrame()) {
                boolean accepted = emit(frame);
                if (copy != null) {
                    emit(copy);
                }
                return accepted;
            }
            enter(ctx.loop(), frame, delayNanos, hold);
            if (copy != null) {
                enter(ctx.loop(), copy, delayNanos, false); // the copy never gets held: it releases a held original
            }
            return true;
        }

        /** Hands a frame to the loop-side stages, if the in-flight bound allows. */
        private void enter(EventLoop loop, PacketBuffer frame, long delayNanos, boolean hold) {
            if (inFlight.incrementAndGet() > plan.maxInFlight()) {
                inFlight.decrementAndGet();
                statistics.overflowDrops.increment();
                frame.release();
                return;
            }
            if (loop.inEventLoop()) {
                delayStage(frame, delayNanos, hold);
                return;
            }
            try {
                loop.execute(() -> delayStage(frame, delayNanos, hold));
            } catch (RejectedExecutionException e) {
                discard(frame); // the loop is closed: so, in effect, is this wire
            }
        }

        // ---- loop-side stages: delay -> reorder -> shaper -> sink ----

        private void delayStage(PacketBuffer frame, long delayNanos, boolean hold) {
            if (closed.get()) {
                discard(frame);
                return;
            }
            if (delayNanos < 0) {
                reorderStage(frame, hold);
                return;
            }
            statistics.delayed.increment();
            EventLoop loop = context().loop();
            delayed.add(new Delayed(saturatingAdd(loop.now(), delayNanos), delayedOrder++, frame, hold));
            if (delayTimer == null) {
                delayTimer = loop.newTimer("fault-delay-" + label, this::onDelayTimer);
            }
            delayTimer.scheduleAt(delayed.peek().deadline());
        }

        private void onDelayTimer() {
            if (closed.get()) {
                return;
            }
            long now = context().loop().now();
            Delayed d;
            while ((d = delayed.peek()) != null && d.deadline() <= now) {
                delayed.poll();
                reorderStage(d.frame(), d.hold());
            }
            if (d != null) {
                delayTimer.scheduleAt(d.deadline());
            }
        }

        private void reorderStage(PacketBuffer frame, boolean hold) {
            if (held != null) {
                PacketBuffer earlier = held;
                held = null;
                reorderTimer.cancel();
                statistics.reordered.increment();
                shaperStage(frame);
                shaperStage(earlier);
                return;
            }
            if (hold) {
                held = frame;
                if (reorderTimer == null) {
                    reorderTimer = context().loop().newTimer("fault-reorder-" + label, this::onReorderTimer);
                }
                reorderTimer.scheduleAfter(plan.reorderWindow().toNanos());
                return;
            }
            shaperStage(frame);
        }

        private void onReorderTimer() {
            if (closed.get() || held == null) {
                return;
            }
            PacketBuffer frame = held;
            held = null;
            shaperStage(frame); // nobody came to overtake it: it goes late but in order
        }

        private void shaperStage(PacketBuffer frame) {
            if (plan.rateBitsPerSecond() == 0) {
                emitFromLoop(frame);
                return;
            }
            if (shaperQueue.size() >= plan.rateQueueFrames()) {
                statistics.shapedDrops.increment();
                discard(frame);
                return;
            }
            long now = context().loop().now();
            if (shaperQueue.isEmpty() && !departureAfter(now)) {
                // The bucket refilled while idle: this frame may go now. Credit does not
                // accumulate beyond that (the bucket is one frame deep), so no burst follows.
                nextDeparture = now;
                nextDepartureFraction = 0;
            }
            shaperQueue.add(frame);
            if (shaperTimer == null || !shaperTimer.isPending()) {
                drainShaper();
            }
        }

        /** Whether the next departure lies after {@code now}. */
        private boolean departureAfter(long now) {
            return nextDeparture > now || (nextDeparture == now && nextDepartureFraction > 0);
        }

        /**
         * Sends every queued frame whose departure time has come; each departure pushes the
         * next one back by the frame's serialization time {@code bits / rate}, kept exact (with
         * a remainder in units of 1/rate ns) so that no rounding accumulates.
         */
        private void drainShaper() {
            if (closed.get()) {
                return;
            }
            long now = context().loop().now();
            long rate = plan.rateBitsPerSecond();
            while (!shaperQueue.isEmpty() && !departureAfter(now)) {
                PacketBuffer frame = shaperQueue.poll();
                long scaled = frame.length() * 8L * 1_000_000_000L; // < 2^40 for any frame
                nextDeparture += scaled / rate;
                nextDepartureFraction += scaled % rate;
                if (nextDepartureFraction >= rate) {
                    nextDepartureFraction -= rate;
                    nextDeparture++;
                }
                emitFromLoop(frame);
            }
            if (!shaperQueue.isEmpty()) {
                if (shaperTimer == null) {
                    shaperTimer = context().loop().newTimer("fault-shaper-" + label, this::drainShaper);
                }
                shaperTimer.scheduleAt(nextDeparture + (nextDepartureFraction > 0 ? 1 : 0));
            }
        }

        /** The last stage, for frames counted in {@link #inFlight}. */
        private void emitFromLoop(PacketBuffer frame) {
            inFlight.decrementAndGet();
            if (closed.get()) {
                frame.release();
                return;
            }
            emit(frame);
        }

        private boolean emit(PacketBuffer frame) {
            statistics.forwarded.increment();
            try {
                return sink.accept(frame);
            } catch (RuntimeException e) {
                // Against the driver contract, but one bad frame must not stall the lane.
                context().reportError(name() + ": " + label + " path threw on a frame", e);
                return false;
            }
        }

        /** Releases a frame counted in {@link #inFlight} without sending it. */
        private void discard(PacketBuffer frame) {
            inFlight.decrementAndGet();
            frame.release();
        }

        /** Releases everything held and disarms the timers; {@code onLoop} says timers may be touched. */
        void shutdown(boolean onLoop) {
            int released = 0;
            for (Delayed d; (d = delayed.poll()) != null; released++) {
                discard(d.frame());
            }
            if (held != null) {
                discard(held);
                held = null;
                released++;
            }
            for (PacketBuffer b; (b = shaperQueue.poll()) != null; released++) {
                discard(b);
            }
            if (onLoop) {
                for (Timer t : new Timer[] {delayTimer, reorderTimer, shaperTimer}) {
                    if (t != null) {
                        t.cancel();
                    }
                }
            }
            if (released > 0) {
                log.debug("{}: released {} {} frames still held at close", name(), released, label);
            }
        }
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** The stack's context with {@link #receive} routed through the receive lane. */
    private final class FaultingContext extends ForwardingDriverContext {
        FaultingContext(DriverContext delegate) {
            super(delegate);
        }

        @Override
        public boolean receive(PacketBuffer frame) {
            return receiveLane.offer(frame);
        }
    }

    /**
     * Counts of what the decorator did, over both directions. Thread-safe: the receive path
     * counts on driver threads.
     */
    public static final class FaultStatistics {
        final LongAdder dropped = new LongAdder();
        final LongAdder duplicated = new LongAdder();
        final LongAdder reordered = new LongAdder();
        final LongAdder corrupted = new LongAdder();
        final LongAdder delayed = new LongAdder();
        final LongAdder shapedDrops = new LongAdder();
        final LongAdder overflowDrops = new LongAdder();
        final LongAdder forwarded = new LongAdder();

        FaultStatistics() {}

        /** Frames the plan's drop probability discarded. */
        public long dropped() {
            return dropped.sum();
        }

        /** Copies made (each is one extra frame forwarded). */
        public long duplicated() {
            return duplicated.sum();
        }

        /** Times a held frame was overtaken by the next one. */
        public long reordered() {
            return reordered.sum();
        }

        /** Frames with one bit flipped. */
        public long corrupted() {
            return corrupted.sum();
        }

        /** Frames that were delayed. */
        public long delayed() {
            return delayed.sum();
        }

        /** Frames the rate limiter dropped because its queue was full. */
        public long shapedDrops() {
            return shapedDrops.sum();
        }

        /** Frames dropped because too many were already held (the in-flight limit). */
        public long overflowDrops() {
            return overflowDrops.sum();
        }

        /** Frames (originals and copies) passed on to the wrapped driver or the stack. */
        public long forwarded() {
            return forwarded.sum();
        }

        @Override
        public String toString() {
            return "FaultStatistics[dropped=" + dropped() + ", duplicated=" + duplicated() + ", reordered=" + reordered()
                    + ", corrupted=" + corrupted() + ", delayed=" + delayed() + ", shapedDrops=" + shapedDrops()
                    + ", overflowDrops=" + overflowDrops() + ", forwarded=" + forwarded() + "]";
        }
    }
}
