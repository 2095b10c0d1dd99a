package dev.tsunagu.examples.bench;

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

/**
 * crr: a client that, {@code connections} times in a row, connects, writes one byte, reads
 * the one-byte answer and closes; a server that accepts, answers, reads to end of stream and
 * closes (so the client ends in TIME_WAIT, as with netperf's TCP_CRR). Reports connections
 * per second.
 */
final class ConnectRequestResponse implements Scenario {
    private static final int PORT = 5003;

    private final int connections;
    private final Metric rate = new Metric("crr.rate", "crr", "conn/s", true);

    ConnectRequestResponse(int connections) {
        this.connections = connections;
    }

    @Override
    public String group() {
        return "crr";
    }

    @Override
    public String name() {
        return "crr";
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
