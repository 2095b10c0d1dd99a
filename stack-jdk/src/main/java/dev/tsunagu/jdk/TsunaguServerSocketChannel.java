package dev.tsunagu.jdk;

import static dev.tsunagu.jdk.ChannelWaits.ensureOpen;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ServerSocketChannel} listening on a Tsunagu stack. Once bound it always has one
 * accept asked of the stack's listener; the loop completing it is what makes the channel
 * acceptable ({@code OP_ACCEPT}), and {@link #accept} takes that connection and asks for the
 * next. Connections beyond the one taken wait in the stack's bounded accept queue (the
 * backlog), so nothing grows here.
 */
final class TsunaguServerSocketChannel extends ServerSocketChannel implements StackChannel {
    private static final Logger log = LoggerFactory.getLogger(TsunaguServerSocketChannel.class);
    /** The backlog when the caller gives none (0 or less), as the JDK's. */
    private static final int DEFAULT_BACKLOG = 50;

    private final TsunaguSelectorProvider provider;
    private final NetworkStack stack;
    private final Readiness readiness = new Readiness();
    private final ChannelOptions options = new ChannelOptions(ChannelOptions.LISTENER);
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile TcpServerSocket listener;
    private volatile InetAddress boundAddress;
    private volatile CompletableFuture<TcpSocket> pendingAccept;
    private ServerSocket adaptor;

    TsunaguServerSocketChannel(TsunaguSelectorProvider provider, NetworkStack stack) {
        super(provider);
        this.provider = provider;
        this.stack = stack;
        this.options.reuseAddress = true; // as the JDK's: a restarted server binds at once
    }

    @Override
    public Readiness readiness() {
        return readiness;
    }

    @Override
    public int readyOps() {
        CompletableFuture<TcpSocket> f = pendingAccept;
        return f != null && f.isDone() ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen(this);
            if (listener != null) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress a = local == null ? new InetSocketAddress(0) : TsunaguSocketChannel.checkAddress(local);
            if (!a.getAddress().isAnyLocalAddress() && !StackNames.isLocal(stack, a.getAddress())) {
                throw new BindException("Cannot assign requested address");
            }
            TcpServerSocket l;
            try {
                l = stack.tcp().listen(a.getPort(), backlog < 1 ? DEFAULT_BACKLOG : backlog, options.tcp());
            } catch (BindException e) {
                throw JdkErrors.onBind(e);
            } catch (MissingLayerException e) {
                throw new SocketException(e.getMessage(), e);
            }
            boundAddress = a.getAddress().isAnyLocalAddress() ? StackNames.wildcard() : a.getAddress();
            listener = l;
            armAccept(l);
            log.debug("{}: channel listening on {}", stack.name(), l.localAddress());
        }
        return this;
    }

    private void armAccept(TcpServerSocket l) {
        CompletableFuture<TcpSocket> f = l.acceptAsync();
        pendingAccept = f;
        f.whenComplete((c, t) -> readiness.signal());
    }

    @Override
    public SocketChannel accept() throws IOException {
        return accept(ChannelWaits.NO_DEADLINE);
    }

    /** An accept; in blocking mode it waits until {@code deadline} at most (the adaptor's SO_TIMEOUT). */
    SocketChannel accept(long deadline) throws IOException {
        acceptLock.lock();
        try {
            ensureOpen(this);
            TcpServerSocket l = listener;
            if (l == null) {
                throw new NotYetBoundException();
            }
            if (!isBlocking()) {
                return take(l);
            }
            SocketChannel accepted = null;
            begin();
            try {
                while (!ChannelWaits.stop(this)) {
                    CompletableFuture<Void> change = readiness.nextChange();
                    accepted = take(l);
                    if (accepted != null) {
                        return accepted;
                    }
                    if (!ChannelWaits.await(stack.loop(), change, deadline)) {
                        throw new SocketTimeoutException("Accept timed out");
                    }
                }
                return null;
            } finally {
                end(accepted != null);
            }
        } finally {
            acceptLock.unlock();
        }
    }

    /** The connection the stack has handed over, if any, as a channel; asks for the next. */
    private SocketChannel take(TcpServerSocket l) throws IOException {
        while (true) {
            CompletableFuture<TcpSocket> f = pendingAccept;
            if (f == null || !f.isDone()) {
                return null;
            }
            TcpSocket c;
            try {
                c = f.join();
            } catch (CompletionException e) {
                IOException failure = JdkErrors.onAccept(e);
                if (isOpen()) {
                    armAccept(l);
                }
                throw failure;
            }
            armAccept(l);
            InetAddress bound = boundAddress;
            if (!bound.isAnyLocalAddress() && !bound.equals(c.localAddress().getAddress())) {
                c.abort(); // the stack listens on every address; this channel was bound to one of them
                continue;
            }
            return new TsunaguSocketChannel(provider, stack, c, options.forAccepted());
        }
    }

    @Override
    protected void implCloseSelectableChannel() {
        TcpServerSocket l;
        synchronized (stateLock) {
            l = listener;
        }
        if (l != null) {
            l.close();
        }
        CompletableFuture<TcpSocket> f = pendingAccept;
        if (f != null) {
            f.thenAccept(TcpSocket::abort);
        }
        readiness.signal();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // Nothing to tell the stack.
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen(this);
        return localAddressOrNull();
    }

    InetSocketAddress localAddressOrNull() {
        TcpServerSocket l = listener;
        return l == null ? null : new InetSocketAddress(boundAddress, l.localAddress().getPort());
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        options.set(this, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return options.get(this, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return options.supported();
    }

    @Override
    public synchronized ServerSocket socket() {
        if (adaptor == null) {
            adaptor = new ChannelServerSocket(this);
        }
        return adaptor;
    }

    NetworkStack stack() {
        return stack;
    }

    @Override
    public String toString() {
        return "TsunaguServerSocketChannel[" + stack.name() + ", "
                + (!isOpen() ? "closed" : listener == null ? "unbound" : localAddressOrNull()) + "]";
    }
}
