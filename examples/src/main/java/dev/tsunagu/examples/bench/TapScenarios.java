package dev.tsunagu.examples.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;

/** {@code bench --driver tap}: not built yet (see docs/performance.md). */
final class TapScenarios {
    private TapScenarios() {}

    static TapScenarios prepare(boolean quick, long bytes, PrintWriter out) {
        throw new IllegalStateException("bench --driver tap is not implemented yet; the TAP figures come from "
                + "driver-tap's interop tests for now (see docs/performance.md)");
    }

    List<Scenario> scenarios(Set<String> chosen) {
        return List.of();
    }
}
