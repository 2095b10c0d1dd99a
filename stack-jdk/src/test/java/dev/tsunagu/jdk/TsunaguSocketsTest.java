package dev.tsunagu.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What only Tsunagu's sockets can show (the platform has no host that never answers, no resolver
 * of the stack's own): every factory overload, names through the stack's resolver, a connect
 * that times out, addresses that are not the stack's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TsunaguSocketsTest {
    private static TwoStacks stacks;
    private static final InetAddress WILDCARD = TwoStacks.literal("0.0.0.0");

    @BeforeAll
    static void stacks() {
        stacks = new TwoStacks("sockets");
    }

    @AfterAll
    static void closeStacks() {
        stacks.close();
    }

    /** Accepts {@code n} connections on {@code server}, answering each one's byte with the byte plus one. */
    private static Future<?> echoPlusOne(ExecutorService threads, ServerSocket server, int n) {
        return threads.submit(() -> {
            for (int i = 0; i < n; i++) {
                try (Socket s = server.accept()) {
                    int b = s.getInputStream().read();
                    s.getOutputStream().write(b + 1);
                }
            }
            return null;
        });
    }

    private static int roundTrip(Socket s, int b) throws IOException {
        try (s) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(b);
            return s.getInputStream().read();
        }
    }

    @Test
    void everyFactoryOverloadMakesAWorkingConnection() throws Exception {
        SocketFactory sockets = TsunaguSocketFactory.of(stacks.client);
        ServerSocketFactory servers = TsunaguServerSocketFactory.of(stacks.server);
        List<ServerSocket> listeners = new ArrayList<>();
        listeners.add(servers.createServerSocket(0));
        listeners.add(servers.createServerSocket(0, 5));
        listeners.add(servers.createServerSocket(0, 5, TwoStacks.serverAddress()));
        ServerSocket unbound = servers.createServerSocket();
        assertThat(unbound.isBound()).isFalse();
        unbound.bind(null);
        listeners.add(unbound);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> echoes = new ArrayList<>();
            for (ServerSocket l : listeners) {
                assertThat(l).isInstanceOf(TsunaguServerSocket.class);
                echoes.add(echoPlusOne(threads, l, l == listeners.getFirst() ? 5 : 1));
            }
            InetAddress server = TwoStacks.serverAddress();
            int port = listeners.getFirst().getLocalPort();
            assertThat(roundTrip(sockets.createSocket(TwoStacks.SERVER_IP, port), 1)).isEqualTo(2);
            assertThat(roundTrip(sockets.createSocket(server, port), 2)).isEqualTo(3);
            assertThat(roundTrip(sockets.createSocket(server, port, WILDCARD, 0), 3)).isEqualTo(4);
            assertThat(roundTrip(sockets.createSocket(TwoStacks.SERVER_IP, port, TwoStacks.literal(TwoStacks.CLIENT_IP), 0), 4))
                    .isEqualTo(5);
            Socket unconnected = sockets.createSocket();
            assertThat(unconnected.isConnected()).isFalse();
            unconnected.connect(new InetSocketAddress(server, port));
            assertThat(roundTrip(unconnected, 5)).isEqualTo(6);
            for (int i = 1; i < listeners.size(); i++) {
                Socket s = sockets.createSocket(server, listeners.get(i).getLocalPort());
                assertThat(s).isInstanceOf(TsunaguSocket.class);
                assertThat(roundTrip(s, 10 * i)).isEqualTo(10 * i + 1);
            }
            for (Future<?> e : echoes) {
                e.get(30, TimeUnit.SECONDS);
            }
        } finally {
            for (ServerSocket l : listeners) {
                l.close();
            }
        }
    }

    @Test
    void aServerBoundToOneAddressReportsIt() throws IOException {
        try (ServerSocket s = TsunaguServerSocketFactory.of(stacks.server).createServerSocket(0, 1, TwoStacks.serverAddress())) {
            assertThat(s.getInetAddress()).isEqualTo(TwoStacks.serverAddress());
        }
    }

    @Test
    void anAddressTheStackDoesNotHaveCannotBeBound() throws IOException {
        try (ServerSocket s = new TsunaguServerSocket(stacks.server)) {
            assertThatThrownBy(() -> s.bind(new InetSocketAddress(TwoStacks.literal("10.77.0.99"), 0)))
                    .isInstanceOf(BindException.class).hasMessageContaining("Cannot assign requested address");
        }
        try (Socket s = new TsunaguSocket(stacks.client)) {
            assertThatThrownBy(() -> s.bind(new InetSocketAddress(TwoStacks.literal("10.77.0.99"), 0)))
                    .isInstanceOf(BindException.class);
        }
    }

    @Test
    void aConnectToAHostThatNeverAnswersTimesOut() throws IOException {
        Socket s = new TsunaguSocket(stacks.client);
        assertThatThrownBy(() -> s.connect(new InetSocketAddress(TwoStacks.literal("10.77.0.99"), 80), 300))
                .isInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
        assertThat(s.isClosed()).isTrue();
    }

    @Test
    void namesAreResolvedByTheStackNotTheJvm() throws IOException {
        // The client stack has no DNS servers: its resolver fails at once, whatever the JVM's would say.
        SocketFactory sockets = TsunaguSocketFactory.of(stacks.client);
        assertThatThrownBy(() -> sockets.createSocket("www.example.test", 80))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("www.example.test");
        Socket s = new TsunaguSocket(stacks.client);
        assertThatThrownBy(() -> s.connect(InetSocketAddress.createUnresolved("www.example.test", 80)))
                .isInstanceOf(UnknownHostException.class);
        assertThat(s.isClosed()).isTrue();
        // localhost needs no query: the stack's own loopback.
        try (ServerSocket local = TsunaguServerSocketFactory.of(stacks.client).createServerSocket(0);
             Socket loop = sockets.createSocket("localhost", local.getLocalPort());
             Socket there = local.accept()) {
            assertThat(loop.getInetAddress().isLoopbackAddress()).isTrue();
            assertThat(there.getInetAddress().isLoopbackAddress()).isTrue();
        }
    }

    @Test
    void aListenersBufferSizesGoToTheConnectionsItAccepts() throws IOException {
        try (ServerSocket server = new TsunaguServerSocket(stacks.server)) {
            server.setReceiveBufferSize(32_768);
            server.bind(null);
            try (Socket c = TsunaguSocketFactory.of(stacks.client).createSocket(TwoStacks.serverAddress(), server.getLocalPort());
                 Socket a = server.accept()) {
                assertThat(a.getReceiveBufferSize()).isEqualTo(32_768);
                assertThat(c.getReceiveBufferSize()).isEqualTo(dev.tsunagu.socket.TcpSocketOptions.DEFAULT_BUFFER);
                // The window the accepted side offers is its buffer: the stack's socket table shows it.
                assertThat(stacks.server.sockets().toString()).contains(String.valueOf(server.getLocalPort()));
            }
        }
    }

    @Test
    void anInterruptClosesTheSocketOfAVirtualThreadWaitingInIt() throws Exception {
        try (ServerSocket server = new TsunaguServerSocket(stacks.server)) {
            server.bind(null);
            Socket c = TsunaguSocketFactory.of(stacks.client).createSocket(TwoStacks.serverAddress(), server.getLocalPort());
            try (Socket a = server.accept(); ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<Throwable> reading = threads.submit(() -> {
                    Thread.currentThread().interrupt();
                    try {
                        c.getInputStream().read();
                        return null;
                    } catch (IOException e) {
                        assertThat(Thread.currentThread().isInterrupted()).as("the interrupt status stays set").isTrue();
                        return e;
                    }
                });
                assertThat(reading.get(30, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessage("Closed by interrupt");
                assertThat(c.isClosed()).isTrue();
                assertThat(a.getInputStream().read()).as("the peer sees the close").isEqualTo(-1);
            } finally {
                c.close();
            }
        }
    }

    @Test
    void aPlatformThreadIsNotWokenByAnInterruptAsWithTheJdksSockets() throws Exception {
        try (ServerSocket server = new TsunaguServerSocket(stacks.server)) {
            server.bind(null);
            try (Socket c = TsunaguSocketFactory.of(stacks.client).createSocket(TwoStacks.serverAddress(), server.getLocalPort());
                 Socket a = server.accept()) {
                java.util.concurrent.CompletableFuture<Object> result = new java.util.concurrent.CompletableFuture<>();
                Thread reader = Thread.ofPlatform().start(() -> {
                    Thread.currentThread().interrupt();
                    try {
                        int b = c.getInputStream().read();
                        result.complete(List.of(b, Thread.currentThread().isInterrupted()));
                    } catch (IOException e) {
                        result.complete(e);
                    }
                });
                a.getOutputStream().write(42);
                assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(List.of(42, true));
                reader.join();
                assertThat(c.isClosed()).isFalse();
            }
        }
    }
}
