package dev.tsunagu.cli.tools;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --max-connections} of the serving commands: TCP connections each service serves at once.
 * A connection beyond the limit is accepted and reset at once (RST), so its client learns at
 * once rather than after SYN retries, and the refusal is counted and logged (at most a line
 * every few seconds). What the limit bounds is memory: each service says how much one
 * connection may hold at most ({@link Service#worstCaseBytes}), and the banner adds it up.
 */
final class ConnectionLimit {
    /** Enough for thousands of idle keep-alive clients; each costs a virtual thread, not a platform one. */
    static final int DEFAULT = 10_000;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + DEFAULT,
            description = "TCP connections each service serves at once (default: ${DEFAULT-VALUE}); "
                    + "one more is reset (RST) at once and counted.")
    int max = DEFAULT;

    /** The limit, or a usage error if it is not positive. */
    int checked(CommandLine cli) {
        if (max < 1) {
            throw new ParameterException(cli, "--max-connections must be at least 1: " + max);
        }
        return max;
    }
}
