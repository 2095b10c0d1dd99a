package dev.tsunagu.tcp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.RetransmissionPolicy;
import dev.tsunagu.stack.StackOption;
import dev.tsunagu.tcp.TcpOptions;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Rfc6298} alone: the estimator's formulas on sample sequences with exact expected
 * values, the floor and ceiling, backoff, the retry limit, and what ends a backoff. Times are
 * plain numbers.
 */
class Rfc6298Test {
    private static final long MS = 1_000_000;
    private static final long S = 1_000 * MS;

    /** A policy context with these options set and the rest at their defaults. */
    record Context(int mss, Map<StackOption<?>, Object> options) implements PolicyContext {
        Context() {
            this(1460, new HashMap<>());
        }

        <T> Context with(StackOption<T> option, T value) {
            options.put(option, value);
            return this;
        }

        @Override
        public <T> T option(StackOption<T> option) {
            return option.type().cast(options.getOrDefault(option, option.defaultValue()));
        }

        @Override
        public RandomGenerator random() {
            return new SplittableRandom(1);
        }
    }

    /** The shipped defaults: initial 1 s, floor 200 ms, ceiling 60 s, 15 retries. */
    private static RetransmissionPolicy defaults() {
        return new Rfc6298Provider().create(new Context());
    }

    /** No floor to speak of, a high ceiling: the formulas alone. */
    private static RetransmissionPolicy unclamped() {
        return new Rfc6298Provider().create(new Context()
                .with(TcpOptions.MIN_RTO, Duration.ZERO)
                .with(TcpOptions.MAX_RTO, Duration.ofMinutes(10)));
    }

    private static long nanos(String millis) {
        return new BigDecimal(millis).multiply(BigDecimal.valueOf(MS)).longValueExact();
    }

    // ---- the estimator, RFC 6298 2.1-2.3 ----

