package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.ipv6.Ipv6Addresses;
import dev.tsunagu.ipv6.Ipv6Interface;
import dev.tsunagu.ipv6.Ipv6Service;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Tshark;
import dev.tsunagu.testkit.host.NetNs;
import dev.tsunagu.testkit.host.Poll;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.TapTests;
import java.io.IOException;
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
 * The stack's IPv6 against the Linux kernel over a TAP: the stack at {@code fd77::2/64} (and its
 * link-local address) in this JVM, the kernel at {@code fd77::1/64} in a fresh network
 * namespace, as {@code TapInteropTest} does for IPv4. Neighbor Discovery both ways (the kernel's
 * neighbour table shows the stack REACHABLE), {@code ping -6} both ways, also larger than the
 * MTU, and the wire as tshark sees it: nothing malformed, no bad ICMPv6 checksum from the stack.
 * Skips loudly without CAP_NET_ADMIN or the tools.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TapIpv6InteropTest {
    private static final Ipv6Address KERNEL = Ipv6Address.parse("fd77::1");
    private static final Ipv6Address STACK = Ipv6Address.parse("fd77::2");

    @TempDir
    Path dir;

    private NetNs ns;
    private String dev;
    private NetworkStack stack;
    private Path pcap;

    @BeforeEach
    void setUp() throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("ping", "iputils-ping");
        ns = NetNs.create();
        dev = TapTests.uniqueName("tsu6");
        LinkDriver tap = TapTests.openTap(dev);
        ns.adopt(dev);
        // A device that arrives in a namespace may come with IPv6 off (it was off where it was made).
        ns.exec("sysctl", "-qw", "net.ipv6.conf." + dev + ".disable_ipv6=0").check();
        // nodad: the kernel's address is usable at once; the stack still runs its own DAD.
        ns.exec("ip", "-6", "addr", "add", KERNEL + "/64", "dev", dev, "nodad").check();
        ns.exec("ip", "link", "set", dev, "up").check();
        pcap = dir.resolve("ipv6.pcap");
        stack = NetworkStack.builder().name("tap6")
                .addInterface(InterfaceConfig.of(CapturingDriver.toFile(tap, pcap)).address(STACK + "/64")).build();
        Ipv6Service v6 = stack.service(Ipv6Service.class).orElseThrow();
        Poll.until(Duration.ofSeconds(10), () -> stack.call(() -> v6.interfaceState(stack.primaryInterface()).addresses()),
                all -> all.stream().allMatch(a -> a.state() == Ipv6Interface.AddressState.PREFERRED));
    }

    @AfterEach
    void tearDown() {
        if (stack != null) {
            stack.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private PingResult stackPing(Ipv6Address to, int size) throws Exception {
        return stack.service(PingService.class).orElseThrow().ping(to, size, Duration.ofSeconds(3)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void neighborDiscoveryWorksBothWaysAndTheKernelSeesTheStackReachable() throws Exception {
        // The stack asks first: it resolves the kernel's MAC with a solicitation.
        assertThat(stackPing(KERNEL, 56)).isInstanceOf(PingResult.Reply.class);
        MacAddress kernelMac = MacAddress.parse(ns.exec("cat", "/sys/class/net/" + dev + "/address").check().output().strip());
        List<Neighbors.Entry> ours = stack.call(() -> stack.service(Ipv6Service.class).orElseThrow().neighbors());
        assertThat(ours).as("the stack's neighbour cache").anySatisfy(e -> {
            assertThat(e.address()).isEqualTo(KERNEL);
            assertThat(e.mac()).isEqualTo(kernelMac);
            assertThat(e.state()).isEqualTo(Neighbors.State.REACHABLE);
        });

        // Then the kernel asks, its table emptied: the stack answers with its MAC, solicited.
        ns.exec("ip", "-6", "neigh", "flush", "dev", dev).check();
        assertThat(ns.exec("ping", "-6", "-c", "1", "-W", "2", STACK.toString()).ok()).isTrue();
        String neigh = ns.exec("ip", "-6", "neigh", "show", STACK.toString(), "dev", dev).check().output();
        assertThat(neigh).contains("lladdr " + stack.primaryInterface().mac()).contains("REACHABLE");
        checkWire();
    }

    @Test
    void pingSixWorksBothWaysAlsoLargerThanTheMtu() throws Exception {
        Sh.Result r = ns.exec(Duration.ofSeconds(20), "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", STACK.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("3 received");
        Sh.Result big = ns.exec(Duration.ofSeconds(20), "ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000",
                STACK.toString());
        assertThat(big.exit()).as(big.output()).isZero();
        assertThat(big.output()).contains("4008 bytes from " + STACK).contains("2 received");
        for (int size : new int[] {56, 4000}) {
            PingResult p = stackPing(KERNEL, size);
            assertThat(p).isInstanceOf(PingResult.Reply.class);
            assertThat(((PingResult.Reply) p).bytes()).isEqualTo(size);
            assertThat(((PingResult.Reply) p).from()).isEqualTo(KERNEL);
        }
        assertThat(stack.statistics().get("ipv6", "ReasmOKs")).as("reassembled from the kernel's fragments").isPositive();
        assertThat(stack.statistics().get("ipv6", "FragOKs")).as("fragmented by the stack").isPositive();
        // The link-local address answers too, as the kernel reaches it through the device.
        Ipv6Address linkLocal = Ipv6Addresses.linkLocal(stack.primaryInterface().macBits());
        Sh.Result ll = ns.exec(Duration.ofSeconds(20), "ping", "-6", "-c", "1", "-W", "2", linkLocal + "%" + dev);
        assertThat(ll.exit()).as(ll.output()).isZero();
        checkWire();
    }

    /** tshark: frames captured, none malformed, and the stack's ICMPv6 checksums verified good, none bad. */
    private void checkWire() throws IOException, InterruptedException {
        stack.close();
        if (!Tshark.installed()) {
            System.err.println("SKIPPED (driver-tap): tshark is not installed, so the IPv6 wire is not checked (Debian package tshark)");
            return;
        }
        List<Tshark.Frame> frames = Tshark.read(pcap);
        assertThat(frames).isNotEmpty();
        assertThat(frames.stream().filter(Tshark.Frame::malformed).toList()).as("frames tshark finds malformed").isEmpty();
        String mac = stack.primaryInterface().mac().toString().toLowerCase(java.util.Locale.ROOT);
        assertThat(tshark("eth.src == " + mac + " && icmpv6.checksum.status == 0")).as("bad ICMPv6 checksums").isZero();
        assertThat(tshark("eth.src == " + mac + " && icmpv6.checksum.status == 1")).as("good ICMPv6 checksums").isPositive();
        assertThat(tshark("eth.src == " + mac + " && icmpv6.type == 136")).as("neighbor advertisements").isPositive();
    }

    private int tshark(String filter) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-Y", filter, "-T", "fields",
                "-e", "frame.number"));
        Process p = new ProcessBuilder(c).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return (int) out.lines().filter(l -> !l.isBlank()).count();
    }
}
