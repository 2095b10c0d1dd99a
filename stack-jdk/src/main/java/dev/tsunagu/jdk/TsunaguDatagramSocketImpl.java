package dev.tsunagu.jdk;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DatagramSocketImpl} behind {@link TsunaguDatagramSocket}: one {@link UdpSocket} of a
 * stack. The JDK's {@code DatagramSocket} keeps the state (bound, connected, closed) and binds an
 * unbound socket before it sends or receives; this class moves datagrams.
 *
 * <p>A receive copies the datagram into the packet's buffer, truncating it as the JDK does, and
 * sets the packet's length with {@code setLength}, which also caps the buffer for the next
 * receive: code that reuses a packet resets its length first, as the JDK's documentation asks.
 * {@code peekData} holds the datagram it looked at for the next receive. Multicast and
 * {@code IP_TOS} are not supported.
 */
final class TsunaguDatagramSocketImpl extends DatagramSocketImpl {
    private static final Logger log = LoggerFactory.getLogger(TsunaguDatagramSocketImpl.class);
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_BROADCAST);

    private final NetworkStack stack;
    private volatile UdpSocket udp;
    private volatile int soTimeout;
    private volatile int receiveBuffer = 64 * 1024;
    private volatile int sendBuffer = 64 * 1024;
    private volatile boolean reuseAddress;
    private volatile boolean broadcast;
    /** A datagram {@link #peekData} looked at: the next receive returns it. */
    private Datagram peeked;

    TsunaguDatagramSocketImpl(NetworkStack stack) {
        this.stack = Objects.requireNonNull(stack);
    }

    @Override
    protected void create() throws SocketException {
        try {
            udp = stack.udp().open();
        } catch (MissingLayerException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    @Override
    protected void bind(int lport, InetAddress laddr) throws SocketException {
        try {
            InetSocketAddress local = laddr == null || laddr.isAnyLocalAddress()
                    ? new InetSocketAddress(lport) : new InetSocketAddress(laddr, lport);
            if (!local.getAddress().isAnyLocalAddress() && !StackNames.isLocal(stack, local.getAddress())) {
                throw new java.net.BindException("Cannot assign requested address: " + laddr.getHostAddress()
                        + " is not an address of stack " + stack.name());
            }
            udp().bind(local);
            localPort = udp().localAddress().getPort();
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    @Override
    protected void send(DatagramPacket p) throws IOException {
        UdpSocket u = udp();
        u.send(p.getData(), p.getOffset(), p.getLength(), new InetSocketAddress(p.getAddress(), p.getPort()));
    }

    @Override
    protected void connect(InetAddress address, int port) throws SocketException {
        try {
            udp().connect(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    /**
     * A {@link UdpSocket} cannot forget its peer: a new one takes the same local address and
     * port. Datagrams queued on the old one are dropped, as a kernel drops those it filtered.
     */
    @Override
    protected void disconnect() {
        UdpSocket old = udp;
        if (old == null || old.isClosed()) {
            return;
        }
        InetSocketAddress local = old.localAddress();
        old.close();
        UdpSocket fresh = stack.udp().open();
        try {
            fresh.bind(local);
        } catch (IOException e) {
            log.warn("{}: could not rebind {} after disconnect; the socket is unbound", stack.name(), local, e);
        }
        udp = fresh;
    }

    @Override
    protected synchronized int peek(InetAddress i) throws IOException {
        return peekData(new DatagramPacket(new byte[1], 1));
    }

    @Override
    protected synchronized int peekData(DatagramPacket p) throws IOException {
        if (peeked == null) {
            peeked = next();
        }
        fill(p, peeked);
        return peeked.source().getPort();
    }

    @Override
    protected synchronized void receive(DatagramPacket p) throws IOException {
        Datagram d = peeked != null ? peeked : next();
        peeked = null;
        fill(p, d);
    }

    private Datagram next() throws IOException {
        int timeout = soTimeout;
        try {
            return timeout > 0 ? udp().receive(Duration.ofMillis(timeout)) : udp().receive();
        } catch (java.net.SocketTimeoutException e) {
            throw new java.net.SocketTimeoutException("Receive timed out");
        } catch (SocketException e) {
            throw udp().isClosed() ? new SocketException(JdkErrors.SOCKET_CLOSED, e) : e;
        }
    }

    private static void fill(DatagramPacket p, Datagram d) {
        byte[] data = d.data();
        int room = p.getData().length - p.getOffset();
        int n = Math.min(Math.min(data.length, p.getLength()), room);
        System.arraycopy(data, 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setSocketAddress(d.source());
    }

    @Override
    protected void close() {
        UdpSocket u = udp;
        if (u != null) {
            u.close();
        }
    }

    // ---- multicast: not supported ----

    @Override
    @Deprecated
    protected void setTTL(byte ttl) throws IOException {
        setTimeToLive(ttl & 0xFF);
    }

    @Override
    @Deprecated
    protected byte getTTL() throws IOException {
        return (byte) getTimeToLive();
    }

    @Override
    protected void setTimeToLive(int ttl) throws IOException {
        throw new SocketException("multicast is not supported by Tsunagu yet");
    }

    @Override
    protected int getTimeToLive() throws IOException {
        throw new SocketException("multicast is not supported by Tsunagu yet");
    }

    @Override
    protected void join(InetAddress inetaddr) throws IOException {
        throw new SocketException("multicast is not supported by Tsunagu yet");
    }

    @Override
    protected void leave(InetAddress inetaddr) throws IOException {
        throw new SocketException("multicast is not supported by Tsunagu yet");
    }

    @Override
    protected void joinGroup(SocketAddress group, NetworkInterface netIf) throws IOException {
        throw new SocketException("multicast is not supported by Tsunagu yet");
    }

    @Override
    protected void leaveGroup(SocketAddress group, NetworkInterface netIf) throws IOException {
        throw new SocketException("multicast is not supported by Tsunagu yet");
    }

    // ---- options ----

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        ensureOpen();
        switch (optID) {
            case SO_TIMEOUT -> soTimeout = OptionValues.timeout(value);
            case SO_RCVBUF -> receiveBuffer = OptionValues.bufferSize(value, "SO_RCVBUF");
            case SO_SNDBUF -> sendBuffer = OptionValues.bufferSize(value, "SO_SNDBUF");
            case SO_REUSEADDR -> reuseAddress = OptionValues.bool(value);
            case SO_BROADCAST -> broadcast = OptionValues.bool(value);
            default -> throw OptionValues.refused(optID); // IP_TOS among them
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        ensureOpen();
        return switch (optID) {
            case SO_TIMEOUT -> soTimeout;
            case SO_RCVBUF -> receiveBuffer;
            case SO_SNDBUF -> sendBuffer;
            case SO_REUSEADDR -> reuseAddress;
            case SO_BROADCAST -> broadcast;
            case IP_TOS -> 0;
            case SO_BINDADDR -> {
                InetSocketAddress local = udp().localAddress();
                yield local != null ? local.getAddress() : StackNames.wildcard();
            }
            default -> throw new SocketException("Unknown option " + optID);
        };
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        setOption(OptionValues.id(name, OPTIONS), Objects.requireNonNull(value, "value"));
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        return (T) getOption(OptionValues.id(name, OPTIONS));
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    private UdpSocket udp() throws SocketException {
        UdpSocket u = udp;
        if (u == null) {
            throw new SocketException("Socket not created");
        }
        return u;
    }

    private void ensureOpen() throws SocketException {
        UdpSocket u = udp;
        if (u != null && u.isClosed()) {
            throw new SocketException(JdkErrors.SOCKET_CLOSED);
        }
    }

}
