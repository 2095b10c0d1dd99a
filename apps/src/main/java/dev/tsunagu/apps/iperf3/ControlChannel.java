package dev.tsunagu.apps.iperf3;

import dev.tsunagu.socket.TcpSocket;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * iperf3's framing on a TCP connection: the 37-byte cookie, one-byte states, and JSON objects
 * as a 32-bit big-endian length followed by that many bytes of UTF-8. Used by the server and by
 * the tests' fake client alike.
 */
final class ControlChannel {
    /** Longest JSON message accepted: results with 128 streams and server output fit well within. */
    static final int MAX_JSON = 1 << 20;

    private final TcpSocket socket;

    ControlChannel(TcpSocket socket) {
        this.socket = socket;
    }

    TcpSocket socket() {
        return socket;
    }

    /** Reads exactly {@code n} bytes, each wait at most {@code timeout}. */
    byte[] readFully(int n, Duration timeout) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = socket.read(b, got, n - got, timeout);
            if (r < 0) {
                throw new EOFException("the connection closed after " + got + " of " + n + " bytes");
            }
            got += r;
        }
        return b;
    }

    Cookie readCookie(Duration timeout) throws IOException {
        return new Cookie(readFully(Cookie.SIZE, timeout));
    }

    void writeCookie(Cookie cookie) throws IOException {
        write(cookie.bytes());
    }

    /** The next state byte; an unknown byte is a {@link ProtocolException}. */
    ControlState readState(Duration timeout) throws IOException {
        byte b = readFully(1, timeout)[0];
        return ControlState.of(b).orElseThrow(() -> new ProtocolException("unknown control message " + b));
    }

    void writeState(ControlState state) throws IOException {
        write(new byte[] {state.code()});
    }

    /** SERVER_ERROR, iperf3's error number and an errno (0: none), as iperf3's server sends them. */
    void writeServerError(int iperfErrno, int errno) throws IOException {
        byte[] b = new byte[9];
        b[0] = ControlState.SERVER_ERROR.code();
        putInt(b, 1, iperfErrno);
        putInt(b, 5, errno);
        write(b);
    }

    /** A length-prefixed JSON object; too long, malformed or not an object is a {@link ProtocolException}. */
    Map<String, Object> readJson(Duration timeout) throws IOException {
        byte[] len = readFully(4, timeout);
        long n = ((len[0] & 0xffL) << 24) | ((len[1] & 0xffL) << 16) | ((len[2] & 0xffL) << 8) | (len[3] & 0xffL);
        if (n > MAX_JSON) {
            throw new ProtocolException("JSON message of " + n + " bytes (at most " + MAX_JSON + " accepted)");
        }
        String text = new String(readFully((int) n, timeout), StandardCharsets.UTF_8);
        try {
            return Json.parseObject(text.endsWith("\0") ? text.substring(0, text.length() - 1) : text);
        } catch (Json.JsonException e) {
            throw new ProtocolException("bad JSON: " + e.getMessage());
        }
    }

    void writeJson(Map<String, ?> object) throws IOException {
        byte[] body = Json.write(object).getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[4 + body.length];
        putInt(b, 0, body.length);
        System.arraycopy(body, 0, b, 4, body.length);
        write(b);
    }

    private void write(byte[] b) throws IOException {
        socket.write(b, 0, b.length);
        socket.flush();
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
