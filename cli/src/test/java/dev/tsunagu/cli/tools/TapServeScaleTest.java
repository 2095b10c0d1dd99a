package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.testkit.host.Poll;
import dev.tsunagu.testkit.host.TapBench;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --echo} holding thousands of connections from the kernel over a TAP (issue #18):
 * the echo service of {@code serve}, with its default {@code --max-connections}, on the stack of
 * a {@link TapBench}; in the bench's namespace a small python3 client opens {@value #HELD}
 * connections, has each echo a line, holds them all, opens a fresh one (which must be served),
 * has all of them echo again and closes. The heap after a GC with every connection held, less
 * the heap before, is what one idle held connection costs (a figure, printed, and bounded here).
 * Skips loudly without root / CAP_NET_ADMIN or python3.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TapServeScaleTest {
    private static final int SUBNET = 91;
    static final int HELD = 5_000;
    private static final Duration STEP = Duration.ofSeconds(90);
    /** What an idle held connection may cost in heap: its TCP state, socket, virtual thread and 16 KiB read chunk. */
    private static final long MAX_BYTES_PER_HELD_CONNECTION = 64 << 10;

    @TempDir
    Path dir;

    private TapBench bench;
    private StreamService echo;

    @AfterEach
    void tearDown() {
        if (echo != null) {
            echo.close();
        }
        if (bench != null) {
            bench.close();
        }
    }

    @Test
    void fiveThousandHeldConnectionsAllEchoAndAFreshOneIsStillServed() throws Exception {
        TapBench.assumeTapAndNetns();
        TapBench.assumeCommand("python3", "python3");
        bench = TapBench.start(SUBNET);
        echo = StreamService.start(bench.stack(), StreamService.Kind.ECHO, 7, true, false, ConnectionLimit.DEFAULT,
                new PrintWriter(Writer.nullWriter()));
        long before = dev.tsunagu.testkit.host.Heap.usedAfterGc();

        Path client = dir.resolve("hold.py");
        Files.writeString(client, CLIENT);
        Process p = bench.kernelSide().start("python3", client.toString(), bench.stackAddress(), "7", String.valueOf(HELD));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter in = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
        List<String> said = new ArrayList<>();

        String held = awaitLine(out, said, "HELD");
        assertThat(echo.connections()).as("connections the echo service serves").isEqualTo(HELD);
        long during = dev.tsunagu.testkit.host.Heap.usedAfterGc();
        long perConnection = (during - before) / HELD;
        in.println("go");
        awaitLine(out, said, "FRESH");
        awaitLine(out, said, "DONE");
        assertThat(p.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("the client's exit; it said %s", said).isZero();
        assertThat(echo.refused()).as("connections refused").isZero();

        System.err.printf(Locale.ROOT, "cli: %s; heap after GC %d MiB before, %d MiB with %d held: %d bytes a held connection%n",
                held, before >> 20, during >> 20, HELD, perConnection);
        assertThat(perConnection).as("heap per idle held connection").isLessThan(MAX_BYTES_PER_HELD_CONNECTION);
        assertThat(Poll.until(Duration.ofSeconds(30), echo::connections, n -> n == 0))
                .as("connections still served after the client closed them all").isZero();
    }

    /** Reads the client's lines until one starts with {@code prefix}; fails with what it said if it ends first. */
    private static String awaitLine(BufferedReader out, List<String> said, String prefix) throws Exception {
        String line;
        while ((line = out.readLine()) != null) {
            said.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the client ended before " + prefix + "; it said " + said);
    }

    /**
     * The kernel side: python3 with a raised descriptor limit (root may), connections opened one
     * after another (a SYN flood is not the point here), then the exchange described above.
     */
    private static final String CLIENT = """
            import resource, socket, sys, time
            host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            resource.setrlimit(resource.RLIMIT_NOFILE, (n + 1000, n + 1000))

            def echo(s, msg):
                s.sendall(msg)
                got = b""
                while len(got) < len(msg):
                    part = s.recv(len(msg) - len(got))
                    if not part:
                        raise SystemExit("connection closed while echoing %r" % msg)
                    got += part
                if got != msg:
                    raise SystemExit("echo %r for %r" % (got, msg))

            start = time.monotonic()
            held = []
            for i in range(n):
                held.append(socket.create_connection((host, port), timeout=60))
            opened = time.monotonic()
            for i, s in enumerate(held):
                echo(s, b"first %d\\n" % i)
            print("HELD %d connections opened in %.2f s, all echoed in %.2f s" % (n, opened - start, time.monotonic() - opened), flush=True)
            sys.stdin.readline()
            fresh = socket.create_connection((host, port), timeout=60)
            echo(fresh, b"fresh while %d are held\\n" % n)
            fresh.close()
            print("FRESH served", flush=True)
            again = time.monotonic()
            for i, s in enumerate(held):
                echo(s, b"again %d\\n" % i)
            for s in held:
                s.close()
            print("DONE all %d echoed again in %.2f s" % (n, time.monotonic() - again), flush=True)
            """;
}
