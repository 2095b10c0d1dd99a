package dev.tsunagu.driver.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.testkit.host.PcapTests;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.BenchNamespace;
import dev.tsunagu.testkit.host.VethBench;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole stack on a veth through the pcap driver, with the Linux kernel on the far end as its
 * peer ({@link VethBench}, 10.86.0.0/24): ARP both ways with the stack's own MAC, pings both
 * ways (also fragmented), UDP echo through {@code socat}. The host's own kernel stays out of
 * it: our end has no address (the ARP case checks that the kernel under test learned the stack's MAC, not our end's). Skips
 * loudly without CAP_NET_RAW/CAP_NET_ADMIN or the tools.
 */
@Timeout(60)
class PcapInteropTest {
    private static final int SUBNET = 86;

    private VethBench bench;
    private BenchNamespace ns;

    @BeforeEach
    void setUp() throws Exception {
        bench = VethBench.start(SUBNET);
        ns = bench.kernelSide();
    }

    @AfterEach
    void tearDown() {
        if (bench != null) {
            bench.close();
        }
    }

    @Test
    void arpWorksBothWaysWithTheStacksOwnMac() throws Exception {
        PcapTests.assumeCommand("ping", "iputils-ping");
        MacAddress stackMac = bench.stack().primaryInterface().mac();
        MacAddress hostEndMac = MacAddress.parse(Sh.run("cat", "/sys/class/net/" + bench.device() + "/address")
                .check().output().strip());
        assertThat(stackMac).as("the stack is a host of its own, not our veth end").isNotEqualTo(hostEndMac)
                .isEqualTo(((PcapDriver) bench.driver()).mac());

        assertThat(stackPing(56)).isInstanceOf(PingResult.Reply.class);
        ns.check(Duration.ofSeconds(5), "ip", "neigh", "flush", "dev", bench.farDevice());
        assertThat(ns.exec(Duration.ofSeconds(10), "ping", "-c", "1", "-W", "2", bench.stackAddress()).ok()).isTrue();
        String neigh = ns.check(Duration.ofSeconds(5), "ip", "neigh", "show", bench.stackAddress()).output();
        assertThat(neigh).as("the kernel's ARP entry for the stack").contains("lladdr " + stackMac);
    }

    @Test
    void theKernelPingsTheStackAlsoFragmented() throws Exception {
        PcapTests.assumeCommand("ping", "iputils-ping");
        BenchNamespace.Result r = ns.exec(Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2", bench.stackAddress());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("3 received");
        long rx0 = ((PcapDriver) bench.driver()).framesReceived();
        r = ns.exec(Duration.ofSeconds(20), "ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", bench.stackAddress());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("4008 bytes from " + bench.stackAddress()).contains("2 received");
        assertThat(((PcapDriver) bench.driver()).framesReceived() - rx0).as("3 fragments per request").isGreaterThanOrEqualTo(6);
        assertThat(((PcapDriver) bench.driver()).framesTruncated()).isZero();
    }

    @Test
    void theStackPingsTheKernel() throws Exception {
        for (int i = 0; i < 3; i++) {
            PingResult p = stackPing(i == 2 ? 4000 : 56);
            assertThat(p).isInstanceOf(PingResult.Reply.class);
            assertThat(((PingResult.Reply) p).from()).isEqualTo(Ipv4Address.parse(bench.kernel()));
        }
    }

    @Test
    void udpEchoThroughSocat() throws Exception {
        PcapTests.assumeCommand("socat", "socat");
        PcapTests.assumeCommand("ss", "iproute2");
        ns.start("socat", "UDP4-LISTEN:7,fork,reuseaddr", "PIPE");
        assertThat(ns.awaitListening("udp", 7, Duration.ofSeconds(10))).as("socat listens").isTrue();
        InetSocketAddress echo = new InetSocketAddress(bench.kernel(), 7);
        try (UdpSocket s = bench.stack().udp().open().bind(0)) {
            Random random = new Random(86);
            for (int size : new int[] {5, 1472, 4000}) {
                byte[] data = new byte[size];
                random.nextBytes(data);
                Datagram reply = udpRoundTrip(s, data, echo);
                assertThat(reply.source()).isEqualTo(echo);
                assertThat(reply.data()).as("%d-byte datagram echoed", size).isEqualTo(data);
            }
        }
    }

    private PingResult stackPing(int size) throws Exception {
        PingService ping = bench.stack().service(PingService.class).orElseThrow();
        PingResult last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            last = ping.ping(Ipv4Address.parse(bench.kernel()), size, Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
            if (last instanceof PingResult.Reply) {
                return last;
            }
        }
        return last;
    }

    private static Datagram udpRoundTrip(UdpSocket s, byte[] data, InetSocketAddress to) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) { // the first may be lost while ARP resolves
            s.send(data, to);
            try {
                return s.receive(Duration.ofSeconds(2));
            } catch (SocketTimeoutException e) {
                // again
            }
        }
        throw new AssertionError("no UDP echo of " + data.length + " bytes from " + to);
    }
}
