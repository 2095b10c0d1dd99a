package dev.tsunagu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code iperf3-serve} command's surface: its help, and a clear one-line failure. (Serving itself: the iperf3 package's tests.) */
class Iperf3ServeCommandTest {
    @Test
    void helpNamesTheOptionsAndTheClientCommand() {
        String out = capture(() -> assertThat(Tsunagu.run("iperf3-serve", "--help")).isZero());
        assertThat(out).contains("--port", "--driver", "--ip", "iperf3 -c", "5201");
    }

    @Test
    void anUnknownDriverIsAUsageErrorOfOneLine() {
        String err = captureErr(() -> assertThat(Tsunagu.run("iperf3-serve", "--driver", "nosuchdriver:x")).isEqualTo(2));
        assertThat(err.strip()).startsWith("tsunagu: ").doesNotContain("\n\tat ");
    }

    private static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String captureErr(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setErr(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
