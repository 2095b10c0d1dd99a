package dev.tsunagu.jdk;

import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;

/**
 * A {@link ServerSocket} listening on a Tsunagu {@link NetworkStack}: {@link #accept()} returns
 * {@link TsunaguSocket}s. Unbound when made; {@link #bind} listens, on every address of the stack
 * or on one of them.
 *
 * <pre>{@code
 * ServerSocket server = new TsunaguServerSocket(stack);
 * server.bind(new InetSocketAddress(8080));
 * Socket client = server.accept();
 * }</pre>
 *
 * For TLS, accept and wrap the accepted socket in server mode: see {@link TlsLayering#serverSide}.
 */
public class TsunaguServerSocket extends ServerSocket {
    private final NetworkStack stack;

    /** An unbound server socket on {@code stack}. */
    public TsunaguServerSocket(NetworkStack stack) {
        super(new TsunaguSocketImpl(stack, true));
        this.stack = Objects.requireNonNull(stack);
    }

    /**
     * Waits for the next connection ({@code SO_TIMEOUT} bounds the wait) and returns it as a
     * {@link TsunaguSocket}; the JDK's {@code accept} would make a kernel socket to accept into.
     */
    @Override
    public Socket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new SocketException("Socket is not bound yet");
        }
        Socket s = new TsunaguSocket(stack);
        implAccept(s);
        return s;
    }
}
