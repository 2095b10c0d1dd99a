/**
 * The send and receive byte rings of a connection, bounded, with out-of-order ranges kept in
 * place.
 *
 * <ul>
 *   <li>{@link dev.tsunagu.tcp.buffer.SendBuffer}: the bytes from SND.UNA to the end of what the
 *       application wrote. The sender reads at any offset (new segments from
 *       SND.NXT - SND.UNA, retransmissions from 0) without removing, and drops what is
 *       acknowledged.</li>
 *   <li>{@link dev.tsunagu.tcp.buffer.ReceiveBuffer}: in-order bytes for the application, then,
 *       inside the window, out-of-order bytes written at their distance from RCV.NXT and
 *       described by a few sorted {@code [start, end)} ranges (the SACK blocks to be). A
 *       segment that fills the gap at RCV.NXT carries RCV.NXT over every range it reaches;
 *       a segment that would need more ranges than allowed is refused whole.</li>
 * </ul>
 *
 * <p>Memory is what bounds the number of connections a stack can hold, so both buffers start
 * with no array, grow geometrically (4 KiB, doubling, up to exactly their capacity) only as
 * data needs room, and give the array back on {@code trim()} when empty: 100,000 idle
 * connections cost their fields, not their capacities. Once grown, the steady path (write,
 * read, drop; insert, read) allocates nothing. Both belong to one event loop and take no
 * locks.
 */
package dev.tsunagu.tcp.buffer;
