package dev.tsunagu.cli.tools;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve --discard PORT}, shorter. */
@Command(name = "discard-serve", mixinStandardHelpOptions = true,
        description = "Discard server (RFC 863) on TCP and UDP: reads and throws away.")
final class DiscardServeCommand extends NetworkCommand {
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9", converter = Converters.Port.class,
            description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Mixin
    ConnectionLimit limit;

    DiscardServeCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        int max = limit.checked(spec.commandLine());
        return Servers.run(spec.commandLine(), io, "discard-serve", net,
                List.of((h, log) -> StreamService.start(h.stack(), StreamService.Kind.DISCARD, port, true, true, max, log)));
    }
}
