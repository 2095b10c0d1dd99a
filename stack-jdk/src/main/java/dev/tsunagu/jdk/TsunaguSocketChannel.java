package dev.tsunagu.jdk;

import static dev.tsunagu.jdk.ChannelWaits.ensureOpen;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SocketChannel} whose connection is a TCP connection of a Tsunagu stack. Bytes move
 * through {@link InboundBytes} and {@link OutboundBytes}, whose futures, completed on the
 * stack's loop, are the channel's readiness; blocking calls wait for the same signals (see
 * {@link ChannelWaits}). The states, checks and exceptions are those {@code SocketChannel}'s
 * javadoc gives, so code written against the JDK's channels cannot tell them apart.
 */
final class TsunaguSocketChannel extends SocketChannel implements StackChannel {
    private static final Logger log = LoggerFactory.getLogger(TsunaguSocketChannel.class);
    private static final int UNCONNECTED = 0;
    private static final int PENDING = 1;
    private static final int CONNECTED = 2;

    private final NetworkStack stack;
    private final Readiness readiness = new Readiness();
    private final ChannelOptions options;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile int state = UNCONNECTED;
    private volatile CompletableFuture<TcpSocket> connecting;
    private volatile TcpSocket connection;
    private volatile InboundBytes in;
    private volatile OutboundBytes out;
    private volatile InetSocketAddress localAddress;
    private volatile InetSocketAddress remoteAddress;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private Socket adaptor;

    /** An unconnected channel. */
    TsunaguSocketChannel(TsunaguSelectorProvider provider, NetworkStack stack) {
        super(provider);
        this.stack = stack;
        this.options = new ChannelOptions(ChannelOptions.STREAM);
    }

    /** A channel for a connection a listener accepted. */
    TsunaguSocketChannel(TsunaguSelectorProvider provider, NetworkStack stack, TcpSocket accepted, ChannelOptions options) {
        super(provider);
        this.stack = stack;
        this.options = options;
        this.remoteAddress = accepted.remoteAddress();
        becomeConnected(accepted);
    }

    NetworkStack stack() {
        return stack;
    }

    @Override
    public Readiness readiness() {
        return readiness;
    }

    @Override
    public int readyOps() {
        int ops = 0;
        int s = state;
        if (s == PENDING) {
            CompletableFuture<TcpSocket> f = connecting;
            if (f != null && f.isDone()) {
                ops |= SelectionKey.OP_CONNECT;
            }
        } else if (s == CONNECTED) {
            if (inputShutdown || in.ready()) {
                ops |= SelectionKey.OP_READ;
            }
            if (outputShutdown || out.ready()) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        return ops;
    }

    // ---- connecting ----

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        synchronized (stateLock) {
            ensureOpen(this);
            if (state == PENDING) {
                throw new ConnectionPendingException();
            }
            if (localAddress != null) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress a = local == null ? new InetSocketAddress(0) : checkAddress(local);
            if (!a.getAddress().isAnyLocalAddress() && !StackNames.isLocal(stack, a.getAddress())) {
                throw new java.net.BindException("Cannot assign requested address");
            }
            // The stack takes the port when the channel connects: a port in use is reported by connect.
            localAddress = new InetSocketAddress(a.getAddress().isAnyLocalAddress() ? StackNames.wildcard() : a.getAddress(),
                    a.getPort());
        }
        return this;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        return connect(remote, 0);
    }

    /** A connect whose handshake may take at most {@code timeoutMillis} (0: the stack's default, 75 s); the socket adaptor's. */
    boolean connect(SocketAddress remote, int timeoutMillis) throws IOException {
        InetSocketAddress isa = checkAddress(remote);
        CompletableFuture<TcpSocket> f;
        synchronized (stateLock) {
            ensureOpen(this);
            if (state == CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == PENDING) {
                throw new ConnectionPendingException();
            }
            try {
                TcpSocketOptions tcp = options.tcp();
                TcpSocketOptions o = timeoutMillis > 0 ? tcp.withConnectTimeout(Duration.ofMillis(timeoutMillis)) : tcp;
                InetSocketAddress bound = localAddress;
                f = bound == null ? stack.tcp().connectAsync(isa, o) : stack.tcp().connectAsync(bound, isa, o);
            } catch (MissingLayerException e) {
                throw new SocketException(e.getMessage(), e);
            }
            connecting = f;
            remoteAddress = isa;
            state = PENDING;
        }
        f.whenComplete((c, t) -> readiness.signal());
        if (!isBlocking()) {
            return false;
        }
        return finishConnect();
    }

    @Override
    public boolean finishConnect() throws IOException {
        CompletableFuture<TcpSocket> f;
        synchronized (stateLock) {
            ensureOpen(this);
            if (state == CONNECTED) {
                return true;
            }
            if (state != PENDING) {
                throw new NoConnectionPendingException();
            }
            f = connecting;
        }
        if (!f.isDone()) {
            if (!isBlocking()) {
                return false;
            }
            boolean done = false;
            begin();
            try {
                while (!f.isDone() && !ChannelWaits.stop(this)) {
                    CompletableFuture<Void> change = readiness.nextChange();
                    if (!f.isDone()) {
                        ChannelWaits.await(stack.loop(), change, ChannelWaits.NO_DEADLINE);
                    }
                }
                done = f.isDone() && isOpen();
            } finally {
                end(done);
            }
        }
        TcpSocket c;
        try {
            c = f.join();
        } catch (CompletionException e) {
            IOException failure = JdkErrors.onConnect(e);
            close(); // a failed connect closes the channel, as the JDK's does
            throw failure;
        }
        synchronized (stateLock) {
            if (state == PENDING) {
                becomeConnected(c);
            }
        }
        if (!isOpen()) {
            c.abort();
            throw new ClosedChannelException();
        }
        return true;
    }

