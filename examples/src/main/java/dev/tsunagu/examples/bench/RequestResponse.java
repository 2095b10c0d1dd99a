package dev.tsunagu.examples.bench;

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
import java.util.List;
import java.util.Map;

/**
 * rr: one connection with no-delay on both ends; the client writes one byte and waits for the
 * server's one-byte answer, {@code iterations} times. Each round trip is timed on its own;
 * the round reports their median and 99th percentile in microseconds.
 */
final class RequestResponse implements Scenario {
    private static final int PORT = 5002;

    private final int iterations;
    private final Metric median = new Metric("rr.median", "rr median", "µs", false);
    private final Metric p99 = new Metric("rr.p99", "rr p99", "µs", false);

    RequestResponse(int iterations) {
        this.iterations = iterations;
    }

    @Override
    public String group() {
        return "rr";
    }

    @Override
    public String name() {
        return "rr";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(median, p99);
    }

    @Override
    public Map<String, Double> tsunagu() throws Exception {
        try (CablePair pair = CablePair.open(1500);
             TcpServerSocket server = pair.server.tcp().listen(PORT, 1, options());
             TcpSocket c = pair.client.tcp().connect(new InetSocketAddress(CablePair.SERVER_IP, PORT), options());
             TcpSocket s = server.accept()) {
            return measure(c.inputStream(), c.outputStream(), s.inputStream(), s.outputStream());
        }
    }

    @Override
    public Map<String, Double> kernel() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket s = server.accept()) {
            c.setTcpNoDelay(true);
            s.setTcpNoDelay(true);
            return measure(c.getInputStream(), c.getOutputStream(), s.getInputStream(), s.getOutputStream());
        }
    }

    static TcpSocketOptions options() {
        return TcpSocketOptions.DEFAULT.withNoDelay(true);
    }

    private Map<String, Double> measure(InputStream cin, OutputStream cout, InputStream sin, OutputStream sout)
            throws Exception {
        long[] rtt = new long[iterations];
        Workers w = new Workers();
        w.start("rr-server", () -> {
            for (int i = 0; i < iterations; i++) {
                int b = readByte(sin);
                sout.write(b);
                sout.flush();
            }
        });
        w.start("rr-client", () -> {
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                cout.write(i & 0xFF);
                cout.flush();
                if (readByte(cin) != (i & 0xFF)) {
                    throw new IllegalStateException("rr: wrong byte back at iteration " + i);
                }
                rtt[i] = System.nanoTime() - t0;
            }
        });
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
