package dev.tsunagu.socket;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * One row of the socket table, the {@code netstat} view the seeds describe.
 *
 * @param protocol {@code TCP}, {@code UDP}…
 * @param descriptor the socket library's descriptor number, or -1 if the socket has none
 * @param local local address and port
 * @param remote remote address and port, or null when unconnected
 * @param state the protocol state ({@code ESTABLISHED}, {@code TIME_WAIT}…)
 * @param sendQueue bytes waiting to be sent or acknowledged
 * @param receiveQueue bytes received and not yet read
 * @param details protocol-specific facts (RTT, RTO, congestion window…)
 */
public record SocketInfo(String protocol, int descriptor, InetSocketAddress local, InetSocketAddress remote,
                         String state, long sendQueue, long receiveQueue, Map<String, String> details) {
    /** Copies {@code details}; the copy is unmodifiable. */
    public SocketInfo {
        details = Map.copyOf(details);
    }
}
