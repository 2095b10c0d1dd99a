package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.udp.dns.DnsMessage;
import dev.tsunagu.udp.dns.ResourceRecord;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code resolve}, and names in {@code ping}, against a tiny DNS server on the peer stack. */
class ResolveCommandTest {
    private static final Map<String, String> ZONE = Map.of("www.example.test", Cli.PEER, "two.example.test", "10.7.0.3",
            "race.example.test", Cli.PEER);
    /** race.example.test's IPv6 address is nobody's: a connection to it gets no answer (NcCommandTest's race). */
    private static final Map<String, String> ZONE6 = Map.of("www.example.test", "fd00:7::1", "race.example.test", "fd00:7::99");

    @Test
    void resolvesThroughTheGivenServer() throws Exception {
        try (Cli cli = new Cli("resolve"); Dns dns = new Dns(cli.peer())) {
            Cli.Result r = Cli.run(cli.cmd("resolve", "--dns", Cli.PEER, "www.example.test"));
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("www.example.test has address 10.7.0.1\n");
            assertThat(dns.queries.get()).isEqualTo(1);

            Cli.Result missing = Cli.run(cli.cmd("resolve", "--dns", Cli.PEER, "nope.example.test"));
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.errLines()).singleElement().asString()
                    .isEqualTo("tsunagu: nope.example.test: no such host (NXDOMAIN from 10.7.0.1:53)");
        }
    }

    @Test
    void pingTakesANameToo() throws Exception {
        try (Cli cli = new Cli("resolve-ping"); Dns dns = new Dns(cli.peer())) {
            Cli.Result r = Cli.run(cli.cmd("ping", "--dns", Cli.PEER, "-c", "1", "www.example.test"));
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("PING www.example.test (10.7.0.1) 56(84) bytes of data.")
                    .contains("64 bytes from 10.7.0.1: icmp_seq=1");
        }
    }

    /** {@code --dns} of the other family: the query goes to the server's IPv6 address, over IPv6. */
    @Test
    void resolvesThroughAnIpv6Server() throws Exception {
        try (Cli cli = new Cli("resolve6")) {
            NetworkStack peer = NetworkStack.builder().name("peer6").addInterface(dev.tsunagu.stack.InterfaceConfig
                    .of(cli.driver()).address(Cli.PEER + "/24").address("fd00:7::1/64")).buildUnchecked();
            try (peer; Dns dns = new Dns(peer)) {
                Cli.Result r = Cli.run(cli.cmd("resolve", "--ip", "fd00:7::2/64", "--dns", "[fd00:7::1]:53", "-6",
                        "www.example.test"));
                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(r.out()).isEqualTo("www.example.test has address 10.7.0.1\n"
                        + "www.example.test has IPv6 address fd00:7:0:0:0:0:0:1\n");
                assertThat(dns.sources).as("where the queries came from").containsOnly(java.net.InetAddress.getByName("fd00:7::2"));
            }
        }
    }

    @Test
    void withoutAServerItSaysSo() {
        try (Cli cli = new Cli("resolve-none")) {
            Cli.Result r = Cli.run(cli.cmd("resolve", "www.example.test"));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.errLines()).singleElement().asString().contains("no DNS server given (use --dns ADDR)");

            Cli.Result bad = Cli.run(cli.cmd("resolve", "--dns", "10.7.0.1:99999", "www.example.test"));
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.errLines()).singleElement().asString().startsWith("tsunagu: --dns: ");
        }
    }

    /** Answers A queries from {@link #ZONE}, AAAA ones from {@link #ZONE6}, NXDOMAIN for names in neither. */
    static final class Dns implements AutoCloseable {
        final AtomicInteger queries = new AtomicInteger();
        final java.util.Set<InetAddress> sources = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final UdpSocket socket;

        Dns(NetworkStack stack) throws IOException {
            socket = stack.udp().open().bind(53);
            Thread.ofVirtual().name("test-dns").start(this::serve);
        }

        private void serve() {
            while (true) {
                Datagram d;
                try {
                    d = socket.receive();
                } catch (IOException e) {
                    return; // closed
                }
                try {
                    DnsMessage q = DnsMessage.parse(d.data());
                    queries.incrementAndGet();
                    sources.add(d.source().getAddress());
                    String name = q.question().name();
                    boolean aaaa = q.question().type() == DnsMessage.TYPE_AAAA;
                    String ip = (aaaa ? ZONE6 : ZONE).get(name);
                    List<ResourceRecord> records = ip == null ? List.of() : List.of(aaaa
                            ? new ResourceRecord.Aaaa(name, DnsMessage.CLASS_IN, 60, (java.net.Inet6Address) InetAddress.getByName(ip))
                            : new ResourceRecord.A(name, DnsMessage.CLASS_IN, 60, (Inet4Address) InetAddress.getByName(ip)));
                    boolean known = ZONE.containsKey(name) || ZONE6.containsKey(name);
                    byte[] answer = DnsMessage.response(q, known ? DnsMessage.RCODE_NOERROR : DnsMessage.RCODE_NXDOMAIN, records);
                    socket.send(answer, d.source());
                } catch (Exception e) {
                    // a test query we cannot parse: no answer, and the test fails on the timeout
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
