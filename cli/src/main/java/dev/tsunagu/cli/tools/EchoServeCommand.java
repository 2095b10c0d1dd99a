package dev.tsunagu.cli.tools;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Echo on one protocol: TCP, or UDP with {@code --udp}. */
@Command(name = "echo-serve", mixinStandardHelpOptions = true,
        description = "Echo server (RFC 862) on TCP, or on UDP with --udp.")
final class EchoServeCommand extends NetworkCommand {
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7", converter = Converters.Port.class,
            description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--udp", description = "Echo UDP datagrams instead of TCP streams.")
    boolean udp;

    @Mixin
    ConnectionLimit limit;

    EchoServeCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        int max = limit.checked(spec.commandLine());
        return Servers.run(spec.commandLine(), io, "echo-serve", net,
                List.of((h, log) -> StreamService.start(h.stack(), StreamService.Kind.ECHO, port, !udp, udp, max, log)));
    }
}
