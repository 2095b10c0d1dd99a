/**
 * A bottleneck link for simulated paths: {@link dev.tsunagu.link.bottleneck.BottleneckDriver}
 * wraps any driver and gives what it transmits a queue with a rate, a buffer, a one-way delay,
 * random loss, and drop-tail or CoDel (RFC 8289) as the queue discipline
 * ({@link dev.tsunagu.link.bottleneck.BottleneckPlan}).
 *
 * <p>Design notes:
 * <ul>
 *   <li><b>Separate from fault injection.</b> {@code FaultInjectingDriver} makes a wire bad
 *       (loss, corruption, reordering, jitter); this package models the one queue where a path's
 *       congestion happens, which is what congestion controls are compared on. Both are
 *       decorators, so they compose.</li>
 *   <li><b>Computed times.</b> A frame's queueing, serialization and delivery times are computed
 *       exactly when it is served; loop timers only wake the queue, so the model is exact on a
 *       virtual clock with a coarse tick and repeatable from a seed.</li>
 *   <li><b>An AQM's signal is a drop or a mark</b>: {@code CoDel} says when, the queue decides
 *       how: with the plan's {@code ecn} an ECN-capable packet is marked CE and goes on (RFC 3168
 *       5), anything else is dropped.</li>
 * </ul>
 */
package dev.tsunagu.link.bottleneck;
