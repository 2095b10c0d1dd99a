package dev.tsunagu.link.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files we write must open cleanly in Wireshark's dissectors. Skipped, loudly, without tshark. */
class PcapTsharkCompatibilityTest {
    private static final byte[] MAC_A = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
    private static final byte[] MAC_B = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final byte[] ZERO_MAC = new byte[6];
    private static final byte[] IP_A = {10, 0, 0, 1};
    private static final byte[] IP_B = {10, 0, 0, 2};

    @TempDir
    Path dir;

    @Test
    void tsharkReadsOurArpCaptureWithoutMalformedFrames() throws Exception {
        Path tshark = findOnPath("tshark").orElse(null);
        if (tshark == null) {
            System.err.println("!!! SKIPPED PcapTsharkCompatibilityTest: tshark is not on PATH, so pcap output"
                    + " was NOT checked against Wireshark (./check installs it) !!!");
            Assumptions.abort("tshark not installed: pcap compatibility with Wireshark unchecked (./check installs it)");
        }

        Path file = dir.resolve("arp.pcap");
        List<byte[]> frames = List.of(
                arp(BROADCAST, MAC_A, 1, MAC_A, IP_A, ZERO_MAC, IP_B, 42), // who-has 10.0.0.2
                arp(MAC_A, MAC_B, 2, MAC_B, IP_B, MAC_A, IP_A, 60), // reply, padded to the minimum frame
                arp(BROADCAST, MAC_B, 1, MAC_B, IP_B, ZERO_MAC, IP_B, 60)); // gratuitous ARP
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, 65535)) {
            long t = 0; // a virtual clock's origin: tshark shows 1970-01-01
            for (byte[] frame : frames) {
                w.write(t, frame, 0, frame.length);
                t += 1_000_000_001L;
            }
        }

        // stdout and stderr go to files: no pipe can fill up and block tshark, and stderr
        // (which carries a warning when running as root) stays out of the field output.
        Path out = dir.resolve("tshark.out");
        Path err = dir.resolve("tshark.err");
        Process p = new ProcessBuilder(tshark.toString(), "-r", file.toString(), "-T", "fields",
                "-e", "frame.number", "-e", "_ws.malformed", "-e", "arp.opcode", "-e", "frame.time_epoch")
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        boolean finished;
        try {
            finished = p.waitFor(60, TimeUnit.SECONDS);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        String context = "tshark stdout:\n" + stdout + "\ntshark stderr:\n" + stderr;

        assertThat(finished).as("tshark finished within 60 s; " + context).isTrue();
        assertThat(p.exitValue()).as("tshark exit status; " + context).isZero();
        List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(context).hasSize(frames.size());
        String[] opcodes = {"1", "2", "1"};
        String[] seconds = {"0.000000000", "1.000000001", "2.000000002"};
        for (int i = 0; i < lines.size(); i++) {
            String[] fields = lines.get(i).split("\t", -1);
            assertThat(fields).as(context).hasSize(4);
            assertThat(fields[0]).as(context).isEqualTo(Integer.toString(i + 1));
            assertThat(fields[1]).as("frame %d must not be malformed; %s", i + 1, context).isEmpty();
            assertThat(fields[2]).as("ARP opcode; " + context).isEqualTo(opcodes[i]);
            assertThat(fields[3]).as("nanosecond timestamp; " + context).startsWith(seconds[i]);
        }
    }

    /** An Ethernet frame carrying an ARP packet for IPv4 over Ethernet, zero-padded to {@code length}. */
    private static byte[] arp(byte[] dst, byte[] src, int opcode, byte[] senderMac, byte[] senderIp,
                              byte[] targetMac, byte[] targetIp, int length) {
        ByteBuffer b = ByteBuffer.allocate(length); // big-endian: network byte order
        b.put(dst).put(src).putShort((short) 0x0806);
        b.putShort((short) 1) // hardware type: Ethernet
                .putShort((short) 0x0800) // protocol type: IPv4
                .put((byte) 6).put((byte) 4)
                .putShort((short) opcode)
                .put(senderMac).put(senderIp).put(targetMac).put(targetIp);
        assertThat(b.position()).isEqualTo(42);
        return b.array();
    }

    private static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

}
