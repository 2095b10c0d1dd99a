package dev.tsunagu.cli.tools;

import dev.tsunagu.apps.iperf3.Iperf3Server;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.io.PrintWriter;

/** The iperf3-compatible server of {@code dev.tsunagu.apps.iperf3} as a service of {@code serve}. */
final class Iperf3Service implements Service {
    private final Iperf3Server server;

    private Iperf3Service(Iperf3Server server) {
        this.server = server;
    }

    /** Starts the server; one summary line per finished test goes to {@code log}. */
    static Iperf3Service start(NetworkStack stack, int port, PrintWriter log) throws IOException {
        return new Iperf3Service(Iperf3Server.start(stack, port, line -> {
            log.println(line);
            log.flush();
        }));
    }

    @Override
    public String describe() {
        return "iperf3 on tcp/" + server.port() + " and udp/" + server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
