package dev.tsunagu.cli.tools;

import picocli.CommandLine;

/**
 * The network commands of {@code tsunagu}: each builds one stack from the common
 * {@link NetworkOptions} and talks through it. Added to the root command here so that the root
 * needs one line for all of them.
 */
public final class NetworkCommands {
    private NetworkCommands() {}

    /** Adds ping, http-get, serve, http-serve, echo-serve, discard-serve, nc, resolve, iperf3-serve, forward and java to {@code cli}. */
    public static void addTo(CommandLine cli, Io io) {
        cli.addSubcommand(new PingCommand(io));
        cli.addSubcommand(new HttpGetCommand(io));
        cli.addSubcommand(new ServeCommand(io));
        cli.addSubcommand(new HttpServeCommand(io));
        cli.addSubcommand(new EchoServeCommand(io));
        cli.addSubcommand(new DiscardServeCommand(io));
        cli.addSubcommand(new NcCommand(io));
        cli.addSubcommand(new ResolveCommand(io));
        cli.addSubcommand(new Iperf3ServeCommand(io));
        cli.addSubcommand(new ForwardCommand(io));
        cli.addSubcommand(new JavaCommand(io));
    }
}
