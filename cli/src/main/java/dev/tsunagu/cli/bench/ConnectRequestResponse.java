package dev.tsunagu.cli.bench;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * crr: a client that, {@code connections} times in a row, connects, writes one byte, reads
 * the one-byte answer and closes; a server that accepts, answers, reads to end of stream and
 * closes (so the client ends in TIME_WAIT, as with netperf's TCP_CRR). Reports connections
 * per second.
 *
 * <p>As with rr, Tsunagu runs it twice: with blocking application threads (about seventeen
 * hand-overs between threads per connection), and as callbacks of the asynchronous API on
 * the loops (the client's next connect starts from the callback that saw the answer). The
 * baseline is blocking kernel sockets in both.
 */
final class ConnectRequestResponse implements Scenario {
    private static final int PORT = 5003;

    private final int connections;
    private final boolean async;
    private final Metric rate;

    ConnectRequestResponse(int connections, boolean async) {
        this.connections = connections;
        this.async = async;
        this.rate = async ? new Metric("crr-async.rate", "crr async", "conn/s", true)
                : new Metric("crr.rate", "crr", "conn/s", true);
    }

    @Override
    public String group() {
        return "crr";
    }

    @Override
    public String name() {
        return async ? "crr async" : "crr";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(rate);
    }

    @Override
    public Map<String, Double> tsunagu() throws Exception {
        TcpSocketOptions options = TcpSocketOptions.DEFAULT.withNoDelay(true);
        try (CablePair pair = CablePair.open(1500);
             TcpServerSocket server = pair.server.tcp().listen(PORT, 64, options)) {
            InetSocketAddress to = new InetSocketAddress(CablePair.SERVER_IP, PORT);
            if (async) {
                return Map.of(rate.key(), runAsync(pair, server, to, options));
            }
            Workers w = new Workers();
            w.start("crr-server", () -> {
                for (int i = 0; i < connections; i++) {
                    try (TcpSocket s = server.accept()) {
                        answer(s.inputStream(), s.outputStream());
                    }
                }
            });
            long start = System.nanoTime();
            w.start("crr-client", () -> {
                for (int i = 0; i < connections; i++) {
                    try (TcpSocket c = pair.client.tcp().connect(to, options)) {
                        ask(c.inputStream(), c.outputStream());
                    }
                }
            });
            w.join(300_000);
            return Map.of(rate.key(), connections * 1e9 / (System.nanoTime() - start));
        }
    }

    @Override
    public Map<String, Double> kernel() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
            Workers w = new Workers();
            w.start("crr-server", () -> {
                for (int i = 0; i < connections; i++) {
                    try (Socket s = server.accept()) {
                        s.setTcpNoDelay(true);
                        answer(s.getInputStream(), s.getOutputStream());
                    }
                }
            });
            long start = System.nanoTime();
            w.start("crr-client", () -> {
                for (int i = 0; i < connections; i++) {
                    try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                        c.setTcpNoDelay(true);
                        ask(c.getInputStream(), c.getOutputStream());
                    }
                }
            });
            w.join(300_000);
            return Map.of(rate.key(), connections * 1e9 / (System.nanoTime() - start));
        }
    }

    /** Both ends as callbacks on their loops; the clock runs from the first connect to the last answer. */
    private double runAsync(CablePair pair, TcpServerSocket server, InetSocketAddress to, TcpSocketOptions options)
            throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        serve(server, done);
        long start = System.nanoTime();
        new Object() {
            final byte[] buf = new byte[1];
            int i;

            void next() {
                if (i == connections) {
                    done.complete(null);
                    return;
                }
                pair.client.tcp().connectAsync(to, options).whenComplete((c, e) -> {
                    if (e != null) {
                        done.completeExceptionally(e);
                        return;
                    }
                    buf[0] = 1;
                    c.writeAsync(buf, 0, 1);
                    c.readAsync(buf, 0, 1).whenComplete((n, e2) -> {
                        c.close();
                        if (e2 != null || n != 1 || buf[0] != 2) {
                            done.completeExceptionally(e2 != null ? e2 : new IOException("crr: wrong answer"));
                            return;
                        }
                        i++;
                        next();
                    });
                });
            }
        }.next();
        done.get(300, TimeUnit.SECONDS);
        return connections * 1e9 / (System.nanoTime() - start);
    }

    /** The server as callbacks: accept, read the request, answer, read to end of stream, close; and again. */
    private static void serve(TcpServerSocket server, CompletableFuture<Void> done) {
        server.acceptAsync().whenComplete((s, e) -> {
            if (e != null || done.isDone()) {
                return; // the listener closed at the end of the round
            }
            byte[] buf = new byte[1];
            s.readAsync(buf, 0, 1).whenComplete((n, e2) -> {
                if (e2 != null || n != 1 || buf[0] != 1) {
                    done.completeExceptionally(e2 != null ? e2 : new IOException("crr: wrong request"));
                    s.abort();
                    return;
                }
                buf[0] = 2;
                s.writeAsync(buf, 0, 1);
                s.readAsync(buf, 0, 1).whenComplete((eof, e3) -> s.close());
            });
            serve(server, done);
        });
    }

    private static void ask(InputStream in, java.io.OutputStream out) throws IOException {
        out.write(1);
        out.flush();
        if (in.read() != 2) {
            throw new IOException("crr: wrong answer");
        }
    }

    private static void answer(InputStream in, java.io.OutputStream out) throws IOException {
        if (in.read() != 1) {
            throw new IOException("crr: wrong request");
        }
        out.write(2);
        out.flush();
        if (in.read() != -1) {
            throw new IOException("crr: more than one byte of request");
        }
    }
}
