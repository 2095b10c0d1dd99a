/**
 * The event loop, its clock and its timers.
 *
 * <p>One {@link dev.tsunagu.loop.EventLoop} owns all protocol state of the stacks on it; other
 * threads submit work. Time is read only by the loop (through its {@link
 * dev.tsunagu.loop.Clock}) and handed to protocol code, so tests replace it with a {@link
 * dev.tsunagu.loop.VirtualClock} and drive a {@link dev.tsunagu.loop.VirtualEventLoop}
 * deadline by deadline. Timers live in a hierarchical hashed {@link
 * dev.tsunagu.loop.TimerWheel}: schedule and cancel are O(1), and the loop learns the next
 * deadline from occupancy bitmaps instead of waking every tick. A driver may let the loop read
 * its device itself ({@link dev.tsunagu.loop.PolledDevice}): a threaded loop then sleeps in the
 * device's wait (a TAP's {@code ppoll}) instead of parking, so the wire wakes it directly.
 */
package dev.tsunagu.loop;
