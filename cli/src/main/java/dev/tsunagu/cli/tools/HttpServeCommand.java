package dev.tsunagu.cli.tools;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve --http PORT --dir DIR}, shorter. */
@Command(name = "http-serve", mixinStandardHelpOptions = true,
        description = "Serve a directory over HTTP/1.1 (GET and HEAD; a directory lists itself or serves its index.html).")
final class HttpServeCommand extends NetworkCommand {
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "80", converter = Converters.Port.class,
            description = "TCP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".", description = "Directory to serve (default: the current one).")
    Path dir;

    @Mixin
    ConnectionLimit limit;

    HttpServeCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        int max = limit.checked(spec.commandLine());
        Path d = Servers.directory(spec.commandLine(), dir);
        return Servers.run(spec.commandLine(), io, "http-serve", net, List.of((h, log) -> HttpService.start(h.stack(), port, d, max, log)));
    }
}
