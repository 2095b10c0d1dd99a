package dev.tsunagu.examples;

import dev.tsunagu.examples.iperf3.Iperf3Server;
import dev.tsunagu.stack.NetworkStack;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tsunagu iperf3-serve}: a stack on an interface, serving iperf3 clients until interrupted. */
@Command(name = "iperf3-serve", mixinStandardHelpOptions = true,
        description = {"Serve the real iperf3 client (iperf3 -c) from a Tsunagu stack: TCP, -R, -P, -u.",
                "Example, with a TAP made as in the README: tsunagu iperf3-serve --interface tap:tsu0 --address 10.0.0.2/24",
                "then: iperf3 -c 10.0.0.2 [-R] [-P 4] [-u -b 100M]"})
final class Iperf3ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "5201", description = "TCP and UDP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--interface", paramLabel = "SPEC", defaultValue = "tap:tsu0",
            description = "The stack's interface, a driver spec (default: ${DEFAULT-VALUE}; tap:NAME,up=10.0.0.1/24 creates the TAP as root).")
    String spec_;

    @Option(names = "--address", paramLabel = "CIDR", defaultValue = "10.0.0.2/24",
            description = "The stack's address on it (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--log", paramLabel = "LEVEL", defaultValue = "warn", description = "Log level (default: ${DEFAULT-VALUE}).")
    String log;

    @Override
    public Integer call() throws Exception {
        Logging.setLevel(log);
        PrintWriter out = spec.commandLine().getOut();
        NetworkStack stack = NetworkStack.builder().name("iperf3").addInterface(spec_, address).build();
        Iperf3Server server;
        try {
            server = Iperf3Server.start(stack, port, line -> {
                out.println(line);
                out.flush();
            });
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
        // Ctrl-C: a running test's client is told SERVER_TERMINATE, then the stack (and a TAP it made) goes.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stack.close();
        }, "iperf3-serve-stop"));
        out.printf("iperf3 server on %s port %d (TCP and UDP); Ctrl-C stops it%n", address.replaceAll("/.*", ""), server.port());
        out.flush();
        new CountDownLatch(1).await(); // until the JVM is told to stop
        return 0;
    }
}
