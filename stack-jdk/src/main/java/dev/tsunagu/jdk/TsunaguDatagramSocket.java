package dev.tsunagu.jdk;

import dev.tsunagu.stack.NetworkStack;
import java.net.DatagramSocket;

/**
 * A {@link DatagramSocket} on a Tsunagu stack's UDP, unbound when made (the JDK binds it to an
 * ephemeral port on first send or receive, or {@link #bind} does):
 *
 * <pre>{@code
 * DatagramSocket s = new TsunaguDatagramSocket(stack);
 * s.bind(new InetSocketAddress(5353));
 * }</pre>
 *
 * Multicast is not supported yet; {@link #getChannel()} is null.
 */
public class TsunaguDatagramSocket extends DatagramSocket {
    /** An unbound datagram socket on {@code stack}. */
    public TsunaguDatagramSocket(NetworkStack stack) {
        super(new TsunaguDatagramSocketImpl(stack));
    }
}
