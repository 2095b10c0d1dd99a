package dev.tsunagu.jdk;

import static java.net.spi.InetAddressResolver.LookupPolicy.IPV4;
import static java.net.spi.InetAddressResolver.LookupPolicy.IPV4_FIRST;
import static java.net.spi.InetAddressResolver.LookupPolicy.IPV6;
import static java.net.spi.InetAddressResolver.LookupPolicy.IPV6_FIRST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolver.LookupPolicy;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The programmatic form of the switch: two stacks on one cable, each with its own
 * {@link TsunaguJdk} (factories and resolver), each socket on the stack it was made for; and the
 * lazy stack, asked for once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TsunaguJdkTest {
    private static TwoStacks stacks;

    @BeforeAll
    static void stacks() {
        stacks = new TwoStacks("tsunagujdk");
    }

    @AfterAll
    static void closeStacks() {
        stacks.close();
    }

    @Test
    void eachStackServesAndConnectsThroughItsOwnFactories() throws Exception {
        TsunaguJdk a = TsunaguJdk.of(stacks.client);
        TsunaguJdk b = TsunaguJdk.of(stacks.server);
        assertThat(exchange(a, b, TwoStacks.SERVER_IP)).isEqualTo(TwoStacks.CLIENT_IP + " -> " + TwoStacks.SERVER_IP);
        assertThat(exchange(b, a, TwoStacks.CLIENT_IP)).isEqualTo(TwoStacks.SERVER_IP + " -> " + TwoStacks.CLIENT_IP);
    }

    @Test
    void eachStacksChannelsAreOnItsStack() throws Exception {
        TsunaguJdk a = TsunaguJdk.of(stacks.client);
        TsunaguJdk b = TsunaguJdk.of(stacks.server);
        assertThat(a.selectorProvider()).isSameAs(a.selectorProvider()).isNotSameAs(b.selectorProvider());
        try (ServerSocket listener = b.serverSocketFactory().createServerSocket(0);
             SocketChannel ch = a.selectorProvider().openSocketChannel()) {
            ch.connect(new InetSocketAddress(TwoStacks.serverAddress(), listener.getLocalPort()));
            try (Socket accepted = listener.accept()) {
                assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo(TwoStacks.CLIENT_IP);
            }
        }
    }

    /** A connection from {@code client}'s stack to {@code server}'s at {@code serverIp}; what the server saw, "from -> to". */
    private static String exchange(TsunaguJdk client, TsunaguJdk server, String serverIp) throws Exception {
        try (ServerSocket listener = server.serverSocketFactory().createServerSocket(0)) {
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (Socket s = listener.accept()) {
                    s.getOutputStream().write(s.getInputStream().read());
                    return s.getInetAddress().getHostAddress() + " -> " + s.getLocalAddress().getHostAddress();
                } catch (IOException e) {
                    return e.toString();
                }
            });
            try (Socket s = client.socketFactory().createSocket(serverIp, listener.getLocalPort())) {
                s.getOutputStream().write(42);
                assertThat(s.getInputStream().read()).isEqualTo(42);
            }
            return seen.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void theResolverAnswersFromTheHostTableWithTheNameAndByThePolicy() throws Exception {
        InetAddressResolver r = TsunaguJdk.of(stacks.client).resolver(
                HostTable.parse("server.test=" + TwoStacks.SERVER_IP + ", dual.test=2001:db8::2, dual.test=10.77.0.9"));
        InetAddress server = r.lookupByName("Server.Test", LookupPolicy.of(IPV4)).findFirst().orElseThrow();
        assertThat(server.getHostAddress()).isEqualTo(TwoStacks.SERVER_IP);
        assertThat(server.getHostName()).isEqualTo("server.test");
        assertThat(r.lookupByName("dual.test", LookupPolicy.of(IPV4 | IPV6 | IPV4_FIRST)).map(InetAddress::getHostAddress))
                .containsExactly("10.77.0.9", "2001:db8:0:0:0:0:0:2");
        assertThat(r.lookupByName("dual.test", LookupPolicy.of(IPV4 | IPV6 | IPV6_FIRST)).map(InetAddress::getHostAddress))
                .containsExactly("2001:db8:0:0:0:0:0:2", "10.77.0.9");
        assertThat(r.lookupByName("dual.test", LookupPolicy.of(IPV6)).map(InetAddress::getHostAddress))
                .containsExactly("2001:db8:0:0:0:0:0:2");
        assertThatThrownBy(() -> r.lookupByName("server.test", LookupPolicy.of(IPV6)))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("no IPv6 address");
        assertThat(r.lookupByAddress(TwoStacks.serverAddress().getAddress())).isEqualTo("server.test");
        assertThatThrownBy(() -> r.lookupByAddress(new byte[] {10, 77, 0, 99})).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void aNameNotInTheTableGoesToTheStacksResolver() throws Exception {
        InetAddressResolver r = TsunaguJdk.of(stacks.client).resolver(HostTable.empty());
        // The stack's resolver answers localhost itself and, with no DNS server set, nothing else.
        assertThat(r.lookupByName("localhost", LookupPolicy.of(IPV4)).map(InetAddress::getHostAddress)).containsExactly("127.0.0.1");
        assertThatThrownBy(() -> r.lookupByName("www.example.test", LookupPolicy.of(IPV4)))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("www.example.test");
    }

    @Test
    void aLazyStackIsAskedForOnceAtTheFirstUse() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        TsunaguJdk lazy = TsunaguJdk.lazy(() -> {
            asked.incrementAndGet();
            return stacks.client;
        });
        InetAddressResolver r = lazy.resolver(HostTable.parse("t.test=10.77.0.1"));
        r.lookupByName("t.test", LookupPolicy.of(IPV4));
        assertThat(asked).as("making the resolver and answering from the table need no stack").hasValue(0);
        r.lookupByName("localhost", LookupPolicy.of(IPV4));
        lazy.socketFactory().createSocket().close();
        assertThat(asked).hasValue(1);
    }

    @Test
    void aStackThatFailsToStartFailsEveryUseTheSameWayAndIsNotTriedAgain() {
        AtomicInteger asked = new AtomicInteger();
        TsunaguJdk broken = TsunaguJdk.lazy(() -> {
            asked.incrementAndGet();
            throw new IllegalStateException("tsunagu.driver=tap:x: no such device");
        });
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(broken::socketFactory).hasMessage("tsunagu.driver=tap:x: no such device");
        }
        assertThat(asked).hasValue(1);
        assertThat(broken.toString()).contains("failed");
    }

    @Test
    void hostTableEntriesMustBeNameEqualsLiteral() {
        assertThat(HostTable.parse(" , ").isEmpty()).isTrue();
        assertThat(HostTable.parse("a.test=10.0.0.1,A.TEST=10.0.0.2").lookup("a.test")).map(InetAddress::getHostAddress)
                .containsExactly("10.0.0.1", "10.0.0.2");
        assertThatThrownBy(() -> HostTable.parse("a.test")).hasMessageContaining("want NAME=ADDR");
        assertThatThrownBy(() -> HostTable.parse("a.test=example.org")).hasMessageContaining("not an IP address literal");
        assertThatThrownBy(() -> HostTable.parse("a.test=10.0.0.256")).hasMessageContaining("not an IP address literal");
        assertThat(List.of(HostTable.empty().lookup("x"))).containsExactly(List.of());
    }

}
