package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.ipv6.Ipv6Addresses;
import dev.tsunagu.ipv6.Ipv6Service;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.host.NetNs;
import dev.tsunagu.testkit.host.Poll;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.TapRig;
import dev.tsunagu.testkit.host.TapTests;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack's IPv6 against the Linux kernel over a TAP, on the dual-stack {@link TapRig}: the
 * stack at {@code fd00:76::2/64} (and its link-local address) in this JVM, the kernel at
 * {@code fd00:76::1/64} in a fresh network namespace, as {@code TapInteropTest} does for IPv4.
 * Neighbor Discovery both ways (the kernel's neighbour table shows the stack REACHABLE),
 * {@code ping -6} both ways, also larger than the MTU, UDP echoed by {@code socat} (also in
 * fragments), and the wire as tshark sees it ({@link TapRig#closeAndCheckWire}): nothing
 * malformed, no bad ICMPv6/UDP checksum from the stack. Skips loudly without CAP_NET_ADMIN or
 * the tools.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TapIpv6InteropTest {
    private static final int SUBNET = 76;

    @TempDir
    Path dir;

    private TapRig rig;
    private NetNs ns;
    private String dev;
    private NetworkStack stack;
    private Ipv6Address kernel;
    private Ipv6Address stackAddress;

    @BeforeEach
    void setUp() throws Exception {
        rig = TapRig.startDualStack(SUBNET, dir.resolve("ipv6.pcap"), b -> b);
        ns = rig.ns;
        dev = rig.dev;
        stack = rig.stack;
        kernel = Ipv6Address.parse(rig.kernel6);
        stackAddress = Ipv6Address.parse(rig.stackAddress6);
    }

    @AfterEach
    void tearDown() {
        if (rig != null) {
            rig.close();
        }
    }

    private PingResult stackPing(Ipv6Address to, int size) throws Exception {
        return stack.service(PingService.class).orElseThrow().ping(to, size, Duration.ofSeconds(3)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void neighborDiscoveryWorksBothWaysAndTheKernelSeesTheStackReachable() throws Exception {
        // The stack knows the kernel's MAC: the rig's first ping made the kernel solicit the stack's,
        // and its solicitation carried its own (RFC 4861 7.2.3: that entry starts STALE). The stack
        // sends to it, so it waits in DELAY, then probes with a unicast solicitation whose
        // solicited answer makes it REACHABLE (7.3.3): reachability confirmed, not assumed.
        assertThat(stackPing(kernel, 56)).isInstanceOf(PingResult.Reply.class);
        MacAddress kernelMac = MacAddress.parse(ns.exec("cat", "/sys/class/net/" + dev + "/address").check().output().strip());
        List<Neighbors.Entry> ours = Poll.until(Duration.ofSeconds(15),
                () -> stack.call(() -> stack.service(Ipv6Service.class).orElseThrow().neighbors()),
                all -> all.stream().anyMatch(e -> e.address().equals(kernel) && e.state() == Neighbors.State.REACHABLE));
        assertThat(ours).as("the stack's neighbour cache").anySatisfy(e -> {
            assertThat(e.address()).isEqualTo(kernel);
            assertThat(e.mac()).isEqualTo(kernelMac);
            assertThat(e.state()).isEqualTo(Neighbors.State.REACHABLE);
        });

        // Then the kernel asks, its table emptied: the stack answers with its MAC, solicited, which
        // is what makes the kernel's entry REACHABLE (RFC 4861 7.2.5: an unsolicited one leaves it STALE).
        ns.exec("ip", "-6", "neigh", "flush", "dev", dev).check();
        assertThat(ns.exec("ping", "-6", "-c", "1", "-W", "2", rig.stackAddress6).ok()).isTrue();
        String neigh = ns.exec("ip", "-6", "neigh", "show", rig.stackAddress6, "dev", dev).check().output();
        assertThat(neigh).contains("lladdr " + stack.primaryInterface().mac()).contains("REACHABLE");
        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("icmpv6.type == 135", true)).as("neighbor solicitations from the stack").isPositive();
            assertThat(wire.count("icmpv6.type == 136 && icmpv6.nd.na.flag.s == 1", true))
                    .as("solicited neighbor advertisements from the stack").isPositive();
            assertThat(wire.count("icmpv6.checksum.status == 1", true)).as("good ICMPv6 checksums").isPositive();
            assertThat(wire.count("icmpv6.type == 143 && ipv6.dst == ff02::16 && ipv6.hlim == 1 && ipv6.hopopts", true))
                    .as("MLDv2 reports (RFC 3810) with the Router Alert, as Wireshark decodes them").isPositive();
        }
    }

    @Test
    void pingSixWorksBothWaysAlsoLargerThanTheMtu() throws Exception {
        Sh.Result r = ns.exec(Duration.ofSeconds(20), "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", rig.stackAddress6);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("3 received");
        Sh.Result big = ns.exec(Duration.ofSeconds(20), "ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000",
                rig.stackAddress6);
        assertThat(big.exit()).as(big.output()).isZero();
        assertThat(big.output()).contains("4008 bytes from " + rig.stackAddress6).contains("2 received");
        for (int size : new int[] {56, 4000}) {
            PingResult p = stackPing(kernel, size);
            assertThat(p).isInstanceOf(PingResult.Reply.class);
            assertThat(((PingResult.Reply) p).bytes()).isEqualTo(size);
            assertThat(((PingResult.Reply) p).from()).isEqualTo(kernel);
        }
        assertThat(stack.statistics().get("ipv6", "ReasmOKs")).as("reassembled from the kernel's fragments").isPositive();
        assertThat(stack.statistics().get("ipv6", "FragOKs")).as("fragmented by the stack").isPositive();
        // The link-local address answers too, as the kernel reaches it through the device.
        Ipv6Address linkLocal = Ipv6Addresses.linkLocal(stack.primaryInterface().macBits());
        Sh.Result ll = ns.exec(Duration.ofSeconds(20), "ping", "-6", "-c", "1", "-W", "2", linkLocal + "%" + dev);
        assertThat(ll.exit()).as(ll.output()).isZero();
        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("ipv6.fragment", true)).as("fragments from the stack").isPositive();
            assertThat(wire.count("icmpv6.type == 129 && icmpv6.checksum.status == 1", true))
                    .as("echo replies from the stack, checksums good").isPositive();
        }
    }

    @Test
    void udpEchoThroughSocatOverIpv6() throws Exception {
        TapTests.assumeCommand("socat", "socat");
        TapTests.assumeCommand("ss", "iproute2");
        ns.start("socat", "UDP6-LISTEN:7,fork,reuseaddr", "PIPE");
        assertThat(ns.awaitListening("udp", 7, Duration.ofSeconds(10))).as("socat listens").isTrue();
        InetSocketAddress echo = new InetSocketAddress(InetAddress.getByName(rig.kernel6), 7);
        try (UdpSocket s = stack.udp().open().bind(0)) {
            Random random = new Random(6);
            for (int size : new int[] {5, 512, 1452, 4000}) { // 1452 fills a 1500-byte packet; 4000 goes both ways in fragments
                byte[] data = new byte[size];
                random.nextBytes(data);
                Datagram reply = udpRoundTrip(s, data, echo);
                assertThat(reply.source()).isEqualTo(echo);
                assertThat(reply.data()).as("%d-byte datagram echoed", size).isEqualTo(data);
            }
        }
        assertThat(stack.statistics().get("ipv6", "ReasmOKs")).as("socat's 4000-byte reply reassembled").isPositive();
        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("ipv6 && udp.checksum.status == 1", true)).as("UDP over IPv6 from the stack, checksums good")
                    .isGreaterThanOrEqualTo(4);
        }
    }

    private static Datagram udpRoundTrip(UdpSocket s, byte[] data, InetSocketAddress to) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
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
