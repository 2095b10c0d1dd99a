package dev.tsunagu.examples.code.echo;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * TCP echo (RFC 862) with the blocking API on virtual threads: the code reads like
 * {@code java.net.ServerSocket} code, one thread per connection, and scales like event-loop
 * code, because a virtual thread blocked in {@code read} or {@code accept} costs a few hundred
 * bytes, not an OS thread.
 *
 * <p>Two stacks, a server at 10.0.0.2 and a client at 10.0.0.1, share an in-memory cable (no
 * root, no TAP). Each stack runs its own event loop thread; the application's threads never
 * touch protocol state, they only wait for it.
 *
 * <p>Run it: {@code java -p examples/target/tsunagu-examples-*.jar:examples/target/modules
 * --add-modules ALL-MODULE-PATH -m dev.tsunagu.examples/dev.tsunagu.examples.code.echo.BlockingEcho}
 */
public final class BlockingEcho {
    /** The echo port of RFC 862. */
    public static final int PORT = 7;

    private BlockingEcho() {}

    public static void main(String[] args) throws Exception {
        List<String> sent = List.of("hello", "つなぐ means to connect", "x".repeat(100_000));
        List<String> echoed = run("echo-blocking", sent);
        for (int i = 0; i < sent.size(); i++) {
            String s = echoed.get(i);
            System.out.println("client " + i + " got back " + s.length() + " chars: "
                    + (s.length() > 40 ? s.substring(0, 40) + "…" : s));
        }
    }

    /**
     * Starts an echo server and one client per message, all at once, and returns what each
     * client got back, in the order of {@code messages}.
     *
     * @param cable the name of the in-memory cable joining the two stacks (one per run)
     */
    public static List<String> run(String cable, List<String> messages) throws Exception {
        // Resources close in reverse order: the listener first (its accept() then fails and the
        // accept loop ends), then the executor (which waits for every task), then the stacks.
        try (NetworkStack server = NetworkStack.builder().name("server")
                     .addInterface("cable:" + cable, "10.0.0.2/24").build();
             NetworkStack client = NetworkStack.builder().name("client")
                     .addInterface("cable:" + cable, "10.0.0.1/24").build();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
             TcpServerSocket listener = server.tcp().listen(PORT)) {
            threads.submit(() -> acceptLoop(listener, threads));

            InetSocketAddress serverAddress = new InetSocketAddress("10.0.0.2", PORT);
            List<Future<String>> replies = new ArrayList<>();
            for (String message : messages) {
                replies.add(threads.submit(() -> echoOnce(client, serverAddress, message)));
            }
            List<String> result = new ArrayList<>();
            for (Future<String> reply : replies) {
                result.add(reply.get());
            }
            return result;
        }
    }

    /** The server: one virtual thread per accepted connection, until the listener closes. */
    private static Void acceptLoop(TcpServerSocket listener, ExecutorService threads) {
        while (true) {
            TcpSocket connection;
            try {
                connection = listener.accept();
            } catch (IOException closed) {
                return null; // the listener was closed: the server is done
            }
            threads.submit(() -> serve(connection));
        }
    }

    /** Echoes everything until the client half-closes, then closes (RFC 862). */
    private static Void serve(TcpSocket connection) throws IOException {
        try (connection) {
            byte[] buffer = new byte[8192];
            int n;
            // read() returns -1 once the client's FIN has arrived and every byte before it was read.
            while ((n = connection.read(buffer, 0, buffer.length)) >= 0) {
                connection.write(buffer, 0, n); // waits (parks) while the send buffer is full
            }
        } catch (SocketException reset) {
            System.err.println("server: " + connection + ": " + reset.getMessage());
        }
        return null; // close() sends our FIN after the buffered data
    }

    /** The client: connect, send, half-close (so the server sees the end), read everything back. */
    private static String echoOnce(NetworkStack client, InetSocketAddress server, String message) throws IOException {
        try (TcpSocket socket = client.tcp().connect(server)) {
            socket.write(message.getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput(); // FIN after the data: "that is all I will send"
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = socket.read(buffer, 0, buffer.length)) >= 0) {
                echoed.write(buffer, 0, n);
            }
            return echoed.toString(StandardCharsets.UTF_8);
        }
    }
}
