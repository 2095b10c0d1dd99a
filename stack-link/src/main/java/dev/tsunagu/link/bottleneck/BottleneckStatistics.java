package dev.tsunagu.link.bottleneck;

/** What a {@link BottleneckDriver} did with the frames it was given; read on its loop. */
public final class BottleneckStatistics {
    long offered;
    long randomDrops;
    long tailDrops;
    long aqmDrops;
    long ecnMarks;
    long overflowDrops;
    long delivered;
    long maxQueuedBytes;

    /** Frames the stack transmitted into the link. */
    public long offered() {
        return offered;
    }

    /** Frames lost at random (the plan's {@code loss}). */
    public long randomDrops() {
        return randomDrops;
    }

    /** Frames dropped because the buffer was full. */
    public long tailDrops() {
        return tailDrops;
    }

    /** Frames CoDel dropped at the head. */
    public long aqmDrops() {
        return aqmDrops;
    }

    /** Frames CoDel's signal marked CE instead of dropping (the plan's {@code ecn}; ECN-capable frames only). */
    public long ecnMarks() {
        return ecnMarks;
    }

    /** Frames dropped because {@link BottleneckDriver#MAX_ON_WIRE} were already propagating. */
    public long overflowDrops() {
        return overflowDrops;
    }

    /** Frames handed to the wrapped driver at the far end. */
    public long delivered() {
        return delivered;
    }

    /** The most bytes that ever waited in the queue. */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    @Override
    public String toString() {
        return "offered " + offered + ", delivered " + delivered + ", dropped " + randomDrops + " at random, "
                + tailDrops + " at the tail, " + aqmDrops + " by CoDel, " + overflowDrops + " on overflow; "
                + ecnMarks + " marked CE; queue peak "
                + maxQueuedBytes + " B";
    }
}
