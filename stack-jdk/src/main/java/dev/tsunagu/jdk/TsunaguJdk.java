package dev.tsunagu.jdk;

import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.DatagramSocketImplFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImplFactory;
import java.net.spi.InetAddressResolver;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * Everything of the JDK's networking that one stack can stand behind, in one place: the socket
 * factories, the NIO {@link java.nio.channels.spi.SelectorProvider}, the name resolver, and the three {@code java.net} implementation factories that
 * route every {@code new Socket()}, {@code new ServerSocket()} and {@code new DatagramSocket()}
 * of the JVM to the stack. This is the programmatic form of the JVM-wide switch: several stacks
 * in one JVM each get their own.
 *
 * <pre>{@code
 * TsunaguJdk a = TsunaguJdk.of(stackA), b = TsunaguJdk.of(stackB);
 * ServerSocket server = b.serverSocketFactory().createServerSocket(80);
 * SocketChannel channel = a.selectorProvider().openSocketChannel();
 * Socket client = a.socketFactory().createSocket("10.0.0.2", 80);
 * InetAddressResolver names = a.resolver(HostTable.parse("www.example.test=10.0.0.2"));
 * }</pre>
 *
 * <p>The stack may be given lazily ({@link #lazy}): the supplier is called once, the first time
 * a socket or a lookup needs it, which is how the JVM-wide stack ({@code dev.tsunagu.jdk.jvm})
 * starts only when a program first touches the network.
 */
public final class TsunaguJdk {
    private final Supplier<NetworkStack> stack;
    private final TsunaguSelectorProvider nio;

    private TsunaguJdk(Supplier<NetworkStack> stack) {
        this.stack = stack;
        this.nio = new TsunaguSelectorProvider(stack); // asks the supplier at its first channel or selector
    }

    /** The adapters of {@code stack}. */
    public static TsunaguJdk of(NetworkStack stack) {
        Objects.requireNonNull(stack);
        return new TsunaguJdk(() -> stack);
    }

    /** The adapters of the stack {@code stack} gives, called once, when a socket or lookup first needs it. */
    public static TsunaguJdk lazy(Supplier<NetworkStack> stack) {
        return new TsunaguJdk(new Once(stack));
    }

    /** The stack (started now if it was given lazily). */
    public NetworkStack stack() {
        return stack.get();
    }

    /** Client sockets on the stack ({@link TsunaguSocketFactory}). */
    public SocketFactory socketFactory() {
        return TsunaguSocketFactory.of(stack());
    }

    /** Server sockets on the stack ({@link TsunaguServerSocketFactory}). */
    public ServerSocketFactory serverSocketFactory() {
        return TsunaguServerSocketFactory.of(stack());
    }

    /**
     * The NIO channels on the stack: one provider for the life of this object, since a selector
     * selects only the channels of its own provider.
     */
    public TsunaguSelectorProvider selectorProvider() {
        return nio;
    }

    /** Names through the stack's DNS (see {@link TsunaguResolver}), after {@code hosts}. */
    public InetAddressResolver resolver(HostTable hosts) {
        return new TsunaguResolver(stack, hosts);
    }

    /**
     * Makes the JDK's own constructors use the stack, for the whole JVM: {@code new Socket()},
     * {@code new ServerSocket(...)} (and what it accepts), {@code new DatagramSocket(...)} and
     * {@code new MulticastSocket(...)}, whoever calls them (HttpURLConnection, JDBC drivers, an
     * application). Through {@code Socket.setSocketImplFactory},
     * {@code ServerSocket.setSocketFactory} and {@code DatagramSocket.setDatagramSocketImplFactory},
     * deprecated since Java 17 but not for removal and working in Java 25; each can be set once
     * per JVM, so this is for the one stack a JVM runs on (the agent of
     * {@code dev.tsunagu.jdk.jvm} calls it). The NIO channels are not affected: they come from
     * the {@code SelectorProvider} ({@link #selectorProvider}, or for the JVM
     * {@code -Djava.nio.channels.spi.SelectorProvider}).
     *
     * @throws java.net.SocketException if one of the three was already set (by this or anyone)
     */
    @SuppressWarnings("deprecation") // the JDK's only hook for the sockets that code makes with new
    public void installJvmWide() throws IOException {
        Socket.setSocketImplFactory(clientImpls());
        ServerSocket.setSocketFactory(serverImpls());
        DatagramSocket.setDatagramSocketImplFactory(datagramImpls());
    }

    /** Client socket impls; also what a server socket accepts into (the JDK asks the client factory). */
    SocketImplFactory clientImpls() {
        return () -> new TsunaguSocketImpl(stack(), false);
    }

    SocketImplFactory serverImpls() {
        return () -> new TsunaguSocketImpl(stack(), true);
    }

    DatagramSocketImplFactory datagramImpls() {
        return () -> new TsunaguDatagramSocketImpl(stack());
    }

    @Override
    public String toString() {
        return "TsunaguJdk[" + (stack instanceof Once o ? o : stack.get().name()) + "]";
    }

    /** Calls its supplier once, on first use; a failure is kept and thrown again to every later caller. */
    private static final class Once implements Supplier<NetworkStack> {
        private final Supplier<NetworkStack> supplier;
        private NetworkStack stack;
        private RuntimeException failure;

        Once(Supplier<NetworkStack> supplier) {
            this.supplier = Objects.requireNonNull(supplier);
        }

        @Override
        public synchronized NetworkStack get() {
            if (stack == null && failure == null) {
                try {
                    stack = Objects.requireNonNull(supplier.get(), "the stack supplier gave null");
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return stack;
        }

        @Override
        public synchronized String toString() {
            return stack != null ? stack.name() : failure != null ? "failed: " + failure.getMessage() : "not started";
        }
    }
}
