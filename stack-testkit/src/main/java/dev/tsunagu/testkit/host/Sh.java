package dev.tsunagu.testkit.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs commands for the tests that talk to the kernel, every one with a bounded wait; a command that overstays is killed. */
public final class Sh {
    private Sh() {}

    /** What a finished command said. */
    public record Result(List<String> command, int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }

        public Result check() {
            if (exit != 0) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' exited with " + exit + ": " + output.strip());
            }
            return this;
        }
    }

    /** Runs {@code command} with stdout and stderr together, waiting at most {@code timeout}. */
    public static Result run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = drain(p.getInputStream());
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return new Result(command, -1, "timed out after " + timeout + ": " + out.getNow(""));
        }
        String text;
        try {
            text = out.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            text = "(output not read: " + e + ")";
        }
        return new Result(command, p.exitValue(), text);
    }

    public static Result run(String... command) throws IOException, InterruptedException {
        return run(Duration.ofSeconds(20), List.of(command));
    }

    /** Reads a stream to the end on a virtual thread. */
    public static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("(read failed: " + e + ")");
            }
        });
        return f;
    }

    /**
     * Reads lines from {@code in} until one matches, or the stream ends, or {@code timeout}
     * passes (the read happens on a virtual thread, so a silent process cannot hang the test).
     *
     * @return the matching line, or null
     */
    public static String drainLineUntil(java.io.BufferedReader in, java.util.function.Predicate<String> match, Duration timeout)
            throws InterruptedException {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                String line;
                StringBuilder seen = new StringBuilder();
                while ((line = in.readLine()) != null) {
                    if (match.test(line)) {
                        f.complete(line);
                        return;
                    }
                    seen.append(line).append('\n');
                }
                f.complete("(ended without a match: " + seen + ")");
            } catch (IOException e) {
                f.complete("(read failed: " + e + ")");
            }
        });
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    /** Whether {@code command} is on the PATH. */
    public static boolean installed(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
