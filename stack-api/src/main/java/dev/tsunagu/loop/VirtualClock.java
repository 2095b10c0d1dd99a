package dev.tsunagu.loop;

/**
 * A clock that moves only when told to. Tests drive it (usually through
 * {@link VirtualEventLoop#advance}) so that timer-driven behaviour is exact and instant.
 *
 * <p>Reads are thread-safe; only the owner of the simulation should move it.
 */
public final class VirtualClock implements Clock {
    private volatile long now;

    /** A clock standing at 0 ns. */
    public VirtualClock() {
        this(0);
    }

    /** A clock standing at {@code startNanos}. */
    public VirtualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves the clock to {@code nanos}; moving backwards is refused. */
    public void setTime(long nanos) {
        if (nanos < now) {
            throw new IllegalArgumentException("a virtual clock never goes back: " + nanos + " < " + now);
        }
        now = nanos;
    }

    /** Moves the clock forward by {@code nanos}; a negative amount is refused. */
    public void advanceNanos(long nanos) {
        setTime(now + nanos);
    }
}
