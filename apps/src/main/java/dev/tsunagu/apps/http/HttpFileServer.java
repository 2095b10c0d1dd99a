package dev.tsunagu.apps.http;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A static file server over Tsunagu's TCP: HTTP/1.1 {@code GET} and {@code HEAD} for the files
 * under one directory.
 *
 * <pre>{@code
 * try (HttpFileServer server = HttpFileServer.serve(stack, 80, Path.of("www"))) {
 *     ...                                   // curl http://10.0.0.2/file.txt
 * }
 * }</pre>
 *
 * <ul>
 *   <li>One request per connection: every response says {@code Connection: close} and the server
 *       closes after it, whatever the client asked for (RFC 9112 9.6), so keep-alive clients
 *       such as curl are answered and then see the close.</li>
 *   <li>Files are streamed through a 64 KiB buffer with an exact {@code Content-Length} and a
 *       {@code Content-Type} from {@link MimeTypes}; a file is never loaded whole.</li>
 *   <li>A directory is served as its {@code index.html} if it has one, else as an HTML listing;
 *       a directory asked for without its trailing slash is redirected (301) to it, so relative
 *       links work.</li>
 *   <li>Errors: 400 malformed request, 403 a path that leaves the directory ({@code ..}, also
 *       percent-encoded, or a symbolic link pointing outside), 404 missing, 405 any method but
 *       GET and HEAD, 505 an HTTP major version other than 1.</li>
 *   <li>Threads: the accept loop runs on its own virtual thread, each connection on another.</li>
 *   <li>Bounded: at most {@code maxConnections} connections are served at once (10,000 by
 *       default); one more is handed to the refusal handler, which by default resets it (RST)
 *       at once. Each connection holds at most {@link #WORST_CASE_PER_CONNECTION} bytes: a
 *       256 KiB send buffer, a 64 KiB receive buffer (requests are small), the 64 KiB response
 *       and file buffers and the request line buffer.</li>
 * </ul>
 */
public final class HttpFileServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpFileServer.class);

    /** How long a client may take to send its request head. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** After the response, how long the server waits for the client to close (lingering close). */
    static final Duration LINGER = Duration.ofSeconds(5);
    private static final long LINGER_MAX_BYTES = 1 << 20;
    /** Connections served at once unless the constructor says otherwise. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Waiting to be accepted; a burst beyond it is met with SYN cookies. */
    static final int BACKLOG = 1024;
    private static final int RECEIVE_BUFFER = 64 << 10;
    private static final TcpSocketOptions SERVED = TcpSocketOptions.DEFAULT.withReceiveBuffer(RECEIVE_BUFFER);
    /** What one connection may hold at most: its socket buffers, the response and file buffers, the line buffer, its state. */
    public static final long WORST_CASE_PER_CONNECTION =
            (long) SERVED.sendBuffer() + RECEIVE_BUFFER + 2L * Http.BUFFER_SIZE + Http.MAX_LINE + 4096 + 4096;

    private final NetworkStack stack;
    private final int port;
    private final Path root;
    private final int maxConnections;
    private final Consumer<TcpSocket> refuse;
    private final AtomicLong refused = new AtomicLong();
    private final Set<TcpSocket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private TcpServerSocket listener;
    private Thread acceptor;
    private volatile boolean closed;

    /**
     * A server for {@code directory} on {@code port} of every address of {@code stack}; not yet
     * listening (see {@link #start()}).
     *
     * @throws NoSuchFileException if the directory does not exist
     * @throws NotDirectoryException if it is not a directory
     */
    public HttpFileServer(NetworkStack stack, int port, Path directory) throws IOException {
        this(stack, port, directory, DEFAULT_MAX_CONNECTIONS, TcpSocket::abort);
    }

    /**
     * As {@link #HttpFileServer(NetworkStack, int, Path)}, serving at most {@code maxConnections}
     * at once; a connection beyond them goes to {@code refuse} (which must close it; resetting,
     * {@link TcpSocket#abort}, tells the client at once).
     */
    public HttpFileServer(NetworkStack stack, int port, Path directory, int maxConnections, Consumer<TcpSocket> refuse)
            throws IOException {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
        }
        if (!Files.isDirectory(directory)) {
            if (!Files.exists(directory)) {
                throw new NoSuchFileException(directory.toString(), null, "no such directory to serve");
            }
            throw new NotDirectoryException(directory.toString());
        }
        this.stack = stack;
        this.port = port;
        this.root = directory.toRealPath();
        this.maxConnections = maxConnections;
        this.refuse = Objects.requireNonNull(refuse);
    }

    /** Creates a server for {@code directory} and starts it. */
    public static HttpFileServer serve(NetworkStack stack, int port, Path directory) throws IOException {
        return new HttpFileServer(stack, port, directory).start();
    }

    /**
     * Listens and starts accepting on a virtual thread.
     *
     * @throws java.net.BindException (from the stack) if the port is in use
     */
    public synchronized HttpFileServer start() throws IOException {
        if (closed || listener != null) {
            throw new IllegalStateException(closed ? "the server is closed" : "the server is already started");
        }
        listener = stack.tcp().listen(port, BACKLOG, SERVED);
        acceptor = Thread.ofVirtual().name("http-accept-" + stack.name() + ":" + port).start(this::acceptLoop);
        log.debug("{}: serving {} over HTTP on port {}", stack.name(), root, port);
        return this;
    }

    /** Responses sent so far (errors included), one per request. */
    public long requestsServed() {
        return requests.get();
    }

    /** Connections being served now. */
    public int activeConnections() {
        return connections.size();
    }

    /** The most connections served at once. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Connections handed to the refusal handler because {@link #maxConnections} were being served. */
    public long connectionsRefused() {
        return refused.get();
    }

    public int port() {
        return port;
    }

    /** The directory served (its real path). */
    public Path directory() {
        return root;
    }

    /** The listening address, once started. */
    public InetSocketAddress localAddress() {
        TcpServerSocket l = listener;
        if (l == null) {
            throw new IllegalStateException("the server is not started");
        }
        return l.localAddress();
    }

    /** Stops listening, waits (briefly) for the accept loop to end, and resets connections still open. Idempotent. */
    @Override
    public void close() {
        Thread a;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (listener != null) {
                listener.close();
            }
            a = acceptor;
        }
        if (a != null) {
            try {
                if (!a.join(Duration.ofSeconds(5))) {
                    log.warn("{}: the HTTP accept loop on port {} did not stop within 5 s", stack.name(), port);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        connections.forEach(TcpSocket::abort);
    }

    @Override
    public String toString() {
        return "HttpFileServer[" + stack.name() + ":" + port + " " + root + ", " + requests.get() + " requests]";
    }

    // ---- connections ----

    private void acceptLoop() {
        while (!closed) {
            TcpSocket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{}: accepting on port {} failed; the HTTP server stops: {}", stack.name(), port, e.toString());
                }
                return;
            }
            if (connections.size() >= maxConnections) {
                refused.incrementAndGet();
                log.debug("{}: {} connections already on port {}; refusing {}", stack.name(), maxConnections, port,
                        socket.remoteAddress());
                refuse.accept(socket);
                continue;
            }
            connections.add(socket);
            Thread.ofVirtual().name("http-" + socket.remoteAddress()).start(() -> serveConnection(socket));
        }
    }

    private void serveConnection(TcpSocket socket) {
        try {
            HttpInput in = new HttpInput(socket, Http.MAX_LINE, REQUEST_TIMEOUT);
            OutputStream out = new BufferedOutputStream(socket.outputStream(), Http.BUFFER_SIZE);
            Request request = null;
            try {
                request = readRequest(in);
                if (request == null) {
                    return; // the client closed without asking anything
                }
                respond(request, out);
            } catch (HttpError e) {
                boolean head = request != null && request.method().equals("HEAD");
                log.debug("{}: {} -> {} {}", socket.remoteAddress(), request, e.status, e.getMessage());
                sendError(out, e, head);
            }
            out.flush();
            lingeringClose(socket);
        } catch (SocketTimeoutException e) {
            log.debug("{}: no complete request in {}; closing", socket.remoteAddress(), REQUEST_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            log.debug("{}: connection ended: {}", socket.remoteAddress(), e.toString());
        } finally {
            connections.remove(socket);
            socket.close();
        }
    }

    /**
     * Half-closes, then reads and discards what the client still sends until it closes (or
     * {@link #LINGER} passes), so closing never resets a connection whose client sent more than
     * we read (RFC 1122 4.2.2.13), which could destroy the response before the client reads it.
     */
    private static void lingeringClose(TcpSocket socket) {
        try {
            socket.shutdownOutput();
            byte[] sink = new byte[4096];
            long deadline = System.nanoTime() + LINGER.toNanos();
            long drained = 0;
            while (drained < LINGER_MAX_BYTES) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                int n = socket.read(sink, 0, sink.length, Duration.ofNanos(left));
                if (n < 0) {
                    return;
                }
                drained += n;
            }
        } catch (IOException e) {
            // timed out, or the client reset: close anyway
        }
    }

    // ---- requests ----

    /** The request line and headers. */
    record Request(String method, String target, String version, HttpHeaders headers) {
        @Override
        public String toString() {
            return method + " " + target + " " + version;
        }
    }

    /** A response other than the file or listing asked for: status, message, extra header lines. */
    static final class HttpError extends Exception {
        final int status;
        final List<String> headers;

        HttpError(int status, String message, String... headers) {
            super(message, null, false, false);
            this.status = status;
            this.headers = List.of(headers);
        }
    }

    /** Reads the request head (RFC 9112 2-5). @return null if the client closed before sending anything */
    static Request readRequest(HttpInput in) throws IOException, HttpError {
        String line;
        int emptyLines = 0;
        do {
            try {
                line = in.readLine(Http.MAX_LINE);
            } catch (ProtocolException e) {
                throw new HttpError(414, "request line longer than " + Http.MAX_LINE + " bytes");
            }
            if (line == null) {
                return null;
            }
        } while (line.isEmpty() && ++emptyLines <= 8); // RFC 9112 2.2: ignore empty lines before it
        String[] parts = line.split(" ", -1);
        if (parts.length != 3) {
            throw new HttpError(400, "malformed request line (want METHOD TARGET HTTP/1.1): " + Http.quote(line));
        }
        String method = parts[0];
        String target = parts[1];
        String version = parts[2];
        if (!Http.isToken(method)) {
            throw new HttpError(400, "malformed method: " + Http.quote(method));
        }
        if (!version.matches("HTTP/[0-9]\\.[0-9]")) {
            throw new HttpError(400, "malformed HTTP version: " + Http.quote(version));
        }
        if (version.charAt(5) != '1') {
            throw new HttpError(505, "only HTTP/1.x is served, not " + version);
        }
        if (target.isEmpty() || !target.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new HttpError(400, "malformed request target: " + Http.quote(target));
        }
        List<HttpHeaders.Field> fields = new ArrayList<>();
        while (true) {
            String h;
            try {
                h = in.readLine(Http.MAX_LINE);
            } catch (ProtocolException e) {
                throw new HttpError(431, "header line longer than " + Http.MAX_LINE + " bytes");
            }
            if (h == null) {
                throw new java.io.EOFException("connection closed in the request head");
            }
            if (h.isEmpty()) {
                break;
            }
            if (fields.size() == Http.MAX_HEADERS) {
                throw new HttpError(431, "more than " + Http.MAX_HEADERS + " header lines");
            }
            if (h.charAt(0) == ' ' || h.charAt(0) == '\t') {
                throw new HttpError(400, "obsolete header line folding is not accepted");
            }
            try {
                fields.add(HttpHeaders.parseField(h));
            } catch (ProtocolException e) {
                throw new HttpError(400, e.getMessage());
            }
        }
        HttpHeaders headers = HttpHeaders.of(fields);
        if (version.equals("HTTP/1.1") && headers.all("Host").size() != 1) {
            throw new HttpError(400, "an HTTP/1.1 request needs exactly one Host header (RFC 9112 3.2)");
        }
        return new Request(method, target, version, headers);
    }

    private void respond(Request request, OutputStream out) throws IOException, HttpError {
        boolean head = request.method().equals("HEAD");
        if (!head && !request.method().equals("GET")) {
            throw new HttpError(405, request.method() + " is not supported here; only GET and HEAD", "Allow: GET, HEAD");
        }
        String rawPath = pathOf(request.target());
        Path file = resolve(rawPath);
        if (Files.isDirectory(file)) {
            if (!rawPath.endsWith("/")) {
                throw new HttpError(301, "a directory: see " + rawPath + "/", "Location: " + rawPath + "/");
            }
            Path index = file.resolve("index.html");
            if (Files.isRegularFile(index)) {
                sendFile(out, index, head);
            } else {
                sendListing(out, file, decode(rawPath), head);
            }
        } else if (Files.isRegularFile(file)) {
            sendFile(out, file, head);
        } else {
            throw new HttpError(404, "no such file: " + decode(rawPath));
        }
        log.debug("{} -> done", request);
    }

    /** The path of an origin-form ({@code /a/b?q}) or absolute-form ({@code http://h/a/b}) target, still percent-encoded. */
    private static String pathOf(String target) throws HttpError {
        String t = target;
        if (!t.startsWith("/")) {
            int scheme = t.indexOf("://");
            if (scheme <= 0) {
                throw new HttpError(400, "malformed request target: " + Http.quote(target));
            }
            int slash = t.indexOf('/', scheme + 3);
            t = slash < 0 ? "/" : t.substring(slash);
        }
        int end = t.length();
        int q = t.indexOf('?');
        if (q >= 0) {
            end = q;
        }
        int hash = t.indexOf('#');
        if (hash >= 0 && hash < end) {
            end = hash;
        }
        return t.substring(0, end);
    }

    /**
     * The file a request path names under the root. Refuses (403) any {@code ..} segment, even
     * percent-encoded, and anything whose real location (symbolic links followed) is outside.
     */
    private Path resolve(String rawPath) throws HttpError {
        String path = decode(rawPath);
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw new HttpError(403, "path traversal refused: " + Http.quote(path));
            }
        }
        Path file;
        try {
            file = root.resolve(path.replaceFirst("^/+", "")).normalize();
        } catch (InvalidPathException e) {
            throw new HttpError(400, "not a valid path: " + Http.quote(path));
        }
        if (!file.startsWith(root)) {
            throw new HttpError(403, "outside the served directory: " + Http.quote(path));
        }
        if (Files.exists(file)) {
            try {
                if (!file.toRealPath().startsWith(root)) {
                    throw new HttpError(403, "a link to outside the served directory: " + Http.quote(path));
                }
            } catch (IOException e) {
                throw new HttpError(403, "cannot read " + Http.quote(path));
            }
        }
        return file;
    }

    /**
     * An ASCII hex digit's value, or -1: RFC 3986 2.1's HEXDIG is ASCII only, where
     * {@code Character.digit} would also take other scripts' digits ({@code %\u0661\u0662}).
     */
    private static int hexDigit(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }

    /** Percent-decodes a path as UTF-8 (RFC 3986 2.1); malformed escapes, bad UTF-8 and NUL are 400. */
    static String decode(String rawPath) throws HttpError {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawPath.length());
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                int hi = i + 2 < rawPath.length() ? hexDigit(rawPath.charAt(i + 1)) : -1;
                int lo = hi >= 0 ? hexDigit(rawPath.charAt(i + 2)) : -1;
                if (lo < 0) {
                    throw new HttpError(400, "malformed percent-encoding in " + Http.quote(rawPath));
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        String path;
        try {
            path = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new HttpError(400, "the path is not UTF-8: " + Http.quote(rawPath));
        }
        if (path.indexOf('\0') >= 0) {
            throw new HttpError(400, "NUL in the path");
        }
        return path;
    }

    // ---- responses ----

    private void sendFile(OutputStream out, Path file, boolean head) throws IOException, HttpError {
        InputStream content;
        long length;
        Instant modified;
        try {
            content = Files.newInputStream(file);
            length = Files.size(file);
            modified = Files.getLastModifiedTime(file).toInstant();
        } catch (NoSuchFileException e) {
            throw new HttpError(404, "no such file: " + file.getFileName());
        } catch (AccessDeniedException e) {
            throw new HttpError(403, "cannot read " + file.getFileName());
        }
        try (content) {
            writeHead(out, 200, MimeTypes.forFileName(file.getFileName().toString()), length,
                    List.of("Last-Modified: " + Http.date(modified)));
            if (head) {
                return;
            }
            byte[] buffer = new byte[Http.BUFFER_SIZE];
            long left = length;
            while (left > 0) {
                int n = content.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException(file + " shrank while it was being sent");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private void sendListing(OutputStream out, Path dir, String path, boolean head) throws IOException {
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        }
        StringBuilder html = new StringBuilder();
        String title = "Index of " + escape(path);
        html.append("<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title></head>\n<body>\n<h1>").append(title).append("</h1>\n<ul>\n");
        if (!path.equals("/")) {
            html.append("<li><a href=\"../\">../</a></li>\n");
        }
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            boolean directory = Files.isDirectory(entry);
            String shown = directory ? name + "/" : name;
            html.append("<li><a href=\"").append(encodeSegment(name)).append(directory ? "/" : "").append("\">")
                    .append(escape(shown)).append("</a>");
            if (!directory) {
                try {
                    html.append(" (").append(Files.size(entry)).append(" bytes)");
                } catch (IOException e) {
                    // vanished or unreadable: listed without a size
                }
            }
            html.append("</li>\n");
        }
        html.append("</ul>\n</body>\n</html>\n");
        byte[] body = html.toString().getBytes(StandardCharsets.UTF_8);
        writeHead(out, 200, "text/html; charset=utf-8", body.length, List.of());
        if (!head) {
            out.write(body);
        }
    }

    private void sendError(OutputStream out, HttpError e, boolean head) throws IOException {
        String status = e.status + " " + Http.reason(e.status);
        byte[] body = ("<!DOCTYPE html>\n<html>\n<head><title>" + status + "</title></head>\n<body>\n<h1>" + status
                + "</h1>\n<p>" + escape(e.getMessage()) + "</p>\n</body>\n</html>\n").getBytes(StandardCharsets.UTF_8);
        writeHead(out, e.status, "text/html; charset=utf-8", body.length, e.headers);
        if (!head) {
            out.write(body);
        }
    }

    private void writeHead(OutputStream out, int status, String contentType, long contentLength, List<String> extra)
            throws IOException {
        requests.incrementAndGet(); // before the first byte leaves: a client that has the response sees the count
        StringBuilder h = new StringBuilder(256);
        h.append("HTTP/1.1 ").append(status).append(' ').append(Http.reason(status)).append("\r\n");
        h.append("Server: tsunagu\r\n");
        h.append("Date: ").append(Http.date(Instant.now())).append("\r\n");
        h.append("Content-Type: ").append(contentType).append("\r\n");
        h.append("Content-Length: ").append(contentLength).append("\r\n");
        for (String line : extra) {
            h.append(line).append("\r\n");
        }
        h.append("Connection: close\r\n\r\n");
        out.write(Http.ascii(h.toString()));
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Percent-encodes one path segment (RFC 3986): everything but unreserved characters, as UTF-8. */
    private static String encodeSegment(String name) {
        StringBuilder sb = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }
}
