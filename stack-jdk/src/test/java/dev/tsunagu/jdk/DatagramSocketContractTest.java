package dev.tsunagu.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code DatagramSocket} as the JDK documents it, run against the platform on 127.0.0.1 and
 * against Tsunagu's UDP on the cable. "Server" sockets live on one side, "client" sockets on the
 * other; every wait is bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class DatagramSocketContractTest {
    /** An unbound socket on the server side. */
    protected abstract DatagramSocket newServerSide() throws IOException;

    /** An unbound socket on the client side. */
    protected abstract DatagramSocket newClientSide() throws IOException;

    protected abstract InetAddress serverAddress();

    protected abstract InetAddress clientAddress();

    private final List<DatagramSocket> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(DatagramSocket::close);
    }

    private DatagramSocket server() throws IOException {
        DatagramSocket s = newServerSide();
        opened.add(s);
        s.bind(new InetSocketAddress(serverAddress(), 0));
        s.setSoTimeout(10_000);
        return s;
    }

    private DatagramSocket client() throws IOException {
        DatagramSocket s = newClientSide();
        opened.add(s);
        s.bind(new InetSocketAddress(clientAddress(), 0));
        s.setSoTimeout(10_000);
        return s;
    }

    private static DatagramPacket packet(String text, InetSocketAddress to) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return to == null ? new DatagramPacket(b, b.length) : new DatagramPacket(b, b.length, to);
    }

    private static String receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
        s.receive(p);
        return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.US_ASCII);
    }

    private static InetSocketAddress addressOf(DatagramSocket s) {
        return (InetSocketAddress) s.getLocalSocketAddress();
    }

    @Test
    void aDatagramArrivesWithItsSender() throws IOException {
        DatagramSocket a = server();
        DatagramSocket b = client();
        b.send(packet("hello", addressOf(a)));
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        a.receive(p);
        assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(p.getSocketAddress()).isEqualTo(new InetSocketAddress(clientAddress(), b.getLocalPort()));
    }

    @Test
    void aDatagramLargerThanTheBufferIsTruncated() throws IOException {
        DatagramSocket a = server();
        client().send(packet("0123456789", addressOf(a)));
        DatagramPacket p = new DatagramPacket(new byte[4], 4);
        a.receive(p);
        assertThat(p.getLength()).isEqualTo(4);
        assertThat(new String(p.getData(), StandardCharsets.US_ASCII)).isEqualTo("0123");
    }

    @Test
    void anUnboundSocketIsBoundByItsFirstSend() throws IOException {
        DatagramSocket a = server();
        DatagramSocket s = newClientSide();
        opened.add(s);
        assertThat(s.isBound()).isFalse();
        s.send(packet("x", addressOf(a)));
        assertThat(s.isBound()).isTrue();
        assertThat(s.getLocalPort()).isPositive();
        assertThat(receive(a)).isEqualTo("x");
    }

    @Test
    void aReceiveTimesOutAndTheSocketStaysUsable() throws IOException {
        DatagramSocket a = server();
        a.setSoTimeout(100);
        assertThat(a.getSoTimeout()).isEqualTo(100);
        assertThatThrownBy(() -> receive(a)).isInstanceOf(SocketTimeoutException.class);
        assertThat(a.isClosed()).isFalse();
        a.setSoTimeout(10_000);
        client().send(packet("late", addressOf(a)));
        assertThat(receive(a)).isEqualTo("late");
    }

    @Test
    void closeWakesAReceiveAndLaterUseFails() throws Exception {
        DatagramSocket a = server();
        a.setSoTimeout(0);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> receiving = threads.submit(() -> receive(a));
            a.close();
            assertThatThrownBy(() -> receiving.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(SocketException.class);
        }
        assertThat(a.isClosed()).isTrue();
        assertThatThrownBy(() -> receive(a)).isInstanceOf(SocketException.class);
        assertThatThrownBy(() -> a.send(packet("x", new InetSocketAddress(clientAddress(), 9)))).isInstanceOf(SocketException.class);
    }

    @Test
    void aConnectedSocketHearsOnlyItsPeerUntilItDisconnects() throws IOException {
        DatagramSocket a = server();
        DatagramSocket peer = client();
        DatagramSocket other = client();
        a.connect(addressOf(peer));
        assertThat(a.isConnected()).isTrue();
        assertThat(a.getRemoteSocketAddress()).isEqualTo(addressOf(peer));
        other.send(packet("from another", addressOf(a)));
        peer.send(packet("from the peer", addressOf(a)));
        assertThat(receive(a)).isEqualTo("from the peer");
        a.send(packet("reply", null));
        assertThat(receive(peer)).isEqualTo("reply");
        a.disconnect();
        assertThat(a.isConnected()).isFalse();
        other.send(packet("now heard", addressOf(a)));
        assertThat(receive(a)).isEqualTo("now heard");
    }

    @Test
    void optionsRoundTrip() throws IOException {
        DatagramSocket a = server();
        a.setReceiveBufferSize(65_536);
        assertThat(a.getReceiveBufferSize()).isGreaterThanOrEqualTo(65_536);
        a.setSendBufferSize(65_536);
        assertThat(a.getSendBufferSize()).isGreaterThanOrEqualTo(65_536);
        a.setBroadcast(true);
        assertThat(a.getBroadcast()).isTrue();
        a.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        assertThat(a.getOption(StandardSocketOptions.SO_REUSEADDR)).isTrue();
        assertThat(a.supportedOptions()).contains(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
                StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_BROADCAST);
        assertThat(a.getLocalAddress()).isEqualTo(serverAddress());
    }
}
