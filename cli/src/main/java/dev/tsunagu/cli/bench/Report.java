package dev.tsunagu.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/** The table for people and the same in JSON for tools. */
final class Report {
    private Report() {}

    static void printTable(PrintWriter out, String baselineName, List<Result> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"scenario", "unit", "Tsunagu median [min–max]", baselineName + " median [min–max]",
            "ratio"});
        for (Result r : results) {
            rows.add(new String[] {r.metric().label(), r.metric().unit(), cell(r.tsunagu()), cell(r.kernel()),
                fmt(r.ratio()) + "×"});
        }
        int[] width = new int[5];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (int k = 0; k < rows.size(); k++) {
            StringBuilder line = new StringBuilder("| ");
            for (int i = 0; i < 5; i++) {
                String v = rows.get(k)[i];
                line.append(i >= 2 ? padLeft(v, width[i]) : padRight(v, width[i])).append(" | ");
            }
            out.println(line.toString().stripTrailing());
            if (k == 0) {
                StringBuilder rule = new StringBuilder("|");
                for (int i = 0; i < 5; i++) {
                    rule.append(i >= 2 ? " " + "-".repeat(width[i] - 1) + ": |" : " " + "-".repeat(width[i]) + " |");
                }
                out.println(rule);
            }
        }
        out.println("ratio: above 1 means Tsunagu did better (throughput ÷ baseline's, or baseline's latency or size ÷ Tsunagu's)");
        for (Result r : results) {
            if (r.note() != null) {
                out.println("note (" + r.metric().label() + "): " + r.note());
            }
        }
    }

    static String cell(double[] v) {
        return fmt(Stats.median(v)) + " [" + fmt(Stats.min(v)) + "–" + fmt(Stats.max(v)) + "]";
    }

    /** Three significant digits or so: 5.41, 54.1, 541, 5410. */
    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, f, v);
    }

    static void writeJson(Path file, String command, String baseline, int rounds, List<Result> results)
            throws IOException {
        StringBuilder j = new StringBuilder();
        j.append("{\n");
        j.append("  \"date\": ").append(str(java.time.Instant.now().toString())).append(",\n");
        j.append("  \"machine\": {\"nproc\": ").append(Runtime.getRuntime().availableProcessors())
                .append(", \"cpu\": ").append(str(Machine.cpuModel()))
                .append(", \"java\": ").append(str(System.getProperty("java.vm.name") + " " + Runtime.version()))
                .append("},\n");
        j.append("  \"command\": ").append(str(command)).append(",\n");
        j.append("  \"baseline\": ").append(str(baseline)).append(",\n");
        j.append("  \"rounds\": ").append(rounds).append(",\n");
        j.append("  \"results\": [");
        StringJoiner rows = new StringJoiner(",\n", "\n", "\n  ");
        for (Result r : results) {
            rows.add("    {\"scenario\": " + str(r.scenario()) + ", \"metric\": " + str(r.metric().key())
                    + ", \"label\": " + str(r.metric().label()) + ", \"unit\": " + str(r.metric().unit())
                    + ", \"higherIsBetter\": " + r.metric().higherIsBetter()
                    + ",\n     \"tsunagu\": " + side(r.tsunagu()) + ",\n     \"baseline\": " + side(r.kernel())
                    + ",\n     \"ratio\": " + num(r.ratio())
                    + (r.note() != null ? ", \"note\": " + str(r.note()) : "") + "}");
        }
        j.append(results.isEmpty() ? "" : rows.toString()).append("]\n}\n");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, j, StandardCharsets.UTF_8);
    }

    private static String side(double[] v) {
        StringJoiner samples = new StringJoiner(", ", "[", "]");
        for (double d : v) {
            samples.add(num(d));
        }
        return "{\"median\": " + num(Stats.median(v)) + ", \"min\": " + num(Stats.min(v)) + ", \"max\": "
                + num(Stats.max(v)) + ", \"samples\": " + samples + "}";
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String padRight(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(Math.max(0, w - s.length())) + s;
    }
}