    @ParameterizedTest(name = "[{index}] samples {0} ms: SRTT {1}, RTTVAR {2}, RTO {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # samples (ms)    | SRTT (ms) | RTTVAR (ms) | RTO (ms)   | note
                              | -1        | -1          | 1000       | 2.1: the initial RTO
              100             | 100       | 50          | 300        | 2.2: SRTT = R, RTTVAR = R/2
              100 100         | 100       | 37.5        | 250        | 2.3: RTTVAR decays with no variance
              100 200         | 112.5     | 62.5        | 362.5      |
              200 100         | 187.5     | 100         | 587.5      |
              100 100 100 100 | 100       | 21.09375    | 184.375    |
              500 100         | 450       | 287.5       | 1600       |
              100 500 100     | 143.75    | 115.625     | 606.25     | RTTVAR uses the old SRTT
              40 40 60 20     | 39.6875   | 17.8125     | 110.9375   |
              1 1 1           | 1         | 0.28125     | 2.125      |
              0.1             | 0.1       | 0.05        | 1.1        | 4 RTTVAR < G: SRTT + G
              0               | 0         | 0           | 1          | a zero RTT (virtual time): G
              30 32 29 150 31 | 43.321777 | 31.135742   | 167.864746 | the RFC's values rounded down to the ns
            """)
    void theEstimatorFollowsTheRfcFormulas(String samples, String srtt, String rttvar, String rto, String note) {
        RetransmissionPolicy p = unclamped();
        if (samples != null) {
            for (String sample : samples.trim().split("\\s+")) {
                p.onRttSample(nanos(sample));
            }
        }
        assertThat(p.smoothedRttNanos()).as("SRTT").isEqualTo(srtt.equals("-1") ? -1 : nanos(srtt));
        assertThat(p.rttVariationNanos()).as("RTTVAR").isEqualTo(rttvar.equals("-1") ? -1 : nanos(rttvar));
        assertThat(p.currentTimeoutNanos()).as("RTO").isEqualTo(nanos(rto));
        assertThat(((Rfc6298) p).retransmissionTimeoutNanos()).isEqualTo(nanos(rto));
    }

    @Test
    void theScaledIntegerArithmeticDoesNotDrift() {
        RetransmissionPolicy p = unclamped();
        MathContext mc = MathContext.DECIMAL128;
        BigDecimal srtt = null;
        BigDecimal rttvar = null;
        SplittableRandom random = new SplittableRandom(6298);
        for (int i = 0; i < 5000; i++) {
            long r = random.nextInt(10) == 0 ? random.nextLong(5 * S) : random.nextLong(500 * MS);
            p.onRttSample(r);
            BigDecimal sample = BigDecimal.valueOf(r);
            if (srtt == null) {
                srtt = sample;
                rttvar = sample.divide(BigDecimal.TWO, mc);
            } else {
                rttvar = rttvar.multiply(new BigDecimal("0.75"), mc)
                        .add(srtt.subtract(sample).abs().multiply(new BigDecimal("0.25"), mc), mc);
                srtt = srtt.multiply(new BigDecimal("0.875"), mc).add(sample.multiply(new BigDecimal("0.125"), mc), mc);
            }
            BigDecimal rto = srtt.add(rttvar.multiply(BigDecimal.valueOf(4)).max(BigDecimal.valueOf(MS)), mc);
            assertThat(BigDecimal.valueOf(p.smoothedRttNanos()).subtract(srtt).abs().doubleValue())
                    .as("SRTT after %d samples", i + 1).isLessThanOrEqualTo(2);
            assertThat(BigDecimal.valueOf(p.rttVariationNanos()).subtract(rttvar).abs().doubleValue())
                    .as("RTTVAR after %d samples", i + 1).isLessThanOrEqualTo(3);
            assertThat(BigDecimal.valueOf(p.currentTimeoutNanos()).subtract(rto).abs().doubleValue())
                    .as("RTO after %d samples", i + 1).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void aNegativeSampleIsIgnored() {
        RetransmissionPolicy p = unclamped();
        p.onRttSample(-1);
        assertThat(p.smoothedRttNanos()).isEqualTo(-1);
        assertThat(p.currentTimeoutNanos()).isEqualTo(S);
    }

    // ---- the floor and the ceiling, 2.4 and 2.5 ----

    @ParameterizedTest(name = "[{index}] sample {0} ms: RTO {1} ms")
    @CsvSource({
        "0,     200", // G = 1 ms, raised to the 200 ms floor
        "10,    200", // 30 ms
        "66,    200", // 198 ms
        "66.75, 200.25", // just above the floor
        "100,   300",
        "19000, 57000",
        "20000, 60000", // exactly the ceiling
        "50000, 60000", // 150 s, lowered to the 60 s ceiling
    })
    void theRtoIsClampedToTheFloorAndCeiling(String sample, String rto) {
        RetransmissionPolicy p = defaults();
        p.onRttSample(nanos(sample));
        assertThat(p.currentTimeoutNanos()).isEqualTo(nanos(rto));
        assertThat(p.smoothedRttNanos()).as("the estimator itself is not clamped").isEqualTo(nanos(sample));
    }

    @Test
    void theOptionsAreReadFromTheContext() {
        RetransmissionPolicy p = new Rfc6298Provider().create(new Context()
                .with(TcpOptions.INITIAL_RTO, Duration.ofSeconds(3))
                .with(TcpOptions.MIN_RTO, Duration.ofSeconds(1))
                .with(TcpOptions.MAX_RTO, Duration.ofSeconds(120))
                .with(TcpOptions.MAX_RETRIES, 2));
        assertThat(p.currentTimeoutNanos()).isEqualTo(3 * S);
        assertThat(p.onTimeout(0)).isTrue();
        assertThat(p.currentTimeoutNanos()).isEqualTo(6 * S);
        assertThat(p.onTimeout(0)).isTrue();
        assertThat(p.onTimeout(0)).isFalse();
        p.onNewDataAcked();
        p.onRttSample(10 * MS);
        assertThat(p.currentTimeoutNanos()).as("RFC 6298's 1 s floor").isEqualTo(S);
        p.onRttSample(50 * S);
        assertThat(p.currentTimeoutNanos()).isLessThanOrEqualTo(120 * S);
    }

    @ParameterizedTest(name = "[{index}] initial {0} ms, floor {1} ms, ceiling {2} ms: {3} ms")
    @CsvSource({
        "1000, 200,  60000, 1000",
        "1000, 3000, 60000, 3000", // a floor above the initial RTO holds before the first sample too
        "1000, 0,    500,   500",
    })
    void theInitialRtoIsClampedToo(long initial, long min, long max, long expected) {
        RetransmissionPolicy p = new Rfc6298(initial * MS, min * MS, max * MS, 15);
        assertThat(p.currentTimeoutNanos()).isEqualTo(expected * MS);
    }

    @ParameterizedTest(name = "[{index}] initial {0}, min {1}, max {2}, retries {3}")
    @CsvSource({
        "0,    200,  60000, 15", // no initial RTO
        "1000, -1,   60000, 15",
        "1000, 200,  0,     15",
        "1000, 2000, 1000,  15", // floor above ceiling
        "1000, 200,  60000, -1",
    })
    void inconsistentSettingsAreRefused(long initial, long min, long max, int retries) {
        assertThatThrownBy(() -> new Rfc6298(initial * MS, min * MS, max * MS, retries))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theProviderRefusesInconsistentOptions() {
        Context context = new Context().with(TcpOptions.MIN_RTO, Duration.ofMinutes(2));
        assertThatThrownBy(() -> new Rfc6298Provider().create(context))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the maximum");
    }

    // ---- backoff, 5.5 ----

    @ParameterizedTest(name = "[{index}] RTO {0} ms, ceiling {1} ms: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # RTO (ms) | ceiling (ms) | timeouts after each of 8 timeouts (ms)
            1000       | 60000        | 2000 4000 8000 16000 32000 60000 60000 60000
            300        | 60000        | 600 1200 2400 4800 9600 19200 38400 60000
            200        | 1000         | 400 800 1000 1000 1000 1000 1000 1000
            60000      | 60000        | 60000 60000 60000 60000 60000 60000 60000 60000
            """)
    void eachTimeoutDoublesTheTimeoutUpToTheCeiling(long rto, long max, String expected) {
        RetransmissionPolicy p = new Rfc6298(rto * MS, 0, max * MS, 15);
        assertThat(p.currentTimeoutNanos()).isEqualTo(rto * MS);
        long[] timeouts = new long[8];
        for (int i = 0; i < timeouts.length; i++) {
            assertThat(p.onTimeout(i * S)).isTrue();
            timeouts[i] = p.currentTimeoutNanos() / MS;
        }
        assertThat(timeouts).containsExactly(Arrays.stream(expected.split(" ")).mapToLong(Long::parseLong).toArray());
        assertThat(p.consecutiveTimeouts()).isEqualTo(8);
        assertThat(((Rfc6298) p).retransmissionTimeoutNanos()).as("the estimator's RTO is untouched").isEqualTo(rto * MS);
    }

