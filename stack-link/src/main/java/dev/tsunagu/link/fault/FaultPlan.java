package dev.tsunagu.link.fault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link FaultInjectingDriver} does to the frames passing through it: an immutable
 * description, made with {@link #builder()} or {@link #parse(String)} from a command line.
 *
 * <p>Each fault has its own probability in [0, 1], decided independently for every frame:
 * <ul>
 *   <li><b>drop</b>: the frame is lost;</li>
 *   <li><b>duplicate</b>: a copy follows the frame;</li>
 *   <li><b>corrupt</b>: one random bit of the frame is flipped (the duplicate, if any, is the
 *       uncorrupted original);</li>
 *   <li><b>delay</b>: the frame is held back for {@link #delay()} plus a uniform jitter in
 *       [0, {@link #jitter()}];</li>
 *   <li><b>reorder</b>: the frame is held back and released right after the next frame, or
 *       after {@link #reorderWindow()} if no next frame comes;</li>
 *   <li><b>rate</b>: a token-bucket shaper limits the direction to {@link #rateBitsPerSecond()}
 *       (0 = no limit), queueing at most {@link #rateQueueFrames()} frames and dropping beyond.</li>
 * </ul>
 * Frames held by the decorator (delayed, held for reordering, queued by the shaper) are limited
 * to {@link #maxInFlight()} per direction so memory stays bounded whatever the traffic.
 *
 * <h2>Text syntax</h2>
 * {@link #parse(String)} reads a comma-separated list of {@code KEY=VALUE} items, each key at
 * most once, e.g. {@code drop=0.05,dup=0.01,reorder=0.02,corrupt=0.001,delay=0.1:20ms+5ms,rate=10mbit,dir=tx}:
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>value</th><th>meaning</th></tr>
 *   <tr><td>{@code drop}</td><td>{@code P}</td><td>drop probability</td></tr>
 *   <tr><td>{@code dup} (or {@code duplicate})</td><td>{@code P}</td><td>duplicate probability</td></tr>
 *   <tr><td>{@code corrupt}</td><td>{@code P}</td><td>single-bit corruption probability</td></tr>
 *   <tr><td>{@code reorder}</td><td>{@code P[:WINDOW]}</td><td>reorder probability, and how long a held
 *       frame waits for a successor (default 10ms)</td></tr>
 *   <tr><td>{@code delay}</td><td>{@code [P:]DELAY[+JITTER]}</td><td>with probability P (default 1) delay by
 *       DELAY plus uniform jitter in [0, JITTER]</td></tr>
 *   <tr><td>{@code rate}</td><td>{@code RATE}</td><td>rate limit; 0 = none</td></tr>
 *   <tr><td>{@code queue}</td><td>{@code N}</td><td>shaper queue length in frames (default 64)</td></tr>
 *   <tr><td>{@code limit}</td><td>{@code N}</td><td>frames held in flight per direction (default 1024)</td></tr>
 *   <tr><td>{@code dir}</td><td>{@code tx|rx|both}</td><td>direction(s) the plan applies to (default both)</td></tr>
 * </table>
 * A probability {@code P} is a decimal number in [0, 1]. A duration is a non-negative decimal
 * number with a unit, {@code s}, {@code ms}, {@code us} or {@code ns} ({@code 20ms},
 * {@code 1.5s}). A rate is a non-negative decimal number of bits per second with an optional
 * unit {@code bit}, {@code kbit}, {@code mbit} or {@code gbit} (powers of 1000, as in
 * {@code tc}). The word {@code none} alone is the empty plan. {@link #toSpec()} writes this
 * syntax back, so {@code parse(plan.toSpec()).equals(plan)}.
 *
 * @param drop              probability of dropping a frame
 * @param duplicate         probability of duplicating a frame
 * @param reorder           probability of holding a frame back behind the next one
 * @param reorderWindow     the longest a frame is held back for reordering; positive
 * @param corrupt           probability of flipping one random bit
 * @param delayProbability  probability of delaying a frame
 * @param delay             the fixed part of a delay; non-negative
 * @param jitter            the random part of a delay: uniform in [0, jitter]; non-negative
 * @param rateBitsPerSecond rate limit, 0 for none
 * @param rateQueueFrames   frames the shaper queues before it drops; positive
 * @param maxInFlight       frames held (delayed, reordered, shaped) per direction before new ones
 *                          are dropped; positive
 * @param direction         which direction(s) the plan applies to
 */
public record FaultPlan(
        double drop,
        double duplicate,
        double reorder,
        Duration reorderWindow,
        double corrupt,
        double delayProbability,
        Duration delay,
        Duration jitter,
        long rateBitsPerSecond,
        int rateQueueFrames,
        int maxInFlight,
        Direction direction) {

    /** Which way through the decorator a plan applies to. */
    public enum Direction {
        /** Frames the stack sends (before they reach the wrapped driver). */
        TRANSMIT,
        /** Frames the wrapped driver receives (before they reach the stack). */
        RECEIVE,
        /** Both ways, each with its own random stream. */
        BOTH;

        /** Whether a plan with this setting applies to frames going {@code way}. */
        public boolean includes(Direction way) {
            return this == BOTH || this == way;
        }
    }

    public static final Duration DEFAULT_REORDER_WINDOW = Duration.ofMillis(10);
    public static final int DEFAULT_RATE_QUEUE_FRAMES = 64;
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;

    private static final FaultPlan NONE = builder().build();

    public FaultPlan {
        checkProbability("drop", drop);
        checkProbability("duplicate", duplicate);
        checkProbability("reorder", reorder);
        checkProbability("corrupt", corrupt);
        checkProbability("delay", delayProbability);
        Objects.requireNonNull(reorderWindow, "reorderWindow");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(jitter, "jitter");
        Objects.requireNonNull(direction, "direction");
        if (reorderWindow.isNegative() || reorderWindow.isZero()) {
            throw new IllegalArgumentException("reorder window must be positive: " + reorderWindow);
        }
        checkNanos("delay", delay);
        checkNanos("jitter", jitter);
        checkNanos("reorder window", reorderWindow);
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        if (jitter.isNegative()) {
            throw new IllegalArgumentException("jitter must not be negative: " + jitter);
        }
        if (rateBitsPerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative (0 = no limit): " + rateBitsPerSecond + " bit/s");
        }
        if (rateQueueFrames < 1) {
            throw new IllegalArgumentException("rate queue must hold at least 1 frame: " + rateQueueFrames);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("in-flight limit must be at least 1 frame: " + maxInFlight);
        }
    }

    private static void checkProbability(String what, double p) {
        if (!(p >= 0.0 && p <= 1.0)) { // also rejects NaN
            throw new IllegalArgumentException(what + " probability must be in [0, 1]: " + p);
        }
    }

    private static void checkNanos(String what, Duration d) {
        try {
            d.toNanos();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + " is too long to count in nanoseconds: " + d, e);
        }
    }

    /** The plan that changes nothing. */
    public static FaultPlan none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this plan, to derive a variant. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether this plan can never change a frame (all probabilities 0, no rate limit). */
    public boolean isNone() {
        return drop == 0 && duplicate == 0 && reorder == 0 && corrupt == 0 && delayProbability == 0
                && rateBitsPerSecond == 0;
    }

    /**
     * Whether every frame of an affected direction must pass the event loop: reordering and
     * shaping keep state across frames, so all of them must go one way to keep their order.
     */
    boolean needsLoopForEveryFrame() {
        return reorder > 0 || rateBitsPerSecond > 0;
    }

    // ------------------------------------------------------------------ text form

    /**
     * Parses the text syntax described in the class comment.
     *
     * @throws IllegalArgumentException naming the offending item, if the text is malformed,
     *         names an unknown or repeated key, or describes an invalid plan
     */
    public static FaultPlan parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String text = spec.strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty fault plan (want KEY=VALUE,... e.g. drop=0.05,delay=20ms; or none)");
        }
        if (text.equalsIgnoreCase("none")) {
            return none();
        }
        Builder b = builder();
        Set<String> seen = new HashSet<>();
        for (String item : text.split(",", -1)) {
            String it = item.strip();
            int eq = it.indexOf('=');
            if (eq <= 0 || eq == it.length() - 1) {
                throw new IllegalArgumentException("bad fault plan item '" + it + "' in '" + spec + "' (want KEY=VALUE)");
            }
            String key = it.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = it.substring(eq + 1).strip();
            if (key.equals("duplicate")) {
                key = "dup";
            }
            if (!seen.add(key)) {
                throw new IllegalArgumentException("fault plan key '" + key + "' given twice in '" + spec + "'");
            }
            try {
                parseItem(b, key, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad fault plan item '" + it + "': " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    private static void parseItem(Builder b, String key, String value) {
        switch (key) {
            case "drop" -> b.drop(parseProbability(value));
            case "dup" -> b.duplicate(parseProbability(value));
            case "corrupt" -> b.corrupt(parseProbability(value));
            case "reorder" -> {
                int colon = value.indexOf(':');
                if (colon < 0) {
                    b.reorder(parseProbability(value));
                } else {
                    b.reorder(parseProbability(value.substring(0, colon)));
                    b.reorderWindow(parseDuration(value.substring(colon + 1)));
                }
            }
            case "delay" -> {
                int colon = value.indexOf(':');
                double p = colon < 0 ? 1.0 : parseProbability(value.substring(0, colon));
                String times = value.substring(colon + 1);
                int plus = times.indexOf('+');
                Duration fixed = parseDuration(plus < 0 ? times : times.substring(0, plus));
                Duration jitter = plus < 0 ? Duration.ZERO : parseDuration(times.substring(plus + 1));
                b.delay(p, fixed, jitter);
            }
            case "rate" -> b.rate(parseRate(value));
            case "queue" -> b.rateQueueFrames(parseCount(value));
            case "limit" -> b.maxInFlight(parseCount(value));
            case "dir" -> b.direction(switch (value.toLowerCase(Locale.ROOT)) {
                case "tx", "transmit" -> Direction.TRANSMIT;
                case "rx", "receive" -> Direction.RECEIVE;
                case "both" -> Direction.BOTH;
                default -> throw new IllegalArgumentException("direction must be tx, rx or both");
            });
            default -> throw new IllegalArgumentException(
                    "unknown key (known: drop, dup, corrupt, reorder, delay, rate, queue, limit, dir)");
        }
    }

    private static double parseProbability(String s) {
        String t = s.strip();
        if (!t.matches("[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+\\.")) {
            throw new IllegalArgumentException("'" + s + "' is not a probability (want a number in [0, 1])");
        }
        double p = Double.parseDouble(t);
        checkProbability("a", p);
        return p;
    }

    private static int parseCount(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a whole number of frames", e);
        }
    }

    /** Splits {@code 20ms} into number and unit and returns {@code number * factor(unit)} exactly. */
    private static long scaled(String s, String what, String[] units, long[] factors) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        String number = t.substring(0, i);
        String unit = t.substring(i).strip();
        long factor = -1;
        for (int u = 0; u < units.length; u++) {
            if (units[u].equals(unit)) {
                factor = factors[u];
            }
        }
        if (number.isEmpty() || factor < 0) {
            throw new IllegalArgumentException("'" + s + "' is not a " + what);
        }
        try {
            BigDecimal value = new BigDecimal(number).multiply(BigDecimal.valueOf(factor));
            return value.longValueExact(); // rejects fractions of the smallest unit and overflow
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + s + "' is not a " + what + " (or not a whole number of "
                    + units[units.length - 1] + ")", e);
        }
    }

    private static final String[] DURATION_UNITS = {"s", "ms", "us", "ns"};
    private static final long[] DURATION_FACTORS = {1_000_000_000L, 1_000_000L, 1_000L, 1L};
    private static final String[] RATE_UNITS = {"gbit", "mbit", "kbit", "bit", ""};
    private static final long[] RATE_FACTORS = {1_000_000_000L, 1_000_000L, 1_000L, 1L, 1L};

    private static Duration parseDuration(String s) {
        return Duration.ofNanos(scaled(s, "duration (want e.g. 20ms, 500us, 1.5s)", DURATION_UNITS, DURATION_FACTORS));
    }

    private static long parseRate(String s) {
        return scaled(s, "rate (want e.g. 10mbit, 512kbit, 1gbit)", RATE_UNITS, RATE_FACTORS);
    }

    /** This plan in the {@link #parse(String) text syntax}; only settings that differ from the defaults appear. */
    public String toSpec() {
        StringBuilder sb = new StringBuilder();
        if (drop != 0) {
            item(sb, "drop", Double.toString(drop));
        }
        if (duplicate != 0) {
            item(sb, "dup", Double.toString(duplicate));
        }
        if (corrupt != 0) {
            item(sb, "corrupt", Double.toString(corrupt));
        }
        if (reorder != 0 || !reorderWindow.equals(DEFAULT_REORDER_WINDOW)) {
            item(sb, "reorder", reorder + (reorderWindow.equals(DEFAULT_REORDER_WINDOW) ? "" : ":" + format(reorderWindow)));
        }
        if (delayProbability != 0 || !delay.isZero() || !jitter.isZero()) {
            item(sb, "delay", delayProbability + ":" + format(delay) + (jitter.isZero() ? "" : "+" + format(jitter)));
        }
        if (rateBitsPerSecond != 0) {
            item(sb, "rate", formatRate(rateBitsPerSecond));
        }
        if (rateQueueFrames != DEFAULT_RATE_QUEUE_FRAMES) {
            item(sb, "queue", Integer.toString(rateQueueFrames));
        }
        if (maxInFlight != DEFAULT_MAX_IN_FLIGHT) {
            item(sb, "limit", Integer.toString(maxInFlight));
        }
        if (direction != Direction.BOTH) {
            item(sb, "dir", direction == Direction.TRANSMIT ? "tx" : "rx");
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    private static void item(StringBuilder sb, String key, String value) {
        if (!sb.isEmpty()) {
            sb.append(',');
        }
        sb.append(key).append('=').append(value);
    }

    private static String format(Duration d) {
        long nanos = d.toNanos();
        for (int u = 0; u < DURATION_UNITS.length; u++) {
            if (nanos % DURATION_FACTORS[u] == 0) {
                return nanos / DURATION_FACTORS[u] + DURATION_UNITS[u];
            }
        }
        throw new AssertionError("unreachable: ns divides everything");
    }

    private static String formatRate(long bps) {
        for (int u = 0; u < 3; u++) {
            if (bps % RATE_FACTORS[u] == 0) {
                return bps / RATE_FACTORS[u] + RATE_UNITS[u];
            }
        }
        return bps + "bit";
    }

    @Override
    public String toString() {
        return "FaultPlan[" + toSpec() + "]";
    }

    // ------------------------------------------------------------------ builder

    /** A mutable builder; {@link #build()} validates. Every setting starts at "no fault". */
    public static final class Builder {
        private double drop;
        private double duplicate;
        private double reorder;
        private Duration reorderWindow = DEFAULT_REORDER_WINDOW;
        private double corrupt;
        private double delayProbability;
        private Duration delay = Duration.ZERO;
        private Duration jitter = Duration.ZERO;
        private long rateBitsPerSecond;
        private int rateQueueFrames = DEFAULT_RATE_QUEUE_FRAMES;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private Direction direction = Direction.BOTH;

        private Builder() {}

        private Builder(FaultPlan p) {
            drop = p.drop;
            duplicate = p.duplicate;
            reorder = p.reorder;
            reorderWindow = p.reorderWindow;
            corrupt = p.corrupt;
            delayProbability = p.delayProbability;
            delay = p.delay;
            jitter = p.jitter;
            rateBitsPerSecond = p.rateBitsPerSecond;
            rateQueueFrames = p.rateQueueFrames;
            maxInFlight = p.maxInFlight;
            direction = p.direction;
        }

        public Builder drop(double probability) {
            this.drop = probability;
            return this;
        }

        public Builder duplicate(double probability) {
            this.duplicate = probability;
            return this;
        }

        public Builder reorder(double probability) {
            this.reorder = probability;
            return this;
        }

        public Builder reorder(double probability, Duration window) {
            return reorder(probability).reorderWindow(window);
        }

        public Builder reorderWindow(Duration window) {
            this.reorderWindow = window;
            return this;
        }

        public Builder corrupt(double probability) {
            this.corrupt = probability;
            return this;
        }

        /** With {@code probability}, delay a frame by exactly {@code delay}. */
        public Builder delay(double probability, Duration delay) {
            return delay(probability, delay, Duration.ZERO);
        }

        /** With {@code probability}, delay a frame by {@code delay} plus uniform jitter in [0, {@code jitter}]. */
        public Builder delay(double probability, Duration delay, Duration jitter) {
            this.delayProbability = probability;
            this.delay = delay;
            this.jitter = jitter;
            return this;
        }

        /** Limits the rate to {@code bitsPerSecond}; 0 removes the limit. */
        public Builder rate(long bitsPerSecond) {
            this.rateBitsPerSecond = bitsPerSecond;
            return this;
        }

        public Builder rateQueueFrames(int frames) {
            this.rateQueueFrames = frames;
            return this;
        }

        public Builder maxInFlight(int frames) {
            this.maxInFlight = frames;
            return this;
        }

        public Builder direction(Direction direction) {
            this.direction = direction;
            return this;
        }

        /** @throws IllegalArgumentException if a setting is out of range, naming it */
        public FaultPlan build() {
            return new FaultPlan(drop, duplicate, reorder, reorderWindow, corrupt, delayProbability, delay, jitter,
                    rateBitsPerSecond, rateQueueFrames, maxInFlight, direction);
        }
    }
}
