package dev.tsunagu.cli.tools;

import dev.tsunagu.apps.http.HttpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code curl URL [-o FILE]}: the body to stdout or a file; with a file, a progress bar on
 * stderr when the command runs on a terminal. A status other than 2xx exits 1 (as {@code curl --fail} does), after the
 * body was written.
 */
@Command(name = "http-get", mixinStandardHelpOptions = true,
        description = "Fetch a URL with HTTP/1.1 GET, like curl: the body to stdout or -o FILE. Exit 1 unless the status is 2xx.")
final class HttpGetCommand extends NetworkCommand {
    @Mixin
    DnsOptions dns;

    @Parameters(paramLabel = "URL", description = "http://HOST[:PORT]/PATH (HOST an IPv4 address, or a name with --dns).")
    String url;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the body to FILE instead of stdout.")
    Path output;

    HttpGetCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        URI uri = checkUrl(url);
        PrintWriter err = spec.commandLine().getErr();
        try (Host h = Host.start(spec.commandLine(), "http-get", net, dns)) {
            io.markReady();
            // Like curl: a bar on the terminal when the body goes to a file, never mixed into the body.
            ProgressBar bar = io.terminal() && output != null ? new ProgressBar(err) : null;
            HttpClient.Response r;
            if (output != null) {
                try (OutputStream file = Files.newOutputStream(output)) {
                    r = HttpClient.get(h.stack(), uri, file, bar == null ? HttpClient.Progress.NONE : bar);
                }
            } else {
                r = HttpClient.get(h.stack(), uri, io.out(), bar == null ? HttpClient.Progress.NONE : bar);
                io.out().flush();
            }
            if (bar != null) {
                bar.done();
            }
            if (output != null) {
                err.printf(Locale.ROOT, "http-get: %d %s, %d bytes saved to %s%n", r.status(), r.reason(), r.bodyBytes(), output);
            }
            if (!r.isSuccess()) {
                err.printf("tsunagu: http-get: the server answered %d %s%n", r.status(), r.reason());
                err.flush();
                return 1;
            }
            err.flush();
            return 0;
        }
    }

    /** Bad URLs are usage errors (exit 2), before any stack is built. */
    private URI checkUrl(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new ParameterException(spec.commandLine(), "bad URL '" + text + "': " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (scheme == null || uri.getHost() == null) {
            throw new ParameterException(spec.commandLine(), "bad URL '" + text + "': want http://HOST[:PORT]/PATH");
        }
        if (!scheme.equalsIgnoreCase("http")) {
            throw new ParameterException(spec.commandLine(), "bad URL '" + text + "': only http:// is supported"
                    + (scheme.equalsIgnoreCase("https") ? " (there is no TLS here)" : ""));
        }
        return uri;
    }

    /** {@code [=====>      ]  42%  1.2 MB} on one line, redrawn at most ten times a second. */
    static final class ProgressBar implements HttpClient.Progress {
        private static final int WIDTH = 40;
        private final PrintWriter err;
        private long lastDraw;
        private boolean drawn;

        ProgressBar(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void update(long soFar, long total) {
            long now = System.nanoTime();
            if (drawn && now - lastDraw < 100_000_000L && soFar != total) {
                return;
            }
            lastDraw = now;
            drawn = true;
            err.print("\r" + line(soFar, total));
            err.flush();
        }

        static String line(long soFar, long total) {
            if (total <= 0) {
                return String.format(Locale.ROOT, "%s received", size(soFar));
            }
            int filled = (int) Math.min(WIDTH, soFar * WIDTH / total);
            return "[" + "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "") + "] "
                    + String.format(Locale.ROOT, "%3d%%  %s", soFar * 100 / total, size(soFar));
        }

        static String size(long bytes) {
            if (bytes < 1024) {
                return bytes + " B";
            }
            if (bytes < 1024 * 1024) {
                return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
            }
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }

        void done() {
            if (drawn) {
                err.println();
                err.flush();
            }
        }
    }
}
