package dev.tsunagu.tcp;

import dev.tsunagu.net.IpAddress;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.DescriptorTable;
import dev.tsunagu.socket.HappyEyeballs;
import dev.tsunagu.socket.NameResolver;
import dev.tsunagu.socket.SocketTable;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seeds' socket library: the BSD-style calls an application makes, with integer
 * descriptors, over the stack's TCP, UDP and resolver.
 *
 * <pre>{@code
 * SocketLibrary lib = SocketLibrary.of(stack);
 * int fd = lib.socket(SocketLibrary.SOCK_STREAM);   // control block + descriptor
 * lib.connect(fd, "www.example.test", 80);          // resolver, then the 3-way handshake
 * lib.write(fd, request, 0, request.length);        // into the send buffer
 * int n = lib.read(fd, buf, 0, buf.length);         // from the receive buffer; -1 at end
 * lib.close(fd);                                    // FIN, TIME_WAIT, deletion
 * }</pre>
 *
 * <p>Descriptors are the stack's own ({@link DescriptorTable}), so the socket table shows the
 * same numbers. {@code socket()} reserves one before the stack knows what the socket will be;
 * {@code connect} or {@code listen} give it its TCP identity. Calls block the calling thread
 * (cheap on virtual threads). Errors are {@code java.net} exceptions; a descriptor that names
 * nothing is a {@link SocketException} "bad descriptor" (EBADF).
 */
public final class SocketLibrary {
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    /** {@link #setsockopt} options: receive and send buffer sizes in bytes, and TCP_NODELAY (non-zero: on). */
    public static final int SO_RCVBUF = 8, SO_SNDBUF = 7, TCP_NODELAY = 1;

    private final NetworkStack stack;
    private final TcpLayer tcp;
    private final DescriptorTable fds;
    private final Map<Integer, Entry> entries = new ConcurrentHashMap<>();

    /** What a descriptor names. */
    private sealed interface Entry {}

    /** A stream socket between socket() and connect()/listen(). */
    private record Unbound(InetSocketAddress bound, TcpSocketOptions options) implements Entry {}

    private record Stream(TcpSocket socket) implements Entry {}

    private record Listening(TcpServerSocket socket) implements Entry {}

    private record Dgram(UdpSocket socket) implements Entry {}

    private SocketLibrary(NetworkStack stack) {
        this.stack = stack;
        this.tcp = stack.service(TcpLayer.class).orElseThrow(() -> MissingLayerException.forService(
                "TCP", "stack-tcp", "dev.tsunagu.tcp"));
        this.fds = stack.descriptors();
    }

    public static SocketLibrary of(NetworkStack stack) {
        return new SocketLibrary(stack);
    }

    /** Creates a socket and returns its descriptor. */
    public int socket(int type) {
        return switch (type) {
            case SOCK_STREAM -> {
                Unbound u = new Unbound(null, TcpSocketOptions.DEFAULT);
                int fd = fds.allocate(u);
                entries.put(fd, u);
                yield fd;
            }
            case SOCK_DGRAM -> {
                UdpSocket s = stack.udp().open();
                entries.put(s.descriptor(), new Dgram(s));
                yield s.descriptor();
            }
            default -> throw new IllegalArgumentException("socket type must be SOCK_STREAM or SOCK_DGRAM: " + type);
        };
    }

    /** Binds to a local port (a stream socket keeps it for listen). */
    public void bind(int fd, int port) throws IOException {
        switch (entry(fd)) {
            case Unbound u -> entries.put(fd, new Unbound(new InetSocketAddress(port), u.options()));
            case Dgram d -> d.socket().bind(port);
            default -> throw new SocketException("descriptor " + fd + " is already bound or connected");
        }
    }

    /**
     * Sets an option of a stream socket before it connects or listens (connections a listener
     * accepts inherit its options): {@link #SO_RCVBUF} and {@link #SO_SNDBUF} in bytes,
     * {@link #TCP_NODELAY} non-zero for on.
     *
     * @throws SocketException if the descriptor is not an unconnected stream socket, or the value is out of range
     */
    public void setsockopt(int fd, int option, int value) throws IOException {
        if (!(entry(fd) instanceof Unbound u)) {
            throw new SocketException("descriptor " + fd + " is not an unconnected stream socket");
        }
        TcpSocketOptions o;
        try {
            o = switch (option) {
                case SO_RCVBUF -> u.options().withReceiveBuffer(value);
                case SO_SNDBUF -> u.options().withSendBuffer(value);
                case TCP_NODELAY -> u.options().withNoDelay(value != 0);
                default -> throw new SocketException("unknown socket option " + option);
            };
        } catch (IllegalArgumentException e) {
            throw new SocketException("bad value " + value + " for socket option " + option + ": " + e.getMessage());
        }
        entries.put(fd, new Unbound(u.bound(), o));
    }

