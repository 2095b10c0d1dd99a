package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.host.NetNs;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.TapRig;
import dev.tsunagu.testkit.host.TapTests;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack against the Linux kernel over a TAP: a whole threaded stack (Ethernet, ARP, IPv4,
 * ICMP, UDP, TCP) in this JVM at 10.77.0.2/24, the kernel at 10.77.0.1/24.
 *
 * <p>Each case makes a fresh network namespace, creates the TAP from this JVM (the driver
 * holds its fd), moves the device into the namespace and configures the kernel side there
 * with {@code ip}; kernel-side programs ({@code ping}, {@code socat}, {@code python3}) run in
 * the namespace through {@code ip netns exec}. Nothing reaches the machine's own interfaces.
 * Processes are killed and the namespace deleted after each case, pass or fail. Skips loudly
 * without CAP_NET_ADMIN or the tools.
 *
 * <p>The stack's driver is wrapped in our capture decorator ({@link TapRig}); each case ends
 * with {@link TapRig#closeAndCheckWire}: tshark finds frames, none malformed, no bad checksum
 * in what the stack sent, and some verified good.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TapInteropTest {
    private static final int SUBNET = 77;
    private static final String KERNEL = "10.77.0.1";
    private static final String STACK = "10.77.0.2";
    private static final int MB = 1 << 20;

    @TempDir
    Path dir;

    private TapRig rig;
    private NetNs ns;
    private TapDriver driver;
    private NetworkStack stack;
    private String dev;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void setUp() throws Exception {
        rig = TapRig.start(SUBNET, dir.resolve("interop.pcap"), b -> b);
        ns = rig.ns;
        driver = (TapDriver) rig.tap;
        dev = rig.dev;
        stack = rig.stack;
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        if (rig != null) {
            rig.close(); // closes the stack and its driver (the TAP goes with the fd), then the namespace
        }
    }

    // ---- ARP and ICMP ----

    @Test
    void arpWorksBothWays() throws Exception {
        // The stack asks first: it must resolve the kernel's MAC.
        assertThat(stackPing(56)).isInstanceOf(PingResult.Reply.class);
        MacAddress kernelMac = MacAddress.parse(ns.exec("cat", "/sys/class/net/" + dev + "/address").check().output().strip());
        assertThat(stack.neighbors()).as("the stack's ARP table")
                .anySatisfy(e -> {
                    assertThat(e.address()).isEqualTo(Ipv4Address.parse(KERNEL));
                    assertThat(e.mac()).isEqualTo(kernelMac);
                    assertThat(e.state()).isEqualTo(Neighbors.State.REACHABLE);
                });

        // Then the kernel asks, with its table emptied: the stack must answer with its own MAC.
        ns.exec("ip", "neigh", "flush", "dev", dev).check();
        assertThat(ns.exec("ping", "-c", "1", "-W", "2", STACK).ok()).isTrue();
        String neigh = ns.exec("ip", "neigh", "show", STACK, "dev", dev).check().output();
        assertThat(neigh).contains("lladdr " + stack.primaryInterface().mac());
        assertThat(stack.primaryInterface().mac()).isNotEqualTo(kernelMac);
        rig.closeAndCheckWire();
    }

    @Test
    void theKernelPingsTheStack() throws Exception {
        TapTests.assumeCommand("ping", "iputils-ping");
        Sh.Result r = ns.exec(Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2", STACK);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("3 received");
        rig.closeAndCheckWire();
    }

    @Test
    void theStackPingsTheKernel() throws Exception {
        for (int i = 0; i < 3; i++) {
            PingResult p = stackPing(56);
            assertThat(p).isInstanceOf(PingResult.Reply.class);
            PingResult.Reply reply = (PingResult.Reply) p;
            assertThat(reply.from()).isEqualTo(Ipv4Address.parse(KERNEL));
            assertThat(reply.bytes()).as("ICMP data echoed").isEqualTo(56);
        }
        rig.closeAndCheckWire();
    }

    @Test
    void pingsLargerThanTheMtuAreFragmentedBothWays() throws Exception {
        TapTests.assumeCommand("ping", "iputils-ping");
        // Kernel → stack: the kernel fragments, the stack reassembles and replies in fragments.
        long rx0 = driver.framesReceived();
        Sh.Result r = ns.exec(Duration.ofSeconds(20), "ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", STACK);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("4008 bytes from " + STACK).contains("2 received");
        assertThat(driver.framesReceived() - rx0).as("3 fragments per request").isGreaterThanOrEqualTo(6);

        // Stack → kernel: the stack fragments, the kernel reassembles and replies in fragments.
        long tx0 = driver.framesSent();
        rx0 = driver.framesReceived();
        PingResult p = stackPing(4000);
        assertThat(p).isInstanceOf(PingResult.Reply.class);
        assertThat(((PingResult.Reply) p).bytes()).isEqualTo(4000);
        assertThat(driver.framesSent() - tx0).isGreaterThanOrEqualTo(3);
        assertThat(driver.framesReceived() - rx0).isGreaterThanOrEqualTo(3);
        rig.closeAndCheckWire();
    }

    private PingResult stackPing(int size) throws Exception {
        PingService ping = stack.service(PingService.class).orElseThrow();
        PingResult last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            last = ping.ping(Ipv4Address.parse(KERNEL), size, Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
            if (last instanceof PingResult.Reply) {
                return last;
            }
        }
        return last;
    }

    // ---- UDP ----

    @Test
    void udpEchoThroughSocatInTheNamespace() throws Exception {
        TapTests.assumeCommand("socat", "socat");
        TapTests.assumeCommand("ss", "iproute2");
        ns.start("socat", "UDP4-LISTEN:7,fork,reuseaddr", "PIPE");
        assertThat(ns.awaitListening("udp", 7, Duration.ofSeconds(10))).as("socat listens").isTrue();
        InetSocketAddress echo = new InetSocketAddress(KERNEL, 7);
        try (UdpSocket s = stack.udp().open().bind(0)) {
            Random random = new Random(7);
            for (int size : new int[] {5, 512, 1472, 4000}) { // 4000 goes out and comes back in fragments
                byte[] data = new byte[size];
                random.nextBytes(data);
                Datagram reply = udpRoundTrip(s, data, echo);
                assertThat(reply.source()).isEqualTo(echo);
                assertThat(reply.data()).as("%d-byte datagram echoed", size).isEqualTo(data);
            }
        }
        rig.closeAndCheckWire();
    }

    private static Datagram udpRoundTrip(UdpSocket s, byte[] data, InetSocketAddress to) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) { // UDP may lose the first one while ARP resolves
            s.send(data, to);
            try {
                return s.receive(Duration.ofSeconds(2));
            } catch (SocketTimeoutException e) {
                // again
            }
        }
        throw new AssertionError("no UDP echo of " + data.length + " bytes from " + to);
    }

    // ---- TCP ----

    @Test
    void tcpStackClientExchangesAMegabyteWithSocatEcho() throws Exception {
        TapTests.assumeCommand("socat", "socat");
        TapTests.assumeCommand("ss", "iproute2");
        ns.start("socat", "-t", "30", "TCP4-LISTEN:7,fork,reuseaddr", "EXEC:cat");
        assertThat(ns.awaitListening("tcp", 7, Duration.ofSeconds(10))).as("socat listens").isTrue();
        byte[] data = new byte[MB];
        new Random(42).nextBytes(data);
        long t0 = System.nanoTime();
        try (TcpSocket s = stack.tcp().connect(new InetSocketAddress(KERNEL, 7))) {
            Future<?> writer = threads.submit(() -> {
                for (int off = 0; off < data.length; off += 16 * 1024) {
                    s.write(data, off, Math.min(16 * 1024, data.length - off));
                }
                s.shutdownOutput();
                return null;
            });
            byte[] echoed = readToEnd(s, Duration.ofSeconds(60));
            writer.get(10, TimeUnit.SECONDS);
            assertThat(echoed.length).isEqualTo(data.length);
            assertThat(sha256(echoed)).isEqualTo(sha256(data));
        }
        System.err.printf("driver-tap: 1 MB echoed stack→socat→stack in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        checkSegmentSizes(rig.closeAndCheckWire());
    }

    @Test
    void tcpKernelClientExchangesAMegabyteWithAStackEchoServer() throws Exception {
        TapTests.assumeCommand("python3", "python3");
        CompletableFuture<Long> served = new CompletableFuture<>();
        try (TcpServerSocket server = stack.tcp().listen(7)) {
            threads.submit(() -> {
                try (TcpSocket c = server.accept(Duration.ofSeconds(30))) {
                    byte[] buf = new byte[32 * 1024];
                    long total = 0;
                    int n;
                    while ((n = c.read(buf, 0, buf.length, Duration.ofSeconds(30))) >= 0) {
                        c.write(buf, 0, n);
                        total += n;
                    }
                    c.shutdownOutput();
                    served.complete(total);
                } catch (Throwable t) {
                    served.completeExceptionally(t);
                }
                return null;
            });
            String client = """
                    import hashlib, os, socket, threading
                    data = os.urandom(1 << 20)
                    s = socket.create_connection(("%s", 7), timeout=30)
                    def send():
                        s.sendall(data)
                        s.shutdown(socket.SHUT_WR)
                    t = threading.Thread(target=send)
                    t.start()
                    h, n = hashlib.sha256(), 0
                    while True:
                        b = s.recv(65536)
                        if not b:
                            break
                        h.update(b)
                        n += len(b)
                    t.join()
                    s.close()
                    print("RESULT", hashlib.sha256(data).hexdigest(), h.hexdigest(), n)
                    """.formatted(STACK);
            long t0 = System.nanoTime();
            Sh.Result r = ns.exec(Duration.ofSeconds(90), "python3", "-c", client);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.exit()).as(r.output()).isZero();
            String[] result = r.output().lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow().split(" ");
            assertThat(result[3]).as("bytes echoed back").isEqualTo(String.valueOf(MB));
            assertThat(result[2]).as("SHA-256 of what came back").isEqualTo(result[1]);
            assertThat(served.get(30, TimeUnit.SECONDS)).isEqualTo(MB);
            System.err.printf("driver-tap: 1 MB echoed kernel→stack→kernel in %d ms%n", ms);
        }
        checkSegmentSizes(rig.closeAndCheckWire());
    }

    /**
     * With offloads (the default where the kernel takes them) the stack hands the TAP segments
     * of several MSS and the kernel hands it its own; with {@code -Dtsunagu.tap.offload=off}
     * every frame fits the MTU.
     */
    private void checkSegmentSizes(TapRig.Wire wire) throws Exception {
        if (wire == null) {
            return; // no tshark (closeAndCheckWire said so)
        }
        int large = wire.count("frame.len > 1514", true);
        int largeIn = wire.count("frame.len > 1514", false) - large;
        System.err.printf("driver-tap: offloads %s; frames over 1514 bytes: %d from the stack, %d from the kernel%n",
                rig.tap.capabilities().offloads(), large, largeIn);
        if (rig.tap.capabilities().offloads().tcpSegmentation4()) {
            assertThat(large).as("segments of several MSS from the stack (TSO)").isPositive();
        } else {
            assertThat(large + largeIn).as("no frame over the MTU without offloads").isZero();
        }
    }

    private static byte[] readToEnd(TcpSocket s, Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        byte[] out = new byte[2 * MB];
        int len = 0;
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("stream did not end within " + timeout + " (" + len + " bytes read)");
            }
            if (len == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            int n = s.read(out, len, out.length - len, Duration.ofNanos(left));
            if (n < 0) {
                return Arrays.copyOf(out, len);
            }
            len += n;
        }
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
