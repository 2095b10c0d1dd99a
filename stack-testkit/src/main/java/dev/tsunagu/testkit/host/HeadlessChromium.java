package dev.tsunagu.testkit.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium}, headless, for the tests that check a page renders: the DOM after
 * its scripts ran ({@code --dump-dom}), a screenshot, and what the page's console said. Without
 * chromium the calling test skips loudly ({@code ./check} installs it as root,
 * scripts/test-packages.txt). Runs with {@code --no-sandbox} (the tests run as root in CI) and
 * a profile of its own in a temporary folder, so no state is shared between runs.
 */
public final class HeadlessChromium {
    private static final LoudSkip SKIP = new LoudSkip("browser", () -> "");

    private HeadlessChromium() {}

    /** Skips the calling test, loudly, unless chromium is installed. */
    public static void assumeInstalled() {
        SKIP.unlessInstalled("chromium", "chromium");
    }

    /**
     * What chromium made of a page.
     *
     * @param dom the DOM after the scripts ran (with {@code --dump-dom}), or "" for a screenshot
     * @param console what the page's console and chromium's log said (stderr)
     */
    public record Run(String dom, String console) {
        /** The console lines that report a script error (uncaught exceptions, console.error). */
        public List<String> scriptErrors() {
            return console.lines().filter(l -> l.contains("Uncaught") || l.contains("CONSOLE") && l.contains("error")
                    || l.contains(":ERROR:CONSOLE")).toList();
        }
    }

    /** The DOM of {@code url} after {@code budgetMillis} of the page's own (virtual) time for its scripts and timers. */
    public static Run dumpDom(String url, int budgetMillis) throws IOException, InterruptedException {
        return run(List.of("--virtual-time-budget=" + budgetMillis, "--dump-dom", url));
    }

    /** A screenshot of {@code url} at {@code width}x{@code height} into {@code png}, after {@code budgetMillis}. */
    public static Run screenshot(String url, Path png, int width, int height, int budgetMillis)
            throws IOException, InterruptedException {
        Files.deleteIfExists(png);
        Run r = run(List.of("--virtual-time-budget=" + budgetMillis, "--hide-scrollbars",
                "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath(), url));
        if (!Files.exists(png)) {
            throw new IOException("chromium made no screenshot of " + url + ": " + r.console());
        }
        return r;
    }

    private static Run run(List<String> args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("tsunagu-chromium");
        Path err = profile.resolve("stderr.txt");
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish in 120 s: " + command);
        }
        String console = Files.readString(err, StandardCharsets.UTF_8);
        deleteTree(profile);
        if (p.exitValue() != 0) {
            throw new IOException("chromium exited " + p.exitValue() + ": " + console);
        }
        return new Run(new String(out, StandardCharsets.UTF_8), console);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