    /** Listens on the bound port with a bounded backlog. */
    public void listen(int fd, int backlog) throws IOException {
        if (!(entry(fd) instanceof Unbound u) || u.bound() == null) {
            throw new SocketException("descriptor " + fd + " is not a bound, unconnected stream socket");
        }
        TcpServerSocket s = tcp.listen(u.bound().getPort(), backlog, u.options(), fd);
        entries.put(fd, new Listening(s));
    }

    /** Waits for a connection and returns its new descriptor. */
    public int accept(int fd) throws IOException {
        if (!(entry(fd) instanceof Listening l)) {
            throw new SocketException("descriptor " + fd + " is not listening");
        }
        TcpSocket s = l.socket().accept();
        entries.put(s.descriptor(), new Stream(s));
        return s.descriptor();
    }

    /**
     * Connects to {@code host} (a name, resolved with the stack's resolver, or an address) and
     * {@code port}: a TCP handshake for a stream socket, a fixed peer (the first address) for a
     * datagram socket. A stream socket races a name's addresses (RFC 8305: IPv6 first, the next
     * address after 250 ms or at once when one fails); the connection that wins takes
     * {@code fd}, the others are cancelled, and when all fail the error names each address's.
     */
    public void connect(int fd, String host, int port) throws IOException {
        List<InetSocketAddress> remotes = resolve(host).stream().map(a -> new InetSocketAddress(a, port)).toList();
        switch (entry(fd)) {
            case Unbound u -> {
                // Every attempt has its own connect timeout, the last starting up to (n - 1) delays late.
                Duration limit = u.options().connectTimeout().plusSeconds(1)
                        .plus(HappyEyeballs.CONNECTION_ATTEMPT_DELAY.multipliedBy(remotes.size() - 1));
                CompletableFuture<TcpSocket> connecting = tcp.connectAsync(remotes, u.options(), fd);
                TcpSocket s;
                try {
                    s = TcpSocketImpl.await(tcp.loop(), connecting, limit);
                } catch (IOException | RuntimeException e) {
                    connecting.cancel(false); // stops the attempts still in their handshake
                    throw e;
                }
                entries.put(fd, new Stream(s));
            }
            case Dgram d -> d.socket().connect(remotes.getFirst());
            default -> throw new SocketException("descriptor " + fd + " is already connected or listening");
        }
    }

    /** Writes all of {@code b[off, off+len)}; returns {@code len}. */
    public int write(int fd, byte[] b, int off, int len) throws IOException {
        switch (entry(fd)) {
            case Stream s -> s.socket().write(b, off, len);
            case Dgram d -> d.socket().send(b, off, len);
            default -> throw new SocketException("descriptor " + fd + " is not connected");
        }
        return len;
    }

    /** Reads into {@code b}: bytes read, or -1 at end of stream. Waits until something arrives. */
    public int read(int fd, byte[] b, int off, int len) throws IOException {
        return switch (entry(fd)) {
            case Stream s -> s.socket().read(b, off, len);
            case Dgram d -> {
                Datagram dg = d.socket().receive();
                int n = Math.min(len, dg.length());
                System.arraycopy(dg.data(), 0, b, off, n);
                yield n;
            }
            default -> throw new SocketException("descriptor " + fd + " is not connected");
        };
    }

    /** Closes the socket and frees its descriptor (TCP goes on closing in the background). */
    public void close(int fd) throws IOException {
        Entry e = entries.remove(fd);
        if (e == null) {
            throw new SocketException("bad descriptor " + fd);
        }
        switch (e) {
            case Unbound u -> fds.release(fd);
            case Stream s -> s.socket().close();
            case Listening l -> l.socket().close();
            case Dgram d -> d.socket().close();
        }
    }

    /**
     * The resolver built into the socket library: a literal address of either family, or the stack's
     * {@link NameResolver} (DNS, from {@code stack-udp}): its IPv4 addresses, or on a stack with an
     * IPv6 address both families, IPv6 first ({@link NameResolver#lookupBothFamilies}), which
     * {@link #connect} races in that order. Without one, names fail with an
     * {@link UnknownHostException} that names the artifact to add; literals still work.
     */
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        try {
            return List.of(IpAddress.parse(host).toInetAddress()); // either family's literal
        } catch (IllegalArgumentException notALiteral) {
            NameResolver r = stack.service(NameResolver.class).orElseThrow(() -> new UnknownHostException(host
                    + ": this stack has no name resolver: add the Maven artifact dev.tsunagu:tsunagu-stack-udp"
                    + " (JPMS module dev.tsunagu.udp), whose DNS resolver is one"));
            return stack.hasIpv6Address() ? r.lookupBothFamilies(host) : r.lookup(host);
        }
    }

    /** The socket table, as {@code netstat -an} prints it. */
    public String netstat() {
        return SocketTable.format(stack.sockets());
    }

    private Entry entry(int fd) throws SocketException {
        Entry e = entries.get(fd);
        if (e == null) {
            throw new SocketException("bad descriptor " + fd);
        }
        return e;
    }
}
