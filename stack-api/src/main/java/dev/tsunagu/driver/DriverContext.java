package dev.tsunagu.driver;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.PolledDevice;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.stats.Statistics;

/**
 * The stack as a driver sees it: where received frames go and where problems are reported.
 * Every method is thread-safe: drivers call it from their own reader threads.
 */
public interface DriverContext {
    /** The interface this driver serves ({@code eth0}); for log messages. */
    String interfaceName();

    /** Where to take receive buffers from. */
    BufferPool buffers();

    /** The stack's clock, for timestamps (captures, pacing). */
    Clock clock();

    /**
     * The stack's event loop, for decorators that need timers (delay, rate limits). Timers and
     * other loop-confined state may only be touched on the loop thread ({@link
     * EventLoop#execute} gets there from a reader thread).
     */
    EventLoop loop();

    /**
     * Hands a received frame to the stack, which takes ownership. Never blocks: when the
     * interface's receive queue is full the frame is dropped and counted.
     *
     * @return whether the frame was queued
     */
    boolean receive(PacketBuffer frame);

    /**
     * Hands a frame that the driver read on the event loop thread, from its
     * {@link PolledDevice#poll}, to the stack, which handles it at once, before this returns:
     * no queue and no wake-up between the device and the protocols. Only from a device's poll
     * (never from {@link LinkDriver#transmit}, where handling a frame would re-enter the stack).
     * By default, and when frames queued by {@link #receive} are still waiting (so that order
     * is kept), it is {@link #receive}.
     *
     * @return whether the frame was taken
     */
    default boolean deliver(PacketBuffer frame) {
        return receive(frame);
    }

    /**
     * Where the driver may keep counters of its own (system calls, say); the stack shows them
     * with the interface's ({@code if.eth0}). Register them with
     * {@link CounterGroup#sharedCounter} if more than the loop thread writes them. By default a
     * group nobody shows.
     */
    default CounterGroup counters() {
        return new Statistics().group("driver");
    }

    /** The medium came up or went down (cable plugged, device vanished). */
    void linkStateChanged(boolean up);

    /**
     * Something went wrong that the stack should know about (a failed write, a device that
     * vanished). It is logged and counted; the driver decides whether to go on.
     */
    void reportError(String message, Throwable cause);
}
