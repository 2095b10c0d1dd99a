package dev.tsunagu.cli.tools;

import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.IpPrefix;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of every command that talks to a network: which link, which address, what to
 * capture and log. The default link is the in-memory cable, which has no one on it unless
 * another stack in the same JVM plugs into the same cable (the tests do that); on a real
 * network use {@code --driver tap:NAME} (see the README for the TAP set-up).
 */
public final class NetworkOptions {
    @Option(names = "--driver", paramLabel = "SPEC", defaultValue = "cable:lan0",
            description = "Link driver spec: tap:NAME, cable:NAME, or any installed driver's (`tsunagu plugins` lists them). Default: ${DEFAULT-VALUE}.")
    String driver;

    @Option(names = "--ip", paramLabel = "ADDR/LEN", defaultValue = "10.0.0.2/24", converter = Converters.Prefix.class,
            description = "This stack's address and prefix length, IPv4 or IPv6; give it again for more"
                    + " (--ip 10.0.0.2/24 --ip fd00::2/64). Default: ${DEFAULT-VALUE}.")
    List<IpPrefix> ip;

    @Option(names = "--gateway", paramLabel = "ADDR", converter = Converters.Address.class,
            description = "Default gateway (none by default: only the local subnet is reachable).")
    Ipv4Address gateway;

    @Option(names = "--mtu", paramLabel = "N", description = "Interface MTU, at most the driver's (default: the driver's).")
    Integer mtu;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Capture every frame in and out to this pcap file.")
    Path pcap;

    @Option(names = "--log", paramLabel = "LEVEL", defaultValue = "warn",
            description = "Log level: error, warn, info, debug, trace. Default: ${DEFAULT-VALUE}.")
    String log;

    @Option(names = "--netstat-every", paramLabel = "SECONDS", converter = Converters.Seconds.class,
            description = "Print the socket table to stderr this often (also on SIGUSR1; the JVM keeps SIGQUIT for its thread dump).")
    Duration netstatEvery;

    @Option(names = "--status-port", paramLabel = "PORT",
            description = "Serve a live view of the stack (socket table, counters per layer, a cwnd/RTT chart of a chosen"
                    + " connection, refreshing itself) at http://127.0.0.1:PORT/ (loopback only; 0: any free port, printed).")
    Integer statusPort;

    @Option(names = "--jmx",
            description = "Register the stack's MXBean (counters per layer, the socket table) on the JVM's platform MBean"
                    + " server as dev.tsunagu:type=Stack,name=tsunagu-COMMAND, for JConsole, JMC or any JMX client"
                    + " (local attach, or the JVM's usual -Dcom.sun.management.jmxremote.* options in TSUNAGU_JAVA_OPTS).")
    boolean jmx;

    /** The addresses as the command line gave them, {@code 10.0.0.2/24, fd00::2/64}. */
    String addresses() {
        return String.join(", ", ip.stream().map(IpPrefix::toString).toList());
    }

    /** The name the stack gets in logs and the socket table. */
    String stackName(String command) {
        return "tsunagu-" + command;
    }
}
