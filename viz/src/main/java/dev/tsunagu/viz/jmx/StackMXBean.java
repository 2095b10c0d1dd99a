package dev.tsunagu.viz.jmx;

import java.util.List;
import java.util.Map;

/** One stack, as JMX sees it; every attribute is read when asked. */
public interface StackMXBean {
    /** The stack's name. */
    String getName();

    /** Each layer's (and interface's) counters, by group: {@code tcp}, {@code ipv4}, {@code eth0}, {@code loop}... */
    List<LayerCounters> getLayers();

    /** One counter, or 0 if the stack has none by that name. */
    long counter(String layer, String name);

    /** The socket table: every socket of every transport. */
    List<SocketRow> getSockets();

    /** How many sockets the table has. */
    int getSocketCount();

    /**
     * The counters of one group.
     *
     * @param layer the group's name
     * @param counters each counter's value by its name
     */
    record LayerCounters(String layer, Map<String, Long> counters) {
    }

    /**
     * One socket: a row of {@code SocketInfo} with the addresses as text.
     *
     * @param protocol {@code TCP} or {@code UDP}
     * @param descriptor the socket library's descriptor, -1 if none
     * @param local the local address and port
     * @param remote the remote address and port, empty when unconnected
     * @param state the protocol state
     * @param sendQueue bytes waiting to be sent or acknowledged
     * @param receiveQueue bytes received and not yet read
     */
    record SocketRow(String protocol, int descriptor, String local, String remote, String state, long sendQueue,
                     long receiveQueue) {
    }
}
