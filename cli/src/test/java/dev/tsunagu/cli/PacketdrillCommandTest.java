package dev.tsunagu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.cli.tools.Io;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tsunagu packetdrill}: a line per script found under a directory, the summary, the exit code. */
class PacketdrillCommandTest {
    @TempDir
    Path dir;

    @Test
    void aLinePerScriptThenTheSummary() throws Exception {
        String open = """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 bind(3, ..., ...) = 0
                +0 listen(3, 1) = 0
                +0 < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>
                """;
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/good.pkt"), open + "+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>\n");
        Files.writeString(dir.resolve("a/b/bad.pkt"), open + "+0 > S. 0:0(0) ack 2 <...>\n");
        Files.writeString(dir.resolve("a/b/odd.pkt"), open + "+0 splice(3, 4) = 0\n");
        Files.writeString(dir.resolve("a/b/notes.txt"), "not a script");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Tsunagu.run(Io.of(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true),
                new PrintStream(new ByteArrayOutputStream(), true)), "packetdrill", dir.resolve("a").toString());
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("FAIL b/bad.pkt:5: expected S. 0:0(0) ack 2", "UNSUPPORTED b/odd.pkt:5: system call splice()",
                "PASS good.pkt");
        assertThat(text).containsPattern("\\.\\s+1/1\\s+pass").containsPattern("b\\s+0/2\\s+pass\\s+1 fail\\s+1 unsupported")
                .containsPattern("total\\s+1/3\\s+pass");
        assertThat(code).as("a script failed").isEqualTo(1);
        assertThat(Tsunagu.run("packetdrill", dir.resolve("missing").toString())).isEqualTo(1);
    }
}
