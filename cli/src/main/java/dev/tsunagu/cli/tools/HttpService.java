package dev.tsunagu.cli.tools;

import dev.tsunagu.apps.http.HttpFileServer;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.nio.file.Path;

/** The static file server of {@code dev.tsunagu.apps.http} as a service of {@code serve}. */
final class HttpService implements Service {
    private final HttpFileServer server;

    private HttpService(HttpFileServer server) {
        this.server = server;
    }

    static HttpService start(NetworkStack stack, int port, Path dir) throws IOException {
        return new HttpService(HttpFileServer.serve(stack, port, dir));
    }

    @Override
    public String describe() {
        return "http on tcp/" + server.port() + " serving " + server.directory();
    }

    @Override
    public void close() {
        server.close();
    }
}
