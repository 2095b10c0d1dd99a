package dev.tsunagu.jdk;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.NetworkStack;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SocketImpl} behind {@link TsunaguSocket} and {@link TsunaguServerSocket}: one TCP
 * connection or listener of a {@link NetworkStack}. The JDK's {@code Socket} and
 * {@code ServerSocket} keep the state the javadoc describes and call in here to move bytes; this
 * class only waits for the stack's futures and speaks the JDK's exceptions (see the package
 * documentation for why).
 *
 * <p>Every wait is on a future of the stack and on {@link #closed}, so a close from another
 * thread wakes it. A read or accept that times out leaves its request to the stack pending and
 * the next call takes it up: cancelling it could lose a byte or a connection that is being
 * delivered at that very moment. For the same reason reads go into a buffer of this socket
 * (never the caller's array, which the caller may reuse once the timeout is thrown) and are
 * copied out: one copy of at most {@value #READ_CHUNK} bytes per read.
 */
final class TsunaguSocketImpl extends SocketImpl {
    private static final Logger log = LoggerFactory.getLogger(TsunaguSocketImpl.class);
    /** "Wait forever", as a Duration the loop's await accepts (a century fits in a long of nanoseconds). */
    private static final Duration FOREVER = Duration.ofDays(36_500);
    /** The most one read asks of the stack; also the size of the socket's read buffer. */
    static final int READ_CHUNK = 64 * 1024;
    /** The backlog when the caller gives none (0 or less), as the JDK's. */
    private static final int DEFAULT_BACKLOG = 50;
    private static final Set<SocketOption<?>> CLIENT_OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_LINGER);
    private static final Set<SocketOption<?>> SERVER_OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR);

    private final NetworkStack stack;
    private final boolean server;
    /** Completed once, by {@link #close}: every wait also waits for it. */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock acceptLock = new ReentrantLock();

    // ---- options (any thread) ----
    private volatile int soTimeout;
    private volatile int receiveBuffer = TcpSocketOptions.DEFAULT_BUFFER;
    private volatile int sendBuffer = TcpSocketOptions.DEFAULT_BUFFER;
    private volatile int linger = -1;
    private volatile boolean noDelay;
    private volatile boolean keepAlive;
    private volatile boolean reuseAddress;

    // ---- state ----
    private volatile InetAddress boundAddress;
    private volatile TcpSocket connection;
    private volatile CompletableFuture<TcpSocket> connecting;
    private volatile TcpServerSocket listener;
    /** An accept the stack has not answered yet (kept across a timeout); guarded by acceptLock. */
    private volatile CompletableFuture<TcpSocket> pendingAccept;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    // ---- reading, guarded by readLock ----
    private CompletableFuture<Integer> pendingRead;
    private byte[] readBuffer;
    private int readPosition;
    private int readLimit;
    private boolean endOfStream;

    private InputStream in;
    private OutputStream out;

    TsunaguSocketImpl(NetworkStack stack, boolean server) {
        this.stack = Objects.requireNonNull(stack);
        this.server = server;
        // The JDK turns SO_REUSEADDR on for every ServerSocket (so a restarted server can bind at once).
        this.reuseAddress = server;
    }

    // ---- lifecycle ----

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("Tsunagu's SocketImpl is for stream (TCP) sockets only");
        }
        if (fd == null) {
            fd = new FileDescriptor();
        }
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(InetSocketAddress.createUnresolved(host == null ? "localhost" : host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress endpoint, int timeoutMillis) throws IOException {
        ensureOpen();
        if (server) {
            throw new SocketException("a server socket does not connect");
        }
        if (connection != null || connecting != null) {
            throw new SocketException("Already connected");
        }
        InetSocketAddress remote = StackNames.resolve(stack, (InetSocketAddress) endpoint);
        Duration limit = timeoutMillis > 0 ? Duration.ofMillis(timeoutMillis) : TcpSocketOptions.DEFAULT.connectTimeout();
        CompletableFuture<TcpSocket> f;
        try {
            // A bound client connects from its address and port: the stack takes the port only now,
            // so a port in use is reported by connect, not by bind.
            InetAddress bound = boundAddress;
            TcpSocketOptions options = connectionOptions().withConnectTimeout(limit);
            f = bound == null ? stack.tcp().connectAsync(remote, options)
                    : stack.tcp().connectAsync(new InetSocketAddress(bound, localport), remote, options);
        } catch (MissingLayerException e) {
            throw new SocketException(e.getMessage(), e);
        }
        connecting = f;
        TcpSocket c;
        try {
            c = await(f, timeoutMillis, "Connect timed out", JdkErrors::onConnect);
        } catch (IOException e) {
            // A handshake that completes after we gave up must not leave a connection behind.
            f.thenAccept(TcpSocket::abort);
            throw e;
        }
        connection = c;
        address = remote.getAddress();
        port = remote.getPort();
        localport = c.localAddress().getPort();
        boundAddress = c.localAddress().getAddress();
        if (closed.isDone()) {
            c.abort();
            throw new SocketException(JdkErrors.SOCKET_CLOSED);
        }
        log.debug("{}: connected {} -> {}", stack.name(), c.localAddress(), remote);
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        ensureOpen();
        if (host != null && !host.isAnyLocalAddress() && !StackNames.isLocal(stack, host)) {
            throw new BindException("Cannot assign requested address: " + host.getHostAddress()
                    + " is not an address of stack " + stack.name());
        }
        boundAddress = host == null ? StackNames.wildcard() : host;
        localport = port;
        if (server) {
            address = boundAddress;
        }
    }

    @Override
    protected void listen(int backlog) throws IOException {
        ensureOpen();
        if (!server) {
            throw new SocketException("only a server socket listens");
        }
        try {
            TcpServerSocket l = stack.tcp().listen(localport, backlog < 1 ? DEFAULT_BACKLOG : backlog, connectionOptions());
            listener = l;
            localport = l.localAddress().getPort();
        } catch (BindException e) {
            throw JdkErrors.onBind(e);
        } catch (MissingLayerException e) {
            throw new SocketException(e.getMessage(), e);
        }
        log.debug("{}: listening on {}:{}", stack.name(), boundAddress.getHostAddress(), localport);
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        if (!(s instanceof TsunaguSocketImpl target)) {
            throw new SocketException("a Tsunagu server socket accepts into Tsunagu sockets only, not " + s.getClass());
        }
        TcpServerSocket l = listener;
        if (l == null) {
            throw new SocketException("Socket is not listening");
        }
        acceptLock.lock();
        try {
            while (true) {
                ensureOpen();
                if (pendingAccept == null) {
                    pendingAccept = l.acceptAsync();
                }
                TcpSocket c;
                try {
                    c = await(pendingAccept, soTimeout, "Accept timed out", JdkErrors::onAccept);
                } catch (SocketTimeoutException e) {
                    throw e; // the accept stays pending for the next call
                } catch (IOException e) {
                    pendingAccept = null;
                    throw e;
                }
                pendingAccept = null;
                InetAddress bound = boundAddress;
                if (!bound.isAnyLocalAddress() && !bound.equals(c.localAddress().getAddress())) {
                    // The stack listens on every address; this socket was bound to one of them.
                    c.abort();
                    continue;
                }
                target.attach(c, this);
                return;
            }
        } finally {
            acceptLock.unlock();
        }
    }

    /** Becomes the accepted connection {@code c}, with the buffer sizes of {@code listener}. */
    private void attach(TcpSocket c, TsunaguSocketImpl from) {
        connection = c;
        address = c.remoteAddress().getAddress();
        port = c.remoteAddress().getPort();
        localport = c.localAddress().getPort();
        boundAddress = c.localAddress().getAddress();
        receiveBuffer = from.receiveBuffer;
        sendBuffer = from.sendBuffer;
        if (noDelay) {
            c.setNoDelay(true);
        }
        if (keepAlive) {
            c.setKeepAlive(true);
        }
    }

    @Override
    protected void close() throws IOException {
        if (!closed.complete(null)) {
            return;
        }
        TcpServerSocket l = listener;
        if (l != null) {
            l.close();
        }
        CompletableFuture<TcpSocket> accepting = pendingAccept;
        if (accepting != null) {
            accepting.thenAccept(TcpSocket::abort);
        }
        TcpSocket c = connection;
        CompletableFuture<TcpSocket> f = connecting;
        if (c == null && f != null) {
            f.thenAccept(TcpSocket::abort);
        }
        if (c == null) {
            return;
        }
        int lingerSeconds = linger;
        if (lingerSeconds == 0) {
            c.abort();
            return;
        }
        c.close();
        if (lingerSeconds > 0) {
            try {
                c.closeFuture().get(lingerSeconds, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                log.debug("{}: SO_LINGER {} s ended before the connection had closed ({})", stack.name(), lingerSeconds,
                        e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- streams ----

    @Override
    protected synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = TsunaguSocketImpl.this.read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return TsunaguSocketImpl.this.read(b, off, len);
                }

                @Override
                public int available() throws IOException {
                    return TsunaguSocketImpl.this.available();
                }

                @Override
                public void close() throws IOException {
                    TsunaguSocketImpl.this.close();
                }
            };
        }
        return in;
    }

    @Override
    protected synchronized OutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    TsunaguSocketImpl.this.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    TsunaguSocketImpl.this.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    TsunaguSocketImpl.this.push();
                }

                @Override
                public void close() throws IOException {
                    TsunaguSocketImpl.this.close();
                }
            };
        }
        return out;
    }

    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        readLock.lock();
        try {
            TcpSocket c = connected();
            if (len == 0) {
                return 0;
            }
            if (inputShutdown || endOfStream) {
                return -1;
            }
            if (readPosition == readLimit) {
                if (pendingRead == null) {
                    if (readBuffer == null) {
                        readBuffer = new byte[READ_CHUNK];
                    }
                    pendingRead = c.readAsync(readBuffer, 0, readBuffer.length);
                }
                int n;
                try {
                    n = await(pendingRead, soTimeout, "Read timed out", JdkErrors::onConnection);
                } catch (SocketTimeoutException e) {
                    throw e; // the read stays pending: the next call takes it up
                }
                pendingRead = null;
                if (n < 0) {
                    endOfStream = true;
                    return -1;
                }
                readPosition = 0;
                readLimit = n;
            }
            int n = Math.min(len, readLimit - readPosition);
            System.arraycopy(readBuffer, readPosition, b, off, n);
            readPosition += n;
            return n;
        } finally {
            readLock.unlock();
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        writeLock.lock();
        try {
            TcpSocket c = connected();
            if (outputShutdown) {
                throw new SocketException("Socket output is shutdown");
            }
            if (len > 0) {
                await(c.writeAsync(b, off, len), 0, null, JdkErrors::onConnection);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** {@code OutputStream.flush}: asks the stack to send what is buffered now; never fails, as the JDK's never does. */
    private void push() {
        TcpSocket c = connection;
        if (c == null || closed.isDone() || outputShutdown) {
            return;
        }
        try {
            c.flush();
        } catch (IOException e) {
            log.debug("{}: flush found the connection failed; the next write will say so", stack.name(), e);
        }
    }

    @Override
    protected int available() throws IOException {
        ensureOpen();
        if (inputShutdown || endOfStream) {
            return 0;
        }
        // Read without the lock a blocked reader holds: an estimate, which is all available() promises.
        int buffered = Math.max(0, readLimit - readPosition);
        CompletableFuture<Integer> f = pendingRead;
        if (f != null && f.isDone() && !f.isCompletedExceptionally()) {
            buffered += Math.max(0, f.join());
        }
        return buffered;
    }

    @Override
    protected void shutdownInput() throws IOException {
        connected();
        inputShutdown = true;
    }

    @Override
    protected void shutdownOutput() throws IOException {
        TcpSocket c = connected();
        outputShutdown = true;
        try {
            c.shutdownOutput();
        } catch (IOException e) {
            throw JdkErrors.onConnection(e);
        }
    }

    @Override
    protected boolean supportsUrgentData() {
        return false;
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data is not supported by Tsunagu");
    }

    // ---- options ----

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        ensureOpen();
        switch (optID) {
            case TCP_NODELAY -> {
                noDelay = OptionValues.bool(value);
                TcpSocket c = connection;
                if (c != null) {
                    c.setNoDelay(noDelay);
                }
            }
            case SO_KEEPALIVE -> {
                keepAlive = OptionValues.bool(value);
                TcpSocket c = connection;
                if (c != null) {
                    c.setKeepAlive(keepAlive);
                }
            }
            case SO_REUSEADDR -> reuseAddress = OptionValues.bool(value);
            case SO_RCVBUF -> receiveBuffer = OptionValues.bufferSize(value, "SO_RCVBUF");
            case SO_SNDBUF -> sendBuffer = OptionValues.bufferSize(value, "SO_SNDBUF");
            case SO_LINGER -> linger = value instanceof Integer seconds ? Math.min(Math.max(seconds, -1), 65_535) : lingerOff(value);
            case SO_TIMEOUT -> soTimeout = OptionValues.timeout(value);
            case SO_OOBINLINE -> {
                if (OptionValues.bool(value)) {
                    throw new SocketException("SO_OOBINLINE is not supported by Tsunagu");
                }
            }
            default -> throw OptionValues.refused(optID); // IP_TOS among them
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        ensureOpen();
        return switch (optID) {
            case TCP_NODELAY -> noDelay;
            case SO_KEEPALIVE -> keepAlive;
            case SO_REUSEADDR -> reuseAddress;
            case SO_RCVBUF -> receiveBuffer;
            case SO_SNDBUF -> sendBuffer;
            case SO_LINGER -> linger < 0 ? Boolean.FALSE : (Object) linger;
            case SO_TIMEOUT -> soTimeout;
            case SO_OOBINLINE -> Boolean.FALSE;
            case IP_TOS -> 0;
            case SO_BINDADDR -> boundAddress != null ? boundAddress : StackNames.wildcard();
            default -> throw new SocketException("Unknown option " + optID);
        };
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        int id = OptionValues.id(name, supportedOptions());
        if (value == null || !name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "' for " + name);
        }
        if (name == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            setOption(SO_LINGER, seconds < 0 ? (Object) Boolean.FALSE : (Object) seconds);
            return;
        }
        if ((name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) && (Integer) value < 0) {
            throw new IllegalArgumentException("Invalid buffer size " + value + " for " + name);
        }
        setOption(id, value);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        int id = OptionValues.id(name, supportedOptions());
        if (id == SO_LINGER) {
            ensureOpen();
            return (T) Integer.valueOf(linger);
        }
        return (T) getOption(id);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return server ? SERVER_OPTIONS : CLIENT_OPTIONS;
    }

    private static int lingerOff(Object value) throws SocketException {
        if (Boolean.FALSE.equals(value)) {
            return -1;
        }
        throw new SocketException("Bad value for SO_LINGER: " + value);
    }

    /** The options of a connection this socket makes or accepts, from the options set so far. */
    private TcpSocketOptions connectionOptions() {
        return TcpSocketOptions.DEFAULT.withReceiveBuffer(receiveBuffer).withSendBuffer(sendBuffer)
                .withNoDelay(noDelay).withKeepAlive(keepAlive);
    }

    // ---- waiting ----

    /**
     * Waits for {@code f} and for nothing else than {@link #close} and the timeout ({@code 0}: none):
     * its value, or its failure in the JDK's words through {@code errors}.
     */
    private <T> T await(CompletableFuture<T> f, int timeoutMillis, String timeoutMessage,
                        Function<Throwable, IOException> errors) throws IOException {
        CompletableFuture<Object> either = CompletableFuture.anyOf(f, closed);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    stack.loop().await(either, timeoutMillis > 0 ? Duration.ofNanos(Math.max(0, deadline - System.nanoTime())) : FOREVER);
                    break;
                } catch (TimeoutException e) {
                    throw new SocketTimeoutException(timeoutMessage);
                } catch (ExecutionException e) {
                    break; // f failed: reported below
                } catch (InterruptedException e) {
                    if (Thread.currentThread().isVirtual()) {
                        // The JDK's Socket and ServerSocket close themselves ("Closed by interrupt")
                        // when their impl reports an interrupt of a virtual thread this way.
                        interrupted = true;
                        throw new InterruptedIOException("interrupted");
                    }
                    // A platform thread is not woken by an interrupt in the JDK's classic sockets either.
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (!f.isDone()) {
            throw new SocketException(JdkErrors.SOCKET_CLOSED);
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            throw errors.apply(e);
        }
    }

    private void ensureOpen() throws SocketException {
        if (closed.isDone()) {
            throw new SocketException(JdkErrors.SOCKET_CLOSED);
        }
    }

    private TcpSocket connected() throws SocketException {
        ensureOpen();
        TcpSocket c = connection;
        if (c == null) {
            throw new SocketException("Not connected");
        }
        return c;
    }

    @Override
    public String toString() {
        return "TsunaguSocketImpl[" + stack.name() + ", " + (server ? "listener " + listener : "connection " + connection) + "]";
    }
}
