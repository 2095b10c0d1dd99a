package dev.tsunagu.viz.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tsunagu.net.Endpoint;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TraceHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves the live view of one stack on the loopback address: {@code /} is the page,
 * {@code /status.json} what it shows ({@code ?conn=ID} picks the connection whose chart it
 * draws; by default the one that changed last). Only the loopback address is bound, so
 * nothing outside the host can reach it. Each request reads the stack afresh (the counters
 * directly, the socket table on the stack's loop).
 */
public final class StatusServer implements AutoCloseable {
    private final NetworkStack stack;
    private final HttpServer http;
    private final ExecutorService threads;
    private final CongestionHistory history = new CongestionHistory();
    private final TraceHandle trace;
    private final byte[] page;

    private StatusServer(NetworkStack stack, int port) throws IOException {
        this.stack = stack;
        this.page = loadPage();
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        this.threads = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tsunagu-status");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(threads);
        http.createContext("/", this::serve);
        this.trace = stack.tcp().trace(history);
        http.start();
    }

    /** Starts serving {@code stack}'s view on {@code port} of the loopback address (0: any free port). */
    public static StatusServer start(NetworkStack stack, int port) throws IOException {
        return new StatusServer(stack, port);
    }

    /** The address served: the loopback address and the port (the one chosen, for port 0). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** The page's URL. */
    public String url() {
        return "http://" + address().getAddress().getHostAddress() + ":" + address().getPort() + "/";
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!ex.getRequestMethod().equals("GET")) {
                reply(ex, 405, "text/plain", "GET only\n".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/") || path.equals("/index.html")) {
                reply(ex, 200, "text/html; charset=utf-8", page);
            } else if (path.equals("/status.json")) {
                String conn = query(ex.getRequestURI().getRawQuery(), "conn");
                reply(ex, 200, "application/json", json(conn).getBytes(StandardCharsets.UTF_8));
            } else {
                reply(ex, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            // The stack closed under us, or a bad query: tell the page, keep serving.
            reply(ex, 500, "text/plain", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static String query(String raw, String name) {
        if (raw == null) {
            return null;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(name)) {
                return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** What the page shows, as JSON. */
    String json(String selected) {
        Json j = new Json();
        j.open('{').key("stack").value(stack.name());
        j.key("counters").open('{');
        for (Map.Entry<String, Map<String, Long>> g : stack.statistics().groups().entrySet()) {
            j.key(g.getKey()).open('{');
            g.getValue().forEach((k, v) -> j.key(k).value(v));
            j.close('}');
        }
        j.close('}');
        j.key("sockets").open('[');
        for (SocketInfo s : stack.sockets()) {
            j.open('{').key("protocol").value(s.protocol()).key("fd").value(s.descriptor())
                    .key("local").value(text(s.local())).key("remote").value(text(s.remote()))
                    .key("state").value(s.state()).key("sendQueue").value(s.sendQueue())
                    .key("receiveQueue").value(s.receiveQueue()).close('}');
        }
        j.close(']');
        List<TcpConnectionId> ids = history.connections();
        TcpConnectionId chosen = null;
        j.key("connections").open('[');
        for (TcpConnectionId id : ids.reversed()) {
            j.value(id.toString());
            if (id.toString().equals(selected)) {
                chosen = id;
            }
        }
        j.close(']');
        if (chosen == null && !ids.isEmpty()) {
            chosen = ids.getLast();
        }
        j.key("selected").value(chosen == null ? "" : chosen.toString());
        j.key("samples").open('[');
        if (chosen != null) {
            for (CongestionHistory.Sample s : history.samples(chosen)) {
                j.open('[').value(s.timeNanos() / 1e9).value(s.cwnd())
                        .value(s.ssthresh() >= 1L << 40 ? -1 : s.ssthresh())
                        .value(s.srttNanos() < 0 ? -1 : s.srttNanos() / 1e6).value(s.rtoNanos() / 1e6)
                        .value(s.inFlight()).close(']');
            }
        }
        j.close(']');
        return j.close('}').toString();
    }

    private static String text(InetSocketAddress a) {
        return a == null ? "" : Endpoint.format(a);
    }

    private static byte[] loadPage() {
        try (InputStream in = StatusServer.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IllegalStateException("status.html is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
        trace.close();
    }

    /** A JSON writer for the few shapes above: objects, arrays, strings and numbers. */
    private static final class Json {
        private final StringBuilder out = new StringBuilder();
        private boolean first = true;

        Json open(char c) {
            comma();
            out.append(c);
            first = true;
            return this;
        }

        Json close(char c) {
            out.append(c);
            first = false;
            return this;
        }

        Json key(String k) {
            comma();
            string(k);
            out.append(':');
            first = true;
            return this;
        }

        Json value(String s) {
            comma();
            string(s);
            return this;
        }

        Json value(long v) {
            comma();
            out.append(v);
            return this;
        }

        Json value(double v) {
            comma();
            out.append(Double.isFinite(v) ? Double.toString(v) : "null");
            return this;
        }

        private void comma() {
            if (!first) {
                out.append(',');
            }
            first = false;
        }

        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}
