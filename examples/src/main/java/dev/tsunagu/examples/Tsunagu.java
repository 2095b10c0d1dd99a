package dev.tsunagu.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tsunagu} command: one entry point for the examples. Exit codes: 0 ok, 1 failure,
 * 2 usage. Errors are one clear line, not a stack trace ({@code --log debug} shows more).
 */
@Command(name = "tsunagu", mixinStandardHelpOptions = true, version = "tsunagu 0.1.0",
        description = "A user-space TCP/IP stack for Java: examples and tools.",
        subcommands = {DemoCommand.class, PluginsCommand.class, dev.tsunagu.examples.bench.BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Tsunagu {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Tsunagu());
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
