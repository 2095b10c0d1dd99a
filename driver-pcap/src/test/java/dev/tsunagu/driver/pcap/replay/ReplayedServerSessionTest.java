package dev.tsunagu.driver.pcap.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorded server session replayed into a fresh stack playing the server, all on virtual
 * clocks (no root): a client and a server stack talk over a cable while the server's side is
 * captured; the capture is then replayed into a new server stack (same address, the MAC taken
 * from the capture) that runs the same server code.
 *
 * <p>The new stack picks another ISN, so the recorded client's ACKs are shifted to it; since
 * the server code answers byte for byte as before, the whole conversation replays: SYN+ACK to
 * the recorded SYN, the response to the recorded request, the close, and no RST. Without the
 * shift ({@code acks=as-recorded}) the stack answers the recorded client's first ACK with a
 * RST, as RFC 9293 says it must. A capture without the ARP exchange replays too: the driver
 * answers the stack's ARP request for the recorded client.
 */
class ReplayedServerSessionTest {
    private static final String SERVER_IP = "10.0.0.2";
    private static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:22");
    private static final byte[] REQUEST = "GET /hello HTTP/1.1\r\nHost: server\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = response();

    @TempDir
    Path dir;

    private static byte[] response() {
        byte[] body = new byte[20_000]; // several segments
        new Random(42).nextBytes(body);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** The server's side of one request: read it whole, answer, close. Blocking calls drive the virtual loop. */
    private static void serveOnce(TcpServerSocket listener) throws Exception {
        try (TcpSocket s = listener.accept(Duration.ofSeconds(30))) {
            byte[] buf = new byte[REQUEST.length];
            int n = 0;
            while (n < buf.length) {
                int k = s.read(buf, n, buf.length - n, Duration.ofSeconds(30));
                assertThat(k).isPositive();
                n += k;
            }
            assertThat(buf).isEqualTo(REQUEST);
            s.write(RESPONSE);
            s.flush();
        }
    }

    /** Records a session at the server into {@code file}. */
    private void record(Path file) throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable lan = new Cable("recording");
        // 2 ms each way at the client: a recording with a round-trip time, as a real one has. (With
        // none, the client's ACKs carry the response's own timestamp and reach the replayed stack
        // before the server code, which runs between loop turns, has written what they acknowledge.)
        NetworkStack client = TestHosts.host(loop, "client", 1)
                .with(InterfaceConfig.of(new FaultInjectingDriver(lan.attach(), FaultPlan.parse("delay=2ms"), 1))
                        .address("10.0.0.1/24"))
                .build();
        NetworkStack server = NetworkStack.builder().name("server").eventLoop(loop).seed(2)
                .addInterface(InterfaceConfig.of(CapturingDriver.toFile(lan.attach(), file)).mac(SERVER_MAC)
                        .address(SERVER_IP + "/24"))
                .buildUnchecked();
        try (TcpServerSocket listener = server.tcp().listen(80)) {
            TcpSocket c = client.tcp().connect(new InetSocketAddress(SERVER_IP, 80));
            c.write(REQUEST);
            c.flush();
            serveOnce(listener);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int k = c.read(buf, 0, buf.length); k > 0; k = c.read(buf, 0, buf.length)) {
                got.write(buf, 0, k);
            }
            assertThat(got.toByteArray()).as("the recorded session itself").isEqualTo(RESPONSE);
            c.close();
            loop.advance(Duration.ofSeconds(5));
        } finally {
            client.close();
            server.close(); // completes the capture
            loop.close();
        }
    }

    /** Replays {@code capture} into a new server stack; returns what it sent. */
    private List<byte[]> replay(Path capture, String parameters, boolean expectServed) throws Exception {
        Path out = dir.resolve("replayed-" + System.nanoTime() + ".pcap");
        VirtualEventLoop loop = new VirtualEventLoop();
        PcapFileDriver driver = (PcapFileDriver) dev.tsunagu.driver.LinkDrivers.installed()
                .create("pcap-file:" + capture + ",out=" + out + parameters);
        assertThat(driver.mac()).as("the MAC the recorded SYN went to").isEqualTo(SERVER_MAC);
        NetworkStack server = NetworkStack.builder().name("replayed").eventLoop(loop).seed(3)
                .addInterface(InterfaceConfig.of(driver).address(SERVER_IP + "/24")).buildUnchecked();
        try (TcpServerSocket listener = server.tcp().listen(80)) {
            if (expectServed) {
                serveOnce(listener);
            }
            loop.advance(Duration.ofSeconds(10));
            assertThat(driver.finished()).isCompleted();
            assertThat(driver.framesFed()).isPositive();
            lastDriver = driver;
        } finally {
            server.close();
            loop.close();
        }
        return Captures.read(out);
    }

    private PcapFileDriver lastDriver;

    /**
     * The byte stream the segments carry, placed by sequence number from the SYN's (so a
     * retransmission lands where it belongs), described by length and SHA-256.
     */
    private static String stream(List<byte[]> segments) throws Exception {
        int isn = Captures.seq(segments.getFirst());
        byte[] data = new byte[RESPONSE.length * 2];
        int end = 0;
        for (byte[] f : segments) {
            byte[] p = Captures.payload(f);
            int at = Captures.seq(f) - isn - 1;
            if (p.length > 0 && at >= 0 && at + p.length <= data.length) {
                System.arraycopy(p, 0, data, at, p.length);
                end = Math.max(end, at + p.length);
            }
        }
        return describe(java.util.Arrays.copyOf(data, end));
    }

    private static String describe(byte[] data) throws Exception {
        return data.length + " bytes, SHA-256 " + java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static List<byte[]> tcpFrom(List<byte[]> frames, long mac) {
        return frames.stream().filter(f -> Captures.srcMac(f) == mac).filter(Captures::isTcp).toList();
    }

    @Test
    void theWholeConversationReplaysWithTheAcksShiftedToTheStacksIsn() throws Exception {
        Path recorded = dir.resolve("session.pcap");
        record(recorded);
        List<byte[]> rec = Captures.read(recorded);
        byte[] recordedSyn = rec.stream().filter(Captures::isTcp).filter(f -> Captures.flags(f) == Captures.SYN).findFirst().orElseThrow();
        byte[] recordedSynAck = tcpFrom(rec, SERVER_MAC.bits()).getFirst();

        List<byte[]> sent = tcpFrom(replay(recorded, "", true), SERVER_MAC.bits());
        byte[] synAck = sent.getFirst();
        assertThat(Captures.flags(synAck)).as("the first segment answers the SYN").isEqualTo(Captures.SYN | Captures.ACK);
        assertThat(Captures.ack(synAck)).isEqualTo(Captures.seq(recordedSyn) + 1);
        assertThat(Captures.seq(synAck)).as("a fresh ISN (RFC 6528)").isNotEqualTo(Captures.seq(recordedSynAck));

        assertThat(sent).allMatch(Captures::tcpChecksumOk);
        assertThat(stream(sent)).as("the response, whole").isEqualTo(describe(RESPONSE));
        assertThat(sent).as("no RST: every shifted ACK was acceptable").noneMatch(f -> (Captures.flags(f) & Captures.RST) != 0);
        assertThat(sent).as("the server closed").anyMatch(f -> (Captures.flags(f) & Captures.FIN) != 0);
        assertThat(lastDriver.acksRewritten()).isGreaterThan(3);
    }

    @Test
    void withoutTheShiftTheStackResetsTheRecordedAck() throws Exception {
        Path recorded = dir.resolve("session.pcap");
        record(recorded);
        List<byte[]> sent = tcpFrom(replay(recorded, ",acks=as-recorded", false), SERVER_MAC.bits());
        assertThat(Captures.flags(sent.getFirst())).isEqualTo(Captures.SYN | Captures.ACK);
        assertThat(sent).as("the recorded ACK acknowledges another ISN: RFC 9293 3.10.7.4 answers with a RST")
                .anyMatch(f -> (Captures.flags(f) & Captures.RST) != 0);
        assertThat(lastDriver.acksRewritten()).isZero();
    }

    @Test
    void aCaptureWithoutTheArpExchangeReplaysTooTheDriverAnswersForTheRecordedClient() throws Exception {
        Path recorded = dir.resolve("session.pcap");
        record(recorded);
        Path noArp = dir.resolve("no-arp.pcap");
        Captures.writePcap(noArp, Captures.readTimed(recorded).stream()
                .filter(t -> TcpAckRewriter.u16(t.data(), 12) != 0x0806).toList());
        List<byte[]> out = replay(noArp, "", true);
        assertThat(lastDriver.arpRequestsAnswered()).isEqualTo(1);
        assertThat(stream(tcpFrom(out, SERVER_MAC.bits()))).isEqualTo(describe(RESPONSE));
    }
}