    @Test
    void backoffNeverOverflows() {
        RetransmissionPolicy p = new Rfc6298(S, 0, Long.MAX_VALUE, Integer.MAX_VALUE);
        for (int i = 0; i < 200; i++) {
            assertThat(p.onTimeout(0)).isTrue();
            assertThat(p.currentTimeoutNanos()).isPositive();
        }
        assertThat(p.currentTimeoutNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest(name = "MAX_RETRIES {0}")
    @ValueSource(ints = {0, 1, 3, 15})
    void itGivesUpWhenTimeoutsExceedTheRetryLimit(int maxRetries) {
        RetransmissionPolicy p = new Rfc6298Provider().create(new Context().with(TcpOptions.MAX_RETRIES, maxRetries));
        for (int i = 1; i <= maxRetries; i++) {
            assertThat(p.onTimeout(0)).as("timeout %d", i).isTrue();
            assertThat(p.consecutiveTimeouts()).isEqualTo(i);
        }
        long last = p.currentTimeoutNanos();
        assertThat(p.onTimeout(0)).as("timeout %d", maxRetries + 1).isFalse();
        assertThat(p.consecutiveTimeouts()).isEqualTo(maxRetries + 1);
        assertThat(p.currentTimeoutNanos()).as("no further backoff on giving up").isEqualTo(last);
    }

    @Test
    void newDataAckedEndsTheBackoffAndTheCount() {
        RetransmissionPolicy p = new Rfc6298Provider().create(new Context().with(TcpOptions.MAX_RETRIES, 3));
        p.onRttSample(100 * MS); // RTO 300 ms
        for (int i = 0; i < 3; i++) {
            assertThat(p.onTimeout(0)).isTrue();
        }
        assertThat(p.currentTimeoutNanos()).isEqualTo(2400 * MS);
        p.onNewDataAcked();
        assertThat(p.currentTimeoutNanos()).isEqualTo(300 * MS);
        assertThat(p.consecutiveTimeouts()).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(p.onTimeout(0)).as("a fresh allowance of retries").isTrue();
        }
        assertThat(p.onTimeout(0)).isFalse();
    }

    @Test
    void aNewSampleRecomputesTheRtoWithoutBackoff() {
        RetransmissionPolicy p = defaults();
        p.onRttSample(100 * MS);
        p.onTimeout(0);
        p.onTimeout(0);
        assertThat(p.currentTimeoutNanos()).isEqualTo(1200 * MS);
        p.onRttSample(100 * MS);
        assertThat(p.currentTimeoutNanos()).isEqualTo(250 * MS);
        assertThat(p.consecutiveTimeouts()).as("only new data acknowledged clears the count").isEqualTo(2);
    }

    @Test
    void beforeAnySampleTheBackoffStartsFromTheInitialRto() {
        RetransmissionPolicy p = defaults();
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            p.onTimeout(0);
            seen.add(p.currentTimeoutNanos() / S);
        }
        assertThat(seen).containsExactly(2L, 4L, 8L, 16L, 32L, 60L, 60L);
        p.onNewDataAcked();
        assertThat(p.currentTimeoutNanos()).isEqualTo(S);
    }

    @Test
    void toStringShowsTheTimerAndTheEstimator() {
        RetransmissionPolicy p = defaults();
        assertThat(p).hasToString("Rfc6298[rto=1000000us, srtt=none, rttvar=none, timeouts=0]");
        p.onRttSample(100 * MS);
        p.onTimeout(0);
        assertThat(p).hasToString("Rfc6298[rto=600000us (backed off from 300000us), srtt=100000us, rttvar=50000us, timeouts=1]");
    }
}
