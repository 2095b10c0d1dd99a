package dev.tsunagu.cli.bench;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * rr: one connection with no-delay on both ends; the client writes one byte and waits for the
 * server's one-byte answer, {@code iterations} times. Each round trip is timed on its own;
 * the round reports their median and 99th percentile in microseconds.
 *
 * <p>Two forms of the Tsunagu side. Blocking: both ends are application threads on the
 * blocking API, like the kernel side; each one-way trip then crosses three threads (the
 * writer hands the byte to its stack's loop, which hands the frame to the peer's loop, which
 * wakes the reader). Async: both ends are callbacks of the asynchronous API on their stacks'
 * loops, so each one-way trip is one hand-over, as in the kernel. The baseline is the same for
 * both: the kernel with blocking sockets, its fastest form.
 *
 * <p>Beside the times, each form reports its wake-ups per round trip ({@link WakeUps}): the
 * thread hand-offs a trip costs, which the machine's load does not move.
 */
final class RequestResponse implements Scenario {
    private static final int PORT = 5002;

    private final int iterations;
    private final boolean async;
    private final Metric median;
    private final Metric p99;
    private final Metric wakeups;

    RequestResponse(int iterations, boolean async) {
        this.iterations = iterations;
        this.async = async;
        String key = async ? "rr-async" : "rr";
        String label = async ? "rr async" : "rr";
        this.median = new Metric(key + ".median", label + " median", "µs", false);
        this.p99 = new Metric(key + ".p99", label + " p99", "µs", false);
        this.wakeups = new Metric(key + ".wakeups", label + " wake-ups", "per trip", false);
    }

    @Override
    public String group() {
        return "rr";
    }

    @Override
    public String name() {
        return async ? "rr async" : "rr";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(median, p99, wakeups);
    }

    @Override
    public Map<String, Double> tsunagu() throws Exception {
        try (CablePair pair = CablePair.open(1500);
             TcpServerSocket server = pair.server.tcp().listen(PORT, 1, options());
             TcpSocket c = pair.client.tcp().connect(new InetSocketAddress(CablePair.SERVER_IP, PORT), options());
             TcpSocket s = server.accept()) {
            WakeUps threadWakeups = new WakeUps();
            long loopWakeups = WakeUps.loopWakeups(pair.client, pair.server);
            Map<String, Double> m = new HashMap<>(async
                    ? measureAsync(c, s)
                    : measure(c.inputStream(), c.outputStream(), s.inputStream(), s.outputStream(), threadWakeups));
            // (the async form has no application threads: its trips cost only loop wake-ups)
            double perTrip = threadWakeups.perUnit(WakeUps.loopWakeups(pair.client, pair.server) - loopWakeups, iterations);
            m.put(wakeups.key(), perTrip);
            return m;
        }
    }

    /** Both ends as callbacks on their loops: the server echoes, the client times each trip. */
    private Map<String, Double> measureAsync(TcpSocket c, TcpSocket s) throws Exception {
        long[] rtt = new long[iterations];
        CompletableFuture<Void> done = new CompletableFuture<>();
        byte[] serverBuf = new byte[1];
        echo(s, serverBuf, done);
        new Object() {
            final byte[] buf = new byte[1];
            int i;
            long t0;

            void next() {
                if (i == iterations) {
                    done.complete(null);
                    return;
                }
                buf[0] = (byte) i;
                t0 = System.nanoTime();
                c.writeAsync(buf, 0, 1).exceptionally(e -> fail(done, e));
                c.readAsync(buf, 0, 1).whenComplete((n, e) -> {
                    if (e != null || n != 1 || buf[0] != (byte) i) {
                        fail(done, e != null ? e : new IOException("rr: wrong answer at iteration " + i));
                        return;
                    }
                    rtt[i++] = System.nanoTime() - t0;
                    next();
                });
            }
        }.next();
        done.get(300, TimeUnit.SECONDS);
        Arrays.sort(rtt);
        return Map.of(median.key(), Stats.percentileSorted(rtt, 50) / 1000.0,
                p99.key(), Stats.percentileSorted(rtt, 99) / 1000.0);
    }

    private static void echo(TcpSocket s, byte[] buf, CompletableFuture<Void> done) {
        s.readAsync(buf, 0, 1).whenComplete((n, e) -> {
            if (e != null || n < 0 || done.isDone()) {
                if (e != null) {
                    fail(done, e);
                }
                return;
            }
            s.writeAsync(buf, 0, 1).whenComplete((v, e2) -> {
                if (e2 != null) {
                    fail(done, e2);
                } else {
                    echo(s, buf, done);
                }
            });
        });
    }

    private static Void fail(CompletableFuture<Void> done, Throwable e) {
        done.completeExceptionally(e);
        return null;
    }

    @Override
    public Map<String, Double> kernel() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket s = server.accept()) {
            c.setTcpNoDelay(true);
            s.setTcpNoDelay(true);
            WakeUps threadWakeups = new WakeUps();
            Map<String, Double> m = new HashMap<>(measure(c.getInputStream(), c.getOutputStream(),
                    s.getInputStream(), s.getOutputStream(), threadWakeups));
            m.put(wakeups.key(), threadWakeups.perUnit(0, iterations));
            return m;
        }
    }

    static TcpSocketOptions options() {
        return TcpSocketOptions.DEFAULT.withNoDelay(true);
    }

    private Map<String, Double> measure(InputStream cin, OutputStream cout, InputStream sin, OutputStream sout,
            WakeUps threadWakeups) throws Exception {
        long[] rtt = new long[iterations];
        Workers w = new Workers();
        w.start("rr-server", () -> threadWakeups.countOnThisThread(() -> {
            for (int i = 0; i < iterations; i++) {
                int b = readByte(sin);
                sout.write(b);
                sout.flush();
            }
        }));
        w.start("rr-client", () -> threadWakeups.countOnThisThread(() -> {
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                cout.write(i & 0xFF);
                cout.flush();
                if (readByte(cin) != (i & 0xFF)) {
                    throw new IllegalStateException("rr: wrong byte back at iteration " + i);
                }
                rtt[i] = System.nanoTime() - t0;
            }
        }));
        w.join(300_000);
        Arrays.sort(rtt);
        return Map.of(median.key(), Stats.percentileSorted(rtt, 50) / 1000.0,
                p99.key(), Stats.percentileSorted(rtt, 99) / 1000.0);
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("rr: connection closed early");
        }
        return b;
    }
}
