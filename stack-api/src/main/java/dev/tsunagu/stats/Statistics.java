package dev.tsunagu.stats;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** All counter groups of one stack, by name ({@code "eth0"}, {@code "arp"}, {@code "ip"}…). */
public final class Statistics {
    private final Map<String, CounterGroup> groups = Collections.synchronizedMap(new LinkedHashMap<>());

    /** No groups yet; a stack makes one and hands groups to its layers. */
    public Statistics() {}

    /** The group called {@code name}, created on first use. */
    public CounterGroup group(String name) {
        return groups.computeIfAbsent(name, CounterGroup::new);
    }

    /** Every counter's value now; any thread. */
    public StatisticsSnapshot snapshot() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        synchronized (groups) {
            groups.forEach((k, v) -> out.put(k, v.snapshot()));
        }
        return new StatisticsSnapshot(out);
    }
}
