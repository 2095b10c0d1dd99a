package dev.tsunagu.cli.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tsunagu bench}: Tsunagu beside the kernel's TCP, same run, same machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks Tsunagu beside the JDK's sockets over the kernel's 127.0.0.1, in the same run:",
            "bulk (1 GiB one way at MTU 1500, 9000, 65535, and 1500 with offloads on the cable), bulk x8, rr (1-byte ping-pong), crr (connect,",
            "request, response, close), idle scale (N idle connections), and netty (Netty's NIO transport:",
            "1-byte rr and discard, on Tsunagu's SelectorProvider vs the JDK's). Tsunagu runs two stacks on",
            "the in-memory cable, each on its own event loop thread. Sides alternate, round by round.",
            "--scenario paths (not in the default set): NewReno, CUBIC and BBR on simulated bottleneck paths,",
            "on a virtual clock (docs/performance.md)."})
public final class BenchCommand implements Callable<Integer> {
    static final List<String> GROUPS = List.of("bulk", "bulk8", "rr", "crr", "idle", "netty");
    /** Congestion controls on simulated paths: chosen by name only, never part of "all". */
    static final String PATHS = "paths";

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", split = ",", paramLabel = "NAME",
            description = "Scenarios to run (default: all but paths): ${COMPLETION-CANDIDATES}",
            completionCandidates = Groups.class)
    List<String> scenarios = new ArrayList<>();

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds per side (default 5; 2 with --quick).")
    Integer rounds;

    @Option(names = "--bytes", paramLabel = "SIZE", description = "Bytes per bulk run, e.g. 1G, 256M (default 1G; 32M with --quick).")
    String bytes;

    @Option(names = "--conns", paramLabel = "N", description = "Idle connections (default 100000; 2000 with --quick; at most 1000000).")
    Integer conns;

    @Option(names = "--quick", description = "A short run (about 20 s): what CI runs as a smoke test.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--html", paramLabel = "DIR",
            description = "With --scenario paths: write a page per flow to DIR (its start as a time-sequence graph, the"
                    + " sender's cwnd, ssthresh, SRTT and RTO over the whole run) and an index.html of them.")
    Path html;

    @Option(names = "--trace", description = "Trace every TCP connection of the cable scenarios' stacks into a sink that"
            + " only counts the events (the cost of the trace itself; see dev.tsunagu.trace).")
    boolean trace;

    @Option(names = "--driver", paramLabel = "DRIVER", defaultValue = "cable",
            description = "cable (default): two stacks in this JVM; tap: a kernel socket and a Tsunagu socket over a TAP (root).")
    String driver;

    static final class Groups extends ArrayList<String> {
        Groups() {
            super(GROUPS);
            add(PATHS);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int nRounds = rounds != null ? rounds : quick ? 2 : 5;
        long nBytes = bytes != null ? parseSize(bytes) : quick ? 32L << 20 : 1L << 30;
        int nConns = conns != null ? conns : quick ? 2_000 : 100_000;
        if (nRounds < 1) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1");
        }
        if (nConns < 1 || nConns > 1_000_000) {
            throw new ParameterException(spec.commandLine(), "--conns must be 1..1000000");
        }
        if (nBytes < Bulk.CHUNK * 8L) {
            throw new ParameterException(spec.commandLine(), "--bytes must be at least 512K");
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (String s : scenarios) {
            String g = s.strip().toLowerCase(Locale.ROOT);
            if (!GROUPS.contains(g) && !g.equals(PATHS)) {
                throw new ParameterException(spec.commandLine(), "unknown scenario '" + s + "': one of " + new Groups());
            }
            chosen.add(g);
        }
        if (html != null && !chosen.contains(PATHS)) {
            throw new ParameterException(spec.commandLine(), "--html draws the paths scenario's flows: add --scenario paths");
        }
        CablePair.traced = trace;
        String command = "tsunagu " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        if (chosen.remove(PATHS)) {
            out.println("command: " + command.strip());
            if (html != null) {
                java.nio.file.Files.createDirectories(html);
            }
            PathComparison.run(out, quick, 1, html);
            out.flush();
            if (chosen.isEmpty()) {
                return 0;
            }
            out.println();
        }
        if (chosen.isEmpty()) {
            chosen.addAll(GROUPS);
        }
        out.println("tsunagu bench: " + Machine.describe());
        out.println("command: " + command.strip() + "; " + nRounds + " rounds per side, alternating");
        out.flush();

        List<Scenario> list;
        String baseline;
        TapScenarios tap = null;
        switch (driver) {
            case "cable" -> {
                list = cableScenarios(chosen, nBytes, nConns);
                baseline = "kernel 127.0.0.1";
            }
            case "tap" -> {
                tap = TapScenarios.prepare(quick, bytes != null ? nBytes : quick ? 64L << 20 : 2L << 30, out);
                list = tap.scenarios(chosen);
                baseline = "kernel↔kernel veth";
            }
            default -> throw new ParameterException(spec.commandLine(), "unknown driver '" + driver + "': cable or tap");
        }
        List<Result> results = new ArrayList<>();
        try {
            for (Scenario s : list) {
                results.addAll(run(s, nRounds, out));
            }
        } finally {
            if (tap != null) {
                tap.close();
            }
        }
        out.println();
        Report.printTable(out, baseline, results);
        if (json != null) {
            Report.writeJson(json, command.strip(), baseline, nRounds, results);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }

    static List<Scenario> cableScenarios(Set<String> chosen, long nBytes, int nConns) {
        List<Scenario> list = new ArrayList<>();
        if (chosen.contains("bulk")) {
            for (int mtu : new int[] {1500, 9000, 65535}) {
                list.add(new Bulk(mtu, 1, nBytes));
            }
            list.add(new Bulk(1500, true, 1, nBytes)); // checksum and segmentation offload on the cable
        }
        if (chosen.contains("bulk8")) {
            list.add(new Bulk(1500, 8, nBytes));
        }
        boolean small = nBytes < (256L << 20);
        if (chosen.contains("rr")) {
            list.add(new RequestResponse(small ? 2_000 : 20_000, false));
            list.add(new RequestResponse(small ? 2_000 : 20_000, true));
        }
        if (chosen.contains("crr")) {
            list.add(new ConnectRequestResponse(small ? 300 : 3_000, false));
            list.add(new ConnectRequestResponse(small ? 300 : 3_000, true));
        }
        if (chosen.contains("idle")) {
            list.add(new IdleScale(nConns));
        }
        if (chosen.contains("netty")) {
            list.add(new NettyRequestResponse(small ? 2_000 : 20_000));
            list.add(new NettyDiscard(nBytes));
        }
        return list;
    }

    private static List<Result> run(Scenario s, int rounds, PrintWriter out) throws Exception {
        out.printf("%-18s warm-up", s.name());
        out.flush();
        s.warmUp();
        Map<String, double[]> t = new LinkedHashMap<>();
        Map<String, double[]> k = new LinkedHashMap<>();
        for (Metric m : s.metrics()) {
            t.put(m.key(), new double[rounds]);
            k.put(m.key(), new double[rounds]);
        }
        Metric first = s.metrics().getFirst();
        for (int r = 0; r < rounds; r++) {
            // Alternate who goes first, so a trend in the machine's load does not favour one side.
            boolean tsunaguFirst = r % 2 == 0;
            for (int side = 0; side < 2; side++) {
                boolean tsunagu = (side == 0) == tsunaguFirst;
                Map<String, Double> v = tsunagu ? s.tsunagu() : s.kernel();
                Map<String, double[]> into = tsunagu ? t : k;
                for (Metric m : s.metrics()) {
                    Double d = v.get(m.key());
                    into.get(m.key())[r] = d != null ? d : Double.NaN;
                }
            }
            out.printf(" | %s/%s %s", Report.fmt(t.get(first.key())[r]), Report.fmt(k.get(first.key())[r]), first.unit());
            out.flush();
        }
        out.println();
        List<Result> results = new ArrayList<>();
        for (Metric m : s.metrics()) {
            String note = s instanceof IdleScale idle ? idle.notes().get("kernel") : null;
            results.add(new Result(s.name(), m, t.get(m.key()), k.get(m.key()), note));
        }
        return results;
    }

    /** 1G, 256M, 64K, or plain bytes. */
    static long parseSize(String s) {
        String v = s.strip().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.endsWith("K")) {
            unit = 1L << 10;
        } else if (v.endsWith("M")) {
            unit = 1L << 20;
        } else if (v.endsWith("G")) {
            unit = 1L << 30;
        }
        if (unit > 1) {
            v = v.substring(0, v.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(v), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("bad size '" + s + "': use e.g. 1G, 256M, 64K");
        }
    }
}
