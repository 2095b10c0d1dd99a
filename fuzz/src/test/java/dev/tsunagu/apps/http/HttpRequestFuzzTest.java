package dev.tsunagu.apps.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.socket.TcpSocket;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Duration;

/**
 * The file server's request head parser (RFC 9112 2-5: request line, field lines, the Host
 * rule, limits on line length and header count) and its path decoding (RFC 3986 2.1), fed
 * from a socket that hands the bytes over in fuzzed pieces, so lines split across reads too.
 * Any input ends in a request, an {@link HttpFileServer.HttpError} (a status to answer) or an
 * {@link IOException} (the connection's end), never anything else; what is accepted keeps
 * the rules the server relies on.
 *
 * <p>In the package of the parser, whose entry point is package-private: the fuzz module runs
 * on the class path, where a test class may share a package with the jar it tests.
 */
class HttpRequestFuzzTest {
    @FuzzTest
    void requests(FuzzedDataProvider data) {
        int[] pieces = new int[data.consumeInt(1, 8)];
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = data.consumeInt(1, 4096);
        }
        byte[] stream = data.consumeRemainingAsBytes();
        HttpInput in = new HttpInput(socketReading(stream, pieces), 16 * 1024, Duration.ofSeconds(1));
        HttpFileServer.Request request;
        try {
            request = HttpFileServer.readRequest(in);
        } catch (HttpFileServer.HttpError e) {
            if (e.status < 400 || e.status > 599) {
                throw new AssertionError("error status " + e.status, e);
            }
            return;
        } catch (IOException e) {
            return;
        }
        if (request == null) {
            return;
        }
        if (!Http.isToken(request.method()) || !request.version().matches("HTTP/1\\.[0-9]")
                || request.target().isEmpty() || request.headers().size() > Http.MAX_HEADERS) {
            throw new AssertionError("accepted a malformed request: " + request + " " + request.headers());
        }
        try {
            String path = HttpFileServer.decode(request.target());
            if (path.indexOf('\0') >= 0) {
                throw new AssertionError("a decoded path with NUL: " + Http.quote(path));
            }
        } catch (HttpFileServer.HttpError e) {
            if (e.status != 400) {
                throw new AssertionError("decoding failed with " + e.status, e);
            }
        }
    }

    /** A socket whose reads return {@code stream} in pieces of the given sizes (in turn), then end. */
    private static TcpSocket socketReading(byte[] stream, int[] pieces) {
        int[] state = new int[2]; // position, read count
        return (TcpSocket) Proxy.newProxyInstance(TcpSocket.class.getClassLoader(), new Class<?>[] {TcpSocket.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("read") || args.length != 4) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    if (state[0] >= stream.length) {
                        return -1;
                    }
                    byte[] b = (byte[]) args[0];
                    int n = Math.min(Math.min((int) args[2], pieces[state[1]++ % pieces.length]), stream.length - state[0]);
                    System.arraycopy(stream, state[0], b, (int) args[1], n);
                    state[0] += n;
                    return n;
                });
    }
}
