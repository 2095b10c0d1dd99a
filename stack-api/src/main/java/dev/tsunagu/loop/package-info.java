/**
 * The event loop, its clock and its timers.
 *
 * <p>One {@link dev.tsunagu.loop.EventLoop} owns all protocol state of the stacks on it; other
 * threads submit work. Time is read only by the loop (through its {@link
 * dev.tsunagu.loop.Clock}) and handed to protocol code, so tests replace it with a {@link
 * dev.tsunagu.loop.VirtualClock} and drive a {@link dev.tsunagu.loop.VirtualEventLoop}
 * deadline by deadline. Timers live in a hierarchical hashed {@link
 * dev.tsunagu.loop.TimerWheel}: schedule and cancel are O(1), and the loop learns the next
 * deadline from occupancy bitmaps instead of waking every tick.
 */
package dev.tsunagu.loop;
