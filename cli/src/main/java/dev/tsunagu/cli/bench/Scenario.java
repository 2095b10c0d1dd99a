package dev.tsunagu.cli.bench;

import java.util.List;
import java.util.Map;

/**
 * A measurement with a Tsunagu side and a kernel side. Each call is one round: it sets up
 * from scratch, measures, tears down, and returns a value for every metric (by key).
 */
interface Scenario {
    /** Short name, as {@code --scenario} selects it: {@code bulk}, {@code rr}… */
    String group();

    /** This instance's name in the table ({@code bulk mtu 9000}). */
    String name();

    List<Metric> metrics();

    /** Called once before the rounds with a smaller workload, to warm the JIT; results ignored. */
    default void warmUp() throws Exception {
        tsunagu();
        kernel();
    }

    Map<String, Double> tsunagu() throws Exception;

    Map<String, Double> kernel() throws Exception;
}
