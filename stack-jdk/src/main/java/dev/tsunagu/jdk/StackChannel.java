package dev.tsunagu.jdk;

/**
 * What a {@link TsunaguSelector} needs of a channel: which operations it is ready for now, and
 * where to record the keys it is registered with, so that the channel can name them when the
 * stack changes its state.
 */
interface StackChannel {
    /** The {@code SelectionKey.OP_*} operations that would not block now; any thread, never blocks. */
    int readyOps();

    /** The channel's keys and waiters, signalled on every change of state. */
    Readiness readiness();
}
