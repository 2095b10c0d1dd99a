package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.driver.nativeio.Libc;
import dev.tsunagu.driver.tap.internal.Tun;
import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Tshark;
import dev.tsunagu.testkit.host.NetNs;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.TapTests;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack against the Linux kernel over a TUN device: a threaded stack at 10.78.0.2/24 whose
 * only interface is a TUN (bare IP packets, the link layer of IP-only media, no ARP), the kernel
 * at 10.78.0.1/24 on the device's other side, in a fresh namespace. The kernel pings the stack
 * and the stack pings the kernel, UDP and TCP cross, over a TUN opened by name and over one
 * taken over by descriptor ({@code tun:fd=N}). The capture is raw IP, and tshark reads it.
 * Skips loudly without CAP_NET_ADMIN or the tools.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TunInteropTest {
    private static final String KERNEL = "10.78.0.1";
    private static final String STACK = "10.78.0.2";

    @TempDir
    Path dir;

    private NetNs ns;
    private TapDriver tun;
    private NetworkStack stack;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        if (stack != null) {
            stack.close();
        }
        if (tun != null) {
            tun.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    /** The namespace, the kernel side of {@code driver}'s TUN in it, and a stack on the driver (captured). */
    private void start(TapDriver driver) throws Exception {
        tun = driver;
        ns.adopt(driver.deviceName());
        ns.exec("ip", "addr", "add", KERNEL + "/24", "dev", driver.deviceName()).check();
        ns.exec("ip", "link", "set", driver.deviceName(), "up").check();
        LinkDriver captured = CapturingDriver.toFile(driver, dir.resolve("tun.pcap"));
        stack = NetworkStack.builder().name("tun-interop")
                .addInterface(InterfaceConfig.of(captured).address(STACK + "/24")).build();
    }

    private void startByName() throws Exception {
        TapTests.assumeTapAndNetns();
        ns = NetNs.create();
        start(TapDriver.openTun(TapTests.uniqueName("tsut")));
    }

    @Test
    void theKernelAndTheStackPingEachOtherOverATun() throws Exception {
        TapTests.assumeCommand("ping", "iputils-ping");
        startByName();
        assertThat(stack.primaryInterface().isIpOnly()).as("the TUN's interface frames bare IP").isTrue();
        Sh.Result r = ns.exec(Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2", STACK);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("3 received");
        Sh.Result big = ns.exec(Duration.ofSeconds(20), "ping", "-c", "1", "-W", "2", "-s", "4000", STACK);
        assertThat(big.output()).as("fragmented both ways").contains("4008 bytes from " + STACK);

        PingService ping = stack.service(PingService.class).orElseThrow();
        PingResult p = ping.ping(Ipv4Address.parse(KERNEL), 56, Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
        assertThat(p).isInstanceOfSatisfying(PingResult.Reply.class,
                reply -> assertThat(reply.from()).isEqualTo(Ipv4Address.parse(KERNEL)));
        assertThat(stack.statistics().get("arp", "OutRequests")).as("nothing resolved on a TUN").isZero();
        assertThat(tun.framesReceived()).isGreaterThanOrEqualTo(7);
        checkRawIpCapture();
    }

    @Test
    void udpAndTcpCrossATunTakenOverByDescriptor() throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("socat", "socat");
        TapTests.assumeCommand("python3", "python3");
        ns = NetNs.create();
        String name = TapTests.uniqueName("tsuf");
        int fd = Tun.openDevice();
        try {
            Tun.attach(fd, name, Tun.IFF_TUN);
            start((TapDriver) LinkDrivers.installed().create("tun:fd=" + fd + ",rx=loop"));
        } catch (Exception | Error e) {
            if (tun == null) {
                Libc.closeQuietly(fd);
            }
            throw e;
        }
        assertThat(tun.readsOnLoop()).as("the stack's loop reads the inherited fd").isTrue();

        ns.start("socat", "UDP4-LISTEN:7,fork,reuseaddr", "PIPE");
        assertThat(ns.awaitListening("udp", 7, Duration.ofSeconds(10))).as("socat listens").isTrue();
        try (UdpSocket s = stack.udp().open().bind(0)) {
            byte[] data = "over a TUN".getBytes(StandardCharsets.US_ASCII);
            Datagram reply = null;
            for (int attempt = 0; attempt < 5 && reply == null; attempt++) {
                s.send(data, new InetSocketAddress(KERNEL, 7));
                try {
                    reply = s.receive(Duration.ofSeconds(2));
                } catch (SocketTimeoutException e) {
                    // again
                }
            }
            assertThat(reply).isNotNull();
            assertThat(reply.data()).isEqualTo(data);
        }

        CompletableFuture<String> heard = new CompletableFuture<>();
        try (TcpServerSocket server = stack.tcp().listen(8080)) {
            threads.submit(() -> {
                try (TcpSocket c = server.accept(Duration.ofSeconds(30))) {
                    byte[] buf = new byte[256];
                    int n = c.read(buf, 0, buf.length, Duration.ofSeconds(30));
                    c.write("hello kernel\n".getBytes(StandardCharsets.US_ASCII));
                    c.shutdownOutput();
                    heard.complete(new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII));
                } catch (Throwable t) {
                    heard.completeExceptionally(t);
                }
                return null;
            });
            String client = """
                    import socket
                    s = socket.create_connection(("%s", 8080), timeout=20)
                    s.sendall(b"hello stack")
                    data = b""
                    while True:
                        b = s.recv(100)
                        if not b:
                            break
                        data += b
                    print("GOT", data.decode().strip())
                    """.formatted(STACK);
            Sh.Result r = ns.exec(Duration.ofSeconds(40), "python3", "-c", client);
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("GOT hello kernel");
            assertThat(heard.get(20, TimeUnit.SECONDS)).isEqualTo("hello stack");
        }
        checkRawIpCapture();
    }

    @Test
    void aDescriptorThatIsNoUsableTunIsRefusedSayingWhy() throws Exception {
        TapTests.assumeTapAndNetns();
        int unattached = Tun.openDevice();
        try {
            assertThatThrownBy(() -> TapDriver.attachTun(unattached, 0, TapDriver.RxMode.THREAD))
                    .isInstanceOf(DriverException.class).hasMessageContaining("TUNSETIFF was never called");
        } finally {
            Libc.closeQuietly(unattached);
        }
        int tap = Tun.openDevice();
        try {
            String name = TapTests.uniqueName("tsup");
            Tun.attach(tap, name, Tun.IFF_TAP);
            assertThatThrownBy(() -> TapDriver.attachTun(tap, 0, TapDriver.RxMode.THREAD))
                    .isInstanceOf(DriverException.class).hasMessageContaining("a TAP device");
        } finally {
            Libc.closeQuietly(tap);
        }
        assertThatThrownBy(() -> LinkDrivers.installed().create("tun:fd=zero"))
                .hasMessageContaining("tun:fd= wants a descriptor number");
    }

    /** Closes the stack and reads its raw-IP capture: packets, none malformed, good checksums from the stack. */
    private void checkRawIpCapture() throws Exception {
        stack.close();
        stack = null;
        tun = null; // closed with the stack
        if (!Tshark.installed()) {
            System.err.println("SKIPPED (driver-tap): tshark is not installed, so the TUN capture is not checked");
            return;
        }
        Path pcap = dir.resolve("tun.pcap");
        assertThat(Tshark.read(pcap)).as("packets captured").isNotEmpty()
                .noneMatch(Tshark.Frame::malformed);
        assertThat(tsharkCount(pcap, "ip.src == " + STACK + " && ip.checksum.status == 0"))
                .as("IPv4 headers from the stack with a bad checksum").isZero();
        assertThat(tsharkCount(pcap, "ip.src == " + STACK + " && ip.checksum.status == 1"))
                .as("IPv4 headers from the stack that tshark verified").isPositive();
    }

    /** Packets of the capture matching a display filter, checksums verified. */
    private static long tsharkCount(Path pcap, String filter) throws Exception {
        Process p = new ProcessBuilder("tshark", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE",
                "-Y", filter, "-T", "fields", "-e", "frame.number")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return out.lines().filter(l -> !l.isBlank()).count();
    }
}
