package dev.tsunagu.jdk;

import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * Makes {@link TsunaguSocket}s on one stack: hand it to any library that takes a
 * {@link SocketFactory} and its connections run on the stack.
 *
 * <pre>{@code
 * OkHttpClient http = new OkHttpClient.Builder().socketFactory(TsunaguSocketFactory.of(stack)).build();
 * }</pre>
 *
 * Host names are resolved with the stack's name resolver. Every overload that connects closes
 * the socket if the connection fails, as the JDK's factory does.
 */
public final class TsunaguSocketFactory extends SocketFactory {
    private final NetworkStack stack;

    private TsunaguSocketFactory(NetworkStack stack) {
        this.stack = Objects.requireNonNull(stack);
    }

    /** A factory of sockets on {@code stack}. */
    public static TsunaguSocketFactory of(NetworkStack stack) {
        return new TsunaguSocketFactory(stack);
    }

    /** An unconnected socket (what OkHttp asks for, to set options before it connects). */
    @Override
    public Socket createSocket() throws IOException {
        return new TsunaguSocket(stack);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return createSocket(StackNames.resolve(stack, host), port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return createSocket(StackNames.resolve(stack, host), port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new TsunaguSocket(stack), host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        Socket s = new TsunaguSocket(stack);
        try {
            s.bind(new InetSocketAddress(localAddress, localPort));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return connected(s, address, port);
    }

    private static Socket connected(Socket s, InetAddress host, int port) throws IOException {
        // Socket.connect closes the socket when it fails.
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public String toString() {
        return "TsunaguSocketFactory[" + stack.name() + "]";
    }
}
