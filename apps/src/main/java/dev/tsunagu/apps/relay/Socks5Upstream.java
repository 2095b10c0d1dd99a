package dev.tsunagu.apps.relay;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * An {@link Upstream} through a SOCKS5 proxy (RFC 1928), without authentication or with a
 * username and password (RFC 1929): TCP flows with CONNECT, UDP flows with UDP ASSOCIATE. Each
 * TCP flow is its own proxy connection. Each UDP flow holds a control connection to the proxy for
 * as long as it lives (the association ends when that connection closes, RFC 1928 section 7) and
 * sends its datagrams to the relay address the proxy names, each behind the request header that
 * carries its destination; the {@link DatagramSocket} it returns does that wrapping and
 * unwrapping itself, so the relay sees an ordinary connected socket. A destination given
 * unresolved ({@link InetSocketAddress#createUnresolved}) goes to the proxy as its name (ATYP 3),
 * for the proxy to resolve: what a relay that knows the name a client looked up would send. The
 * bytes on the wire are {@link Socks5Client}'s.
 */
public final class Socks5Upstream implements Upstream {
    /**
     * A username and password for RFC 1929's sub-negotiation, each 1 to 255 bytes (UTF-8).
     * {@link #toString()} leaves the password out.
     */
    public record Credentials(String username, String password) {
        /** Checks the lengths. */
        public Credentials {
            check("username", username);
            check("password", password);
        }

        private static void check(String what, String value) {
            int n = java.util.Objects.requireNonNull(value, what).getBytes(StandardCharsets.UTF_8).length;
            if (n < 1 || n > 255) {
                throw new IllegalArgumentException("a SOCKS5 " + what + " is 1 to 255 bytes (RFC 1929), not " + n);
            }
        }

        /** VER ULEN UNAME PLEN PASSWD. */
        byte[] encode() {
            byte[] u = username.getBytes(StandardCharsets.UTF_8);
            byte[] p = password.getBytes(StandardCharsets.UTF_8);
            byte[] b = new byte[3 + u.length + p.length];
            b[0] = Socks5Client.AUTH_VERSION;
            b[1] = (byte) u.length;
            System.arraycopy(u, 0, b, 2, u.length);
            b[2 + u.length] = (byte) p.length;
            System.arraycopy(p, 0, b, 3 + u.length, p.length);
            return b;
        }

        @Override
        public String toString() {
            return username + ":***";
        }
    }

    private final InetSocketAddress proxy;
    private final Credentials credentials;

    /** Through the SOCKS5 proxy at {@code proxy}, offering no authentication. */
    public Socks5Upstream(InetSocketAddress proxy) {
        this(proxy, null);
    }

    /** Through the SOCKS5 proxy at {@code proxy}, offering username/password too if {@code credentials} is not null. */
    public Socks5Upstream(InetSocketAddress proxy, Credentials credentials) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.credentials = credentials;
    }

    @Override
    public Socket connect(InetSocketAddress destination, Duration timeout) throws IOException {
        Socket s = controlConnection(timeout);
        try {
            Socks5Client.request(new DataInputStream(s.getInputStream()), s.getOutputStream(), Socks5Client.CONNECT,
                    destination, proxy);
            s.setSoTimeout(0);
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public DatagramSocket datagrams(InetSocketAddress destination) throws IOException {
        Socket control = controlConnection(Duration.ofSeconds(10));
        try {
            // DST.ADDR/PORT: where our datagrams will come from; all zeros, as we do not know yet.
            InetSocketAddress relay = Socks5Client.request(new DataInputStream(control.getInputStream()),
                    control.getOutputStream(), Socks5Client.UDP_ASSOCIATE,
                    new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 0), proxy);
            if (relay.isUnresolved()) {
                relay = new InetSocketAddress(InetAddress.getByName(relay.getHostString()), relay.getPort());
            }
            if (relay.getAddress().isAnyLocalAddress()) {
                relay = new InetSocketAddress(proxy.getAddress(), relay.getPort()); // "the proxy's own address"
            }
            return new AssociatedSocket(control, relay, destination);
        } catch (IOException | RuntimeException e) {
            control.close();
            throw e;
        }
    }

    /** A TCP connection to the proxy, method negotiated (and authenticated, if the proxy asks and we can). */
    private Socket controlConnection(Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            s.connect(proxy, millis);
            s.setSoTimeout(millis); // a proxy that stops answering mid-handshake fails the flow, not hangs it
            Socks5Client.negotiate(new DataInputStream(s.getInputStream()), s.getOutputStream(), credentials, proxy);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "socks5:" + (credentials == null ? "" : credentials.username() + "@") + proxy.getHostString() + ":"
                + proxy.getPort();
    }

    /**
     * One UDP association: what the relay sends goes to the proxy's relay address behind
     * {@code 00 00 00 ATYP DST.ADDR DST.PORT}, and what comes back from there loses that header.
     * Closing it ends the association (the control connection closes).
     */
    private static final class AssociatedSocket extends DatagramSocket {
        private final Socket control;
        private final InetSocketAddress relay;
        private final byte[] header;

        AssociatedSocket(Socket control, InetSocketAddress relay, InetSocketAddress destination) throws SocketException {
            super();
            this.control = control;
            this.relay = relay;
            byte[] address = Socks5Client.encodeAddress(destination);
            this.header = new byte[3 + address.length]; // RSV RSV FRAG=0
            System.arraycopy(address, 0, header, 3, address.length);
        }

        @Override
        public void send(DatagramPacket p) throws IOException {
            byte[] b = Arrays.copyOf(header, header.length + p.getLength());
            System.arraycopy(p.getData(), p.getOffset(), b, header.length, p.getLength());
            super.send(new DatagramPacket(b, b.length, relay));
        }

        @Override
        public synchronized void receive(DatagramPacket p) throws IOException {
            byte[] buf = new byte[65535];
            DatagramPacket raw = new DatagramPacket(buf, buf.length);
            while (true) {
                raw.setLength(buf.length); // receive shrank it to the last datagram's length
                super.receive(raw);
                SocketAddress from = raw.getSocketAddress();
                int n = raw.getLength();
                int headerLength = from.equals(relay) ? Socks5Client.udpHeaderLength(buf, n) : -1;
                if (headerLength < 0) {
                    continue;
                }
                int length = Math.min(n - headerLength, p.getData().length - p.getOffset());
                System.arraycopy(buf, headerLength, p.getData(), p.getOffset(), length);
                p.setLength(length);
                p.setSocketAddress(relay);
                return;
            }
        }

        @Override
        public void close() {
            super.close();
            try {
                control.close();
            } catch (IOException e) {
                // the association ends either way
            }
        }
    }
}
