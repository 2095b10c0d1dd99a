package dev.tsunagu.apps.relay;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * An {@link Upstream} through a SOCKS5 proxy (RFC 1928), without authentication: TCP flows with
 * CONNECT, UDP flows with UDP ASSOCIATE. Each TCP flow is its own proxy connection. Each UDP flow
 * holds a control connection to the proxy for as long as it lives (the association ends when
 * that connection closes, RFC 1928 section 7) and sends its datagrams to the relay address the
 * proxy names, each behind the request header that carries its destination; the
 * {@link DatagramSocket} it returns does that wrapping and unwrapping itself, so the relay sees
 * an ordinary connected socket.
 */
public final class Socks5Upstream implements Upstream {
    static final int VERSION = 5;
    static final int NO_AUTHENTICATION = 0;
    static final int CONNECT = 1;
    static final int UDP_ASSOCIATE = 3;
    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;

    private final InetSocketAddress proxy;

    /** Through the SOCKS5 proxy at {@code proxy}. */
    public Socks5Upstream(InetSocketAddress proxy) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
    }

    @Override
    public Socket connect(InetSocketAddress destination, Duration timeout) throws IOException {
        Socket s = controlConnection(timeout);
        try {
            request(s, CONNECT, destination);
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
            InetSocketAddress relay = request(control, UDP_ASSOCIATE, new InetSocketAddress(InetAddress.getByAddress(
                    new byte[4]), 0));
            if (relay.getAddress().isAnyLocalAddress()) {
                relay = new InetSocketAddress(proxy.getAddress(), relay.getPort()); // "the proxy's own address"
            }
            return new AssociatedSocket(control, relay, destination);
        } catch (IOException | RuntimeException e) {
            control.close();
            throw e;
        }
    }

    /** A TCP connection to the proxy, method negotiated (no authentication). */
    private Socket controlConnection(Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            s.connect(proxy, millis);
            s.setSoTimeout(millis);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {VERSION, 1, NO_AUTHENTICATION});
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int version = in.readUnsignedByte();
            int method = in.readUnsignedByte();
            if (version != VERSION) {
                throw new ProtocolException("SOCKS proxy " + proxy + " answered version " + version + ", not 5");
            }
            if (method != NO_AUTHENTICATION) {
                throw new ProtocolException("SOCKS5 proxy " + proxy + " wants authentication (method " + method
                        + "); only 'no authentication' is supported");
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Sends a request and reads its reply; returns BND.ADDR:BND.PORT. */
    private InetSocketAddress request(Socket s, int command, InetSocketAddress address) throws IOException {
        OutputStream out = s.getOutputStream();
        byte[] header = {VERSION, (byte) command, 0};
        out.write(header);
        out.write(encodeAddress(address));
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        int version = in.readUnsignedByte();
        int reply = in.readUnsignedByte();
        in.readUnsignedByte(); // RSV
        InetSocketAddress bound = readAddress(in);
        if (version != VERSION) {
            throw new ProtocolException("SOCKS proxy " + proxy + " replied with version " + version);
        }
        if (reply != 0) {
            throw new SocketException("SOCKS5 proxy " + proxy + ": " + (command == CONNECT ? "CONNECT to " : "UDP ASSOCIATE for ")
                    + address + " failed: " + replyText(reply));
        }
        return bound;
    }

    /** RFC 1928 section 6's reply field. */
    static String replyText(int reply) {
        return switch (reply) {
            case 1 -> "general SOCKS server failure";
            case 2 -> "connection not allowed by ruleset";
            case 3 -> "network unreachable";
            case 4 -> "host unreachable";
            case 5 -> "connection refused";
            case 6 -> "TTL expired";
            case 7 -> "command not supported";
            case 8 -> "address type not supported";
            default -> "reply " + reply;
        };
    }

    /** ATYP, the address and the port, as a request or a UDP header carries them. */
    static byte[] encodeAddress(InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        byte[] b = new byte[1 + ip.length + 2];
        b[0] = (byte) (a.getAddress() instanceof Inet6Address ? ATYP_IPV6 : ATYP_IPV4);
        System.arraycopy(ip, 0, b, 1, ip.length);
        b[b.length - 2] = (byte) (a.getPort() >>> 8);
        b[b.length - 1] = (byte) a.getPort();
        return b;
    }

    /** Reads ATYP, an address (a domain name is resolved) and a port. */
    static InetSocketAddress readAddress(DataInputStream in) throws IOException {
        int atyp = in.readUnsignedByte();
        InetAddress address = switch (atyp) {
            case ATYP_IPV4 -> {
                byte[] b = new byte[4];
                in.readFully(b);
                yield InetAddress.getByAddress(b);
            }
            case ATYP_IPV6 -> {
                byte[] b = new byte[16];
                in.readFully(b);
                yield InetAddress.getByAddress(b);
            }
            case ATYP_DOMAIN -> {
                byte[] b = new byte[in.readUnsignedByte()];
                in.readFully(b);
                yield InetAddress.getByName(new String(b, java.nio.charset.StandardCharsets.US_ASCII));
            }
            default -> throw new ProtocolException("SOCKS5 address type " + atyp + " unknown");
        };
        return new InetSocketAddress(address, in.readUnsignedShort());
    }

    @Override
    public String toString() {
        return "socks5:" + proxy.getHostString() + ":" + proxy.getPort();
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
            byte[] address = encodeAddress(destination);
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
                super.receive(raw);
                SocketAddress from = raw.getSocketAddress();
                int n = raw.getLength();
                // Only the relay's datagrams, whole (FRAG 0), with a header we can read.
                if (!from.equals(relay) || n < 4 || buf[2] != 0) {
                    continue;
                }
                int headerLength = switch (buf[3]) {
                    case ATYP_IPV4 -> 4 + 4 + 2;
                    case ATYP_IPV6 -> 4 + 16 + 2;
                    case ATYP_DOMAIN -> n > 4 ? 4 + 1 + (buf[4] & 0xFF) + 2 : Integer.MAX_VALUE;
                    default -> Integer.MAX_VALUE;
                };
                if (headerLength > n) {
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
