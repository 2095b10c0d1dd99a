/**
 * Data structures for the per-packet path, where the garbage a general-purpose collection
 * produces would be paid for on every frame: {@link dev.tsunagu.util.LongObjectMap} looks up
 * connections, neighbours, routes and ports by primitive key (an {@code int} key widened)
 * without boxing it or allocating a node, and
 * {@link dev.tsunagu.util.BoundedMpmcQueue} hands packets and commands between threads through a
 * preallocated ring without locks. In steady state none of them allocates, so a busy stack does
 * not turn its packet rate into allocation rate and GC pauses; they allocate only when a map grows
 * and when they are built.
 *
 * <p>{@link dev.tsunagu.util.ServiceProviders} is the one place plugins are discovered: layers,
 * link drivers and TCP policies are all found by its rules (a broken provider is logged and
 * skipped, the first of two with one name wins, the result is in name order).
 */
package dev.tsunagu.util;
