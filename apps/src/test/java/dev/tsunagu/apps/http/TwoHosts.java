package dev.tsunagu.apps.http;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackOption;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two stacks on a cable of their own, each on its own threaded event loop (the HTTP code blocks
 * on virtual threads, as applications do): a client at 10.9.0.1 and a server at 10.9.0.2.
 */
final class TwoHosts implements AutoCloseable {
    static final String SERVER_IP = "10.9.0.2";
    private static final AtomicInteger CABLES = new AtomicInteger();

    final NetworkStack client;
    final NetworkStack server;

    TwoHosts(String name) {
        this(name, null, null);
    }

    /** With one option set on the client (the DNS servers, say). */
    <T> TwoHosts(String name, StackOption<T> clientOption, T value) {
        String cable = "cable:http-" + name + "-" + CABLES.incrementAndGet();
        server = NetworkStack.builder().name(name + "-server").addInterface(cable, SERVER_IP + "/24").buildUnchecked();
        NetworkStack.Builder b = NetworkStack.builder().name(name + "-client").addInterface(cable, "10.9.0.1/24");
        if (clientOption != null) {
            b.option(clientOption, value);
        }
        client = b.buildUnchecked();
    }

    /** Sends {@code request} as is to the server's {@code port} and returns everything it answers until it closes. */
    String exchange(int port, String request) throws IOException {
        try (TcpSocket s = client.tcp().connect(new InetSocketAddress(SERVER_IP, port))) {
            s.write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = s.read(buffer, 0, buffer.length, Duration.ofSeconds(10))) >= 0) {
                got.write(buffer, 0, n);
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
