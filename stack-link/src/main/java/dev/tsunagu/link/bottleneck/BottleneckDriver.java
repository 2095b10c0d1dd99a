package dev.tsunagu.link.bottleneck;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.InternetChecksum;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;

/**
 * A {@link LinkDriver} decorator that makes what the stack transmits cross a bottleneck link
 * ({@link BottleneckPlan}): a queue, a rate, a propagation delay, random loss, and drop-tail or
 * CoDel. It is how a path is simulated for congestion control: wrap the sender's port in one
 * with the bottleneck's rate and buffer, the receiver's in one with the same delay (its ACKs
 * cross the reverse path), on a {@link dev.tsunagu.loop.VirtualEventLoop}.
 *
 * <pre>
 *   transmit ─▶ random loss ─▶ [ queue ≤ bufferBytes | drop-tail ] ─▶ CoDel at the head
 *            ─▶ serialization (length / rate) ─▶ propagation (delay) ─▶ the wrapped driver
 * </pre>
 *
 * <p><b>ECN.</b> With the plan's {@code ecn}, CoDel's signal to an ECN-capable IPv4 or IPv6
 * packet (ECT(0), ECT(1), or already CE) sets CE and lets it go on, as RFC 3168 5 asks of a
 * router and RFC 8289 allows CoDel; the IPv4 header checksum is updated (RFC 1624). A packet that
 * is not ECN-capable, and anything that is not IP, is still dropped; so is every frame a full
 * buffer refuses, ECN or not (a tail drop is the signal of last resort).
 *
 * <p><b>Exact times on a coarse timer.</b> Each frame's times are computed, not observed: it
 * starts to leave when the link is free ({@code max(arrival, previous departure end)}), finishes
 * {@code length·8/rate} later, and is delivered {@code delay} after that. Timers only wake the
 * loop; when one fires a tick late, the frames due by then are processed at their own computed
 * times, so queueing delay, CoDel's sojourn times and the link rate are exact to the
 * nanosecond whatever the loop's tick (a frame is only handed on at or after its time).
 *
 * <p><b>Bounded.</b> At most {@code bufferBytes} wait in the queue; what is past the queue is on
 * the wire, at most the rate × delay, and never more than {@link #MAX_ON_WIRE} frames.
 *
 * <p>Off by default: nothing uses it unless a test or the {@code bench --scenario paths} command
 * wraps a driver in it, so the cable's own behaviour (instant, lossless) is unchanged. Transmit
 * runs on the stack's event loop (as every stack transmit does); this class is loop-confined.
 * Only the transmit direction is shaped.
 */
public final class BottleneckDriver extends ForwardingLinkDriver {
    /** A bound on frames propagating at once, so a misconfigured delay cannot hold unbounded memory. */
    public static final int MAX_ON_WIRE = 1 << 20;

    private final BottleneckPlan plan;
    private final SplittableRandom random;
    private final CoDel codel;
    private final BottleneckStatistics statistics = new BottleneckStatistics();
    private LongConsumer latencyListener = l -> { };

    // ---- loop-confined ----
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** When the link finishes sending the frame on it (exact ns). */
    private long linkFreeAt = Long.MIN_VALUE;
    private final ArrayDeque<Queued> onWire = new ArrayDeque<>();
    private Timer serviceTimer;
    private Timer deliveryTimer;
    private boolean closed;

    /** A frame and its times: {@code at} is when it entered the queue, then when it is due at the far end. */
    private static final class Queued {
        final PacketBuffer frame;
        final long enqueuedAt;
        long deliverAt;

        Queued(PacketBuffer frame, long enqueuedAt) {
            this.frame = frame;
            this.enqueuedAt = enqueuedAt;
        }
    }

    /**
     * Wraps {@code inner}; this decorator owns it from now on and closes it.
     *
     * @param seed seeds the random loss; the same seed and traffic lose the same frames
     */
    public BottleneckDriver(LinkDriver inner, BottleneckPlan plan, long seed) {
        super(Objects.requireNonNull(inner, "inner"));
        this.plan = Objects.requireNonNull(plan, "plan");
        this.random = new SplittableRandom(seed);
        this.codel = plan.aqm() == BottleneckPlan.Aqm.CODEL
                ? new CoDel(inner.capabilities().mtu() + EthernetFrame.HEADER_LENGTH) : null;
    }

    @Override
    public String name() {
        return "bottleneck(" + delegate().name() + ")";
    }

    public BottleneckPlan plan() {
        return plan;
    }

    /** What happened to the frames so far. */
    public BottleneckStatistics statistics() {
        return statistics;
    }

    /**
     * Tells {@code listener} each delivered frame's one-way latency in nanoseconds (queueing,
     * serialization and propagation), on the loop, as it is delivered.
     */
    public void onDelivered(LongConsumer listener) {
        this.latencyListener = Objects.requireNonNull(listener, "listener");
    }

