package dev.tsunagu.jdk;

import dev.tsunagu.stack.NetworkStack;
import java.net.Socket;
import java.net.SocketException;

/**
 * A {@link Socket} whose connection is a TCP connection of a Tsunagu {@link NetworkStack}. It
 * behaves as the JDK documents {@code Socket} (the JDK's own class keeps the state; see the
 * package documentation), so code that takes a {@code Socket} works with it unchanged:
 *
 * <pre>{@code
 * Socket s = new TsunaguSocket(stack);
 * s.connect(new InetSocketAddress("10.0.0.2", 80), 5_000);
 * }</pre>
 *
 * An unresolved address is resolved with the stack's name resolver. {@link #getChannel()} is
 * null: the NIO channels are another part of the adapter.
 */
public class TsunaguSocket extends Socket {
    /** An unconnected socket on {@code stack}. */
    public TsunaguSocket(NetworkStack stack) throws SocketException {
        super(new TsunaguSocketImpl(stack, false));
    }
}
