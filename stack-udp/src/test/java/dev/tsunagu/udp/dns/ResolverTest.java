package dev.tsunagu.udp.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.NameResolutionTimeoutException;
import dev.tsunagu.socket.NoSuchHostException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The resolver over an in-memory UDP network ({@link FakeUdpNetwork}), in virtual time. */
class ResolverTest {
    static final Duration TTL = Duration.ofSeconds(300);

    VirtualEventLoop loop;
    FakeUdpNetwork net;
    InetAddress clientIp;
    InetAddress serverIp;
    InetSocketAddress serverAt;
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
        net = new FakeUdpNetwork(loop);
        clientIp = ip("10.0.0.1");
        serverIp = ip("10.0.0.53");
        serverAt = new InetSocketAddress(serverIp, 53);
        Map<String, List<InetAddress>> zone = Map.of(
                "example.com", List.of(ip("93.184.216.34")),
                "multi.example", List.of(ip("192.0.2.1"), ip("192.0.2.2"), ip("2001:db8::2")),
                "v6only.example", List.of(ip("2001:db8::6")));
        server = new DnsTestServer(net.host(serverIp), zone, TTL);
        resolver = resolver(ResolverConfig.of(serverAt));
    }

    @AfterEach
    void tearDown() {
        assertThat(loop.statistics().errors()).as("exceptions that reached the loop").isZero();
        resolver.close();
        server.close();
        loop.runUntilIdle();
        loop.close();
    }

    Resolver resolver(ResolverConfig config) {
        return new Resolver(loop, net.host(clientIp), config, new SplittableRandom(42));
    }

    /** The failure of a completed future. */
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

    /** Client sockets still open (the server holds one). */
    int clientSocketsOpen() {
        return net.socketsOpen() - 1;
    }

    @Test
    void resolvesANameWithOneQuery() throws Exception {
        CompletableFuture<List<InetAddress>> f = resolver.resolve("example.com");
        assertThat(f).isNotDone();
        loop.runUntilIdle();
        assertThat(f.get()).containsExactly(ip("93.184.216.34"));
        assertThat(f.get().getFirst().getHostName()).isEqualTo("example.com");
        assertThat(resolver.queriesSent()).isEqualTo(1);
        assertThat(server.queriesReceived()).isEqualTo(1);
        DnsMessage q = server.queries().getFirst();
        assertThat(q.recursionDesired()).isTrue();
        assertThat(q.question()).isEqualTo(new Question("example.com", DnsMessage.TYPE_A));
        assertThat(clientSocketsOpen()).isZero();
        assertThat(loop.now()).isZero();
        assertThat(loop.pendingTimers()).isZero();
    }

    @Test
    void eachQueryUsesAFreshEphemeralPortConnectedToTheServer() throws Exception {
        resolver.resolve("example.com");
        resolver.resolve("multi.example");
        loop.runUntilIdle();
        List<Datagram> queries = net.sent().stream().filter(d -> d.destination().equals(serverAt)).toList();
        assertThat(queries).hasSize(2);
        assertThat(queries.get(0).source().getPort()).isNotEqualTo(queries.get(1).source().getPort());
        assertThat(queries).allSatisfy(d -> assertThat(d.source().getPort()).isGreaterThanOrEqualTo(49152));
        assertThat(net.socketsOpened()).isEqualTo(3);
    }

    @Test
    void queryIdsAreRandom() throws Exception {
        for (int i = 0; i < 40; i++) {
            resolver.resolve("n" + i + ".example");
        }
        loop.runUntilIdle();
        Set<Integer> ids = new HashSet<>();
        server.queries().forEach(q -> ids.add(q.id()));
        assertThat(ids.size()).isGreaterThanOrEqualTo(39);
    }

    @Test
    void blockingLookupDrivesTheVirtualLoop() throws Exception {
        assertThat(resolver.lookup("example.com")).containsExactly(ip("93.184.216.34"));
        assertThat(loop.now()).isZero();
    }

    @Test
    void retriesWhenTheFirstQueryIsDroppedExactlyOneTimeoutLater() throws Exception {
        server.dropFirst(1);
        long[] doneAt = {-1};
        CompletableFuture<List<InetAddress>> f = resolver.resolve("example.com");
        f.thenRun(() -> doneAt[0] = loop.now());
        loop.advance(Duration.ofMillis(999));
        assertThat(f).isNotDone();
        assertThat(resolver.queriesSent()).isEqualTo(1);
        loop.advance(Duration.ofMillis(1));
        assertThat(f.get()).containsExactly(ip("93.184.216.34"));
        assertThat(doneAt[0]).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(resolver.queriesSent()).isEqualTo(2);
        assertThat(resolver.retries()).isEqualTo(1);
        assertThat(resolver.timeouts()).isEqualTo(1);
        assertThat(server.queriesReceived()).isEqualTo(2);
        assertThat(server.queries().get(0).id()).isNotEqualTo(server.queries().get(1).id());
        assertThat(clientSocketsOpen()).isZero();
    }

    @Test
    void retriesCycleOverTheServers() throws Exception {
        InetSocketAddress dead = new InetSocketAddress(ip("10.0.0.99"), 53);
        Resolver r = resolver(ResolverConfig.of(dead, serverAt).withAttempts(4));
        CompletableFuture<List<InetAddress>> f = r.resolve("example.com");
        loop.advance(Duration.ofSeconds(1));
        assertThat(f.get()).containsExactly(ip("93.184.216.34"));
        assertThat(net.sent().stream().filter(d -> d.destination().getPort() == 53).map(Datagram::destination))
                .containsExactly(dead, serverAt);

        // Nobody anywhere: dead, live (dropping), dead, live (dropping), then give up.
        server.dropFirst(10);
        CompletableFuture<List<InetAddress>> g = r.resolve("multi.example");
        loop.advance(Duration.ofSeconds(4));
        assertThat(failure(g)).isInstanceOf(ResolverTimeoutException.class)
                .hasMessage("multi.example: no answer from DNS server(s) 10.0.0.99:53, 10.0.0.53:53 after 4 attempts"
                        + " of PT1S");
        r.close();
    }

    @Test
    void timesOutCleanlyWithoutAServer() throws Exception {
        server.close();
        long[] doneAt = {-1};
        CompletableFuture<List<InetAddress>> f = resolver.resolve("example.com");
        f.whenComplete((v, e) -> doneAt[0] = loop.now());
        loop.advance(Duration.ofSeconds(10));
        assertThat(failure(f)).isInstanceOf(ResolverTimeoutException.class)
                .hasMessage("example.com: no answer from DNS server(s) 10.0.0.53:53 after 3 attempts of PT1S");
        assertThat(doneAt[0]).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(resolver.queriesSent()).isEqualTo(3);
        assertThat(resolver.retries()).isEqualTo(2);
        assertThat(resolver.timeouts()).isEqualTo(3);
        assertThat(net.socketsOpen()).isZero();
        assertThat(loop.pendingTimers()).isZero();
        // A failure for lack of answers is not remembered.
        resolver.resolve("example.com");
        assertThat(resolver.queriesSent()).isEqualTo(4);
    }

    @Test
    void blockingLookupTimesOutInVirtualTime() {
        server.close();
        assertThatThrownBy(() -> resolver.lookup("example.com")).isInstanceOf(ResolverTimeoutException.class)
                .isInstanceOf(NameResolutionTimeoutException.class).hasMessageContaining("after 3 attempts");
        assertThat(loop.now()).isEqualTo(Duration.ofSeconds(3).toNanos());
    }

    @Test
    void reportsNxdomainAndRemembersIt() throws Exception {
        CompletableFuture<List<InetAddress>> f = resolver.resolve("nope.example");
        loop.runUntilIdle();
        assertThat(failure(f)).isExactlyInstanceOf(NoSuchHostException.class)
                .hasMessage("nope.example: no such host (NXDOMAIN from 10.0.0.53:53)");
        assertThat(resolver.retries()).isZero();

        CompletableFuture<List<InetAddress>> again = resolver.resolve("NOPE.example.");
        assertThat(failure(again)).hasMessage("nope.example: no such host (NXDOMAIN from 10.0.0.53:53)");
        assertThat(server.queriesReceived()).isEqualTo(1);
        assertThat(resolver.cacheHits()).isEqualTo(1);

        loop.advance(Duration.ofSeconds(30));
        CompletableFuture<List<InetAddress>> later = resolver.resolve("nope.example");
        loop.runUntilIdle();
        assertThat(failure(later)).isExactlyInstanceOf(NoSuchHostException.class);
        assertThat(server.queriesReceived()).isEqualTo(2);
    }

    @Test
    void blockingLookupThrowsUnknownHostForNxdomain() {
        assertThatThrownBy(() -> resolver.lookup("nope.example")).isExactlyInstanceOf(NoSuchHostException.class)
                .hasMessageContaining("NXDOMAIN");
    }

    @Test
    void cachesForTheTtlOnTheLoopClock() throws Exception {
        assertThat(resolver.lookup("example.com")).containsExactly(ip("93.184.216.34"));
        CompletableFuture<List<InetAddress>> hit = resolver.resolve("Example.COM");
        assertThat(hit).isCompleted(); // no turn of the loop needed
        assertThat(hit.get()).containsExactly(ip("93.184.216.34"));
        assertThat(server.queriesReceived()).isEqualTo(1);
        assertThat(resolver.cacheHits()).isEqualTo(1);
        assertThat(resolver.cacheSize()).isEqualTo(1);

        loop.advance(TTL.minusMillis(1));
        resolver.lookup("example.com");
        assertThat(server.queriesReceived()).isEqualTo(1);

        loop.advance(Duration.ofMillis(1));
        resolver.lookup("example.com");
        assertThat(server.queriesReceived()).isEqualTo(2);
        assertThat(resolver.cacheHits()).isEqualTo(2);
    }

    @Test
    void aZeroTtlIsNotCached() throws Exception {
        server.ttl(Duration.ZERO);
        resolver.lookup("example.com");
        resolver.lookup("example.com");
        assertThat(server.queriesReceived()).isEqualTo(2);
        assertThat(resolver.cacheSize()).isZero();
    }

    @Test
    void maxTtlCapsTheCacheLifetime() throws Exception {
        Resolver r = resolver(ResolverConfig.of(serverAt).withMaxTtl(Duration.ofSeconds(10)));
        r.lookup("example.com");
        loop.advance(Duration.ofSeconds(10));
        r.lookup("example.com");
        assertThat(server.queriesReceived()).isEqualTo(2);
        r.close();
    }

    @Test
    void theCacheIsBoundedAndEvictsTheEntryClosestToExpiry() throws Exception {
        Resolver r = resolver(ResolverConfig.of(serverAt).withCacheEntries(2));
        server.ttl(Duration.ofSeconds(100));
        r.lookup("example.com"); // expires at 100 s
        server.ttl(Duration.ofSeconds(50));
        r.lookup("multi.example"); // expires at 50 s
        server.ttl(Duration.ofSeconds(200));
        r.lookup("v6only.example", DnsMessage.TYPE_AAAA); // full: multi.example goes
        assertThat(r.cacheSize()).isEqualTo(2);
        assertThat(r.evictions()).isEqualTo(1);
        int before = server.queriesReceived();
        r.lookup("example.com");
        r.lookup("v6only.example", DnsMessage.TYPE_AAAA);
        assertThat(server.queriesReceived()).isEqualTo(before);
        r.lookup("multi.example");
        assertThat(server.queriesReceived()).isEqualTo(before + 1);
        r.close();
    }

    @Test
    void cacheOffMeansEveryLookupAsks() throws Exception {
        Resolver r = resolver(ResolverConfig.of(serverAt).withCacheEntries(0));
        r.lookup("example.com");
        r.lookup("example.com");
        assertThat(server.queriesReceived()).isEqualTo(2);
        r.close();
    }

    @Test
    void concurrentLookupsOfOneNameShareOneQuery() throws Exception {
        CompletableFuture<List<InetAddress>> a = resolver.resolve("example.com");
        CompletableFuture<List<InetAddress>> b = resolver.resolve("EXAMPLE.com");
        CompletableFuture<List<InetAddress>> c = resolver.resolve("example.com.");
        CompletableFuture<List<InetAddress>> other = resolver.resolve("example.com", DnsMessage.TYPE_AAAA);
        loop.runUntilIdle();
        assertThat(a.get()).isEqualTo(b.get()).isEqualTo(c.get()).containsExactly(ip("93.184.216.34"));
        assertThat(a).isNotSameAs(b);
        assertThat(resolver.queriesSent()).isEqualTo(2); // the AAAA query is separate
        assertThat(resolver.sharedLookups()).isEqualTo(2);
        assertThat(failure(other)).hasMessageContaining("no AAAA record");
    }

    @Test
    void sharedLookupsFailTogether() throws Exception {
        server.close();
        CompletableFuture<List<InetAddress>> a = resolver.resolve("example.com");
        CompletableFuture<List<InetAddress>> b = resolver.resolve("example.com");
        loop.advance(Duration.ofSeconds(3));
        assertThat(failure(a)).isInstanceOf(ResolverTimeoutException.class);
        assertThat(failure(b)).isInstanceOf(ResolverTimeoutException.class).isNotSameAs(failure(a));
        assertThat(resolver.queriesSent()).isEqualTo(3);
    }

    @Test
    void responsesThatDoNotMatchAreIgnoredAndCounted() throws Exception {
        server.dropFirst(1);
        CompletableFuture<List<InetAddress>> f = resolver.resolve("example.com");
        Datagram query = net.sent().getLast();
        DnsMessage q = DnsMessage.parse(query.data());
        List<ResourceRecord> forged = List.of(new ResourceRecord.A("example.com", 300, (java.net.Inet4Address) ip("6.6.6.6")));
        // Wrong id.
        net.inject(serverAt, query.source(), DnsMessage.response(q.withId(q.id() ^ 1), 0, forged));
        // Another question.
        DnsMessage otherQuestion = DnsMessage.parse(DnsMessage.query(q.id(), "example.org", DnsMessage.TYPE_A));
        net.inject(serverAt, query.source(), DnsMessage.response(otherQuestion, 0, forged));
        // Another type.
        DnsMessage otherType = DnsMessage.parse(DnsMessage.query(q.id(), "example.com", DnsMessage.TYPE_AAAA));
        net.inject(serverAt, query.source(), DnsMessage.response(otherType, 0, List.of()));
        // Not a response at all: our own query echoed.
        net.inject(serverAt, query.source(), query.data());
        // Garbage.
        net.inject(serverAt, query.source(), new byte[] {1, 2, 3});
        // Right everything, wrong sender: the connected socket filters it out.
        net.inject(new InetSocketAddress(ip("10.0.0.66"), 53), query.source(), DnsMessage.response(q, 0, forged));
        loop.runUntilIdle();
        assertThat(f).isNotDone();
        assertThat(resolver.mismatchedResponses()).isEqualTo(4);
        assertThat(resolver.malformedResponses()).isEqualTo(1);
        loop.advance(Duration.ofSeconds(1));
        assertThat(f.get()).containsExactly(ip("93.184.216.34"));
    }

    @Test
    void aTruncatedAnswerIsAFailedAttempt() throws Exception {
        server.truncateFirst(1);
        CompletableFuture<List<InetAddress>> f = resolver.resolve("example.com");
        loop.runUntilIdle();
        assertThat(f.get()).containsExactly(ip("93.184.216.34"));
        assertThat(resolver.retries()).isEqualTo(1);
        assertThat(resolver.timeouts()).isZero();
        assertThat(loop.now()).isZero();

        server.truncateFirst(3);
        CompletableFuture<List<InetAddress>> g = resolver.resolve("multi.example");
        loop.runUntilIdle();
        assertThat(failure(g)).isExactlyInstanceOf(UnknownHostException.class)
                .hasMessage("multi.example: DNS lookup failed after 3 attempts (last: truncated response from"
                        + " 10.0.0.53:53 (no TCP fallback))");
    }

    @Test
    void servfailAndRefusedMoveOnToTheNextAttempt() throws Exception {
        server.failFirst(2, DnsMessage.RCODE_SERVFAIL);
        assertThat(resolver.lookup("example.com")).containsExactly(ip("93.184.216.34"));
        assertThat(resolver.retries()).isEqualTo(2);
        assertThat(loop.now()).isZero();

        server.failFirst(3, DnsMessage.RCODE_REFUSED);
        assertThatThrownBy(() -> resolver.lookup("multi.example")).isExactlyInstanceOf(UnknownHostException.class)
                .hasMessage("multi.example: DNS lookup failed after 3 attempts (last: REFUSED from 10.0.0.53:53)");
        // Errors are not remembered.
        assertThat(resolver.lookup("multi.example")).hasSize(2);
    }

    @Test
    void aMixOfTimeoutsAndErrorsIsNotATimeout() {
        server.dropFirst(1).failFirst(2, DnsMessage.RCODE_SERVFAIL);
        assertThatThrownBy(() -> resolver.lookup("example.com")).isExactlyInstanceOf(UnknownHostException.class)
                .hasMessageContaining("SERVFAIL");
    }

    @Test
    void followsCnameChainsInTheAnswer() throws Exception {
        server.cname("www.example.com", "cdn.example.net").cname("cdn.example.net", "example.com");
        List<InetAddress> a = resolver.lookup("www.example.com");
        assertThat(a).containsExactly(ip("93.184.216.34"));
        assertThat(a.getFirst().getHostName()).isEqualTo("www.example.com");
        DnsMessage q = server.queries().getLast();
        assertThat(q.question().name()).isEqualTo("www.example.com");
    }

    @Test
    void cnameChainsAreFollowedAtMostEightDeep() throws Exception {
        for (int i = 0; i < 8; i++) {
            server.cname("c" + i + ".example", "c" + (i + 1) + ".example");
        }
        server.cname("c8.example", "example.com");
        // c0 → … → c8 → example.com is nine links; c1 → … is eight.
        assertThat(resolver.lookup("c1.example")).containsExactly(ip("93.184.216.34"));
        assertThatThrownBy(() -> resolver.lookup("c0.example")).isExactlyInstanceOf(UnknownHostException.class)
                .hasMessage("c0.example: CNAME chain longer than 8 links (from 10.0.0.53:53)");
    }

    @Test
    void aCnameLoopEnds() {
        server.cname("loop1.example", "loop2.example").cname("loop2.example", "loop1.example");
        assertThatThrownBy(() -> resolver.lookup("loop1.example")).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("CNAME chain longer than 8");
    }

    @Test
    void resolvesAaaaSeparately() throws Exception {
        assertThat(resolver.lookup("multi.example", DnsMessage.TYPE_AAAA)).containsExactly(ip("2001:db8::2"));
        assertThat(resolver.lookup("multi.example")).containsExactly(ip("192.0.2.1"), ip("192.0.2.2"));
        assertThat(server.queriesReceived()).isEqualTo(2);
    }

    @Test
    void noRecordOfTheTypeIsNodataAndIsRemembered() throws Exception {
        assertThatThrownBy(() -> resolver.lookup("v6only.example")).isExactlyInstanceOf(NoSuchHostException.class)
                .hasMessage("v6only.example: no A record (NODATA from 10.0.0.53:53)");
        assertThatThrownBy(() -> resolver.lookup("v6only.example")).isExactlyInstanceOf(NoSuchHostException.class);
        assertThat(server.queriesReceived()).isEqualTo(1);
    }

    @Test
    void literalsAndLocalhostNeedNoQuery() throws Exception {
        assertThat(resolver.resolve("192.0.2.1").get()).containsExactly(ip("192.0.2.1"));
        assertThat(resolver.resolve("2001:db8::1", DnsMessage.TYPE_AAAA).get()).containsExactly(ip("2001:db8::1"));
        assertThat(resolver.resolve("localhost").get()).containsExactly(ip("127.0.0.1"));
        assertThat(resolver.resolve("LocalHost.").get()).containsExactly(ip("127.0.0.1"));
        assertThat(resolver.resolve("foo.localhost").get()).containsExactly(ip("127.0.0.1"));
        assertThat(resolver.resolve("localhost", DnsMessage.TYPE_AAAA).get()).containsExactly(ip("::1"));
        assertThat(net.socketsOpened()).isEqualTo(1); // the server's
        assertThat(resolver.queriesSent()).isZero();
    }

    @Test
    void invalidNamesFailWithoutAQuery() {
        for (String bad : List.of("a..b", "", ".", "x".repeat(64) + ".example")) {
            assertThat(failure(resolver.resolve(bad))).as(bad).isInstanceOf(UnknownHostException.class);
        }
        assertThatThrownBy(() -> resolver.resolve("example.com", DnsMessage.TYPE_MX))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(resolver.queriesSent()).isZero();
    }

    @Test
    void withoutServersOnlyLiteralsResolve() throws Exception {
        Resolver r = resolver(ResolverConfig.of(List.of()));
        assertThat(failure(r.resolve("example.com"))).hasMessage("example.com: no DNS servers configured");
        assertThat(r.resolve("10.1.2.3").get()).containsExactly(ip("10.1.2.3"));
        r.close();
    }

    @Test
    void resolveMayBeCalledFromAnotherThread() throws Exception {
        List<CompletableFuture<List<InetAddress>>> futures = new ArrayList<>();
        Thread t = Thread.ofVirtual().start(() -> futures.add(resolver.resolve("example.com")));
        t.join();
        CompletableFuture<List<InetAddress>> f = futures.getFirst();
        assertThat(f).isNotDone(); // queued for the loop, which runs when the test drives it
        loop.runUntilIdle();
        assertThat(f.get()).containsExactly(ip("93.184.216.34"));
    }

    @Test
    void closingFailsLookupsInFlightAndClosesTheirSockets() {
        server.dropFirst(1);
        CompletableFuture<List<InetAddress>> f = resolver.resolve("example.com");
        loop.runUntilIdle();
        assertThat(clientSocketsOpen()).isEqualTo(1);
        resolver.close();
        assertThat(failure(f)).isInstanceOf(UnknownHostException.class).hasMessageContaining("closed");
        assertThat(clientSocketsOpen()).isZero();
        assertThat(loop.pendingTimers()).isZero();
        assertThat(failure(resolver.resolve("example.com"))).hasMessageContaining("closed");
    }
}
