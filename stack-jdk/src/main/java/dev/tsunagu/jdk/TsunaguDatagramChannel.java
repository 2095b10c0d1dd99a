package dev.tsunagu.jdk;

import static dev.tsunagu.jdk.ChannelWaits.ensureOpen;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpService;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DatagramChannel} on a Tsunagu stack's UDP. The stack hands each arriving datagram to
 * this channel on its event loop ({@link UdpSocket#onReceive}); the channel queues it (bounded:
 * {@value UdpService#DEFAULT_RECEIVE_QUEUE} datagrams, further ones dropped and counted, as a
 * full socket buffer drops them) and signals its {@link Readiness}, which makes it readable. A
 * datagram channel is always writable: a send never waits for room.
 *
 * <p>A datagram longer than the buffer it is received into is cut, the rest discarded, as the
 * JDK documents. Multicast ({@link #join}) is not supported.
 */
final class TsunaguDatagramChannel extends DatagramChannel implements StackChannel {
    private static final Logger log = LoggerFactory.getLogger(TsunaguDatagramChannel.class);

    private final NetworkStack stack;
    private final Readiness readiness = new Readiness();
    private final ArrayBlockingQueue<Datagram> arrived = new ArrayBlockingQueue<>(UdpService.DEFAULT_RECEIVE_QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile UdpSocket udp;
    private volatile InetSocketAddress localAddress;
    private volatile InetSocketAddress remoteAddress;
    /** Recorded and reported; a Tsunagu datagram socket's queue is bounded in datagrams, not bytes. */
    private final ChannelOptions options = new ChannelOptions(ChannelOptions.DATAGRAM);
    private DatagramSocket adaptor;

    TsunaguDatagramChannel(TsunaguSelectorProvider provider, NetworkStack stack) throws IOException {
        super(provider);
        this.stack = stack;
        this.udp = openUdp();
    }

    private UdpSocket openUdp() throws SocketException {
        UdpSocket s;
        try {
            s = stack.udp().open();
        } catch (MissingLayerException e) {
            throw new SocketException(e.getMessage(), e);
        }
        s.onReceive(this::deliver);
        return s;
    }

    /** On the loop: one datagram for this channel. */
    private void deliver(Datagram d) {
        if (!arrived.offer(d)) {
            dropped.incrementAndGet();
            log.debug("{}: datagram channel queue full, datagram from {} dropped", stack.name(), d.source());
            return;
        }
        readiness.signal();
    }

    @Override
    public Readiness readiness() {
        return readiness;
    }

    @Override
    public int readyOps() {
        return (arrived.isEmpty() ? 0 : SelectionKey.OP_READ) | SelectionKey.OP_WRITE;
    }

    /** Datagrams dropped because the channel's queue was full. */
    long droppedDatagrams() {
        return dropped.get() + udp.droppedDatagrams();
    }

    // ---- binding and connecting ----

    @Override
    public DatagramChannel bind(SocketAddress local) throws IOException {
        synchronized (stateLock) {
            ensureOpen(this);
            if (localAddress != null) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress a = local == null ? new InetSocketAddress(0) : TsunaguSocketChannel.checkAddress(local);
            if (!a.getAddress().isAnyLocalAddress() && !StackNames.isLocal(stack, a.getAddress())) {
                throw new BindException("Cannot assign requested address");
            }
            try {
                udp.bind(a.getAddress().isAnyLocalAddress() ? new InetSocketAddress(a.getPort()) : a);
            } catch (BindException e) {
                throw JdkErrors.onBind(e);
            }
            localAddress = udp.localAddress();
        }
        return this;
    }

    private void ensureBound() throws IOException {
        if (localAddress == null) {
            bind(null);
        }
    }

    @Override
    public DatagramChannel connect(SocketAddress remote) throws IOException {
        InetSocketAddress isa = TsunaguSocketChannel.checkAddress(remote);
        synchronized (stateLock) {
            ensureOpen(this);
            if (remoteAddress != null) {
                throw new AlreadyConnectedException();
            }
            ensureBound();
            udp.connect(isa);
            remoteAddress = isa;
            arrived.removeIf(d -> !d.source().equals(isa)); // queued before the connect, from others
        }
        return this;
    }

    @Override
    public DatagramChannel disconnect() throws IOException {
        synchronized (stateLock) {
            if (!isOpen() || remoteAddress == null) {
                return this;
            }
            // UdpSocket has no disconnect: the port is taken again by a fresh, unconnected socket.
            InetSocketAddress local = udp.localAddress();
            udp.close();
            UdpSocket fresh = openUdp();
            fresh.bind(local);
            udp = fresh;
            remoteAddress = null;
        }
        return this;
    }

    @Override
    public boolean isConnected() {
        return remoteAddress != null;
    }

    // ---- receiving ----

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        Datagram d = next(ChannelWaits.NO_DEADLINE, false);
        if (d == null) {
            return null;
        }
        dst.put(d.data(), 0, Math.min(dst.remaining(), d.length()));
        return d.source();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return (int) read(new ByteBuffer[] {dst}, 0, 1);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        Datagram d = next(ChannelWaits.NO_DEADLINE, true);
        if (d == null) {
            return 0;
        }
        int at = 0;
        for (int i = offset; i < offset + length && at < d.length(); i++) {
            int n = Math.min(dsts[i].remaining(), d.length() - at);
            dsts[i].put(d.data(), at, n);
            at += n;
        }
        return at;
    }

    /** The next datagram: null if none (non-blocking); waits in blocking mode until {@code deadline}. */
    Datagram next(long deadline, boolean mustBeConnected) throws IOException {
        readLock.lock();
        try {
            ensureOpen(this);
            if (mustBeConnected && remoteAddress == null) {
                throw new NotYetConnectedException();
            }
            if (!isBlocking()) {
                return poll();
            }
            Datagram d = null;
            begin();
            try {
                while (!ChannelWaits.stop(this)) {
                    CompletableFuture<Void> change = readiness.nextChange();
                    d = poll();
                    if (d != null) {
                        return d;
                    }
                    if (!ChannelWaits.await(stack.loop(), change, deadline)) {
                        throw new SocketTimeoutException("Receive timed out");
                    }
                }
                return null;
            } finally {
                end(d != null);
            }
        } finally {
            readLock.unlock();
        }
    }

    /** A queued datagram, or the stack's pending error (an ICMP port unreachable on a connected channel). */
    private Datagram poll() throws IOException {
        Datagram d = udp.poll(); // reports an error the stack holds; a datagram only if it came before the handler
        if (d != null) {
            return d;
        }
        d = arrived.poll();
        if (d != null) {
            readiness.signal(); // others may be queued: selectors look again
        }
        return d;
    }

    // ---- sending ----

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        InetSocketAddress to = TsunaguSocketChannel.checkAddress(target);
        InetSocketAddress peer = remoteAddress;
        if (peer != null && !peer.equals(to)) {
            throw new AlreadyConnectedException();
        }
        return sendTo(new ByteBuffer[] {src}, 0, 1, to);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        InetSocketAddress peer = remoteAddress;
        if (peer == null) {
            ensureOpen(this);
            throw new NotYetConnectedException();
        }
        return sendTo(srcs, offset, length, peer);
    }

    private int sendTo(ByteBuffer[] srcs, int offset, int length, InetSocketAddress to) throws IOException {
        writeLock.lock();
        try {
            ensureOpen(this);
            ensureBound();
            int total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += srcs[i].remaining();
            }
            byte[] data = new byte[total];
            int at = 0;
            for (int i = offset; i < offset + length; i++) {
                int n = srcs[i].remaining();
                srcs[i].get(data, at, n);
                at += n;
            }
            udp.send(data, 0, total, to);
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    // ---- closing, addresses, options ----

    @Override
    protected void implCloseSelectableChannel() {
        udp.close();
        readiness.signal();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // Nothing to tell the stack.
    }

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
    public <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
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
    public synchronized DatagramSocket socket() {
        if (adaptor == null) {
            adaptor = new ChannelDatagramSocket(this, stack);
        }
        return adaptor;
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) {
        throw new UnsupportedOperationException("multicast is not supported by Tsunagu yet");
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) {
        throw new UnsupportedOperationException("multicast is not supported by Tsunagu yet");
    }

    @Override
    public String toString() {
        return "TsunaguDatagramChannel[" + stack.name() + ", " + (!isOpen() ? "closed"
                : "local=" + localAddress + (remoteAddress != null ? " remote=" + remoteAddress : "")) + "]";
    }
}
