package dev.tsunagu.jdk;

import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Objects;
import javax.net.ServerSocketFactory;

/** Makes {@link TsunaguServerSocket}s on one stack, for code that takes a {@link ServerSocketFactory}. */
public final class TsunaguServerSocketFactory extends ServerSocketFactory {
    private final NetworkStack stack;

    private TsunaguServerSocketFactory(NetworkStack stack) {
        this.stack = Objects.requireNonNull(stack);
    }

    /** A factory of server sockets on {@code stack}. */
    public static TsunaguServerSocketFactory of(NetworkStack stack) {
        return new TsunaguServerSocketFactory(stack);
    }

    /** An unbound server socket. */
    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new TsunaguServerSocket(stack);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return createServerSocket(port, 0, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return createServerSocket(port, backlog, null);
    }

    /** Listens on {@code port} (0: an ephemeral one) of {@code ifAddress}, or of every address if it is null. */
    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        ServerSocket s = new TsunaguServerSocket(stack);
        // ServerSocket.bind closes the socket when it fails.
        s.bind(ifAddress == null ? new InetSocketAddress(port) : new InetSocketAddress(ifAddress, port), backlog);
        return s;
    }

    @Override
    public String toString() {
        return "TsunaguServerSocketFactory[" + stack.name() + "]";
    }
}
