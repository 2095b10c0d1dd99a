package dev.tsunagu.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.cli.Tsunagu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke test CI runs: {@code bench --quick --json} completes and every scenario produced a
 * number on both sides. No thresholds: the machines are noisy.
 */
class BenchCommandTest {
    private static final List<String> METRICS = List.of("bulk-1500.throughput", "bulk-1500.cpu",
            "bulk-9000.throughput", "bulk-9000.cpu", "bulk-65535.throughput", "bulk-65535.cpu",
            "bulk-1500-offload.throughput", "bulk-1500-offload.cpu",
            "bulkx8-1500.throughput", "bulkx8-1500.cpu", "rr.median", "rr.p99", "rr.wakeups",
            "rr-async.median", "rr-async.p99", "rr-async.wakeups", "crr.rate", "crr-async.rate",
            "idle.heapPerEndpoint", "idle.openRate", "netty-rr.median", "netty-rr.p99", "netty-rr.wakeups",
            "netty-discard.throughput", "netty-discard.cpu");

    @Test
    void quickRunWritesEveryMetricForBothSides(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        int exit = Tsunagu.run("bench", "--quick", "--json", json.toString());
        assertThat(exit).isZero();
        String text = Files.readString(json);
        assertThat(text).contains("\"nproc\": ", "\"cpu\": ", "\"command\": \"tsunagu bench --quick --json ",
                "\"baseline\": \"kernel 127.0.0.1\"", "\"rounds\": 2");
        Pattern row = Pattern.compile("\\{\"scenario\": \"[^\"]+\", \"metric\": \"([^\"]+)\".*?"
                + "\"tsunagu\": \\{\"median\": ([^,]+), .*?\"samples\": \\[([^\\]]*)\\]\\},\\s*"
                + "\"baseline\": \\{\"median\": ([^,]+), .*?\"samples\": \\[([^\\]]*)\\]\\},\\s*"
                + "\"ratio\": ([^,}]+)", Pattern.DOTALL);
        Matcher m = row.matcher(text);
        java.util.List<String> seen = new java.util.ArrayList<>();
        while (m.find()) {
            seen.add(m.group(1));
            for (int g : new int[] {2, 4, 6}) {
                assertThat(Double.parseDouble(m.group(g))).as(m.group(1) + " group " + g).isPositive().isFinite();
            }
            assertThat(m.group(3).split(",")).as(m.group(1) + " Tsunagu samples").hasSize(2);
            assertThat(m.group(5).split(",")).as(m.group(1) + " baseline samples").hasSize(2);
        }
        assertThat(seen).containsExactlyElementsOf(METRICS);
    }

    /** {@code --driver tap} as root: TAP and veth in namespaces of its own, one quick round of rr. */
    @Test
    void tapDriverRunsRrBesideAVethPair(@TempDir Path dir) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean tun = Files.exists(Path.of("/dev/net/tun"));
        if (!root || !tun) {
            System.err.println("BenchCommandTest: SKIPPED bench --driver tap: needs root and /dev/net/tun");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(root && tun, "bench --driver tap needs root and /dev/net/tun");
        Path json = dir.resolve("tap.json");
        int exit = Tsunagu.run("bench", "--driver", "tap", "--quick", "--scenario", "rr", "--rounds", "1",
                "--json", json.toString());
        assertThat(exit).isZero();
        String text = Files.readString(json);
        assertThat(text).contains("\"baseline\": \"kernel↔kernel veth\"", "\"metric\": \"tap-rr.median\"",
                "\"metric\": \"tap-rr.p99\"", "\"metric\": \"tap-rr.wakeups\"", "\"metric\": \"tap-rr.syscalls\"",
                "\"metric\": \"tap-rr-async.median\"");
        for (String row : text.split("\\{\"scenario\": ")) {
            if (row.contains(".syscalls\"")) {
                // Tsunagu's system calls on its TAP: the kernel side has no such figure (null)
                assertThat(row.substring(0, row.indexOf("\"baseline\""))).doesNotContain("null");
            } else {
                assertThat(row).doesNotContain("null");
            }
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(Tsunagu.run("bench", "--scenario", "nope")).isEqualTo(2);
        assertThat(Tsunagu.run("bench", "--conns", "2000000")).isEqualTo(2);
        assertThat(Tsunagu.run("bench", "--rounds", "0")).isEqualTo(2);
    }

    @Test
    void sizesParse() {
        assertThat(BenchCommand.parseSize("1G")).isEqualTo(1L << 30);
        assertThat(BenchCommand.parseSize("256m")).isEqualTo(256L << 20);
        assertThat(BenchCommand.parseSize("64KB")).isEqualTo(64L << 10);
        assertThat(BenchCommand.parseSize("1000")).isEqualTo(1000);
        assertThatThrownBy(() -> BenchCommand.parseSize("lots")).hasMessageContaining("bad size");
    }

    @Test
    void statsAreOrderStatistics() {
        assertThat(Stats.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(Stats.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
        assertThat(Stats.percentileSorted(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99)).isEqualTo(10);
        assertThat(new Metric("x", "x", "µs", false).ratio(20, 10)).isEqualTo(0.5);
        assertThat(new Metric("x", "x", "Gbit/s", true).ratio(20, 10)).isEqualTo(2);
    }
}
