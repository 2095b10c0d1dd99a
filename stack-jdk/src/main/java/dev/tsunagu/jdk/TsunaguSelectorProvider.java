package dev.tsunagu.jdk;

import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link SelectorProvider} whose channels live on a Tsunagu {@link NetworkStack}: code written
 * against {@code java.nio.channels} — Netty's NIO transport, for one — runs on the stack when
 * handed this provider instead of {@link SelectorProvider#provider()}:
 *
 * <pre>{@code
 * SelectorProvider nio = new TsunaguSelectorProvider(stack);
 * try (ServerSocketChannel server = nio.openServerSocketChannel();
 *      Selector selector = nio.openSelector()) {
 *     server.bind(new InetSocketAddress(8080)).configureBlocking(false);
 *     server.register(selector, SelectionKey.OP_ACCEPT);
 *     ...
 * }
 * }</pre>
 *
 * A selector of this provider selects only this provider's channels (another provider's are an
 * {@link java.nio.channels.IllegalSelectorException}, as between any two providers); readiness
 * comes from the stack's event loop, never from polling (see the package documentation).
 *
 * <p>IPv4 only for now: {@link StandardProtocolFamily#INET6} and {@code UNIX} are unsupported.
 * {@link #openPipe()} is the platform's pipe (a pipe is in-process and needs no network); when
 * this provider is itself the JVM's default provider there is no platform provider to ask, and
 * it throws {@link UnsupportedOperationException}.
 */
public class TsunaguSelectorProvider extends SelectorProvider {
    private final Supplier<NetworkStack> supplier;
    private volatile NetworkStack stack;

    /** Channels on {@code stack}. */
    public TsunaguSelectorProvider(NetworkStack stack) {
        Objects.requireNonNull(stack, "stack");
        this.stack = stack;
        this.supplier = () -> stack;
    }

    /**
     * Channels on the stack {@code stack} supplies, asked for lazily and once: the first time a
     * channel or a selector is opened. For a provider chosen by configuration that must start
     * its stack only when the program first uses the network.
     */
    protected TsunaguSelectorProvider(Supplier<NetworkStack> stack) {
        this.supplier = Objects.requireNonNull(stack, "stack");
    }

    /** The stack, from the supplier on first use. */
    protected final NetworkStack stack() {
        NetworkStack s = stack;
        if (s == null) {
            synchronized (this) {
                s = stack;
                if (s == null) {
                    s = Objects.requireNonNull(supplier.get(), "the supplier gave no stack");
                    stack = s;
                }
            }
        }
        return s;
    }

    /** The stack's name for messages, without starting it. */
    String stackName() {
        NetworkStack s = stack;
        return s == null ? "(not started)" : s.name();
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return new TsunaguDatagramChannel(this, stack());
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        requireInet(family);
        return openDatagramChannel();
    }

    @Override
    public Pipe openPipe() throws IOException {
        SelectorProvider platform = SelectorProvider.provider();
        if (platform instanceof TsunaguSelectorProvider) {
            throw new UnsupportedOperationException("pipes: Tsunagu is the JVM's selector provider, and has no pipe of its own");
        }
        return platform.openPipe();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        stack();
        return new TsunaguSelector(this);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return new TsunaguServerSocketChannel(this, stack());
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        requireInet(family);
        return openServerSocketChannel();
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return new TsunaguSocketChannel(this, stack());
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        requireInet(family);
        return openSocketChannel();
    }

    /** None: a Tsunagu stack's channels are never inherited from a parent process. */
    @Override
    public Channel inheritedChannel() {
        return null;
    }

    private static void requireInet(ProtocolFamily family) {
        Objects.requireNonNull(family, "family");
        if (family != StandardProtocolFamily.INET) {
            throw new UnsupportedOperationException("Protocol family not supported by Tsunagu: " + family);
        }
    }

    @Override
    public String toString() {
        return "TsunaguSelectorProvider[" + stackName() + "]";
    }
}
