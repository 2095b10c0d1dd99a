package dev.tsunagu.stats;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counters of one layer or interface, in the spirit of one section of Linux's
 * {@code /proc/net/snmp} ({@code Ip:}, {@code Tcp:}…). Names follow the MIB where one exists
 * ({@code InReceives}, {@code InHdrErrors}) and say the reason for every drop otherwise.
 */
public final class CounterGroup {
    private final String name;
    private final Map<String, Counter> counters = Collections.synchronizedMap(new LinkedHashMap<>());

    CounterGroup(String name) {
        this.name = name;
    }

    /** The group's name ({@code ip}, {@code if.eth0}). */
    public String name() {
        return name;
    }

    /** The counter called {@code name}, created on first use; written by the loop thread only. */
    public Counter counter(String name, String description) {
        return counters.computeIfAbsent(name, n -> new Counter(n, description, false));
    }

    /** A counter that several threads may write (atomic adds). */
    public Counter sharedCounter(String name, String description) {
        Counter c = counters.computeIfAbsent(name, n -> new Counter(n, description, true));
        c.makeShared(); // it may have been made single-writer first: from now on it is not
        return c;
    }

    /** The current value of {@code name}, or 0 if there is no such counter. */
    public long get(String name) {
        Counter c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    /** Name to value, in creation order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        synchronized (counters) {
            counters.forEach((k, v) -> out.put(k, v.get()));
        }
        return out;
    }
}
