package dev.tsunagu.jdk;

import static java.net.spi.InetAddressResolver.LookupPolicy.IPV4;
import static java.net.spi.InetAddressResolver.LookupPolicy.IPV6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.ipv6.Ipv6Interface;
import dev.tsunagu.ipv6.Ipv6Service;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.host.Poll;
import dev.tsunagu.udp.UdpOptions;
import dev.tsunagu.udp.dns.DnsMessage;
import dev.tsunagu.udp.dns.Question;
import dev.tsunagu.udp.dns.ResourceRecord;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolver.LookupPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JDK resolver on a stack with an IPv6 address asks DNS for AAAA records (issue #17): a
 * dual-stack client at 10.76.0.1 and fd00:76::1 asks a DNS server over IPv6 at fd00:76::53
 * (another stack, answering A and AAAA for {@code www.dual.test}); the policy decides which
 * families are asked and in which order. An IPv4-only client asks for A records alone, as before.
 */
class TsunaguResolverBothFamiliesTest {
    private static final AtomicInteger CABLES = new AtomicInteger();
    private static final String WWW4 = "10.76.0.80";
    private static final String WWW6 = "fd00:76::80";

    private NetworkStack dns;
    private NetworkStack client;
    private final List<Integer> questions = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    /** The DNS server (both families) and a client with {@code clientAddresses}, asking {@code server}. */
    private InetAddressResolver start(String server, String... clientAddresses) throws IOException {
        String cable = "cable:jdk-dual-" + CABLES.incrementAndGet();
        dns = NetworkStack.builder().name("dns")
                .addInterface(InterfaceConfig.of(cable).address("10.76.0.53/24").address("fd00:76::53/64")).buildUnchecked();
        UdpSocket socket = dns.udp().open().bind(53);
        socket.onReceive(d -> answer(socket, d));
        InterfaceConfig ifc = InterfaceConfig.of(cable);
        for (String a : clientAddresses) {
            ifc.address(a);
        }
        client = NetworkStack.builder().name("client").addInterface(ifc).option(UdpOptions.DNS_SERVERS, server).buildUnchecked();
        awaitDuplicateAddressDetection(dns);
        awaitDuplicateAddressDetection(client);
        return TsunaguJdk.of(client).resolver(HostTable.empty());
    }

    /** RFC 4862 5.4: an address is usable once DAD has found it unique (about a second). */
    private static void awaitDuplicateAddressDetection(NetworkStack stack) {
        if (!stack.hasIpv6Address()) {
            return;
        }
        Ipv6Service v6 = stack.service(Ipv6Service.class).orElseThrow();
        try {
            Poll.until(Duration.ofSeconds(10), () -> stack.call(() -> v6.interfaceState(stack.primaryInterface()).addresses()),
                    all -> all.stream().allMatch(a -> a.state() == Ipv6Interface.AddressState.PREFERRED));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void answer(UdpSocket socket, Datagram d) {
        try {
            DnsMessage query = DnsMessage.parse(d.data());
            Question q = query.questions().getFirst();
            questions.add(q.type());
            List<ResourceRecord> answers = q.type() == DnsMessage.TYPE_AAAA
                    ? List.of(new ResourceRecord.Aaaa(q.name(), 300, (Inet6Address) InetAddress.getByName(WWW6)))
                    : List.of(new ResourceRecord.A(q.name(), 300, (Inet4Address) InetAddress.getByName(WWW4)));
            socket.send(DnsMessage.response(query, DnsMessage.RCODE_NOERROR, answers), d.source());
        } catch (IOException e) { // DnsFormatException too
            throw new AssertionError(e);
        }
    }

    private static List<String> addresses(InetAddressResolver r, int policy) throws UnknownHostException {
        return r.lookupByName("www.dual.test", LookupPolicy.of(policy)).map(InetAddress::getHostAddress).toList();
    }

    @Test
    void aDualStackHostAsksForAaaaOverIpv6AndGetsBothFamiliesIpv6First() throws Exception {
        InetAddressResolver r = start("[fd00:76::53]:53", "10.76.0.1/24", "fd00:76::1/64");
        assertThat(addresses(r, IPV6)).containsExactly("fd00:76:0:0:0:0:0:80");
        assertThat(questions).containsExactly(DnsMessage.TYPE_AAAA);
        assertThat(addresses(r, IPV4 | IPV6)).as("AAAA first, as found (RFC 8305)").containsExactly("fd00:76:0:0:0:0:0:80", WWW4);
        assertThat(addresses(r, IPV4 | IPV6 | LookupPolicy.IPV4_FIRST)).containsExactly(WWW4, "fd00:76:0:0:0:0:0:80");
        assertThat(addresses(r, IPV4)).containsExactly(WWW4);
        InetAddress named = r.lookupByName("www.dual.test", LookupPolicy.of(IPV6)).findFirst().orElseThrow();
        assertThat(named.getHostName()).isEqualTo("www.dual.test");
    }

    @Test
    void anIpv4OnlyHostAsksForARecordsAlone() throws Exception {
        InetAddressResolver r = start("10.76.0.53", "10.76.0.1/24");
        assertThat(addresses(r, IPV4 | IPV6)).containsExactly(WWW4);
        assertThatThrownBy(() -> addresses(r, IPV6)).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("no IPv6 address");
        assertThat(questions).as("no AAAA question from a host that could not use the answer").containsOnly(DnsMessage.TYPE_A);
    }
}
