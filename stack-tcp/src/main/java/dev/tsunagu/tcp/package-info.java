/**
 * TCP (RFC 9293): the connection state machine, the listener, the socket API, and the glue to
 * the policies that decide congestion control, retransmission timing and send buffering.
 *
 * <p><b>The layer</b>: {@link dev.tsunagu.tcp.TcpLayer} demultiplexes arriving segments to a
 * connection or a {@link dev.tsunagu.tcp.TcpListener}, answers segments for no socket with RST,
 * puts the header on what connections send, and is the stack's {@code TcpService};
 * {@code TcpSocketImpl} is the application's handle, {@code SocketLibrary} the BSD-style calls.
 *
 * <p><b>A connection is split along its state</b>, as gVisor and Linux split theirs: each part
 * holds the fields its rules read and write, so a change to one rule opens one file.
 *
 * <pre>
 *   TcpLayer ─▶ TcpConnection ◀─ TcpListener, TcpSocketImpl
 *                 │  identity and state, the RFC 9293 3.10.7 dispatch, close/abort/delete,
 *                 │  where timers fire; SocketCalls, Keepalive, TcpInfo beside it
 *     ┌───────────┼──────────────┬──────────────────┬───────────────┐
 *     ▼           ▼              ▼                  ▼               ▼
 * Handshake ─▶ Sender ◀────────▶ LossRecovery ─▶ SackScoreboard   Receiver ─▶ AckScheduler
 *     │          │  │  resend,        │                             ▲              ▲
 *     │          │  │  NextSeg, TLP   ▼                             │              │
 *     │          │  └──────────▶ RttSampler ◀───────────────┐       │              │
 *     │          ▼                                          │       │              │
 *     └─────▶ TcpOutput ────────────────────────────────────┴───────┴──────────────┘
 *                │ Transmit (the connection: its state, its addresses)
 *                ▼
 *        TcpLayer.transmit ─▶ IP            (an arrow: "calls"; the policies are left out)
 * </pre>
 *
 * <ul>
 *   <li>{@code TcpConnection}: the addresses and ports, the state, the step-by-step dispatch
 *       of an arriving segment (with RFC 5961's checks), the state transitions, the
 *       application's calls, and death. The only part that calls the layer, the listener or
 *       the socket.</li>
 *   <li>{@code SocketCalls}: what the application waits for (its connect, reads, writes, the
 *       close) and the connection's error, which every later call gets.</li>
 *   <li>{@code Handshake}: SYN and SYN-ACK, their retransmission, SYN-SENT's steps, the
 *       options only SYNs carry (it writes what was negotiated into the other parts), and which
 *       ICMP errors fail a connect. Dropped once the connection is established.</li>
 *   <li>{@code Sender}: SND.*, the send buffer, our FIN, what leaves when (windows, Nagle via
 *       the send-buffering policy, silly windows, restart after idle), the persist timer.</li>
 *   <li>{@code Receiver}: RCV.*, the receive buffer, the window we advertise, the SACK blocks we
 *       send, the peer's FIN.</li>
 *   <li>{@code AckScheduler}: when our ACK goes — at once, delayed, rate-limited, as a
 *       challenge, or as a window update. Calls nothing.</li>
 *   <li>{@code LossRecovery}: duplicate ACKs, limited transmit, SACK recovery over the
 *       {@code SackScoreboard}, the reordering window, the tail loss probe, the RTO; the
 *       congestion-control events they cause.</li>
 *   <li>{@code RttSampler}: Karn's rule, timestamps, PAWS; feeds the retransmission policy.</li>
 *   <li>{@code TcpOutput}: builds a segment from the parts' state (ACK, window, options, the
 *       payload from the send buffer) and hands it to the connection's transmit function.</li>
 * </ul>
 *
 * <p>Parts are called down from the connection. Timers fire into the part that owns the rule
 * (the delayed-ACK, retransmission and keep-alive timers into the connection, which checks the
 * state first). The one pair that calls both ways is {@code Sender} and {@code LossRecovery}:
 * recovery picks what to resend and the sender sends it; the sender asks recovery what goes
 * next in SACK recovery and tells it when new data left (the tail loss probe's clock). Stack-wide
 * settings reach the parts as {@code TcpSettings}, never through the layer.
 *
 * <p>The trace ({@code TcpTrace}, stack-api's {@code dev.tsunagu.trace}) exists only while a
 * sink watches a connection and hangs on its {@code Sender}, which every part holds: the layer
 * reports segments in and out and deletion, the parts name why they retransmit and which timer
 * fired, each behind one null check.
 */
package dev.tsunagu.tcp;
