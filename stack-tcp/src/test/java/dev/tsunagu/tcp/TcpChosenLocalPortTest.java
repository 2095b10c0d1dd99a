package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An active open from a chosen local address and port ({@code bind} then {@code connect}):
 * the port goes on the wire; a listener's port, a four-tuple already in use and an address that
 * is not the stack's are refused as the kernel refuses them (EADDRINUSE, EADDRNOTAVAIL); port 0
 * is an ephemeral port. On the virtual clock.
 */
class TcpChosenLocalPortTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.2", 80);
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("tcp-chosen-port");
    private final NetworkStack client = TestHosts.host(loop, "client", 1).on(lan, "10.0.0.1/24").build();
    private final NetworkStack server = TestHosts.host(loop, "server", 2).on(lan, "10.0.0.2/24").build();

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    private TcpSocket connectFrom(String ip, int port) throws Exception {
        CompletableFuture<TcpSocket> f = client.tcp().connectAsync(new InetSocketAddress(ip, port), SERVER, TcpSocketOptions.DEFAULT);
        loop.advance(Duration.ofMillis(100));
        return f.get();
    }

    @Test
    void theChosenPortIsTheOneThePeerSees() throws Exception {
        TcpServerSocket listener = server.tcp().listen(80);
        TcpSocket c = connectFrom("10.0.0.1", 40_001);
        TcpSocket s = listener.accept(Duration.ofSeconds(1));
        assertThat(c.localAddress()).isEqualTo(new InetSocketAddress("10.0.0.1", 40_001));
        assertThat(s.remoteAddress()).isEqualTo(new InetSocketAddress("10.0.0.1", 40_001));
        // the same port towards another peer is another four-tuple: allowed
        TcpServerSocket other = server.tcp().listen(81);
        CompletableFuture<TcpSocket> f = client.tcp().connectAsync(new InetSocketAddress("0.0.0.0", 40_001),
                new InetSocketAddress("10.0.0.2", 81), TcpSocketOptions.DEFAULT);
        loop.advance(Duration.ofMillis(100));
        assertThat(f.get().localAddress().getPort()).isEqualTo(40_001);
        other.close();
        listener.close();
    }

    @Test
    void portZeroIsEphemeralAndTheWildcardTakesTheRoutesSource() throws Exception {
        server.tcp().listen(80);
        TcpSocket c = connectFrom("0.0.0.0", 0);
        assertThat(c.localAddress().getAddress().getHostAddress()).isEqualTo("10.0.0.1");
        assertThat(c.localAddress().getPort()).isBetween(TcpLayer.EPHEMERAL_LOW, TcpLayer.EPHEMERAL_HIGH);
    }

    @Test
    void aFourTupleInUseIsAddressInUse() throws Exception {
        server.tcp().listen(80);
        connectFrom("10.0.0.1", 40_002);
        assertThatThrownBy(() -> connectFrom("10.0.0.1", 40_002)).hasCauseInstanceOf(BindException.class)
                .hasMessageContaining("Address already in use");
    }

    @Test
    void aListenersPortIsAddressInUse() throws Exception {
        client.tcp().listen(8080);
        assertThatThrownBy(() -> client.tcp().connect(new InetSocketAddress("10.0.0.1", 8080), SERVER, TcpSocketOptions.DEFAULT))
                .isInstanceOf(BindException.class).hasMessageContaining("Address already in use");
        assertThat(client.sockets()).as("nothing but the listener").hasSize(1);
    }

    @Test
    void anAddressNotTheStacksCannotBeAssigned() {
        assertThatThrownBy(() -> connectFrom("10.0.0.9", 40_003)).hasCauseInstanceOf(BindException.class)
                .hasMessageContaining("Cannot assign requested address");
        assertThat(client.sockets()).isEmpty();
    }
}
