package dev.tsunagu.cli.tools;

import dev.tsunagu.apps.http.HttpFileServer;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** The static file server of {@code dev.tsunagu.apps.http} as a service of {@code serve}. */
final class HttpService implements Service {
    private final HttpFileServer server;

    private HttpService(HttpFileServer server) {
        this.server = server;
    }

    /** Serves {@code dir} on {@code port}, at most {@code maxConnections} at once; refusals go to {@code log}. */
    static HttpService start(NetworkStack stack, int port, Path dir, int maxConnections, PrintWriter log) throws IOException {
        Refusals refusals = new Refusals("tcp/" + port + " http", maxConnections, line -> {
            synchronized (log) {
                log.println(line);
                log.flush();
            }
        });
        return new HttpService(new HttpFileServer(stack, port, dir, maxConnections, refusals::refuse).start());
    }

    @Override
    public String describe() {
        return "http on tcp/" + server.port() + " serving " + server.directory() + ", at most " + server.maxConnections()
                + " connections at once";
    }

    @Override
    public long worstCaseBytes() {
        return server.maxConnections() * HttpFileServer.WORST_CASE_PER_CONNECTION;
    }

    @Override
    public void close() {
        server.close();
    }
}
