package dev.tsunagu.cli;

import dev.tsunagu.cli.tools.Io;
import dev.tsunagu.cli.tools.NetworkCommands;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tsunagu} command: one entry point for the examples. Exit codes: 0 ok, 1 failure,
 * 2 usage. Errors are one clear line, not a stack trace ({@code --log debug} shows more).
 */
@Command(name = "tsunagu", mixinStandardHelpOptions = true, version = "tsunagu 0.1.0",
        description = "A user-space TCP/IP stack for Java: examples and tools.",
        subcommands = {TourCommand.class, DemoCommand.class, PluginsCommand.class, PacketdrillCommand.class, VizCommand.class,
            dev.tsunagu.cli.bench.BenchCommand.class, CommandLine.HelpCommand.class})
public final class Tsunagu {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        return run(Io.system(), args);
    }

    /** Runs the command line on these streams (tests: pipes, and a switch that stops servers). */
    public static int run(Io io, String... args) {
        CommandLine cli = new CommandLine(new Tsunagu());
        NetworkCommands.addTo(cli, io);
        cli.setOut(new PrintWriter(io.out(), true));
        cli.setErr(new PrintWriter(io.err(), true));
        cli.setParameterExceptionHandler((e, parsedArgs) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("tsunagu: " + e.getMessage() + " (see: tsunagu "
                    + cmd.getCommandSpec().qualifiedName(" ").replaceFirst("^tsunagu ?", "") + " --help)");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("tsunagu: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (Logging.debugEnabled()) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }
}
