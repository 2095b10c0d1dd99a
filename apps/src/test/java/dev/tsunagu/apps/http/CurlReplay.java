package dev.tsunagu.apps.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.driver.pcap.replay.PcapFileDriver;
import dev.tsunagu.link.capture.CapturedFrame;
import dev.tsunagu.link.capture.PcapReader;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Replays a recorded {@code curl} session with our HTTP server ({@code pcap-file:}) into a fresh
 * threaded stack at the server's address running {@link HttpFileServer} on the same files, and
 * checks what the brief of a replay test asks: the recorded SYN is answered by a SYN+ACK, the
 * recorded request by the file. Also the frame questions the replay tests ask.
 */
final class CurlReplay {
    static final int HTTP_PORT = 8080;
    /** What curl fetched: {@code small.txt}. */
    static final String SMALL = "Hello from Tsunagu through libpcap!\n";

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int ACK = 0x10;

    private CurlReplay() {}

    /**
     * Replays {@code recording} into a stack at {@code stackAddress} serving {@code www} and
     * asserts the SYN+ACK and the response.
     *
     * @param recordedServerMac the MAC the stack had when recorded (the replay must play it), or null not to check
     */
    static void assertAnswersLikeTheRecordedServer(Path recording, String stackAddress, MacAddress recordedServerMac,
                                                   Path www, Path work) throws Exception {
        List<byte[]> recorded = frames(recording);
        byte[] syn = recorded.stream().filter(f -> isTcp(f) && flags(f) == SYN).findFirst()
                .orElseThrow(() -> new AssertionError("no SYN among the " + recorded.size() + " frames recorded"));
        Path out = work.resolve("replayed.pcap");
        PcapFileDriver replay = (PcapFileDriver) LinkDrivers.installed().create("pcap-file:" + recording + ",out=" + out
                + ",start=manual"); // fed once the server listens, or the SYN might find no listener
        assertThat(replay.mac()).as("the stack plays the host the recorded SYN went to").isEqualTo(new MacAddress(mac(syn, 0)));
        if (recordedServerMac != null) {
            assertThat(replay.mac()).isEqualTo(recordedServerMac);
        }
        NetworkStack replayed = NetworkStack.builder().name("replayed")
                .addInterface(InterfaceConfig.of(replay).address(stackAddress + "/24")).build();
        try (HttpFileServer server = HttpFileServer.serve(replayed, HTTP_PORT, www)) {
            replay.start();
            replay.finished().get(20, TimeUnit.SECONDS);
            List<byte[]> sent = awaitResponse(replay, out, Duration.ofSeconds(10));
            byte[] synAck = sent.stream().filter(CurlReplay::isTcp).findFirst()
                    .orElseThrow(() -> new AssertionError("the replayed stack sent no TCP segment"));
            assertThat(flags(synAck)).as("the recorded SYN is answered by a SYN+ACK").isEqualTo(SYN | ACK);
            assertThat(ack(synAck)).isEqualTo(seq(syn) + 1);
            String response = new String(responseBytes(sent), StandardCharsets.ISO_8859_1);
            assertThat(response).as("the recorded request is answered with the file").startsWith("HTTP/1.1 200").endsWith(SMALL);
            assertThat(server.requestsServed()).isEqualTo(1);
        } finally {
            replayed.close();
        }
    }

    /** Frames the stack sent in the replay, once they hold the whole response (the output is flushed and read until then). */
    private static List<byte[]> awaitResponse(PcapFileDriver replay, Path out, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            replay.flush();
            List<byte[]> sent = frames(out);
            if (new String(responseBytes(sent), StandardCharsets.ISO_8859_1).endsWith(SMALL) || System.nanoTime() > end) {
                return sent;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** The TCP payload the stack sent, placed by sequence number from its SYN+ACK (retransmissions land where they belong). */
    static byte[] responseBytes(List<byte[]> sent) {
        List<byte[]> tcp = sent.stream().filter(CurlReplay::isTcp).toList();
        if (tcp.isEmpty()) {
            return new byte[0];
        }
        int isn = seq(tcp.getFirst());
        byte[] data = new byte[64 * 1024];
        int end = 0;
        for (byte[] f : tcp) {
            int tcpAt = 14 + (f[14] & 0x0F) * 4;
            int from = tcpAt + ((f[tcpAt + 12] & 0xF0) >>> 4) * 4;
            int to = 14 + u16(f, 16);
            int at = seq(f) - isn - 1;
            if (to > from && at >= 0 && at + to - from <= data.length) {
                System.arraycopy(f, from, data, at, to - from);
                end = Math.max(end, at + to - from);
            }
        }
        return Arrays.copyOf(data, end);
    }

    static List<byte[]> frames(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (PcapReader r = PcapReader.open(file)) {
            for (CapturedFrame f = r.next(); f != null; f = r.next()) {
                out.add(f.data());
            }
        }
        return out;
    }

    static boolean isTcp(byte[] f) {
        return f.length >= 54 && u16(f, 12) == 0x0800 && (f[14] & 0xF0) == 0x40 && (f[23] & 0xFF) == 6;
    }

    static int flags(byte[] f) {
        return f[14 + (f[14] & 0x0F) * 4 + 13] & 0x3F;
    }

    static int seq(byte[] f) {
        return i32(f, 14 + (f[14] & 0x0F) * 4 + 4);
    }

    static int ack(byte[] f) {
        return i32(f, 14 + (f[14] & 0x0F) * 4 + 8);
    }

    static long mac(byte[] f, int i) {
        return (long) u16(f, i) << 32 | (i32(f, i + 2) & 0xFFFF_FFFFL);
    }

    private static int u16(byte[] f, int i) {
        return (f[i] & 0xFF) << 8 | (f[i + 1] & 0xFF);
    }

    private static int i32(byte[] f, int i) {
        return u16(f, i) << 16 | u16(f, i + 2);
    }
}
