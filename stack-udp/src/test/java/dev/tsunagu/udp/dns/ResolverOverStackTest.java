package dev.tsunagu.udp.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.NoSuchHostException;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The resolver on one stack asking {@link DnsTestServer} on another, over Ethernet, IPv4 and
 * UDP on a {@link Cable}, all on one {@link VirtualEventLoop}.
 *
 * <pre>
 *  client 10.0.0.1 ──lan── 10.0.0.53 dns
 * </pre>
 */
class ResolverOverStackTest {
    static final Duration TTL = Duration.ofSeconds(300);

    VirtualEventLoop loop;
    NetworkStack client;
    NetworkStack dns;
    DnsTestServer server;
    Resolver resolver;

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        loop = new VirtualEventLoop();
        Cable lan = new Cable("lan");
        client = TestHosts.host(loop, "client", 1).on(lan, "10.0.0.1/24").build();
        dns = TestHosts.host(loop, "dns", 2).on(lan, "10.0.0.53/24").build();
        loop.runUntilIdle();
        server = new DnsTestServer(dns.udp(), Map.of(
                "example.com", List.of(ip("93.184.216.34")),
                "dual.example", List.of(ip("192.0.2.10"), ip("2001:db8::10"))), TTL);
        resolver = new Resolver(loop, client.udp(), ResolverConfig.parse("10.0.0.53"), new SplittableRandom(7));
    }

    @AfterEach
    void tearDown() {
        assertThat(loop.statistics().errors()).as("exceptions that reached the loop").isZero();
        resolver.close();
        server.close();
        client.close();
        dns.close();
        loop.close();
    }

    static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    long clientUdpSockets() {
        return client.sockets().stream().filter(s -> s.protocol().equals("UDP")).count();
    }

    @Test
    void resolvesANameFromTheServerOnTheOtherStack() throws Exception {
        List<InetAddress> addresses = resolver.lookup("example.com");
        assertThat(addresses).containsExactly(ip("93.184.216.34"));
        assertThat(addresses.getFirst().getHostName()).isEqualTo("example.com");
        assertThat(resolver.queriesSent()).isEqualTo(1);
        assertThat(server.queriesReceived()).isEqualTo(1);
        assertThat(server.responsesSent()).isEqualTo(1);
        assertThat(clientUdpSockets()).as("the query's socket is closed").isZero();
        assertThat(resolver.lookup("dual.example", DnsMessage.TYPE_AAAA)).containsExactly(ip("2001:db8::10"));
    }

    @Test
    void retriesWhenTheFirstQueryIsDroppedAndTheAnswerComesOneTimeoutLater() throws Exception {
        server.dropFirst(1);
        long start = loop.now();
        long[] doneAt = {-1};
        CompletableFuture<List<InetAddress>> f = resolver.resolve("example.com");
        f.whenComplete((v, e) -> doneAt[0] = loop.now());
        loop.runUntilIdle();
        assertThat(server.queriesReceived()).isEqualTo(1);
        loop.advance(Duration.ofMillis(999));
        assertThat(f).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(f.get()).containsExactly(ip("93.184.216.34"));
        assertThat(doneAt[0] - start).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(resolver.retries()).isEqualTo(1);
        assertThat(resolver.timeouts()).isEqualTo(1);
        assertThat(server.queriesReceived()).isEqualTo(2);
        assertThat(clientUdpSockets()).isZero();
    }

    @Test
    void cachesUntilTheTtlRunsOut() throws Exception {
        resolver.lookup("example.com");
        long sent = resolver.queriesSent();
        long start = loop.now();

        assertThat(resolver.lookup("example.com")).containsExactly(ip("93.184.216.34"));
        assertThat(resolver.queriesSent()).isEqualTo(sent);
        assertThat(server.queriesReceived()).isEqualTo(1);
        assertThat(resolver.cacheHits()).isEqualTo(1);

        loop.advanceTo(start + TTL.toNanos() - 1);
        resolver.lookup("example.com");
        assertThat(server.queriesReceived()).isEqualTo(1);

        loop.advanceTo(start + TTL.toNanos());
        assertThat(resolver.lookup("example.com")).containsExactly(ip("93.184.216.34"));
        assertThat(server.queriesReceived()).isEqualTo(2);
    }

    @Test
    void reportsNxdomain() {
        assertThatThrownBy(() -> resolver.lookup("nope.example")).isExactlyInstanceOf(NoSuchHostException.class)
                .hasMessage("nope.example: no such host (NXDOMAIN from 10.0.0.53:53)");
        assertThatThrownBy(() -> resolver.lookup("nope.example")).isExactlyInstanceOf(NoSuchHostException.class);
        assertThat(server.queriesReceived()).isEqualTo(1);
        assertThat(resolver.retries()).isZero();
    }

    @Test
    void timesOutCleanlyWhenNothingListens() throws Exception {
        server.close(); // the dns host answers with ICMP port unreachable, which is no answer
        long start = loop.now();
        long[] doneAt = {-1};
        CompletableFuture<List<InetAddress>> f = resolver.resolve("example.com");
        f.whenComplete((v, e) -> doneAt[0] = loop.now());
        loop.advance(Duration.ofSeconds(10));
        assertThat(failure(f)).isInstanceOf(ResolverTimeoutException.class)
                .hasMessage("example.com: no answer from DNS server(s) 10.0.0.53:53 after 3 attempts of PT1S");
        assertThat(doneAt[0] - start).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(resolver.queriesSent()).isEqualTo(3);
        assertThat(clientUdpSockets()).isZero();
    }

    @Test
    void timesOutCleanlyWhenTheServerDoesNotExist() throws Exception {
        Resolver lost = new Resolver(loop, client.udp(), ResolverConfig.parse("10.0.0.99"), new SplittableRandom(8));
        long start = loop.now();
        assertThatThrownBy(() -> lost.lookup("example.com")).isInstanceOf(ResolverTimeoutException.class)
                .hasMessageContaining("10.0.0.99:53 after 3 attempts");
        assertThat(loop.now() - start).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(clientUdpSockets()).isZero();
        lost.close();
    }
}
