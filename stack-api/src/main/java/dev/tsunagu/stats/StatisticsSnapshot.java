package dev.tsunagu.stats;

import java.util.Map;

/** The values of a stack's counters at one moment: group name to counter name to value. */
public record StatisticsSnapshot(Map<String, Map<String, Long>> groups) {
    /** Copies the outer map; the copy is unmodifiable. */
    public StatisticsSnapshot {
        groups = Map.copyOf(groups);
    }

    /** The value of {@code group.counter}, or 0 if it was never counted. */
    public long get(String group, String counter) {
        Map<String, Long> g = groups.get(group);
        if (g == null) {
            return 0;
        }
        Long v = g.get(counter);
        return v == null ? 0 : v;
    }

    /** Like {@code netstat -s}: one section per group, non-zero counters only unless {@code all}. */
    public String format(boolean all) {
        StringBuilder sb = new StringBuilder();
        groups.keySet().stream().sorted().forEach(name -> {
            Map<String, Long> g = groups.get(name);
            sb.append(name).append(':').append('\n');
            g.forEach((k, v) -> {
                if (all || v != 0) {
                    sb.append("    ").append(k).append(' ').append(v).append('\n');
                }
            });
        });
        return sb.toString();
    }

    @Override
    public String toString() {
        return format(false);
    }
}
