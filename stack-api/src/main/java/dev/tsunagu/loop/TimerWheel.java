package dev.tsunagu.loop;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The event loop's timers: a hierarchical hashed timing wheel with O(1) arm, move and cancel,
 * and an advance that jumps straight over empty time.
 *
 * <h2>Why a wheel</h2>
 * A TCP stack keeps several timers per connection and re-arms most of them far more often than
 * they fire (every ACK pushes the RTO back). A heap costs O(log n) per re-arm and a sorted
 * structure allocates; the wheel does neither. Deadlines are kept exactly, at tick resolution:
 * a timer's tick is {@code ceil(deadline / tickNanos)} and it never fires before its deadline.
 *
 * <h2>Layout</h2>
 * Ticks are kept relative to the <em>cursor</em>, the first tick not yet fully fired (every
 * earlier tick has been processed; "the current tick" is {@code cursor - 1}). A timer of tick
 * {@code e >= cursor} lives on level {@code k}, the highest 6-bit group in which {@code e} and
 * the cursor differ, at slot {@code (e >>> 6k) & 63}; so level {@code k} slots are
 * {@code 64^k} ticks wide and six levels cover 2<sup>36</sup> ticks (about 795 days
 * of 1 ms ticks). Because every higher group agrees with the cursor, all timers of level
 * {@code k} come after all timers of level {@code k - 1}, and every occupied slot of a level
 * lies ahead of the cursor. When the cursor reaches the first tick of an occupied slot of a
 * higher level, that slot is <em>cascaded</em>: its timers are re-filed relative to the new
 * cursor, landing lower. Each level has a 64-bit occupancy bitmap, so the next tick at which
 * anything happens (a level-0 slot to fire or a slot to cascade) is found with
 * {@link Long#numberOfTrailingZeros} and the cursor jumps straight there: a virtual clock
 * leaping an hour costs one step per occupied slot, not one per tick.
 *
 * <p>Two extra lists complete the picture. Timers whose tick is already behind the cursor (the
 * deadline is past) go to a FIFO <em>due</em> list that the next {@link #advanceTo} fires first.
 * Timers beyond the top level's reach (differing from the cursor above bit 36) are parked in an
 * <em>overflow</em> list, the top level's extra slot; when the cursor reaches the 2<sup>36</sup>
 * block holding the earliest parked tick, the list is re-cascaded. Jumping to that block, rather
 * than re-examining the parked timers once per top-level revolution, keeps a far jump cheap
 * however small the tick.
 *
 * <h2>Order</h2>
 * Every list is appended at its tail and cascades preserve list order, so the timers of one
 * tick always fire in the order they were (last) armed; ticks fire in increasing order; a timer
 * armed into the past ranks as if its tick were the current tick. The result depends only on the
 * sequence of calls, never on hashing or identity.
 *
 * <p>Not thread-safe: the wheel and its timers belong to one event loop thread.
 */
public final class TimerWheel {
    static final int SLOT_BITS = 6;
    static final int SLOTS = 1 << SLOT_BITS;
    static final int LEVELS = 6;
    /** Ticks that differ from the cursor at or above this bit go to the overflow list. */
    static final int WHEEL_BITS = SLOT_BITS * LEVELS;
    /** Index of the due-now FIFO in {@link #heads}; wheel slot lists are {@code level * 64 + slot}. */
    static final int DUE = LEVELS * SLOTS;
    /** Index of the list of timers too far away for the top level. */
    static final int OVERFLOW = DUE + 1;
    /** {@link Timer#list} of a timer that is not pending. */
    static final int NONE = -1;

    private final Clock clock;
    private final long tickNanos;
    private final Consumer<Throwable> errorHandler;

    private final Timer[] heads = new Timer[OVERFLOW + 1];
    private final Timer[] tails = new Timer[OVERFLOW + 1];
    /**
     * Per list, its least tick: exact, {@link Long#MAX_VALUE} when empty, or {@link #UNKNOWN}
     * after its minimum left (rescanned when asked). Without it, {@link #nextDeadline} scanned a
     * whole higher-level slot each time the earliest timer went, and a slot can hold thousands
     * (every TIME_WAIT of a burst of short connections): 22% of a connect-rate benchmark's CPU.
     */
    private final long[] listMin = new long[OVERFLOW + 1];
    private static final long UNKNOWN = Long.MIN_VALUE;
    /** Bit {@code s} of {@code occupied[k]} is set iff slot {@code s} of level {@code k} is non-empty. */
    private final long[] occupied = new long[LEVELS];

    /** The first tick not yet fully fired; all wheel slots are placed relative to it. */
    private long cursor;
    /** A lower bound of the ticks in the overflow list (exact after each re-cascade). */
    private long overflowMinTick = Long.MAX_VALUE;
    /**
     * A lower bound of the deadlines in the cursor's own level-0 slot, {@link Long#MIN_VALUE} if
     * unknown. That tick is only partly due when {@code advanceTo} lands inside it; the bound lets
     * the many calls a busy loop makes within one tick skip rescanning it.
     */
    private long cursorSlotMinDeadline = Long.MAX_VALUE;
    /** Cached result of {@link #computeNextTick()}, valid while {@link #nextTickValid}. */
    private long nextTick = Long.MAX_VALUE;
    private boolean nextTickValid = true;
    private long seq;
    private int size;
    private boolean advancing;

    /**
     * Creates an empty wheel whose current tick is {@code clock.nanoTime() / tickNanos}.
     *
     * @param clock        the loop's clock; {@link Timer#scheduleAfter} reads it
     * @param tickNanos    the resolution, &gt; 0 (the loop uses 1 ms)
     * @param errorHandler receives whatever a timer action throws; the wheel then carries on with
     *                     the next timer, so one faulty connection cannot stall all the others
     */
    public TimerWheel(Clock clock, long tickNanos, Consumer<Throwable> errorHandler) {
        if (tickNanos <= 0) {
            throw new IllegalArgumentException("tickNanos must be positive: " + tickNanos);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tickNanos = tickNanos;
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
        this.cursor = Math.floorDiv(clock.nanoTime(), tickNanos) + 1;
        java.util.Arrays.fill(listMin, Long.MAX_VALUE);
    }

    /** The clock the wheel reads to know which timers are due. */
    public Clock clock() {
        return clock;
    }

    /** The resolution: timers fire on the first tick at or after their deadline, in nanoseconds. */
    public long tickNanos() {
        return tickNanos;
    }

    /** The number of pending timers. */
    public int size() {
        return size;
    }

    /**
     * The earliest pending deadline rounded up to its tick boundary ({@code tick * tickNanos}),
     * or {@link Long#MAX_VALUE} if nothing is pending (or the boundary does not fit in a long).
     * A timer already due yields a time in the past: the loop should not sleep.
     *
     * <p>Cost: O(1) when cached, which it stays until the earliest timer leaves. Otherwise the
     * bitmaps find the earliest occupied slot; level 0 slots hold a single tick, but a higher
     * level's slot spans many ticks, so its list is scanned for the minimum (bounded by that one
     * slot's population, typically a handful). The due list (only timers armed into the past since
     * the last {@code advanceTo}) and the overflow list (timers over 2<sup>36</sup> ticks away,
     * only when nothing nearer exists) are scanned likewise.
     */
    public long nextDeadline() {
        if (!nextTickValid) {
            nextTick = computeNextTick();
            nextTickValid = true;
        }
        if (nextTick == Long.MAX_VALUE || nextTick > Long.MAX_VALUE / tickNanos) {
            return Long.MAX_VALUE;
        }
        return nextTick * tickNanos;
    }

    /**
     * Fires every pending timer whose deadline is {@code <= nowNanos}: by tick, the timers of one
     * tick in the order they were (last) armed, timers armed into the past first. Timers that an
     * action arms with a deadline {@code <= nowNanos} fire within this same call (so an action
     * that always re-arms itself for "now" never returns); an action that cancels or moves a
     * timer, even one of the same tick, is obeyed. {@code nowNanos} should not decrease between
     * calls; it is normally the clock's current time.
     *
     * @return how many timers fired
     * @throws IllegalStateException if called from inside a timer action
     */
    public int advanceTo(long nowNanos) {
        if (advancing) {
            throw new IllegalStateException("advanceTo called from a timer action");
        }
        advancing = true;
        try {
            long lastWholeTick = Math.floorDiv(nowNanos, tickNanos);
            int fired = fireDue();
            while (cursor <= lastWholeTick) {
                Timer head = heads[(int) (cursor & (SLOTS - 1))];
                if (head != null) {
                    fire(head);
                    fired += 1 + fireDue();
                } else {
                    moveCursor(Math.min(nextEventTick(), lastWholeTick + 1));
                }
            }
            return fired + fireCursorSlot(nowNanos);
        } finally {
            advancing = false;
        }
    }

    // ---- called by Timer ----

    void schedule(Timer t, long deadlineNanos) {
        if (t.list != NONE) {
            remove(t);
        }
        t.deadline = deadlineNanos;
        t.tick = Math.ceilDiv(deadlineNanos, tickNanos);
        t.seq = ++seq;
        file(t);
        size++;
        if (nextTickValid && t.tick < nextTick) {
            nextTick = t.tick;
        }
    }

    void cancel(Timer t) {
        if (t.list != NONE) {
            remove(t);
        }
    }

    // ---- placement ----

    /** Files a timer into the list its tick calls for, relative to the cursor. */
    private void file(Timer t) {
        long tick = t.tick;
        if (tick < cursor) {
            append(DUE, t);
            return;
        }
        long diff = tick ^ cursor;
        if ((diff >>> WHEEL_BITS) != 0) {
            overflowMinTick = Math.min(overflowMinTick, tick);
            append(OVERFLOW, t);
            return;
        }
        int level = diff == 0 ? 0 : (63 - Long.numberOfLeadingZeros(diff)) / SLOT_BITS;
        int slot = (int) (tick >>> (level * SLOT_BITS)) & (SLOTS - 1);
        occupied[level] |= 1L << slot;
        if (tick == cursor) {
            cursorSlotMinDeadline = Math.min(cursorSlotMinDeadline, t.deadline);
        }
        append(level * SLOTS + slot, t);
    }

    private void append(int list, Timer t) {
        if (listMin[list] != UNKNOWN && t.tick < listMin[list]) {
            listMin[list] = t.tick;
        }
        Timer tail = tails[list];
        t.list = list;
        t.prev = tail;
        t.next = null;
        if (tail == null) {
            heads[list] = t;
        } else {
            tail.next = t;
        }
        tails[list] = t;
    }

    /** Unlinks a pending timer: O(1), and it is no longer pending. */
    private void remove(Timer t) {
        int list = t.list;
        if (t.prev == null) {
            heads[list] = t.next;
        } else {
            t.prev.next = t.next;
        }
        if (t.next == null) {
            tails[list] = t.prev;
        } else {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        t.list = NONE;
        if (heads[list] == null) {
            listMin[list] = Long.MAX_VALUE;
            if (list < DUE) {
                occupied[list / SLOTS] &= ~(1L << (list % SLOTS));
            }
        } else if (t.tick == listMin[list]) {
            listMin[list] = UNKNOWN;
        }
        size--;
        if (t.tick == nextTick) {
            nextTickValid = false;
        }
    }

    /** Empties a list and files its timers again, in order, relative to the current cursor. */
    private void refile(int list) {
        Timer t = heads[list];
        heads[list] = null;
        tails[list] = null;
        listMin[list] = Long.MAX_VALUE;
        if (list < DUE) {
            occupied[list / SLOTS] &= ~(1L << (list % SLOTS));
        }
        while (t != null) {
            Timer next = t.next;
            file(t);
            t = next;
        }
    }

    // ---- advancing ----

    /**
     * The next tick after the cursor at which something happens, given that the cursor's own
     * level-0 slot is empty: the earliest occupied level-0 slot, else the start of the earliest
     * occupied slot of the lowest non-empty level (all of whose timers precede every higher
     * level's), else the block of the earliest parked timer; {@link Long#MAX_VALUE} if none.
     */
    private long nextEventTick() {
        if (occupied[0] != 0) {
            return (cursor & -SLOTS) | Long.numberOfTrailingZeros(occupied[0]);
        }
        for (int level = 1; level < LEVELS; level++) {
            if (occupied[level] != 0) {
                int shift = level * SLOT_BITS;
                long levelSpan = 1L << (shift + SLOT_BITS);
                return (cursor & -levelSpan) | ((long) Long.numberOfTrailingZeros(occupied[level]) << shift);
            }
        }
        if (heads[OVERFLOW] != null) {
            return overflowMinTick & -(1L << WHEEL_BITS);
        }
        return Long.MAX_VALUE;
    }

    /**
     * Moves the cursor to {@code tick}, which is never beyond the next event, and performs the
     * cascades due there: the parked timers if their block starts here, then any slot (highest
     * level first) whose range starts here.
     */
    private void moveCursor(long tick) {
        cursor = tick;
        cursorSlotMinDeadline = Long.MIN_VALUE;
        if (heads[OVERFLOW] != null && tick == (overflowMinTick & -(1L << WHEEL_BITS))) {
            overflowMinTick = Long.MAX_VALUE;
            refile(OVERFLOW);
        }
        for (int level = LEVELS - 1; level > 0; level--) {
            int shift = level * SLOT_BITS;
            if ((tick & ((1L << shift) - 1)) == 0) {
                int slot = (int) (tick >>> shift) & (SLOTS - 1);
                if ((occupied[level] & (1L << slot)) != 0) {
                    refile(level * SLOTS + slot);
                }
            }
        }
    }

    private int fireDue() {
        int fired = 0;
        Timer t;
        while ((t = heads[DUE]) != null) {
            fire(t);
            fired++;
        }
        return fired;
    }

    /**
     * Fires, in list order, the timers of the cursor's tick whose deadline is already reached: the
     * tick is only partly due when {@code now} falls inside it. Skipped timers stay in place; after
     * each action the scan resumes behind the last skipped timer if that one has not moved
     * (anything an action arms is appended, so nothing can appear before it), else restarts.
     */
    private int fireCursorSlot(long now) {
        if (now < cursorSlotMinDeadline) {
            return 0;
        }
        int list = (int) (cursor & (SLOTS - 1));
        int fired = 0;
        long minSkipped = Long.MAX_VALUE;
        Timer lastSkipped = null;
        long lastSkippedSeq = 0;
        Timer t = heads[list];
        while (t != null) {
            if (t.deadline > now) {
                minSkipped = Math.min(minSkipped, t.deadline);
                lastSkipped = t;
                lastSkippedSeq = t.seq;
                t = t.next;
                continue;
            }
            fire(t);
            fired += 1 + fireDue();
            if (lastSkipped == null) {
                t = heads[list];
            } else if (lastSkipped.list == list && lastSkipped.seq == lastSkippedSeq) {
                t = lastSkipped.next;
            } else {
                lastSkipped = null;
                minSkipped = Long.MAX_VALUE;
                t = heads[list];
            }
        }
        cursorSlotMinDeadline = minSkipped;
        return fired;
    }

    private void fire(Timer t) {
        remove(t);
        try {
            t.action.run();
        } catch (Throwable e) {
            errorHandler.accept(e);
        }
    }

    // ---- nextDeadline ----

    private long computeNextTick() {
        if (heads[DUE] != null) {
            return minTick(DUE);
        }
        if (occupied[0] != 0) {
            return (cursor & -SLOTS) | Long.numberOfTrailingZeros(occupied[0]);
        }
        for (int level = 1; level < LEVELS; level++) {
            if (occupied[level] != 0) {
                return minTick(level * SLOTS + Long.numberOfTrailingZeros(occupied[level]));
            }
        }
        if (heads[OVERFLOW] != null) {
            overflowMinTick = minTick(OVERFLOW);
            return overflowMinTick;
        }
        return Long.MAX_VALUE;
    }

    /** The least tick in {@code list}, from the cache or by one scan that refills it. */
    private long minTick(int list) {
        long min = listMin[list];
        if (min == UNKNOWN) {
            min = Long.MAX_VALUE;
            for (Timer t = heads[list]; t != null; t = t.next) {
                min = Math.min(min, t.tick);
            }
            listMin[list] = min;
        }
        return min;
    }
}
