package dev.tsunagu.apps.http;

import dev.tsunagu.net.IpAddress;
import dev.tsunagu.socket.HappyEyeballs;
import dev.tsunagu.socket.NameResolver;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.ProtocolException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTTP/1.1 client over a stack's TCP: one {@code GET} per connection, like
 * {@code curl}.
 *
 * <pre>{@code
 * try (OutputStream file = Files.newOutputStream(Path.of("big.bin"))) {
 *     HttpClient.Response r = HttpClient.get(stack, URI.create("http://10.0.0.2/big.bin"), file);
 *     System.out.println(r.status() + " " + r.bodyBytes() + " bytes");
 * }
 * }</pre>
 *
 * <p>The host is an IP literal (IPv6 in brackets: {@code http://[fd00::2]:8080/}) or a name resolved with the stack's own resolver
 * ({@link NameResolver}: stack-udp's DNS resolver, servers from the {@code dns.servers} option). The request says
 * {@code Connection: close}. The body, of whatever status, is written to the given stream as
 * it arrives; its end is found by {@code Content-Length}, by decoding
 * {@code Transfer-Encoding: chunked}, or by the server closing the connection (RFC 9112 6.3).
 * Interim 1xx responses are skipped.
 *
 * <p>Errors are {@link IOException}s that say what went wrong: {@link MalformedURLException}
 * for a bad URL or a scheme other than {@code http}, {@link UnknownHostException},
 * {@link ConnectException} naming the host and port, {@link ProtocolException} for a malformed
 * response, {@link EOFException} for a response cut short, and
 * {@link java.net.SocketTimeoutException} when the server is silent for {@link #READ_TIMEOUT}.
 */
public final class HttpClient {
    /** The longest the client waits for the next bytes of the response. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    public static final String USER_AGENT = "tsunagu-http/0.1";

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/([0-9])\\.([0-9]) ([0-9]{3})(?: (.*))?");

    /**
     * The response: status code and reason phrase, the headers, and how many body bytes were
     * written to the caller's stream (after chunked decoding).
     */
    public record Response(int status, String reason, HttpHeaders headers, long bodyBytes) {
        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }

        @Override
        public String toString() {
            return status + " " + reason + " (" + bodyBytes + " body bytes)";
        }
    }

    /** Told about the body as it arrives: bytes so far, and the total if known (else -1). */
    @FunctionalInterface
    public interface Progress {
        void update(long bytesSoFar, long totalBytes);

        Progress NONE = (soFar, total) -> { };
    }

    private HttpClient() {}

    public static Response get(NetworkStack stack, String url, OutputStream body) throws IOException {
        return get(stack, parseUrl(url), body, Progress.NONE);
    }

    public static Response get(NetworkStack stack, String url, OutputStream body, Progress progress) throws IOException {
        return get(stack, parseUrl(url), body, progress);
    }

    public static Response get(NetworkStack stack, URI uri, OutputStream body) throws IOException {
        return get(stack, uri, body, Progress.NONE);
    }

    /**
     * Fetches {@code uri} with {@code GET}, writing the body to {@code body} (which is not
     * closed) and telling {@code progress} (may be null) as it goes.
     */
    public static Response get(NetworkStack stack, URI uri, OutputStream body, Progress progress) throws IOException {
        Target target = Target.of(uri);
        TcpSocket socket;
        try {
            socket = connect(stack, target);
        } catch (ConnectException e) {
            ConnectException named = new ConnectException(target.host() + ":" + target.port() + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
        try (socket) {
            String request = "GET " + target.requestTarget() + " HTTP/1.1\r\n"
                    + "Host: " + target.hostHeader() + "\r\n"
                    + "User-Agent: " + USER_AGENT + "\r\n"
                    + "Accept: */*\r\n"
                    + "Connection: close\r\n"
                    + "\r\n";
            socket.write(Http.ascii(request));
            socket.flush();

            HttpInput in = new HttpInput(socket, Http.BUFFER_SIZE, READ_TIMEOUT);
            Head head;
            do {
                head = readHead(in);
            } while (head.status() >= 100 && head.status() < 200 && head.status() != 101);
            Body sink = new Body(in, body, progress == null ? Progress.NONE : progress);
            long bytes = switch (framing(head)) {
                case NONE -> 0;
                case LENGTH -> sink.copyExactly(contentLength(head.headers()));
                case CHUNKED -> sink.copyChunked();
                case UNTIL_CLOSE -> sink.copyUntilClose();
            };
            return new Response(head.status(), head.reason(), head.headers(), bytes);
        }
    }

    // ---- the URL ----

    /** Where a URL points: host, port, the request target (path and query) and the Host header. */
    record Target(String host, int port, String requestTarget, String hostHeader) {
        static Target of(URI uri) throws MalformedURLException {
            String scheme = uri.getScheme();
            if (scheme == null) {
                throw new MalformedURLException("bad URL " + Http.quote(uri.toString()) + ": no scheme (want http://HOST[:PORT]/PATH)");
            }
            if (!scheme.equalsIgnoreCase("http")) {
                throw new MalformedURLException("unsupported scheme " + Http.quote(scheme) + " in " + uri
                        + ": only http:// URLs are supported");
            }
            String host = uri.getHost();
            if (host == null || host.isEmpty()) {
                throw new MalformedURLException("bad URL " + Http.quote(uri.toString()) + ": no valid host");
            }
            int port = uri.getPort() == -1 ? 80 : uri.getPort();
            if (port < 1 || port > 65535) {
                throw new MalformedURLException("bad URL " + uri + ": port " + port + " out of range 1..65535");
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            String requestTarget = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
            // An IPv6 literal comes bracketed ([fd00::2], RFC 3986 3.2.2): the Host header keeps the
            // brackets (RFC 9112 3.2), the connection wants the address inside them.
            String hostHeader = port == 80 ? host : host + ":" + port;
            boolean bracketed = host.startsWith("[") && host.endsWith("]");
            return new Target(bracketed ? host.substring(1, host.length() - 1) : host, port, requestTarget, hostHeader);
        }
    }

    private static URI parseUrl(String url) throws MalformedURLException {
        try {
            return new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new MalformedURLException("bad URL " + Http.quote(url) + ": " + e.getReason());
        }
    }

    /**
     * A literal or an IPv4-only stack: one connection. A name on a stack with an IPv6 address:
     * its addresses of both families raced (RFC 8305 5, {@link HappyEyeballs}), IPv6 first.
     */
    private static TcpSocket connect(NetworkStack stack, Target target) throws IOException {
        boolean literal = isLiteral(target.host());
        if (literal || !stack.hasIpv6Address()) {
            return stack.tcp().connect(new InetSocketAddress(resolve(stack, target.host()), target.port()));
        }
        List<InetAddress> all = resolver(stack, target.host()).lookupBothFamilies(target.host());
        return HappyEyeballs.connectAndWait(stack.loop(), stack.tcp(), all, target.port(), TcpSocketOptions.DEFAULT);
    }

    private static boolean isLiteral(String host) {
        try {
            IpAddress.parse(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static NameResolver resolver(NetworkStack stack, String host) throws UnknownHostException {
        return stack.service(NameResolver.class).orElseThrow(() -> new UnknownHostException(
                host + ": this stack has no resolver (add dev.tsunagu:tsunagu-stack-udp)"));
    }

    /** A literal of either family as is; a name through the stack's resolver (its first IPv4 address). */
    static InetAddress resolve(NetworkStack stack, String host) throws UnknownHostException {
        try {
            return IpAddress.parse(host).toInetAddress();
        } catch (IllegalArgumentException notALiteral) {
            for (InetAddress a : resolver(stack, host).lookup(host)) {
                if (a instanceof Inet4Address) {
                    return a;
                }
            }
            throw new UnknownHostException(host + ": no IPv4 address");
        }
    }

    // ---- the response ----

    private record Head(int status, String reason, HttpHeaders headers) {}

    private enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private static Head readHead(HttpInput in) throws IOException {
        String line = readLine(in, "status line");
        if (line == null) {
            throw new EOFException("the server closed the connection without a response");
        }
        Matcher m = STATUS_LINE.matcher(line);
        if (!m.matches()) {
            throw new ProtocolException("malformed response: status line " + Http.quote(line));
        }
        if (!m.group(1).equals("1")) {
            throw new ProtocolException("malformed response: HTTP/" + m.group(1) + "." + m.group(2) + " is not HTTP/1.x");
        }
        int status = Integer.parseInt(m.group(3));
        String reason = m.group(4) == null ? "" : m.group(4);
        List<HttpHeaders.Field> fields = new ArrayList<>();
        while (true) {
            String h = readLine(in, "header line");
            if (h == null) {
                throw new EOFException("connection closed in the response headers");
            }
            if (h.isEmpty()) {
                break;
            }
            if (fields.size() == Http.MAX_HEADERS) {
                throw new ProtocolException("malformed response: more than " + Http.MAX_HEADERS + " header lines");
            }
            try {
                fields.add(HttpHeaders.parseField(h));
            } catch (ProtocolException e) {
                throw new ProtocolException("malformed response: " + e.getMessage());
            }
        }
        return new Head(status, reason, HttpHeaders.of(fields));
    }

    private static String readLine(HttpInput in, String what) throws IOException {
        try {
            return in.readLine(Http.MAX_LINE);
        } catch (ProtocolException e) {
            throw new ProtocolException("malformed response: " + what + " longer than " + Http.MAX_LINE + " bytes");
        }
    }

    /** How the body's end is found (RFC 9112 6.3). */
    private static Framing framing(Head head) throws ProtocolException {
        int s = head.status();
        if (s < 200 || s == 204 || s == 304) {
            return Framing.NONE;
        }
        List<String> codings = head.headers().tokens("Transfer-Encoding");
        if (!codings.isEmpty()) {
            return codings.getLast().equals("chunked") ? Framing.CHUNKED : Framing.UNTIL_CLOSE;
        }
        return head.headers().contains("Content-Length") ? Framing.LENGTH : Framing.UNTIL_CLOSE;
    }

    /** The Content-Length: every value (repeated lines, comma lists) the same decimal number. */
    private static long contentLength(HttpHeaders headers) throws ProtocolException {
        long length = -1;
        for (String value : headers.all("Content-Length")) {
            for (String v : value.split(",")) {
                String d = v.strip();
                if (d.isEmpty() || d.length() > 18 || !d.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new ProtocolException("malformed response: Content-Length " + Http.quote(value));
                }
                long n = Long.parseLong(d);
                if (length >= 0 && n != length) {
                    throw new ProtocolException("malformed response: conflicting Content-Length values " + headers.all("Content-Length"));
                }
                length = n;
            }
        }
        return length;
    }

    /** Copies the body to the caller's stream, counting and reporting progress. */
    private static final class Body {
        private final HttpInput in;
        private final OutputStream out;
        private final Progress progress;
        private final byte[] buffer = new byte[Http.BUFFER_SIZE];
        private long bytes;

        Body(HttpInput in, OutputStream out, Progress progress) {
            this.in = in;
            this.out = out;
            this.progress = progress;
        }

        long copyExactly(long length) throws IOException {
            progress.update(0, length);
            copy(length, length, "connection closed after %d of %d body bytes");
            return bytes;
        }

        long copyUntilClose() throws IOException {
            progress.update(0, -1);
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
                write(n, -1);
            }
            return bytes;
        }

        /** RFC 9112 7.1: chunk-size [; extensions] CRLF, data CRLF, ..., 0 CRLF, trailers, CRLF. */
        long copyChunked() throws IOException {
            progress.update(0, -1);
            while (true) {
                String line = readLine(in, "chunk size line");
                if (line == null) {
                    throw new EOFException("connection closed before the last chunk (after " + bytes + " body bytes)");
                }
                int semicolon = line.indexOf(';');
                String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line).strip();
                if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    throw new ProtocolException("malformed response: chunk size " + Http.quote(line));
                }
                long size = Long.parseLong(hex, 16);
                if (size == 0) {
                    break;
                }
                copy(size, -1, "connection closed in the middle of a chunk (%d of its %d bytes)");
                String end = readLine(in, "chunk end");
                if (end == null || !end.isEmpty()) {
                    throw new ProtocolException("malformed response: chunk data not followed by CRLF");
                }
            }
            while (true) { // trailer fields, ignored
                String trailer = readLine(in, "trailer line");
                if (trailer == null || trailer.isEmpty()) {
                    return bytes;
                }
            }
        }

        /** Copies exactly {@code length} bytes; {@code eofMessage} formats (bytes copied, length) if the stream ends first. */
        private void copy(long length, long total, String eofMessage) throws IOException {
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new EOFException(String.format(eofMessage, length - left, length));
                }
                write(n, total);
                left -= n;
            }
        }

        private void write(int n, long total) throws IOException {
            out.write(buffer, 0, n);
            bytes += n;
            progress.update(bytes, total);
        }
    }
}
