package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seeds' journey over TCP, end to end on the virtual clock. */
class TcpBasicsTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("tcp-basics");
    private final NetworkStack client = TestHosts.host(loop, "client", 1).on(lan, "10.0.0.1/24").build();
    private final NetworkStack server = TestHosts.host(loop, "server", 2).on(lan, "10.0.0.2/24").build();

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    @Test
    void connectWriteReadCloseAndTimeWait() throws Exception {
        TcpServerSocket listener = server.tcp().listen(80);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        TcpSocket c = client.tcp().connect(new InetSocketAddress("10.0.0.2", 80));
        assertThat(c.state()).isEqualTo("ESTABLISHED");
        loop.runUntilIdle();
        TcpSocket s = accepted.getNow(null);
        assertThat(s).isNotNull();
        assertThat(s.state()).isEqualTo("ESTABLISHED");

        byte[] request = "GET / HTTP/1.1\r\nHost: server\r\n\r\n".getBytes();
        c.write(request);
        c.flush();
        byte[] buf = new byte[1000];
        int n = s.read(buf, 0, buf.length);
        assertThat(Arrays.copyOf(buf, n)).isEqualTo(request);

        byte[] response = new byte[100_000];
        new Random(1).nextBytes(response);
        CompletableFuture<Void> sent = s.writeAsync(response, 0, response.length);
        byte[] got = new byte[response.length];
        int total = 0;
        while (total < got.length) {
            int k = c.read(got, total, got.length - total);
            assertThat(k).isPositive();
            total += k;
        }
        assertThat(got).isEqualTo(response);
        assertThat(sent).isDone();

        // The server closes first: it goes through FIN_WAIT to TIME_WAIT; the client sees EOF.
        s.close();
        assertThat(c.read(buf, 0, 10)).isEqualTo(-1);
        assertThat(c.state()).isEqualTo("CLOSE_WAIT");
        c.close();
        loop.runUntilIdle();
        List<SocketInfo> rows = server.sockets();
        assertThat(rows).extracting(SocketInfo::state).contains("TIME_WAIT", "LISTEN");
        assertThat(client.sockets()).isEmpty();
        loop.advance(Duration.ofSeconds(60)); // 2 MSL
        assertThat(server.sockets()).extracting(SocketInfo::state).containsExactly("LISTEN");
        listener.close();
        assertThat(server.sockets()).isEmpty();
        assertThat(client.statistics().get("loop", "Errors") + server.statistics().get("loop", "Errors")).isZero();
    }

    @Test
    void aConnectionToAClosedPortIsRefused() {
        assertThatThrownBy(() -> client.tcp().connect(new InetSocketAddress("10.0.0.2", 81)))
                .isInstanceOf(ConnectException.class).hasMessageContaining("connection refused");
        assertThat(server.statistics().get("tcp", "OutRsts")).isEqualTo(1);
    }
}
