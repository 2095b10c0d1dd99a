package dev.tsunagu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tsunagu tour} as a command: exit codes and the capture file. */
class TourCommandTest {
    @TempDir
    Path dir;

    @Test
    void runsAndWritesTheCapture() throws Exception {
        Path pcap = dir.resolve("t.pcap");
        assertThat(Tsunagu.run("tour", "--pcap", pcap.toString(), "--seed", "3")).isZero();
        assertThat(Files.size(pcap)).isGreaterThan(24); // more than the pcap header
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(Tsunagu.run("tour", "--mtu", "100", "--pcap", dir.resolve("x.pcap").toString())).isEqualTo(2);
        assertThat(Tsunagu.run("tour", "--delay", "-1", "--pcap", dir.resolve("x.pcap").toString())).isEqualTo(2);
        assertThat(Tsunagu.run("tour", "--seed", "abc")).isEqualTo(2);
    }

    @Test
    void anUnwritableCaptureIsOneClearFailure() {
        assertThat(Tsunagu.run("tour", "--pcap", dir.resolve("no/such/dir/t.pcap").toString())).isEqualTo(1);
    }
}
