/**
 * Fault injection: a {@link dev.tsunagu.link.fault.FaultInjectingDriver} wraps any
 * {@link dev.tsunagu.driver.LinkDriver} and drops, duplicates, corrupts, delays, reorders and
 * rate-limits the frames passing through it, as a {@link dev.tsunagu.link.fault.FaultPlan}
 * says (built in code or parsed from a command-line string such as
 * {@code drop=0.05,delay=0.1:20ms+5ms,rate=10mbit,dir=tx}).
 *
 * <p>Design notes:
 * <ul>
 *   <li><b>A decorator, not a medium.</b> Faults sit between the stack and a driver, so the
 *       same plan works over the in-memory cable, a TAP device, libpcap or a third-party
 *       driver, and the stack cannot tell the decorator from a bad wire.</li>
 *   <li><b>Reproducible.</b> Each direction draws from its own generator seeded from one
 *       {@code long}; all decisions for a frame are taken when it enters, and everything that
 *       takes time (delays, the reorder window, the shaper) runs on the event loop's timers. On
 *       a {@link dev.tsunagu.loop.VirtualEventLoop} the same seed and traffic therefore give the
 *       same faults at the same virtual instants, so a failing test can be replayed from the
 *       seed it prints.</li>
 *   <li><b>Threads.</b> Transmit runs on the loop. Receive may run on a driver thread: the
 *       random decisions happen there, and a frame that needs a timer is posted to the loop
 *       with {@link dev.tsunagu.loop.EventLoop#execute}. When only drops, duplicates and
 *       corruption are planned, frames never leave the calling thread.</li>
 *   <li><b>Ownership.</b> A dropped frame is released; a duplicate is a fresh pooled copy; a
 *       corrupted frame is changed in place; frames held at {@code close()} are released.</li>
 *   <li><b>Bounded.</b> Frames held per direction are capped by the plan's in-flight limit and
 *       the shaper's queue length; overflow is dropped and counted, never buffered without
 *       limit.</li>
 *   <li><b>A lossy wire is not an error.</b> Transmit reports success for every frame the
 *       decorator takes, even one it then drops; everything is counted in
 *       {@link dev.tsunagu.link.fault.FaultInjectingDriver.FaultStatistics}.</li>
 * </ul>
 */
package dev.tsunagu.link.fault;
