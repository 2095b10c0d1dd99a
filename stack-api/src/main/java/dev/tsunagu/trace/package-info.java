/**
 * What a TCP connection does, as a stream of plain events: segments in and out with their
 * sequence numbers, acknowledgments, windows and flags; state changes; the sender's congestion
 * window, slow-start threshold, smoothed RTT, retransmission timeout and bytes in flight each
 * time one of them changes; retransmissions with the reason the stack had; and the timers
 * that fired.
 *
 * <p>A {@link dev.tsunagu.trace.TraceSink} receives them on the stack's event loop, for the
 * whole stack ({@link dev.tsunagu.socket.TcpService#trace}) or one connection ({@link
 * dev.tsunagu.socket.TcpSocket#trace}). With no sink the stack pays one null check at each
 * place a fact is decided and allocates nothing; with one, every event is a small record made
 * then. {@link dev.tsunagu.trace.TraceRecorder} keeps them (bounded) for tests and tools; the
 * {@code viz} module turns them into JFR events and into ladder diagrams and plots.
 */
package dev.tsunagu.trace;
