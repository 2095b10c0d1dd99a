package dev.tsunagu.cli;

import dev.tsunagu.cli.tour.Tour;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The seeds' journey, narrated: a browser host resolves a name over UDP, connects over TCP,
 * sends a request that is cut at the MSS and loses a segment, reads the answer and closes,
 * while a third host answers DNS. On the virtual clock: instant, and the same every time.
 */
@Command(name = "tour", mixinStandardHelpOptions = true,
        description = {"The seeds' journey, one line per event: socket and descriptor, DNS over UDP, ARP, the"
                + " 3-way handshake, a request cut at the MSS with one segment lost and retransmitted, the"
                + " response, FIN both ways, TIME_WAIT and deletion. Three stacks on the in-memory cable,"
                + " on a virtual clock (no root needed). Writes a capture for Wireshark."})
final class TourCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--pcap", paramLabel = "FILE", defaultValue = "tour.pcap",
            description = "Capture the browser host's frames to this pcap file (default: ${DEFAULT-VALUE}).")
    Path pcap;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Random seed: MACs, ports, initial sequence numbers, DNS ids; the same seed gives the same"
                    + " output (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--mtu", paramLabel = "N", defaultValue = "1500",
            description = "Cable MTU; the MSS is the MTU minus 40 (default: ${DEFAULT-VALUE}).")
    int mtu;

    @Option(names = "--delay", paramLabel = "MS", defaultValue = "40",
            description = "Milliseconds each frame takes on the cable, one way (default: ${DEFAULT-VALUE}).")
    double delayMillis;

    @Option(names = "--real-time",
            description = "Run on the wall clock instead of the virtual one (timings vary from run to run;"
                    + " TIME_WAIT is shortened to 1 s).")
    boolean realTime;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write the narration with the TCP connection's ladder diagram, time-sequence graph and"
                    + " congestion window to this HTML file (self-contained: open it in any browser).")
    Path html;

    @Option(names = "--ipv6",
            description = "The journey over IPv6 alone: Duplicate Address Detection, Neighbor Discovery in place of ARP,"
                    + " the DNS server's AAAA answer; deterministic per seed like the IPv4 one.")
    boolean ipv6;

    @Option(names = "--log", paramLabel = "LEVEL", defaultValue = "warn", description = "Log level (default: ${DEFAULT-VALUE}).")
    String log;

    @Override
    public Integer call() throws Exception {
        Logging.setLevel(log);
        if (mtu < 576 || mtu > 9000) {
            throw new ParameterException(spec.commandLine(), "--mtu must be between 576 and 9000: " + mtu);
        }
        if (ipv6 && mtu < 1280) {
            throw new ParameterException(spec.commandLine(), "--mtu must be 1280 at least with --ipv6 (RFC 8200 5): " + mtu);
        }
        if (!(delayMillis >= 0 && delayMillis <= 10_000)) {
            throw new ParameterException(spec.commandLine(), "--delay must be between 0 and 10000 ms: " + delayMillis);
        }
        Tour.run(new Tour.Config(seed, mtu, Duration.ofNanos(Math.round(delayMillis * 1e6)), pcap, realTime, html, ipv6),
                spec.commandLine().getOut());
        return 0;
    }
}
