package dev.tsunagu.cli.tools;

import dev.tsunagu.apps.iperf3.Iperf3Server;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve --iperf3 PORT}, shorter: the real {@code iperf3 -c} measures a Tsunagu stack. */
@Command(name = "iperf3-serve", mixinStandardHelpOptions = true,
        description = {"Serve the real iperf3 client (iperf3 -c) from a Tsunagu stack: TCP, -R, -P, -u.",
                "Example, with a TAP made as in the README: tsunagu iperf3-serve --driver tap:tsu0 --ip 10.0.0.2/24",
                "then: iperf3 -c 10.0.0.2 [-R] [-P 4] [-u -b 100M]"})
final class Iperf3ServeCommand extends NetworkCommand {
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + Iperf3Server.DEFAULT_PORT,
            converter = Converters.Port.class, description = "TCP and UDP port (default: ${DEFAULT-VALUE}).")
    int port;

    Iperf3ServeCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        return Servers.run(spec.commandLine(), io, "iperf3-serve", net,
                List.of((h, log) -> Iperf3Service.start(h.stack(), port, log)));
    }
}