    /** Bytes waiting in the queue now (not the frame on the wire). */
    public long queuedBytes() {
        return queuedBytes;
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        if (context() == null || closed) {
            return delegate().transmit(frame);
        }
        EventLoop loop = context().loop();
        long now = loop.now();
        statistics.offered++;
        if (plan.loss() > 0 && random.nextDouble() < plan.loss()) {
            statistics.randomDrops++;
            frame.release();
            return true; // a lossy link is not a driver error
        }
        if (queuedBytes + frame.length() > plan.bufferBytes()) {
            statistics.tailDrops++;
            frame.release();
            return true;
        }
        queue.add(new Queued(frame, now));
        queuedBytes += frame.length();
        statistics.maxQueuedBytes = Math.max(statistics.maxQueuedBytes, queuedBytes);
        serve(now);
        return true;
    }

    /**
     * Starts sending, at their own times, the frames whose turn on the link has come by
     * {@code now}; arms the service timer for the next.
     */
    private void serve(long now) {
        while (!queue.isEmpty()) {
            Queued head = queue.peek();
            long start = Math.max(linkFreeAt, head.enqueuedAt);
            if (start > now) {
                break;
            }
            queue.poll();
            queuedBytes -= head.frame.length();
            if (codel != null && codel.onDequeue(start, start - head.enqueuedAt, queuedBytes) == CoDel.Verdict.SIGNAL) {
                if (plan.ecn() && markCongestion(head.frame)) {
                    statistics.ecnMarks++;
                } else {
                    statistics.aqmDrops++;
                    head.frame.release();
                    continue; // the next frame may leave at the same instant
                }
            }
            if (onWire.size() >= MAX_ON_WIRE) {
                statistics.overflowDrops++;
                head.frame.release();
                continue;
            }
            linkFreeAt = start + plan.serializationNanos(head.frame.length());
            head.deliverAt = linkFreeAt + plan.delay().toNanos();
            onWire.add(head);
            if (onWire.size() == 1) {
                armDelivery();
            }
        }
        if (!queue.isEmpty()) {
            if (serviceTimer == null) {
                serviceTimer = context().loop().newTimer("bottleneck-service", () -> serve(context().loop().now()));
            }
            serviceTimer.scheduleAt(Math.max(linkFreeAt, queue.peek().enqueuedAt));
        }
    }

    /**
     * RFC 3168 5: sets CE in {@code frame} (an Ethernet frame) if it carries an ECN-capable IP
     * packet (ECT(0), ECT(1) or already CE), keeping the IPv4 header checksum right: what a router
     * does instead of a drop. Public for other decorators that mark (the simulation's).
     *
     * @return whether it did (else the signal must be a drop)
     */
    public static boolean markCongestion(PacketBuffer frame) {
        int at = EthernetFrame.HEADER_LENGTH;
        if (frame.length() < at + 2) {
            return false;
        }
        int etherType = frame.getU16(EthernetFrame.ETHER_TYPE);
        if (etherType == EtherType.IPV4 && frame.length() >= at + 20 && frame.getU8(at) >>> 4 == 4) {
            int first = frame.getU16(at); // version, IHL and TOS: the checksum's first word
            if (Ecn.of(first) == Ecn.NOT_ECT) {
                return false;
            }
            int marked = first | Ecn.CE;
            frame.setU16(at, marked);
            frame.setU16(at + 10, InternetChecksum.update(frame.getU16(at + 10), first, marked));
            return true;
        }
        if (etherType == EtherType.IPV6 && frame.length() >= at + 40 && frame.getU8(at) >>> 4 == 6) {
            int first = frame.getU16(at); // version, traffic class and the flow label's top 4 bits
            if (Ecn.of(first >>> 4) == Ecn.NOT_ECT) {
                return false;
            }
            frame.setU16(at, first | Ecn.CE << 4);
            return true;
        }
        return false;
    }

    private void armDelivery() {
        if (deliveryTimer == null) {
            deliveryTimer = context().loop().newTimer("bottleneck-delivery", this::deliver);
        }
        deliveryTimer.scheduleAt(onWire.peek().deliverAt);
    }

    private void deliver() {
        long now = context().loop().now();
        Queued q;
        while ((q = onWire.peek()) != null && q.deliverAt <= now) {
            onWire.poll();
            statistics.delivered++;
            latencyListener.accept(q.deliverAt - q.enqueuedAt);
            delegate().transmit(q.frame);
        }
        if (!onWire.isEmpty()) {
            armDelivery();
        }
        serve(now); // the service timer may be later than this, and nothing is lost by asking
    }

    /** Closes the wrapped driver and releases every frame still held (on the loop). */
    @Override
    public void close() {
        try {
            delegate().close();
        } finally {
            if (context() != null) {
                EventLoop loop = context().loop();
                if (loop.inEventLoop()) {
                    release();
                } else {
                    try {
                        loop.execute(this::release);
                    } catch (RejectedExecutionException e) {
                        release(); // the loop is gone: nobody else touches the queues
                    }
                }
            }
        }
    }

    private void release() {
        closed = true;
        for (Queued q : queue) {
            q.frame.release();
        }
        for (Queued q : onWire) {
            q.frame.release();
        }
        queue.clear();
        onWire.clear();
        queuedBytes = 0;
        if (serviceTimer != null) {
            serviceTimer.cancel();
        }
        if (deliveryTimer != null) {
            deliveryTimer.cancel();
        }
    }

    @Override
    public String toString() {
        return name() + " " + plan + " " + statistics;
    }
}
