package dev.tsunagu.apps.relay;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * The client's side of SOCKS5 on the wire (RFC 1928; username/password, RFC 1929): method
 * negotiation, the sub-negotiation, a request and its reply, and the header of a UDP datagram.
 * Only what is read here comes from the proxy, so this is where malformed replies end: each is
 * an {@link IOException}, and nothing reads more than the longest well-formed reply (a domain
 * name is at most 255 bytes, RFC 1928 5), nor resolves a name it was sent.
 */
final class Socks5Client {
    static final int VERSION = 5;
    static final int NO_AUTHENTICATION = 0;
    static final int USERNAME_PASSWORD = 2;
    static final int NO_ACCEPTABLE_METHODS = 0xFF;
    /** RFC 1929 2: the sub-negotiation's own version. */
    static final int AUTH_VERSION = 1;
    static final int CONNECT = 1;
    static final int UDP_ASSOCIATE = 3;
    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;
    /** The longest reply to a request: VER REP RSV ATYP, a 255-byte name with its length, the port. */
    static final int MAX_REPLY = 4 + 1 + 255 + 2;

    private Socks5Client() {}

    /**
     * Offers "no authentication", and username/password too when there are {@code credentials};
     * runs the sub-negotiation if the proxy picks it.
     */
    static void negotiate(DataInputStream in, OutputStream out, Socks5Upstream.Credentials credentials, Object proxy)
            throws IOException {
        out.write(credentials == null ? new byte[] {VERSION, 1, NO_AUTHENTICATION}
                : new byte[] {VERSION, 2, NO_AUTHENTICATION, USERNAME_PASSWORD});
        out.flush();
        int version = in.readUnsignedByte();
        int method = in.readUnsignedByte();
        if (version != VERSION) {
            throw new ProtocolException("SOCKS proxy " + proxy + " answered version " + version + ", not 5");
        }
        if (method == NO_AUTHENTICATION) {
            return;
        }
        if (method == USERNAME_PASSWORD && credentials != null) {
            out.write(credentials.encode());
            out.flush();
            int authVersion = in.readUnsignedByte();
            int status = in.readUnsignedByte();
            if (authVersion != AUTH_VERSION) {
                throw new ProtocolException("SOCKS5 proxy " + proxy + " answered the username/password sub-negotiation"
                        + " with version " + authVersion + ", not 1");
            }
            if (status != 0) {
                throw new SocketException("SOCKS5 proxy " + proxy + " refused the username and password (status "
                        + status + ")");
            }
            return;
        }
        if (method == NO_ACCEPTABLE_METHODS) {
            throw new SocketException("SOCKS5 proxy " + proxy + " accepts none of the methods offered ("
                    + (credentials == null ? "no authentication; it may want a username and password" :
                    "no authentication, username/password") + ")");
        }
        throw new ProtocolException("SOCKS5 proxy " + proxy + " picked method " + method + ", which was not offered");
    }

    /** Sends a request and reads its reply; returns BND.ADDR:BND.PORT (unresolved if a name). */
    static InetSocketAddress request(DataInputStream in, OutputStream out, int command, InetSocketAddress address,
                                     Object proxy) throws IOException {
        byte[] a = encodeAddress(address);
        byte[] r = new byte[3 + a.length];
        r[0] = VERSION;
        r[1] = (byte) command;
        System.arraycopy(a, 0, r, 3, a.length);
        out.write(r);
        out.flush();
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new ProtocolException("SOCKS proxy " + proxy + " replied with version " + version);
        }
        int reply = in.readUnsignedByte();
        in.readUnsignedByte(); // RSV
        InetSocketAddress bound = readAddress(in);
        if (reply != 0) {
            throw new SocketException("SOCKS5 proxy " + proxy + ": " + (command == CONNECT ? "CONNECT to " : "UDP ASSOCIATE for ")
                    + describe(address) + " failed: " + replyText(reply));
        }
        return bound;
    }

    private static String describe(InetSocketAddress a) {
        return a.isUnresolved() ? a.getHostString() + ":" + a.getPort() : a.toString();
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

    /**
     * ATYP, the address and the port, as a request or a UDP header carries them: an unresolved
     * address goes as its name (ATYP 3), for the proxy to resolve.
     *
     * @throws IllegalArgumentException if a name is empty or longer than 255 bytes
     */
    static byte[] encodeAddress(InetSocketAddress a) {
        byte[] body;
        int atyp;
        if (a.isUnresolved()) {
            byte[] name = a.getHostString().getBytes(StandardCharsets.US_ASCII);
            if (name.length == 0 || name.length > 255) {
                throw new IllegalArgumentException("a SOCKS5 domain name is 1 to 255 bytes: " + a.getHostString());
            }
            body = new byte[1 + name.length];
            body[0] = (byte) name.length;
            System.arraycopy(name, 0, body, 1, name.length);
            atyp = ATYP_DOMAIN;
        } else {
            body = a.getAddress().getAddress();
            atyp = a.getAddress() instanceof Inet6Address ? ATYP_IPV6 : ATYP_IPV4;
        }
        byte[] b = new byte[1 + body.length + 2];
        b[0] = (byte) atyp;
        System.arraycopy(body, 0, b, 1, body.length);
        b[b.length - 2] = (byte) (a.getPort() >>> 8);
        b[b.length - 1] = (byte) a.getPort();
        return b;
    }

    /** Reads ATYP, an address and a port; a domain name stays a name (unresolved), never looked up here. */
    static InetSocketAddress readAddress(DataInputStream in) throws IOException {
        int atyp = in.readUnsignedByte();
        return switch (atyp) {
            case ATYP_IPV4, ATYP_IPV6 -> {
                byte[] b = new byte[atyp == ATYP_IPV4 ? 4 : 16];
                in.readFully(b);
                yield new InetSocketAddress(InetAddress.getByAddress(b), in.readUnsignedShort());
            }
            case ATYP_DOMAIN -> {
                int length = in.readUnsignedByte();
                if (length == 0) {
                    throw new ProtocolException("SOCKS5 domain name of length 0");
                }
                byte[] b = new byte[length];
                in.readFully(b);
                yield InetSocketAddress.createUnresolved(new String(b, StandardCharsets.US_ASCII), in.readUnsignedShort());
            }
            default -> throw new ProtocolException("SOCKS5 address type " + atyp + " unknown");
        };
    }

    /**
     * The length of the header before a UDP datagram's data ({@code RSV RSV FRAG ATYP ADDR PORT},
     * RFC 1928 7) in the first {@code n} bytes of {@code b}, or -1 if it is not one this client
     * takes: too short, an empty name, or a fragment (FRAG not 0; fragments are optional and dropped), or an
     * unknown address type.
     */
    static int udpHeaderLength(byte[] b, int n) {
        if (n < 4 || b[2] != 0) {
            return -1;
        }
        int length = switch (b[3]) {
            case ATYP_IPV4 -> 4 + 4 + 2;
            case ATYP_IPV6 -> 4 + 16 + 2;
            case ATYP_DOMAIN -> n > 4 && b[4] != 0 ? 4 + 1 + (b[4] & 0xFF) + 2 : -1; // a name of 1..255 bytes
            default -> -1;
        };
        return length > n ? -1 : length;
    }
}
