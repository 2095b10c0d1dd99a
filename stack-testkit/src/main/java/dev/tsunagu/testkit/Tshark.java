package dev.tsunagu.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code tshark} on a capture, for tests that check our pcap files the way a user would
 * open them. Where tshark is missing the test is skipped with one loud line (./check installs
 * it).
 */
public final class Tshark {
    private Tshark() {}

    /** Aborts the calling test, loudly, if tshark is not installed. */
    public static void assumeInstalled() {
        if (!installed()) {
            String why = "SKIPPED: tshark is not installed, so pcap files are not checked (./check installs it)";
            System.err.println(why);
            Assumptions.abort(why);
        }
    }

    public static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "tshark"))) {
                return true;
            }
        }
        return false;
    }

    /** One row per frame: the frame number and whether tshark found it malformed. */
    public record Frame(int number, boolean malformed, String protocols) {}

    /**
     * Reads {@code file} with {@code tshark -r} and returns one row per frame; {@code options}
     * (such as {@code "-o", "tcp.desegment_tcp_streams:FALSE"}) go before the output options.
     */
    public static List<Frame> read(Path file, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tshark", "-r", file.toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("-T", "fields", "-e", "frame.number", "-e", "_ws.malformed", "-e", "frame.protocols"));
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tshark did not finish reading " + file);
        }
        if (p.exitValue() != 0) {
            throw new IOException("tshark -r " + file + " exited with " + p.exitValue());
        }
        List<Frame> frames = new ArrayList<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] cols = line.split("\t", -1);
            frames.add(new Frame(Integer.parseInt(cols[0].trim()),
                    cols.length > 1 && !cols[1].isBlank(), cols.length > 2 ? cols[2] : ""));
        }
        return frames;
    }
}
