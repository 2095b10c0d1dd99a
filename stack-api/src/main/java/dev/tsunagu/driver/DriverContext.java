package dev.tsunagu.driver;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;

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

    /** The medium came up or went down (cable plugged, device vanished). */
    void linkStateChanged(boolean up);

    /**
     * Something went wrong that the stack should know about (a failed write, a device that
     * vanished). It is logged and counted; the driver decides whether to go on.
     */
    void reportError(String message, Throwable cause);
}
