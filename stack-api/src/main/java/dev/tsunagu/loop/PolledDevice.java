package dev.tsunagu.loop;

/**
 * A device whose input the event loop's own thread waits for and reads: how a driver lets the
 * loop own its device, with no reader thread, no queue and no wake-up per frame.
 *
 * <p>A driver that can offer this (a TAP fd, libpcap's selectable fd) hands it to
 * {@link EventLoop#attachDevice}. A {@link ThreadedEventLoop} with nothing else to do then
 * sleeps in {@link #await} instead of parking, with its next timer deadline as the timeout, and
 * other threads that give it work wake it through {@link #wake} (an eventfd beside the device's
 * fd, for example). Each turn it {@linkplain #poll polls} the device like any other source, and
 * the device hands what it read straight to the stack on the loop thread. A loop that refuses
 * the device (a {@link VirtualEventLoop}, or one that already waits on another device) leaves
 * the driver to read on a thread of its own, as before.
 *
 * <p>{@link #poll} reads at most {@code budget} frames without blocking; {@link #hasWork} says
 * whether the last poll stopped at its budget with input left, and may say false when input
 * came since: the next {@link #await} returns at once then.
 */
public interface PolledDevice extends PollSource {
    /**
     * Sleeps until the device may have input, {@link #wake} is called, or {@code timeoutNanos}
     * pass ({@link Long#MAX_VALUE}: no limit); it may return early for no reason. Called by the
     * loop's thread only, while it holds nothing. A call after a {@code wake} that no
     * {@code await} consumed yet returns at once, so no wake-up is lost. Should not throw: the
     * loop reports an exception and stops waiting on the device.
     */
    void await(long timeoutNanos);

    /** Makes the current {@link #await}, or the next one, return at once; any thread. */
    void wake();
}
