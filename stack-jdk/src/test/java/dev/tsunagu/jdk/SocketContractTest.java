package dev.tsunagu.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Socket} and {@code ServerSocket} as the JDK documents them, written once and run twice:
 * against the platform's sockets on 127.0.0.1 ({@link PlatformSocketContractTest}, which proves
 * the suite describes the JDK) and against Tsunagu on the cable ({@link TsunaguSocketContractTest}).
 * A subclass supplies the sockets and the addresses; every wait is bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class SocketContractTest {
    /** An unbound server socket on the server side. */
    protected abstract ServerSocket newServerSocket() throws IOException;

    /** An unconnected socket on the client side. */
    protected abstract Socket newSocket() throws IOException;

    /** What the server binds to: the wildcard or the address clients connect to, port 0. */
    protected abstract InetSocketAddress bindAddress();

    /** The address clients connect to. */
    protected abstract InetAddress serverAddress();

    /** The connecting side's own address (what a client binds to). */
    protected abstract InetAddress clientAddress();

    /** An unbound server socket on the connecting side (to find a port free there). */
    protected abstract ServerSocket newClientSideServerSocket() throws IOException;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private ServerSocket server;
    private Socket client;
    private Socket accepted;

    @BeforeEach
    void listen() throws IOException {
        server = newServerSocket();
        server.bind(bindAddress());
    }

    @AfterEach
    void closeAll() throws IOException {
        for (AutoCloseable c : new AutoCloseable[] {client, accepted, server}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing is best effort here
                }
            }
        }
        threads.shutdownNow();
    }

    /** Connects a client to the server and accepts it. */
    private void connectPair() throws IOException {
        client = newSocket();
        client.connect(new InetSocketAddress(serverAddress(), server.getLocalPort()), 10_000);
        server.setSoTimeout(10_000);
        accepted = server.accept();
    }

    private static <T> T within(Future<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    @Test
    void anUnconnectedSocketSaysSo() throws IOException {
        client = newSocket();
        assertThat(client.isConnected()).isFalse();
        assertThat(client.isBound()).isFalse();
        assertThat(client.isClosed()).isFalse();
        assertThat(client.getInetAddress()).isNull();
        assertThat(client.getPort()).isZero();
        assertThat(client.getLocalPort()).isEqualTo(-1);
        assertThat(client.getRemoteSocketAddress()).isNull();
        assertThatThrownBy(client::getInputStream).isInstanceOf(SocketException.class).hasMessage("Socket is not connected");
    }

    @Test
    void aBoundServerSocketHasAPort() {
        assertThat(server.isBound()).isTrue();
        assertThat(server.isClosed()).isFalse();
        assertThat(server.getLocalPort()).isPositive();
        assertThat(server.getLocalSocketAddress()).isInstanceOf(InetSocketAddress.class);
    }

    @Test
    void bothEndsAgreeOnTheAddresses() throws IOException {
        connectPair();
        assertThat(client.isConnected()).isTrue();
        assertThat(client.isBound()).isTrue();
        assertThat(accepted.isConnected()).isTrue();
        assertThat(client.getInetAddress()).isEqualTo(serverAddress());
        assertThat(client.getPort()).isEqualTo(server.getLocalPort());
        assertThat(client.getRemoteSocketAddress()).isEqualTo(new InetSocketAddress(serverAddress(), server.getLocalPort()));
        assertThat(client.getLocalPort()).isPositive();
        assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
        assertThat(accepted.getInetAddress()).isEqualTo(client.getLocalAddress());
        assertThat(accepted.getLocalPort()).isEqualTo(server.getLocalPort());
        assertThat(accepted.getLocalAddress()).isEqualTo(serverAddress());
    }

    @Test
    void bytesFlowBothWaysAndShutdownOutputEndsTheStream() throws Exception {
        connectPair();
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        Future<Void> sending = threads.submit(() -> {
            OutputStream out = client.getOutputStream();
            for (int i = 0; i < data.length; i += 10_000) {
                out.write(data, i, Math.min(10_000, data.length - i));
            }
            out.flush();
            client.shutdownOutput();
            return null;
        });
        InputStream in = accepted.getInputStream();
        assertThat(readAll(in)).isEqualTo(data);
        assertThat(in.read()).as("end of stream again").isEqualTo(-1);
        within(sending);
        assertThat(client.isOutputShutdown()).isTrue();
        accepted.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
        accepted.close();
        assertThat(new String(readAll(client.getInputStream()), StandardCharsets.US_ASCII)).isEqualTo("bye");
    }

    @Test
    void writingAfterShutdownOutputFails() throws IOException {
        connectPair();
        OutputStream out = client.getOutputStream();
        client.shutdownOutput();
        assertThat(client.isOutputShutdown()).isTrue();
        assertThatThrownBy(() -> out.write(1)).isInstanceOf(SocketException.class);
        assertThatThrownBy(client::getOutputStream).isInstanceOf(SocketException.class).hasMessage("Socket output is shutdown");
        assertThat(accepted.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void shutdownInputMakesReadsReturnEndOfStream() throws IOException {
        connectPair();
        InputStream in = client.getInputStream();
        client.shutdownInput();
        assertThat(client.isInputShutdown()).isTrue();
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[10])).isEqualTo(-1);
        assertThatThrownBy(client::getInputStream).isInstanceOf(SocketException.class).hasMessage("Socket input is shutdown");
    }

    @Test
    void afterCloseEveryUseFailsAndThePeerSeesEndOfStream() throws IOException {
        connectPair();
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        client.close();
        assertThat(client.isClosed()).isTrue();
        assertThat(client.isConnected()).as("isConnected stays true after close").isTrue();
        assertThatThrownBy(in::read).isInstanceOf(SocketException.class);
        assertThatThrownBy(() -> out.write(1)).isInstanceOf(SocketException.class);
        assertThatThrownBy(client::getInputStream).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
        assertThatThrownBy(() -> client.setSoTimeout(1)).isInstanceOf(SocketException.class);
        assertThatThrownBy(() -> client.setOption(StandardSocketOptions.TCP_NODELAY, true)).isInstanceOf(SocketException.class);
        client.close(); // again: nothing happens
        assertThat(accepted.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void closingAStreamClosesTheSocket() throws IOException {
        connectPair();
        client.getInputStream().close();
        assertThat(client.isClosed()).isTrue();
        accepted.getOutputStream().close();
        assertThat(accepted.isClosed()).isTrue();
    }

    @Test
    void closeWakesABlockedRead() throws Exception {
        connectPair();
        InputStream in = client.getInputStream();
        Future<Integer> reading = threads.submit(() -> in.read());
        client.close();
        assertThatThrownBy(() -> within(reading)).hasCauseInstanceOf(SocketException.class);
    }

    @Test
    void aReadTimesOutAndTheSocketStaysUsable() throws IOException {
        connectPair();
        client.setSoTimeout(100);
        assertThat(client.getSoTimeout()).isEqualTo(100);
        InputStream in = client.getInputStream();
        assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        assertThat(client.isClosed()).isFalse();
        accepted.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        client.setSoTimeout(10_000);
        assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
    }

    @Test
    void anAcceptTimesOutAndTheServerStaysUsable() throws IOException {
        server.setSoTimeout(100);
        assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
        assertThat(server.isClosed()).isFalse();
        connectPair();
        assertThat(accepted.isConnected()).isTrue();
    }

    @Test
    void closeWakesABlockedAccept() throws Exception {
        Future<Socket> accepting = threads.submit(() -> server.accept());
        server.close();
        assertThat(server.isClosed()).isTrue();
        assertThatThrownBy(() -> within(accepting)).hasCauseInstanceOf(SocketException.class);
        assertThatThrownBy(server::accept).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
    }

    @Test
    void connectingToAClosedPortIsRefusedAndClosesTheSocket() throws IOException {
        int port;
        try (ServerSocket gone = newServerSocket()) {
            gone.bind(bindAddress());
            port = gone.getLocalPort();
        }
        client = newSocket();
        assertThatThrownBy(() -> client.connect(new InetSocketAddress(serverAddress(), port), 10_000))
                .isInstanceOf(ConnectException.class).hasMessageStartingWith("Connection refused");
        assertThat(client.isClosed()).isTrue();
    }

    @Test
    void bindingAPortInUseFails() throws IOException {
        try (ServerSocket second = newServerSocket()) {
            assertThatThrownBy(() -> second.bind(new InetSocketAddress(bindAddress().getAddress(), server.getLocalPort())))
                    .isInstanceOf(BindException.class);
        }
    }

    @Test
    void aSocketBoundToAChosenPortConnectsFromIt() throws IOException {
        int port;
        try (ServerSocket probe = newClientSideServerSocket()) {
            probe.bind(new InetSocketAddress(clientAddress(), 0));
            port = probe.getLocalPort();
        }
        client = newSocket();
        client.bind(new InetSocketAddress(clientAddress(), port));
        client.connect(new InetSocketAddress(serverAddress(), server.getLocalPort()), 10_000);
        server.setSoTimeout(10_000);
        accepted = server.accept();
        assertThat(client.getLocalPort()).isEqualTo(port);
        assertThat(client.getLocalAddress()).isEqualTo(clientAddress());
        assertThat(accepted.getRemoteSocketAddress()).isEqualTo(new InetSocketAddress(clientAddress(), port));
    }

    /** The kernel refuses a listener's port at bind, Tsunagu at connect: either way a BindException. */
    @Test
    void aSocketCannotTakeAListenersPort() throws IOException {
        try (ServerSocket listener = newClientSideServerSocket(); Socket s = newSocket()) {
            listener.bind(new InetSocketAddress(clientAddress(), 0));
            assertThatThrownBy(() -> {
                s.bind(listener.getLocalSocketAddress());
                s.connect(new InetSocketAddress(serverAddress(), server.getLocalPort()), 10_000);
            }).isInstanceOf(BindException.class);
        }
    }

    @Test
    void aResetIsConnectionReset() throws IOException {
        connectPair();
        accepted.setSoLinger(true, 0);
        accepted.close();
        client.setSoTimeout(10_000);
        assertThatThrownBy(() -> client.getInputStream().read())
                .isInstanceOf(SocketException.class).hasMessage("Connection reset");
    }

    @Test
    void optionsRoundTripThroughBothApis() throws IOException {
        connectPair();
        client.setTcpNoDelay(true);
        assertThat(client.getTcpNoDelay()).isTrue();
        assertThat(client.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
        client.setOption(StandardSocketOptions.TCP_NODELAY, false);
        assertThat(client.getTcpNoDelay()).isFalse();
        client.setKeepAlive(true);
        assertThat(client.getKeepAlive()).isTrue();
        assertThat(client.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
        client.setReuseAddress(true);
        assertThat(client.getReuseAddress()).isTrue();
        assertThat(client.getSoLinger()).as("linger off by default").isEqualTo(-1);
        client.setSoLinger(true, 7);
        assertThat(client.getSoLinger()).isEqualTo(7);
        assertThat(client.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(7);
        client.setOption(StandardSocketOptions.SO_LINGER, -1);
        assertThat(client.getSoLinger()).isEqualTo(-1);
        client.setSoTimeout(1234);
        assertThat(client.getSoTimeout()).isEqualTo(1234);
        client.setReceiveBufferSize(65_536);
        assertThat(client.getReceiveBufferSize()).isGreaterThanOrEqualTo(65_536);
        client.setOption(StandardSocketOptions.SO_SNDBUF, 65_536);
        assertThat(client.getSendBufferSize()).isGreaterThanOrEqualTo(65_536);
        assertThatThrownBy(() -> client.setReceiveBufferSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(client.supportedOptions()).contains(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
                StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
                StandardSocketOptions.SO_LINGER);
        assertThatThrownBy(() -> client.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(accepted.getTcpNoDelay()).as("an accepted socket has its own options").isFalse();
    }

    @Test
    void serverSocketOptions() throws IOException {
        assertThat(server.getReuseAddress()).as("on by default for a ServerSocket").isTrue();
        server.setReceiveBufferSize(131_072);
        assertThat(server.getReceiveBufferSize()).isGreaterThanOrEqualTo(131_072);
        assertThat(server.getOption(StandardSocketOptions.SO_RCVBUF)).isGreaterThanOrEqualTo(131_072);
        server.setSoTimeout(250);
        assertThat(server.getSoTimeout()).isEqualTo(250);
        assertThat(server.supportedOptions()).contains(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR);
        assertThatThrownBy(() -> server.setOption(StandardSocketOptions.TCP_NODELAY, true))
                .isInstanceOf(UnsupportedOperationException.class);
        server.close();
        assertThatThrownBy(() -> server.setSoTimeout(1)).isInstanceOf(SocketException.class);
    }

    @Test
    void singleBytesAndEmptyReadsFollowInputStream() throws IOException {
        connectPair();
        OutputStream out = accepted.getOutputStream();
        out.write(0xFE);
        out.flush();
        InputStream in = client.getInputStream();
        client.setSoTimeout(10_000);
        assertThat(in.read()).isEqualTo(0xFE);
        assertThat(in.read(new byte[4], 0, 0)).isZero();
        byte[] b = new byte[3];
        assertThatThrownBy(() -> in.read(b, 2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        accepted.shutdownOutput();
        assertThat(in.read(b)).isEqualTo(-1);
        assertThat(Arrays.equals(b, new byte[3])).isTrue();
    }
}
