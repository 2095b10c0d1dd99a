package dev.tsunagu.testkit.host;

import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * One interop bench, as {@link TapInteropTest} sets it up: a fresh network namespace holding
 * the kernel side of a TAP at {@code 10.S.0.1/24}, and a threaded stack (Ethernet, ARP, IPv4,
 * ICMP, UDP, TCP) in this JVM at {@code 10.S.0.2/24} on that TAP, optionally through our
 * {@link CapturingDriver} into a pcap file. {@link #startDualStack} adds IPv6 on both ends,
 * {@code fd00:S::1/64} and {@code fd00:S::2/64}. {@link #close} releases everything, pass or fail.
 */
public final class TapRig implements AutoCloseable {
    public final String kernel;
    public final String stackAddress;
    /** The kernel's IPv6 address, {@code fd00:S::1}; null on an IPv4-only bench. */
    public final String kernel6;
    /** The stack's IPv6 address, {@code fd00:S::2}; null on an IPv4-only bench. */
    public final String stackAddress6;
    public final NetNs ns;
    public final String dev;
    /** The stack's TAP driver, under the capture if any (driver-tap's {@code TapDriver}: its frame counters). */
    public final LinkDriver tap;
    public final NetworkStack stack;
    public final Path pcap; // null: no capture
    private final String stackMac;
    private boolean stackClosed;

    private TapRig(int subnet, boolean ipv6, NetNs ns, String dev, LinkDriver tap, Path pcap,
                   UnaryOperator<NetworkStack.Builder> options) throws Exception {
        this.kernel = "10." + subnet + ".0.1";
        this.stackAddress = "10." + subnet + ".0.2";
        this.kernel6 = ipv6 ? "fd00:" + subnet + "::1" : null;
        this.stackAddress6 = ipv6 ? "fd00:" + subnet + "::2" : null;
        this.ns = ns;
        this.tap = tap;
        this.dev = dev;
        this.pcap = pcap;
        ns.adopt(dev);
        ns.exec("ip", "addr", "add", kernel + "/24", "dev", dev).check();
        if (ipv6) {
            // A device that arrives in a namespace may come with IPv6 off (it was off where it was
            // made); nodad: the kernel's address is usable at once (the stack runs its own DAD).
            ns.exec("sysctl", "-qw", "net.ipv6.conf." + dev + ".disable_ipv6=0").check();
            ns.exec("ip", "-6", "addr", "add", kernel6 + "/64", "dev", dev, "nodad").check();
        }
        ns.exec("ip", "link", "set", dev, "up").check();
        LinkDriver driver = pcap == null ? tap : CapturingDriver.toFile(tap, pcap);
        try {
            InterfaceConfig iface = InterfaceConfig.of(driver).address(stackAddress + "/24");
            if (ipv6) {
                iface.address(stackAddress6 + "/64");
            }
            this.stack = options.apply(NetworkStack.builder().name("tap-rig-" + subnet).addInterface(iface)).build();
        } catch (Exception | Error e) {
            driver.close();
            throw e;
        }
        this.stackMac = stack.primaryInterface().mac().toString().toLowerCase(Locale.ROOT);
        if (ipv6) {
            awaitIpv6();
        }
    }

    /**
     * Waits until the kernel reaches the stack's IPv6 address: the stack answers only once its
     * Duplicate Address Detection (about a second) has found the address unique (RFC 4862 5.4),
     * and before that it has no source address for IPv6 either.
     */
    private void awaitIpv6() throws Exception {
        Poll.until(Duration.ofSeconds(15), () -> ns.exec(Duration.ofSeconds(5), "ping", "-6", "-c", "1", "-W", "1",
                stackAddress6).ok(), ok -> ok);
    }

    /**
     * Sets up the bench (skipping the test, loudly, where TAPs or namespaces cannot be made).
     *
     * @param subnet the S of 10.S.0.0/24
     * @param pcap where the capture goes, or null for none
     * @param options more builder settings (options, policies)
     */
    public static TapRig start(int subnet, Path pcap, UnaryOperator<NetworkStack.Builder> options) throws Exception {
        return start(subnet, false, pcap, options);
    }

    /**
     * The bench with IPv6 too: the kernel also at {@code fd00:S::1/64}, the stack also at
     * {@code fd00:S::2/64}; returns once the kernel pings the stack's IPv6 address (its DAD is
     * over). Skips, loudly, without {@code ping}.
     */
    public static TapRig startDualStack(int subnet, Path pcap, UnaryOperator<NetworkStack.Builder> options) throws Exception {
        TapTests.assumeCommand("ping", "iputils-ping");
        return start(subnet, true, pcap, options);
    }

    private static TapRig start(int subnet, boolean ipv6, Path pcap, UnaryOperator<NetworkStack.Builder> options)
            throws Exception {
        TapTests.assumeTapAndNetns();
        NetNs ns = NetNs.create();
        LinkDriver tap = null;
        try {
            String dev = TapTests.uniqueName("tsui");
            tap = TapTests.openTap(dev);
            return new TapRig(subnet, ipv6, ns, dev, tap, pcap, options);
        } catch (Exception | Error e) {
            if (tap != null) {
                tap.close(); // idempotent if the stack already closed it
            }
            ns.close();
            throw e;
        }
    }

    /** The stack's TCP rows ({@code netstat}): listeners and connections not yet deleted. */
    public List<SocketInfo> stackTcpSockets() {
        return stack.sockets().stream().filter(s -> s.protocol().equalsIgnoreCase("TCP")).toList();
    }

    /** Waits until the stack has no TCP socket left; returns what is left after {@code timeout}. */
    public List<SocketInfo> awaitNoStackTcpSockets(Duration timeout) throws Exception {
        return Poll.until(timeout, this::stackTcpSockets, List::isEmpty);
    }

    /** {@code ss -Htan} in the namespace: one line per TCP socket the kernel has there. */
    public List<String> kernelTcpSockets() throws IOException, InterruptedException {
        return ns.exec("ss", "-Htan").check().output().lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * Waits until every TCP socket of the kernel in the namespace is in TIME-WAIT (or there are
     * none), the state a correctly closed connection leaves behind; returns the lines in other
     * states still there after {@code timeout}.
     */
    public List<String> awaitKernelQuiet(Duration timeout) throws Exception {
        return Poll.until(timeout,
                () -> kernelTcpSockets().stream().filter(l -> !l.startsWith("TIME-WAIT")).toList(),
                List::isEmpty);
    }

    /**
     * Closes the stack (so the capture is complete on disk) and checks the wire as Wireshark
     * sees it ({@link WireCheck}): frames were captured, none is malformed, and every IPv4, ICMP,
     * ICMPv6, UDP and TCP checksum in the frames the stack sent verifies. Where tshark is missing
     * it says so loudly and checks nothing.
     *
     * @return the capture, for more questions to tshark; null where tshark is missing
     */
    public Wire closeAndCheckWire() throws IOException, InterruptedException {
        if (pcap == null) {
            throw new IllegalStateException("this bench has no capture");
        }
        closeStack();
        WireCheck check = WireCheck.check(pcap, stackMac);
        return check == null ? null : new Wire(check);
    }

    /** The capture, for questions in Wireshark's display-filter language. */
    public static final class Wire {
        private final WireCheck check;

        private Wire(WireCheck check) {
            this.check = check;
        }

        /**
         * Frames matching {@code displayFilter} (checksums verified, so {@code tcp.checksum.status == 1}
         * means good); {@code fromStack} limits them to frames the stack sent.
         */
        public int count(String displayFilter, boolean fromStack) throws IOException, InterruptedException {
            return check.count(displayFilter, fromStack);
        }
    }

    public void closeStack() {
        if (!stackClosed) {
            stackClosed = true;
            stack.close(); // closes the driver (and the capture); the TAP it created goes with the fd
        }
    }

    @Override
    public void close() {
        try {
            closeStack();
        } finally {
            ns.close(); // kills what runs in it, then deletes it
        }
    }
}
