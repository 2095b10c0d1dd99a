package dev.tsunagu.apps.relay;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Where a {@link TransparentRelay} takes each flow: the far side of the relay. The default,
 * {@link #direct()}, opens the host's own kernel sockets toward the destination the peer asked
 * for; another implementation may go through a proxy, map destinations (a test double that sends
 * every flow to a local server), or refuse some. Called on a virtual thread per flow, so it may
 * block.
 */
public interface Upstream {
    /**
     * A connected TCP socket toward {@code destination}.
     *
     * @throws IOException if it cannot be had; the relay then resets the stack-side connection
     */
    Socket connect(InetSocketAddress destination, Duration timeout) throws IOException;

    /**
     * A connected UDP socket for one flow toward {@code destination} (or whatever stands for it):
     * the relay sends the flow's datagrams on it with {@link DatagramSocket#send} and relays back
     * whatever it receives on it, as from {@code destination}.
     */
    DatagramSocket datagrams(InetSocketAddress destination) throws IOException;

    /** Through the SOCKS5 proxy at {@code proxy} (RFC 1928: CONNECT and UDP ASSOCIATE, no authentication). */
    static Upstream socks5(InetSocketAddress proxy) {
        return new Socks5Upstream(proxy);
    }

    /** Through the SOCKS5 proxy at {@code proxy}, with a username and password if the proxy asks (RFC 1929). */
    static Upstream socks5(InetSocketAddress proxy, String username, String password) {
        return new Socks5Upstream(proxy, new Socks5Upstream.Credentials(username, password));
    }

    /** The host's kernel sockets, straight to each destination. */
    static Upstream direct() {
        return new Upstream() {
            @Override
            public Socket connect(InetSocketAddress destination, Duration timeout) throws IOException {
                Socket s = new Socket();
                try {
                    s.connect(destination, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                    s.setTcpNoDelay(true);
                    return s;
                } catch (IOException | RuntimeException e) {
                    s.close();
                    throw e;
                }
            }

            @Override
            public DatagramSocket datagrams(InetSocketAddress destination) throws IOException {
                DatagramSocket s = new DatagramSocket();
                s.connect(destination);
                return s;
            }

            @Override
            public String toString() {
                return "direct";
            }
        };
    }
}
