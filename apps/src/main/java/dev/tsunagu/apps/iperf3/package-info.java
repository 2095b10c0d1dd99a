/**
 * An iperf3-compatible server over Tsunagu's sockets, so the real {@code iperf3 -c} measures a
 * Tsunagu stack: {@link dev.tsunagu.apps.iperf3.Iperf3Server#start}.
 *
 * <p>iperf3's protocol, as this package implements it (learned from iperf3's public sources and
 * from watching iperf3 3.12 with {@code --debug} and tcpdump):
 * <ul>
 *   <li>Every TCP connection to the port starts with a 37-byte cookie. The first names a new
 *       test and becomes its control connection; later ones with the same cookie are the test's
 *       streams; anything else while a test runs gets ACCESS_DENIED (one byte, -1).</li>
 *   <li>On the control connection the server announces its state in single bytes
 *       ({@link dev.tsunagu.apps.iperf3.ControlState}); the parameters and both sides'
 *       results travel as JSON with a 32-bit big-endian length
 *       ({@link dev.tsunagu.apps.iperf3.ControlChannel}).</li>
 *   <li>UDP flows start with a 4-byte datagram ("9876") that the server answers ("6789");
 *       each data datagram starts with the send time and a sequence number
 *       ({@link dev.tsunagu.apps.iperf3.UdpHeader}), from which the receiver counts loss and
 *       jitter ({@link dev.tsunagu.apps.iperf3.UdpReceiveStats}).</li>
 * </ul>
 *
 * <p>Layout: wire pieces (cookie, states, JSON framing, UDP header) apart from the protocol's
 * state machine ({@link dev.tsunagu.apps.iperf3.ServerMachine}: events in, actions out, no
 * sockets), which {@link dev.tsunagu.apps.iperf3.Session} drives over the sockets; the data
 * side is a {@link dev.tsunagu.apps.iperf3.Traffic} per test (TCP streams or UDP flows).
 * Times come from a clock passed in, so loss, jitter and pacing are tested with numbers.
 *
 * <p>JSON is a small hand-written codec ({@link dev.tsunagu.apps.iperf3.Json}): the messages
 * are small flat objects, and 300 lines with bounded depth and length are simpler to trust than
 * a library's configuration.
 */
package dev.tsunagu.apps.iperf3;
