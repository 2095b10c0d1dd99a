package dev.tsunagu.packetdrill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs scripts by the file or by the directory (searched recursively for {@code *.pkt}), one
 * line each, then the pass rate by directory: what {@code tsunagu packetdrill} prints.
 */
public final class Corpus {
    private Corpus() {}

    /**
     * The scripts named: files as given, directories searched recursively, each sorted; as
     * absolute paths, so that they print relative to {@link #base} however they were named
     * ({@code ../shared/packetdrill} as well as {@code /work/shared/packetdrill}).
     */
    public static List<Path> scripts(List<Path> roots) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path given : roots) {
            Path r = given.toAbsolutePath().normalize();
            if (Files.isDirectory(r)) {
                try (Stream<Path> s = Files.walk(r)) {
                    s.filter(p -> p.toString().endsWith(".pkt") && Files.isRegularFile(p)).sorted().forEach(out::add);
                }
            } else if (Files.isRegularFile(r)) {
                out.add(r);
            } else {
                throw new IOException(given + ": no such file or directory");
            }
        }
        return out;
    }

    /** Runs every script, printing a line as each finishes, and returns the verdicts. */
    public static List<Verdict> run(List<Path> scripts, Path relativeTo, Consumer<String> out) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Path p : scripts) {
            Verdict v = ScriptRunner.run(p);
            verdicts.add(v);
            if (out != null) {
                out.accept(v.format(relativeTo));
            }
        }
        return verdicts;
    }

    /** The counts by directory, then the total: {@code tcp/shutdown  3/4 pass  1 fail  0 unsupported}. */
    public static List<String> summary(List<Verdict> verdicts, Path relativeTo) {
        Map<String, int[]> byDir = new TreeMap<>();
        for (Verdict v : verdicts) {
            Path p = relativeTo == null ? v.path() : relativeTo.relativize(v.path());
            String dir = p.getParent() == null ? "." : p.getParent().toString();
            int[] c = byDir.computeIfAbsent(dir, d -> new int[3]);
            c[v.result().ordinal()]++;
        }
        int width = byDir.keySet().stream().mapToInt(String::length).max().orElse(5);
        List<String> lines = new ArrayList<>();
        int[] total = new int[3];
        byDir.forEach((dir, c) -> {
            lines.add(row(dir, c, width));
            for (int i = 0; i < 3; i++) {
                total[i] += c[i];
            }
        });
        lines.add(row("total", total, width));
        return lines;
    }

    private static String row(String name, int[] c, int width) {
        int n = c[0] + c[1] + c[2];
        return String.format("%-" + width + "s  %3d/%-3d pass  %3d fail  %3d unsupported", name, c[0], n, c[1], c[2]);
    }

    /** The common directory of the roots, to print paths relative to it. */
    public static Path base(List<Path> roots) {
        Path common = null;
        for (Path r : roots) {
            Path d = (Files.isDirectory(r) ? r : r.getParent());
            d = d == null ? Path.of("").toAbsolutePath() : d.toAbsolutePath().normalize();
            if (common == null) {
                common = d;
            } else {
                while (!d.startsWith(common)) {
                    common = common.getParent();
                }
            }
        }
        return common;
    }

}
