package dev.tsunagu.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A UDP socket (RFC 768), {@code java.net.DatagramSocket}-like.
 *
 * <p>Blocking calls park the calling thread, which is cheap on virtual threads. On a stack
 * driven by a {@link dev.tsunagu.loop.VirtualEventLoop}, a blocking call made on the loop's
 * own thread drives the simulation until it can return (or its timeout passes in virtual
 * time), so tests read like application code.
 *
 * <p>Errors follow {@code java.net}: a port in use is a {@link java.net.BindException}, a
 * destination without a route a {@link java.net.NoRouteToHostException}, and once an ICMP
 * port unreachable arrives for a connected socket, its next call throws
 * {@link java.net.PortUnreachableException} (once).
 */
public interface UdpSocket extends AutoCloseable {
    /** The socket library's descriptor for this socket. */
    int descriptor();

    /** Binds to {@code port} on every local address; 0 picks a random ephemeral port (RFC 6056). */
    UdpSocket bind(int port) throws IOException;

    /** Binds to a local address and port (the address must be ours, or the wildcard). */
    UdpSocket bind(InetSocketAddress local) throws IOException;

    /**
     * Fixes the peer: sends without an address go there, and datagrams from anyone else are
     * filtered out. Binds to an ephemeral port first if unbound.
     */
    UdpSocket connect(InetSocketAddress remote) throws IOException;

    /** The local address and port, or null if unbound. */
    InetSocketAddress localAddress();

    /** The connected peer, or null. */
    InetSocketAddress remoteAddress();

    /**
     * Sends one datagram to {@code to} (binding to an ephemeral port first if unbound).
     * Larger than the path MTU is fine: IP fragments it.
     */
    void send(byte[] data, int offset, int length, InetSocketAddress to) throws IOException;

    /** Sends all of {@code data} as one datagram to {@code to}. */
    default void send(byte[] data, InetSocketAddress to) throws IOException {
        send(data, 0, data.length, to);
    }

    /**
     * Sends from an address and port that need not be this socket's: for a transparent socket
     * ({@link UdpService#openAny}), whose replies come from the destination the peer sent to.
     *
     * @throws SocketException on any other socket
     */
    default void sendFrom(byte[] data, int offset, int length, InetSocketAddress from, InetSocketAddress to)
            throws IOException {
        throw new SocketException("sendFrom is for a transparent socket (UdpService.openAny)");
    }

    /** Sends to the connected peer. */
    void send(byte[] data, int offset, int length) throws IOException;

    /** Sends all of {@code data} as one datagram to the connected peer. */
    default void send(byte[] data) throws IOException {
        send(data, 0, data.length);
    }

    /** Waits for the next datagram. */
    Datagram receive() throws IOException;

    /**
     * Waits at most {@code timeout} for the next datagram.
     *
     * @throws java.net.SocketTimeoutException if none arrives in time
     */
    Datagram receive(Duration timeout) throws IOException;

    /** The next datagram if one is queued, else null; never waits. */
    Datagram poll() throws IOException;

    /**
     * Event-loop style: {@code handler} is called on the stack's event loop for every datagram
     * from now on, instead of queueing it (queued ones are handed over first). Pass null to go
     * back to queueing. The handler must not block.
     */
    void onReceive(Consumer<Datagram> handler);

    /** Datagrams dropped because the receive queue was full. */
    long droppedDatagrams();

    /** Releases the port at once; pending and later calls fail with a {@link java.net.SocketException}. */
    @Override
    void close();

    /** Whether {@link #close()} has been called. */
    boolean isClosed();
}
