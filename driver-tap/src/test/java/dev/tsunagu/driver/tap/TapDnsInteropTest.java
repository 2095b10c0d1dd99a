package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.testkit.host.Poll;
import dev.tsunagu.testkit.host.TapRig;
import dev.tsunagu.testkit.host.TapTests;
import dev.tsunagu.udp.UdpOptions;
import dev.tsunagu.udp.dns.Resolver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack's DNS resolver against {@code dnsmasq} on the kernel side of a TAP: dnsmasq in a
 * fresh namespace at 10.78.0.1 answers for {@code tsunagu.test} from its own data only (an
 * {@code --address} rule and a {@code --host-record}, the equivalent of a hosts entry), and
 * says NXDOMAIN for any other name in that domain. The stack at 10.78.0.2 resolves through
 * its own UDP, captured by our capture decorator; tshark then finds nothing malformed and no
 * bad checksum in what the stack sent. Over IPv6 too ({@link #aaaaAndAOverIpv6FromDnsmasq}): the
 * dual-stack bench, dnsmasq at {@code [fd00:78::1]:53}, asked over IPv6 for AAAA and A records.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TapDnsInteropTest {
    private static final int SUBNET = 78;
    private static final String WWW = "10.78.0.80";
    private static final String MAIL = "10.78.0.81";
    private static final String WWW6 = "fd00:78::80";
    private static final String MAIL6 = "fd00:78::81";

    @TempDir
    Path dir;

    private TapRig rig;
    private final StringBuffer dnsmasqLog = new StringBuffer();

    @BeforeEach
    void setUp() throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("dnsmasq", "dnsmasq");
        TapTests.assumeCommand("ss", "iproute2");
    }

    /**
     * dnsmasq on the kernel side, listening on {@code listen}: answers from its own data for
     * {@code tsunagu.test} (A records, and AAAA ones beside them), NXDOMAIN for other names there.
     */
    private void startDnsmasq(String... listen) throws Exception {
        List<String> c = new ArrayList<>(List.of("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--pid-file",
                "--no-resolv", "--no-hosts", "--log-queries", "--bind-interfaces"));
        for (String address : listen) {
            c.add("--listen-address=" + address);
        }
        c.addAll(List.of("--port=53", "--local=/tsunagu.test/", "--local-ttl=300", // dnsmasq's default TTL 0 is never cached
                "--address=/www.tsunagu.test/" + WWW, "--address=/www.tsunagu.test/" + WWW6,
                "--host-record=mail.tsunagu.test," + MAIL + "," + MAIL6));
        Process dnsmasq = rig.ns.start(c.toArray(String[]::new));
        Thread.ofVirtual().start(() -> { // its log, for failure messages (and so its pipe never fills)
            try (BufferedReader r = new BufferedReader(new InputStreamReader(dnsmasq.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    dnsmasqLog.append(line).append('\n');
                }
            } catch (Exception e) {
                // the process was killed
            }
        });
        if (!rig.ns.awaitListening("udp", 53, Duration.ofSeconds(10))) {
            throw new IllegalStateException("dnsmasq does not listen on " + List.of(listen) + ":53: " + dnsmasqLog);
        }
    }

    private void startIpv4() throws Exception {
        rig = TapRig.start(SUBNET, dir.resolve("dns.pcap"), b -> b.option(UdpOptions.DNS_SERVERS, "10.78.0.1"));
        startDnsmasq(rig.kernel);
    }

    @AfterEach
    void tearDown() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void theResolverGetsAnswersAndNxdomainFromDnsmasq() throws Exception {
        startIpv4();
        Resolver resolver = rig.stack.service(Resolver.class).orElseThrow();

        List<InetAddress> www = resolver.resolve("www.tsunagu.test").get(20, TimeUnit.SECONDS);
        assertThat(www).as("A records of www.tsunagu.test; dnsmasq said:%n%s", dnsmasqLog)
                .containsExactly(InetAddress.getByName(WWW));
        assertThat(resolver.lookup("mail.tsunagu.test")).as("the host record").containsExactly(InetAddress.getByName(MAIL));

        assertThatThrownBy(() -> resolver.lookup("nosuch.tsunagu.test"))
                .isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("nosuch.tsunagu.test")
                .hasMessageContaining("NXDOMAIN");

        long sent = resolver.queriesSent();
        assertThat(resolver.lookup("www.tsunagu.test")).as("from the cache (TTL 300 s)").containsExactly(InetAddress.getByName(WWW));
        assertThat(resolver.queriesSent()).as("a cached answer sends no query").isEqualTo(sent);
        assertThat(resolver.mismatchedResponses() + resolver.malformedResponses()).isZero();

        // dnsmasq saw the queries come from the stack, over the TAP. (Its log lines reach us through
        // a pipe and a reader thread, a little after its answers: wait for them.)
        Poll.until(Duration.ofSeconds(10), dnsmasqLog::toString,
                log -> log.contains("query[A] nosuch.tsunagu.test from " + rig.stackAddress));
        assertThat(dnsmasqLog.toString())
                .contains("query[A] www.tsunagu.test from " + rig.stackAddress)
                .contains("query[A] nosuch.tsunagu.test from " + rig.stackAddress);

        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("dns.flags.response == 0", true)).as("DNS queries the stack sent").isGreaterThanOrEqualTo(3);
            assertThat(wire.count("dns.flags.response == 1 && dns.flags.rcode == 3", false)).as("NXDOMAIN answers").isPositive();
            assertThat(wire.count("udp.checksum.status == 1", true)).as("UDP checksums from the stack verified good").isPositive();
        }
    }

    @Test
    void concurrentLookupsOfManyNamesAllSucceed() throws Exception {
        startIpv4();
        Resolver resolver = rig.stack.service(Resolver.class).orElseThrow();
        // 40 different names at once: 40 queries in flight on 40 ephemeral ports.
        var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<List<InetAddress>>>();
        for (int i = 0; i < 40; i++) {
            futures.add(resolver.resolve("h" + i + ".www.tsunagu.test")); // --address covers subdomains
        }
        for (var f : futures) {
            assertThat(f.get(20, TimeUnit.SECONDS)).containsExactly(InetAddress.getByName(WWW));
        }
        rig.closeAndCheckWire();
    }

    /**
     * The dual-stack bench asks dnsmasq at {@code [fd00:78::1]:53}, over IPv6: AAAA records come
     * back, A records too, both families IPv6 first ({@code lookupBothFamilies}, RFC 8305 3-4),
     * and NXDOMAIN for an unknown name; dnsmasq logs each query from the stack's IPv6 address.
     */
    @Test
    void aaaaAndAOverIpv6FromDnsmasq() throws Exception {
        rig = TapRig.startDualStack(SUBNET, dir.resolve("dns6.pcap"), b -> b.option(UdpOptions.DNS_SERVERS, "[fd00:78::1]:53"));
        startDnsmasq(rig.kernel6);
        Resolver resolver = rig.stack.service(Resolver.class).orElseThrow();

        assertThat(resolver.lookup("www.tsunagu.test", AddressFamily.IPV6)).as("AAAA records; dnsmasq said:%n%s", dnsmasqLog)
                .containsExactly(InetAddress.getByName(WWW6));
        assertThat(resolver.lookup("mail.tsunagu.test", AddressFamily.IPV6)).as("the host record's AAAA")
                .containsExactly(InetAddress.getByName(MAIL6));
        assertThat(resolver.lookupBothFamilies("mail.tsunagu.test")).as("both families, IPv6 first")
                .containsExactly(InetAddress.getByName(MAIL6), InetAddress.getByName(MAIL));
        assertThatThrownBy(() -> resolver.lookup("nosuch.tsunagu.test", AddressFamily.IPV6))
                .isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("NXDOMAIN");
        assertThat(resolver.mismatchedResponses() + resolver.malformedResponses()).isZero();

        Poll.until(Duration.ofSeconds(10), dnsmasqLog::toString,
                log -> log.contains("query[AAAA] nosuch.tsunagu.test from " + rig.stackAddress6));
        assertThat(dnsmasqLog.toString())
                .contains("query[AAAA] www.tsunagu.test from " + rig.stackAddress6)
                .contains("query[A] mail.tsunagu.test from " + rig.stackAddress6)
                .doesNotContain("from " + rig.stackAddress + "\n");

        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("ipv6 && dns.flags.response == 0 && dns.qry.type == 28", true)).as("AAAA queries over IPv6")
                    .isGreaterThanOrEqualTo(3);
            assertThat(wire.count("ipv6 && dns.flags.response == 1 && dns.aaaa", false)).as("AAAA answers over IPv6").isPositive();
            assertThat(wire.count("ipv6 && udp.checksum.status == 1", true)).as("UDP checksums over IPv6 from the stack verified good")
                    .isGreaterThanOrEqualTo(4);
        }
    }
}
