package dev.tsunagu.examples.code.buffering;

import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "write, write, read" pattern under three send-buffering policies: a client writes a
 * 100-byte header and then a 100-byte body, and we time when the body reaches the server.
 *
 * <ul>
 *   <li>{@code nagle} (the default) holds the body until the header is acknowledged, and the
 *       server delays that ACK by 40 ms;</li>
 *   <li>{@code nodelay} sends it at once, as a second small packet;</li>
 *   <li>{@code bounded-nagle} ({@link BoundedNagleProvider}) holds it for at most 5 ms.</li>
 * </ul>
 *
 * <p>The stacks run on a {@link VirtualEventLoop}: time is simulated, so the run is instant and
 * the timings are exact, not measurements. The blocking calls made here, on the loop's own
 * thread, drive the simulation forward until they can return. A real application would let
 * each stack make its own threaded loop (the default) and see the same behaviour in real time.
 */
public final class BoundedNagleExample {
    private BoundedNagleExample() {}

    public static void main(String[] args) throws Exception {
        run().forEach((policy, delay) ->
                System.out.printf("%-14s the second write reached the server after %s%n", policy, delay));
    }

    /** For each policy, how long after the two writes the server had the second one. */
    public static Map<String, Duration> run() throws Exception {
        Map<String, Duration> arrival = new LinkedHashMap<>();
        for (String policy : List.of("nagle", "nodelay", BoundedNagleProvider.NAME)) {
            arrival.put(policy, timeSecondWrite(policy));
        }
        return arrival;
    }

    private static Duration timeSecondWrite(String policy) throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        String cable = "cable:bounded-nagle-" + policy;
        try (NetworkStack client = NetworkStack.builder().name("client").eventLoop(loop).seed(1)
                     .addInterface(cable, "10.0.0.1/24").build();
             NetworkStack server = NetworkStack.builder().name("server").eventLoop(loop).seed(2)
                     .addInterface(cable, "10.0.0.2/24").build();
             TcpServerSocket listener = server.tcp().listen(80);
             TcpSocket socket = client.tcp().connect(new InetSocketAddress("10.0.0.2", 80),
                     TcpSocketOptions.DEFAULT.withSendBuffering(policy)); // this socket only
             TcpSocket peer = listener.accept()) {
            // A first exchange, as on any connection in use: the server's first read announces its
            // whole receive window (a SYN can offer only 64 KiB), which would otherwise ACK our
            // header at once. Then a quiet second, so that every delayed ACK has gone.
            socket.write(new byte[] {'!'});
            readFully(peer, 1);
            loop.advance(Duration.ofSeconds(1));
            byte[] header = new byte[100];
            byte[] body = new byte[100];
            long start = loop.now();
            socket.writeAsync(header, 0, header.length); // leaves at once: nothing in flight
            loop.runUntilIdle(); // the header is on the wire (in real time: the application did some work)
            socket.writeAsync(body, 0, body.length);     // header unacknowledged: the policy decides
            readFully(peer, header.length + body.length);
            return Duration.ofNanos(loop.now() - start);
        }
    }

    private static void readFully(TcpSocket socket, int n) throws IOException {
        byte[] buffer = new byte[n];
        int got = 0;
        while (got < n) {
            int k = socket.read(buffer, got, n - got, Duration.ofSeconds(10));
            if (k < 0) {
                throw new IOException("connection closed after " + got + " of " + n + " bytes");
            }
            got += k;
        }
    }
}
