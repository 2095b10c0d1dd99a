package dev.tsunagu.cli;

import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.viz.Timeline;
import dev.tsunagu.viz.TraceReport;
import dev.tsunagu.viz.capture.CaptureTrace;
import dev.tsunagu.viz.jfr.JfrTraceReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tsunagu viz}: the pictures of a live run, from its JFR recording (the stack's own
 * figures: cwnd, ssthresh, SRTT, RTO) or from a capture (only what the wire shows).
 */
@Command(name = "viz", mixinStandardHelpOptions = true,
        description = {"Draws a live run's TCP as one self-contained HTML page: from a JFR recording of the"
                + " dev.tsunagu.tcp.* events (ladder, time-sequence graph, cwnd/ssthresh/SRTT/RTO), or from a"
                + " pcap/pcapng capture (ladder and time-sequence graph as the wire shows them, with bytes in flight"
                + " and RTT samples estimated from the segments: a capture holds no cwnd or RTO)."})
final class VizCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static final class Source {
        @Option(names = "--jfr", paramLabel = "FILE", required = true,
                description = "A JFR recording with the dev.tsunagu.tcp.* events (e.g. TSUNAGU_JAVA_OPTS="
                        + "-XX:StartFlightRecording:filename=tcp.jfr ./tsunagu serve ...).")
        Path jfr;

        @Option(names = "--pcap", paramLabel = "FILE", required = true,
                description = "A pcap or pcapng capture (a command's --pcap, or tcpdump -w).")
        Path pcap;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--html", paramLabel = "FILE", required = true, description = "Where to write the page.")
    Path html;

    @Option(names = "--ladder", paramLabel = "N", defaultValue = "300",
            description = "Segments drawn in the ladder diagram, from the first (default: ${DEFAULT-VALUE}).")
    int ladder;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000000",
            description = "Events (JFR) or segments (capture) read at most, from the first (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws IOException {
        if (ladder < 1 || limit < 1) {
            throw new ParameterException(spec.commandLine(), "--ladder and --limit must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path in = source.jfr != null ? source.jfr : source.pcap;
        if (!Files.isReadable(in)) {
            err.println("tsunagu viz: cannot read " + in);
            return 1;
        }
        List<TcpTraceEvent> events;
        TraceReport page = new TraceReport("Tsunagu TCP: " + in.getFileName());
        try {
            if (source.jfr != null) {
                JfrTraceReader.Result r = JfrTraceReader.read(in, limit);
                events = r.events();
                page.diagramsOf(events, ladder);
                out.printf("%s: %d TCP events of %s%s%n", in, events.size(),
                        connections(Timeline.connections(events).size()), r.dropped() > 0 ? ", " + r.dropped() + " more left out" : "");
            } else {
                CaptureTrace.Result r = CaptureTrace.read(in, limit);
                events = r.events();
                page.captureDiagramsOf(events, ladder);
                out.printf("%s: %d frames, %d TCP segments of %s%s%s%n", in, r.frames(), r.segments(),
                        connections(Timeline.connections(events).size() / 2), // each connection is seen from both ends
                        r.skipped() > 0 ? ", " + r.skipped() + " frames not TCP" : "",
                        r.dropped() > 0 ? ", " + r.dropped() + " segments past --limit left out" : "");
            }
        } catch (IOException e) {
            err.println("tsunagu viz: " + in + ": " + e.getMessage());
            return 1;
        }
        if (events.isEmpty()) {
            err.println("tsunagu viz: " + in + " holds no TCP" + (source.jfr != null
                    ? " events (was the recording made with the viz module on the path, and dev.tsunagu.tcp.* enabled?)"
                    : " segments"));
            return 1;
        }
        page.write(html);
        out.println("wrote " + html);
        out.flush();
        return 0;
    }

    private static String connections(int n) {
        return n + (n == 1 ? " connection" : " connections");
    }
}
