package dev.tsunagu.cli.tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A small inetd: several services on one stack at once. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run several services on one stack, like a small inetd: echo (TCP and UDP), discard (TCP and UDP), HTTP. Every other port is closed.")
final class ServeCommand extends NetworkCommand {
    @Option(names = "--echo", paramLabel = "PORT", converter = Converters.Port.class,
            description = "Echo (RFC 862) on this TCP and UDP port (the standard one is 7).")
    Integer echo;

    @Option(names = "--discard", paramLabel = "PORT", converter = Converters.Port.class,
            description = "Discard (RFC 863) on this TCP and UDP port (the standard one is 9).")
    Integer discard;

    @Option(names = "--http", paramLabel = "PORT", converter = Converters.Port.class,
            description = "The static HTTP file server on this TCP port, serving --dir.")
    Integer http;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".",
            description = "The directory --http serves (default: the current one).")
    Path dir;

    @Option(names = "--iperf3", paramLabel = "PORT", converter = Converters.Port.class,
            description = "The iperf3-compatible server on this TCP and UDP port (iperf3's is 5201).")
    Integer iperf3;

    @Mixin
    ConnectionLimit limit;

    ServeCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        int max = limit.checked(spec.commandLine());
        List<Servers.Starter> starters = new ArrayList<>();
        if (echo != null) {
            int port = echo;
            starters.add((h, log) -> StreamService.start(h.stack(), StreamService.Kind.ECHO, port, true, true, max, log));
        }
        if (discard != null) {
            int port = discard;
            starters.add((h, log) -> StreamService.start(h.stack(), StreamService.Kind.DISCARD, port, true, true, max, log));
        }
        if (http != null) {
            int port = http;
            Path d = Servers.directory(spec.commandLine(), dir);
            starters.add((h, log) -> HttpService.start(h.stack(), port, d, max, log));
        }
        if (iperf3 != null) {
            int port = iperf3;
            starters.add((h, log) -> Iperf3Service.start(h.stack(), port, log));
        }
        return Servers.run(spec.commandLine(), io, "serve", net, starters);
    }
}
