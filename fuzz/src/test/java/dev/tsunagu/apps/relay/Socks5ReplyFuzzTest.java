package dev.tsunagu.apps.relay;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * The SOCKS5 client's reading of what a proxy sends (RFC 1928 3, 6, 7; RFC 1929 2): the method
 * selection, the username/password status, a request's reply, and a UDP datagram's header, fed
 * the fuzzed bytes as the proxy's whole answer. Any answer ends in a bound address or an
 * {@link IOException}, never anything else; nothing reads past the longest well-formed answer
 * (so a proxy cannot make the client read without end); a name in a reply is never looked up;
 * a UDP header's length is inside the datagram.
 *
 * <p>In the package of the parser, whose entry points are package-private: the fuzz module runs
 * on the class path, where a test class may share a package with the jar it tests.
 */
class Socks5ReplyFuzzTest {
    private static final InetSocketAddress DESTINATION = new InetSocketAddress("198.51.100.1", 443);
    private static final Socks5Upstream.Credentials CREDENTIALS = new Socks5Upstream.Credentials("user", "password");
    /** Method selection (2), the sub-negotiation's status (2), a reply with a 255-byte name. */
    private static final int MOST = 2 + 2 + Socks5Client.MAX_REPLY;

    @FuzzTest
    void replies(FuzzedDataProvider data) {
        boolean withCredentials = data.consumeBoolean();
        int command = data.consumeBoolean() ? Socks5Client.CONNECT : Socks5Client.UDP_ASSOCIATE;
        byte[] answer = data.consumeRemainingAsBytes();
        ByteArrayInputStream source = new ByteArrayInputStream(answer);
        DataInputStream in = new DataInputStream(source);
        InetSocketAddress bound = null;
        try {
            Socks5Client.negotiate(in, OutputStream.nullOutputStream(), withCredentials ? CREDENTIALS : null, "fuzz");
            bound = Socks5Client.request(in, OutputStream.nullOutputStream(), command, DESTINATION, "fuzz");
        } catch (IOException e) {
            // a malformed, short or refusing answer: the flow fails, as it should
        }
        int read = answer.length - source.available();
        if (read > MOST) {
            throw new AssertionError("read " + read + " bytes of the proxy's answer, more than " + MOST);
        }
        if (bound != null) {
            if (answer[0] != Socks5Client.VERSION || (answer[1] != 0 && !(withCredentials && answer[1] == 2))) {
                throw new AssertionError("accepted a method selection that was not offered: " + answer[0] + " " + answer[1]);
            }
            int reply = withCredentials && answer[1] == 2 ? 4 : 2;
            if (answer[reply] != Socks5Client.VERSION || answer[reply + 1] != 0) {
                throw new AssertionError("accepted a reply that is not a success: " + answer[reply] + " " + answer[reply + 1]);
            }
            if (answer[reply + 3] == Socks5Client.ATYP_DOMAIN && !bound.isUnresolved()) {
                throw new AssertionError("a name in a reply was looked up: " + bound);
            }
        }
        int header = Socks5Client.udpHeaderLength(answer, answer.length);
        // The shortest header carries a one-byte name: RSV RSV FRAG ATYP, LEN, the name, the port.
        if (header != -1 && (header < 4 + 1 + 1 + 2 || header > answer.length)) {
            throw new AssertionError("UDP header length " + header + " of a " + answer.length + "-byte datagram");
        }
    }
}