    private void becomeConnected(TcpSocket c) {
        connection = c;
        localAddress = c.localAddress();
        in = new InboundBytes(c, stack.loop(), options.receiveBuffer, readiness::signal);
        out = new OutboundBytes(c, stack.loop(), options.sendBuffer, readiness::signal);
        if (options.noDelay) {
            c.setNoDelay(true);
        }
        if (options.keepAlive) {
            c.setKeepAlive(true);
        }
        state = CONNECTED;
        in.start();
        log.debug("{}: channel connected {} -> {}", stack.name(), c.localAddress(), c.remoteAddress());
        readiness.signal();
    }

    @Override
    public boolean isConnected() {
        return state == CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return state == PENDING;
    }

    // ---- reading ----

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return (int) read(new ByteBuffer[] {dst}, 0, 1, ChannelWaits.NO_DEADLINE);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return read(dsts, offset, length, ChannelWaits.NO_DEADLINE);
    }

    /** A read; in blocking mode it waits until {@code deadline} at most (the socket adaptor's SO_TIMEOUT). */
    long read(ByteBuffer[] dsts, int offset, int length, long deadline) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        boolean room = false;
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
            room |= dsts[i].hasRemaining();
        }
        readLock.lock();
        try {
            ensureOpen(this);
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (inputShutdown) {
                return -1;
            }
            if (!room) {
                return 0;
            }
            if (!isBlocking()) {
                return in.read(dsts, offset, length);
            }
            long n = 0;
            begin();
            try {
                while (!ChannelWaits.stop(this)) {
                    CompletableFuture<Void> change = readiness.nextChange();
                    n = inputShutdown ? -1 : in.read(dsts, offset, length);
                    if (n != 0) {
                        return n;
                    }
                    if (!ChannelWaits.await(stack.loop(), change, deadline)) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                }
                return 0;
            } finally {
                end(n != 0);
            }
        } finally {
            readLock.unlock();
        }
    }

    // ---- writing ----

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        writeLock.lock();
        try {
            ensureOpen(this);
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (outputShutdown) {
                throw new ClosedChannelException();
            }
            if (total == 0) {
                return 0;
            }
            if (!isBlocking()) {
                return out.write(srcs, offset, length);
            }
            long written = 0;
            begin();
            try {
                while (written < total && !ChannelWaits.stop(this)) {
                    CompletableFuture<Void> change = readiness.nextChange();
                    long n = out.write(srcs, offset, length);
                    written += n;
                    if (n == 0) {
                        ChannelWaits.await(stack.loop(), change, ChannelWaits.NO_DEADLINE);
                    }
                }
                return written;
            } finally {
                end(written == total);
            }
        } finally {
            writeLock.unlock();
        }
    }

    // ---- half-close and close ----

    @Override
    public SocketChannel shutdownInput() throws IOException {
        synchronized (stateLock) {
            ensureOpen(this);
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            inputShutdown = true;
        }
        readiness.signal();
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            ensureOpen(this);
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (outputShutdown) {
                return this;
            }
            outputShutdown = true;
        }
        TcpSocket c = connection;
        out.whenDrained(() -> {
            try {
                c.shutdownOutput();
            } catch (IOException e) {
                log.debug("{}: shutdownOutput found the connection gone", stack.name(), e);
            }
        });
        readiness.signal();
        return this;
    }

    boolean isInputShutdown() {
        return inputShutdown;
    }

    boolean isOutputShutdown() {
        return outputShutdown;
    }

    /**
     * Closes: the staged bytes still go, then FIN (the stack's close), as a kernel sends what a
     * closed socket had buffered; with {@code SO_LINGER} 0 the connection is reset at once.
     * Blocked callers wake ({@code AsynchronousCloseException}), and the keys are cancelled by
     * {@code AbstractSelectableChannel}.
     */
    @Override
    protected void implCloseSelectableChannel() {
        TcpSocket c;
        synchronized (stateLock) {
            c = connection;
        }
        if (c != null) {
            if (options.linger == 0) {
                out.discard();
                c.abort();
            } else {
                out.whenDrained(c::close);
            }
        } else {
            CompletableFuture<TcpSocket> f = connecting;
            if (f != null) {
                f.thenAccept(TcpSocket::abort);
            }
        }
        readiness.signal();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // Nothing to tell the stack: blocking is only whether this channel's calls wait.
    }

    // ---- addresses and options ----

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen(this);
        return localAddress;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen(this);
        return remoteAddress;
    }

    InetSocketAddress localAddressOrNull() {
        return localAddress;
    }

    InetSocketAddress remoteAddressOrNull() {
        return remoteAddress;
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        options.set(this, name, value);
        TcpSocket c = connection;
        if (c != null && name == StandardSocketOptions.TCP_NODELAY) {
            c.setNoDelay((Boolean) value);
        } else if (c != null && name == StandardSocketOptions.SO_KEEPALIVE) {
            c.setKeepAlive((Boolean) value);
        }
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
    public synchronized Socket socket() {
        if (adaptor == null) {
            try {
                adaptor = new ChannelSocket(this);
            } catch (SocketException e) {
                throw new AssertionError("Socket(null) makes nothing that could fail", e);
            }
        }
        return adaptor;
    }

    static InetSocketAddress checkAddress(SocketAddress a) {
        Objects.requireNonNull(a, "address");
        if (!(a instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return isa;
    }

    @Override
    public String toString() {
        String s = switch (state) {
            case PENDING -> "connection-pending remote=" + remoteAddress;
            case CONNECTED -> "connected local=" + localAddress + " remote=" + remoteAddress;
            default -> "unconnected";
        };
        return "TsunaguSocketChannel[" + stack.name() + ", " + (isOpen() ? s : "closed") + "]";
    }
}
