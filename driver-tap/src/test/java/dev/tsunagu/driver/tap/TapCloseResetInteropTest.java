package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.tcp.TcpOptions;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.TapRig;
import dev.tsunagu.testkit.host.TapTests;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * How TCP connections between the stack (10.80.0.2, over a TAP) and the Linux kernel
 * (10.80.0.1, in a fresh namespace) end: the kernel closes first, the stack closes first, the
 * kernel resets ({@code SO_LINGER} 0), and connections to closed ports on either side. After
 * each, the kernel has no connection left but TIME-WAIT ({@code ss -tan} in the namespace) and
 * the stack's socket table is empty once TIME_WAIT is over (MSL 1 s here, so 2 s). Every case
 * is captured by our capture decorator and checked with tshark: nothing malformed, no bad
 * checksum from the stack.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TapCloseResetInteropTest {
    private static final int SUBNET = 80;
    private static final Duration MSL = Duration.ofSeconds(1);
    /** TIME_WAIT (2 MSL) plus slack for a loaded machine. */
    private static final Duration TABLE_EMPTIES = MSL.multipliedBy(2).plusSeconds(5);

    @TempDir
    Path dir;

    private TapRig rig;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void setUp() throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("python3", "python3");
        TapTests.assumeCommand("ss", "iproute2");
        rig = TapRig.start(SUBNET, dir.resolve("close.pcap"), b -> b.option(TcpOptions.MSL, MSL));
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        if (rig != null) {
            rig.close();
        }
    }

    // ---- the kernel closes first ----

    @Test
    void theKernelClosesFirstAndTheStackReadsEndOfStream() throws Exception {
        byte[] sent = "hello from the kernel, then FIN".getBytes(StandardCharsets.US_ASCII);
        try (TcpServerSocket server = rig.stack.tcp().listen(9100)) {
            Future<byte[]> got = threads.submit(() -> {
                try (TcpSocket c = server.accept(Duration.ofSeconds(20))) {
                    return readToEnd(c, Duration.ofSeconds(20)); // ends with -1: the kernel's FIN
                } // and the stack closes: CLOSE_WAIT → LAST_ACK → CLOSED
            });
            // The client sends, then close()s at once: a FIN, then FIN-WAIT-2 → TIME-WAIT.
            Sh.Result r = python("""
                    import socket
                    s = socket.create_connection(("%s", 9100), timeout=10)
                    s.sendall(b"%s")
                    s.close()
                    print("SENT")
                    """.formatted(rig.stackAddress, new String(sent, StandardCharsets.US_ASCII)));
            assertThat(r.output()).contains("SENT");
            assertThat(got.get(20, TimeUnit.SECONDS)).isEqualTo(sent);
        }
        assertClosedCleanly(true);
        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("tcp.flags.fin == 1", true)).as("the stack's FIN").isEqualTo(1);
            assertThat(wire.count("tcp.flags.reset == 1", false)).as("no RST in an orderly close").isZero();
        }
    }

    @Test
    void theKernelHalfClosesAndStillReadsTheStacksReply() throws Exception {
        try (TcpServerSocket server = rig.stack.tcp().listen(9101)) {
            Future<byte[]> got = threads.submit(() -> {
                try (TcpSocket c = server.accept(Duration.ofSeconds(20))) {
                    byte[] request = readToEnd(c, Duration.ofSeconds(20)); // FIN: CLOSE_WAIT
                    c.write(("got " + request.length + " bytes").getBytes(StandardCharsets.US_ASCII)); // still allowed
                    return request;
                } // FIN after the reply
            });
            Sh.Result r = python("""
                    import socket
                    s = socket.create_connection(("%s", 9101), timeout=10)
                    s.sendall(b"x" * 100000)
                    s.shutdown(socket.SHUT_WR)
                    reply = b""
                    while True:
                        b = s.recv(4096)
                        if not b:
                            break
                        reply += b
                    s.close()
                    print("REPLY", reply.decode())
                    """.formatted(rig.stackAddress));
            assertThat(r.output()).contains("REPLY got 100000 bytes");
            assertThat(got.get(20, TimeUnit.SECONDS)).hasSize(100_000);
        }
        assertClosedCleanly(true);
        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("tcp.flags.reset == 1", false)).as("no RST in an orderly close").isZero();
        }
    }

    // ---- the stack closes first ----

    @Test
    void theStackClosesFirstThenWaitsInTimeWait() throws Exception {
        Process server = rig.ns.start("python3", "-u", "-c", """
                import hashlib, socket
                srv = socket.socket()
                srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                srv.bind(("%s", 9200))
                srv.listen(1)
                print("LISTENING", flush=True)
                srv.settimeout(20)
                c, _ = srv.accept()
                srv.close()
                c.settimeout(20)
                n = 0
                while True:
                    b = c.recv(65536)
                    if not b:
                        break
                    n += len(b)
                c.close()
                print("RECEIVED", n, flush=True)
                """.formatted(rig.kernel));
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        assertThat(Sh.drainLineUntil(out, "LISTENING"::equals, Duration.ofSeconds(15))).as("the kernel-side server started").isNotNull();

        byte[] data = new byte[200_000];
        TcpSocket s = rig.stack.tcp().connect(new InetSocketAddress(rig.kernel, 9200));
        s.write(data);
        s.close(); // FIN first: FIN_WAIT_1 → FIN_WAIT_2 → (the kernel's FIN) → TIME_WAIT
        s.closeFuture().get(20, TimeUnit.SECONDS);
        assertThat(Sh.drainLineUntil(out, l -> l.startsWith("RECEIVED"), Duration.ofSeconds(20))).isEqualTo("RECEIVED 200000");

        List<SocketInfo> rows = rig.stackTcpSockets();
        assertThat(rows).as("the side that closed first waits 2 MSL").singleElement()
                .satisfies(row -> assertThat(row.state()).isEqualTo("TIME_WAIT"));
        assertClosedCleanly(false);
        assertThat(rig.kernelTcpSockets()).as("the kernel closed second: nothing left there").isEmpty();
        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("tcp.flags.fin == 1", true)).as("the stack's FIN").isEqualTo(1);
            assertThat(wire.count("tcp.flags.reset == 1", false)).as("no RST in an orderly close").isZero();
        }
    }

    // ---- the kernel resets ----

    @Test
    void theKernelResetsWithLingerZeroAndTheStackSeesConnectionReset() throws Exception {
        try (TcpServerSocket server = rig.stack.tcp().listen(9300)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            threads.submit(() -> {
                try (TcpSocket c = server.accept(Duration.ofSeconds(20))) {
                    byte[] buf = new byte[5];
                    int n = 0;
                    while (n < 5) {
                        int k = c.read(buf, n, 5 - n, Duration.ofSeconds(20));
                        if (k < 0) {
                            throw new IOException("EOF before the request");
                        }
                        n += k;
                    }
                    c.write("ready".getBytes(StandardCharsets.US_ASCII));
                    c.read(new byte[16], 0, 16, Duration.ofSeconds(20)); // blocks until the RST
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
                return null;
            });
            Sh.Result r = python("""
                    import socket, struct
                    s = socket.create_connection(("%s", 9300), timeout=10)
                    s.sendall(b"hello")
                    assert s.recv(5) == b"ready"
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                    print("RESET")
                    """.formatted(rig.stackAddress));
            assertThat(r.output()).contains("RESET");
            Throwable t = outcome.get(20, TimeUnit.SECONDS);
            assertThat(t).as("the stack's read after the kernel's RST").isInstanceOf(SocketException.class);
            assertThat(t.getMessage()).containsIgnoringCase("connection reset");
        }
        assertThat(rig.awaitNoStackTcpSockets(Duration.ofSeconds(5))).as("a reset connection is deleted at once").isEmpty();
        assertThat(rig.awaitKernelQuiet(Duration.ofSeconds(5))).isEmpty();
        assertThat(rig.kernelTcpSockets()).as("an aborted socket leaves no TIME-WAIT").isEmpty();
        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("tcp.flags.reset == 1", false)).as("the kernel's RST").isGreaterThanOrEqualTo(1);
            assertThat(wire.count("tcp.flags.reset == 1", true)).as("the stack does not answer a RST").isZero();
        }
    }

    // ---- closed ports ----

    @Test
    void closedPortsAnswerWithRstBothWays() throws Exception {
        // Kernel → a stack port nobody listens on: the stack's RST; Python sees ECONNREFUSED.
        Sh.Result r = python("""
                import socket
                try:
                    socket.create_connection(("%s", 9999), timeout=10)
                    print("CONNECTED")
                except ConnectionRefusedError:
                    print("REFUSED")
                """.formatted(rig.stackAddress));
        assertThat(r.output()).contains("REFUSED");

        // Stack → a kernel port nobody listens on: the kernel's RST; connect throws.
        assertThatThrownBy(() -> rig.stack.tcp().connect(new InetSocketAddress(rig.kernel, 9998)).close())
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("refused");

        assertThat(rig.awaitNoStackTcpSockets(Duration.ofSeconds(5))).isEmpty();
        assertThat(rig.kernelTcpSockets()).isEmpty();
        TapRig.Wire wire = rig.closeAndCheckWire();
        if (wire != null) {
            assertThat(wire.count("tcp.flags.reset == 1 && tcp.srcport == 9999", true)).as("the stack's RST").isGreaterThanOrEqualTo(1);
            assertThat(wire.count("tcp.flags.reset == 1 && tcp.srcport == 9998", false)).as("the kernel's RST").isGreaterThanOrEqualTo(1);
        }
    }

    // ---- helpers ----

    /**
     * The stack's socket table empties within 2 MSL (and slack), and the kernel keeps nothing
     * but TIME-WAIT, if it closed first ({@code kernelMayWait}).
     */
    private void assertClosedCleanly(boolean kernelMayWait) throws Exception {
        long t0 = System.nanoTime();
        assertThat(rig.awaitNoStackTcpSockets(TABLE_EMPTIES)).as("the stack's TCP socket table after TIME_WAIT").isEmpty();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(rig.awaitKernelQuiet(Duration.ofSeconds(5))).as("kernel sockets neither closed nor in TIME-WAIT (ss -tan)").isEmpty();
        if (!kernelMayWait) {
            assertThat(rig.kernelTcpSockets()).isEmpty();
        }
        System.err.printf("driver-tap: stack socket table empty %d ms after the close%n", ms);
    }

    private Sh.Result python(String script) throws IOException, InterruptedException {
        Sh.Result r = rig.ns.exec(Duration.ofSeconds(30), "python3", "-c", script);
        assertThat(r.exit()).as(r.output()).isZero();
        return r;
    }

    private static byte[] readToEnd(TcpSocket s, Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16 * 1024];
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new IOException("no end of stream within " + timeout + " (" + out.size() + " bytes read)");
            }
            int n = s.read(buf, 0, buf.length, Duration.ofNanos(left));
            if (n < 0) {
                return out.toByteArray();
            }
            out.write(buf, 0, n);
        }
    }
}
