package dev.tsunagu.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code DatagramChannel} as the JDK documents it, run twice like {@link ChannelContractTest}:
 * on the platform's provider over 127.0.0.1 ({@link PlatformDatagramChannelContractTest}) and
 * on Tsunagu over the cable ({@link TsunaguDatagramChannelContractTest}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class DatagramChannelContractTest {
    /** The provider of the receiving side ("server"). */
    protected abstract SelectorProvider serverProvider();

    /** The provider of the sending side ("client"). */
    protected abstract SelectorProvider clientProvider();

    /** What the server binds to, port 0. */
    protected abstract InetSocketAddress bindAddress();

    /** The server's address as the client sends to it. */
    protected abstract InetAddress serverAddress();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private DatagramChannel server;
    private DatagramChannel client;
    private InetSocketAddress serverEndpoint;

    @BeforeEach
    void open() throws IOException {
        server = closing(serverProvider().openDatagramChannel());
        server.bind(bindAddress());
        serverEndpoint = new InetSocketAddress(serverAddress(), ((InetSocketAddress) server.getLocalAddress()).getPort());
        client = closing(clientProvider().openDatagramChannel());
    }

    @AfterEach
    void closeAll() {
        for (AutoCloseable c : toClose.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuffer b) {
        b.flip();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.US_ASCII);
    }

    @Test
    void aDatagramArrivesWithItsSourceAndATooSmallBufferCutsIt() throws IOException {
        assertThat(client.getLocalAddress()).isNull();
        assertThat(client.send(ascii("hello, datagram"), serverEndpoint)).isEqualTo(15);
        assertThat(client.getLocalAddress()).isNotNull(); // a send binds
        ByteBuffer b = ByteBuffer.allocate(5);
        InetSocketAddress from = (InetSocketAddress) server.receive(b);
        assertThat(text(b)).isEqualTo("hello");
        assertThat(from.getPort()).isEqualTo(((InetSocketAddress) client.getLocalAddress()).getPort());
        // The rest of the datagram is gone: the next one is whole.
        client.send(ascii("second"), serverEndpoint);
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        server.receive(direct);
        assertThat(text(direct)).isEqualTo("second");
    }

    @Test
    void nonBlockingReceiveSaysNothingThenTheSelectorReportsRead() throws IOException {
        Selector selector = closing(serverProvider().openSelector());
        server.configureBlocking(false);
        assertThat(server.receive(ByteBuffer.allocate(8))).isNull();
        SelectionKey key = server.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        assertThat(selector.selectNow()).isEqualTo(1);
        assertThat(key.readyOps()).isEqualTo(SelectionKey.OP_WRITE); // always writable
        selector.selectedKeys().clear();
        key.interestOps(SelectionKey.OP_READ);
        client.send(ascii("ping"), serverEndpoint);
        while (selector.select(10_000) == 0 || !key.isReadable()) {
            selector.selectedKeys().clear();
        }
        ByteBuffer b = ByteBuffer.allocate(8);
        assertThat(server.receive(b)).isNotNull();
        assertThat(text(b)).isEqualTo("ping");
    }

    @Test
    void aConnectedChannelReadsAndWritesWithScatterAndGather() throws IOException {
        assertThatThrownBy(() -> client.write(ascii("x"))).isInstanceOf(NotYetConnectedException.class);
        assertThatThrownBy(() -> client.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
        client.connect(serverEndpoint);
        assertThat(client.isConnected()).isTrue();
        assertThat(client.getRemoteAddress()).isEqualTo(serverEndpoint);
        assertThat(client.write(new ByteBuffer[] {ascii("ab"), ascii("cd")})).isEqualTo(4);
        ByteBuffer b = ByteBuffer.allocate(16);
        SocketAddressHolder from = new SocketAddressHolder(server.receive(b));
        assertThat(text(b)).isEqualTo("abcd");
        server.send(ascii("xyz"), from.address);
        ByteBuffer[] into = {ByteBuffer.allocate(1), ByteBuffer.allocate(8)};
        assertThat(client.read(into)).isEqualTo(3);
        assertThat(text(into[0])).isEqualTo("x");
        assertThat(text(into[1])).isEqualTo("yz");
        InetSocketAddress elsewhere = new InetSocketAddress(serverAddress(), serverEndpoint.getPort() == 9 ? 10 : 9);
        assertThatThrownBy(() -> client.send(ascii("x"), elsewhere)).isInstanceOf(AlreadyConnectedException.class);
        client.disconnect();
        assertThat(client.isConnected()).isFalse();
        assertThat(client.send(ascii("free"), serverEndpoint)).isEqualTo(4);
    }

    private record SocketAddressHolder(java.net.SocketAddress address) {}

    @Test
    void closeWakesABlockedReceive() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                server.receive(ByteBuffer.allocate(8));
                failure.complete(null);
            } catch (Throwable e) {
                failure.complete(e);
            }
        });
        ChannelContractTest.awaitBlocked(t);
        server.close();
        assertThat(failure.get(30, TimeUnit.SECONDS)).isInstanceOf(AsynchronousCloseException.class);
        assertThatThrownBy(() -> server.receive(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void optionsAndTheSocketAdaptor() throws IOException {
        assertThat(server.supportedOptions()).contains(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
                StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_BROADCAST);
        server.setOption(StandardSocketOptions.SO_BROADCAST, true);
        assertThat(server.getOption(StandardSocketOptions.SO_BROADCAST)).isTrue();
        assertThatThrownBy(() -> server.setOption(StandardSocketOptions.SO_RCVBUF, -1)).isInstanceOf(IllegalArgumentException.class);
        DatagramSocket s = server.socket();
        assertThat(s.getChannel()).isSameAs(server);
        assertThat(s.getBroadcast()).isTrue();
        assertThat(s.getLocalPort()).isEqualTo(serverEndpoint.getPort());
        client.send(ascii("via adaptor"), serverEndpoint);
        DatagramPacket p = new DatagramPacket(new byte[64], 64);
        s.setSoTimeout(10_000);
        s.receive(p);
        assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII)).isEqualTo("via adaptor");
        s.close();
        assertThat(server.isOpen()).isFalse();
    }
}
