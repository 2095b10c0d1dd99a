package dev.tsunagu.link.bottleneck;

import java.time.Duration;
import java.util.Objects;

/**
 * A bottleneck link as {@link BottleneckDriver} models it: frames wait in a queue of
 * {@code bufferBytes}, leave it at {@code rateBitsPerSecond} one after another (serialization),
 * and arrive {@code delay} later (propagation); {@code loss} of them vanish at random on the
 * way in (a lossy radio, not congestion), and the queue sheds load by {@code aqm}; with
 * {@code ecn} it marks an ECN-capable frame CE where the AQM would drop it.
 *
 * @param rateBitsPerSecond the link rate; positive
 * @param delay one-way propagation delay; not negative
 * @param bufferBytes how many bytes may wait (the frame on the wire not counted); at least one frame's worth is sensible
 * @param aqm what the queue does when it is full or standing
 * @param loss probability in [0, 1) that a frame is lost before the queue
 * @param ecn whether the AQM's signal to an ECN-capable (ECT) IP packet is a CE mark instead of a
 *     drop (RFC 3168 5; CoDel with ECN, as Linux's {@code tc qdisc codel ecn}); a full buffer
 *     still drops, and so does a signal to a packet that is not ECN-capable
 */
public record BottleneckPlan(long rateBitsPerSecond, Duration delay, long bufferBytes, Aqm aqm, double loss,
                             boolean ecn) {
    /** The queue discipline. */
    public enum Aqm {
        /** Drop what arrives to a full buffer: the classic router, whose queue stands as long as the buffer allows. */
        DROP_TAIL,
        /**
         * CoDel (RFC 8289): drop at the head when the queue's sojourn time has stayed above
         * {@link CoDel#TARGET_NANOS} for an {@link CoDel#INTERVAL_NANOS}, ever sooner while it
         * stays; the buffer's limit still applies.
         */
        CODEL
    }

    /** A plan whose AQM only drops (no ECN marking). */
    public BottleneckPlan(long rateBitsPerSecond, Duration delay, long bufferBytes, Aqm aqm, double loss) {
        this(rateBitsPerSecond, delay, bufferBytes, aqm, loss, false);
    }

    public BottleneckPlan {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(aqm, "aqm");
        if (rateBitsPerSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive: " + rateBitsPerSecond);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        if (bufferBytes <= 0) {
            throw new IllegalArgumentException("buffer must be positive: " + bufferBytes);
        }
        if (!(loss >= 0 && loss < 1)) {
            throw new IllegalArgumentException("loss must be in [0, 1): " + loss);
        }
    }

    /** A drop-tail link with no random loss. */
    public static BottleneckPlan dropTail(long rateBitsPerSecond, Duration delay, long bufferBytes) {
        return new BottleneckPlan(rateBitsPerSecond, delay, bufferBytes, Aqm.DROP_TAIL, 0);
    }

    /** This plan with {@code aqm}. */
    public BottleneckPlan withAqm(Aqm aqm) {
        return new BottleneckPlan(rateBitsPerSecond, delay, bufferBytes, aqm, loss, ecn);
    }

    /** This plan with random loss {@code loss}. */
    public BottleneckPlan withLoss(double loss) {
        return new BottleneckPlan(rateBitsPerSecond, delay, bufferBytes, aqm, loss, ecn);
    }

    /** This plan with its AQM marking ECN-capable packets CE instead of dropping them ({@code ecn} true). */
    public BottleneckPlan withEcn(boolean ecn) {
        return new BottleneckPlan(rateBitsPerSecond, delay, bufferBytes, aqm, loss, ecn);
    }

    /** Nanoseconds a frame of {@code bytes} takes to leave at the link rate (rounded up). */
    public long serializationNanos(int bytes) {
        return Math.ceilDiv(bytes * 8L * 1_000_000_000L, rateBitsPerSecond);
    }

    /** The bandwidth-delay product of a path with this link both ways, in bytes: what fills it. */
    public long bdpBytes() {
        return rateBitsPerSecond / 8 * 2 * delay.toNanos() / 1_000_000_000L;
    }
}
