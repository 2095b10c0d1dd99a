package dev.tsunagu.tcp.policy;

import static dev.tsunagu.policy.SendBufferingPolicy.Decision.HOLD;
import static dev.tsunagu.policy.SendBufferingPolicy.Decision.HOLD_WITH_TIMER;
import static dev.tsunagu.policy.SendBufferingPolicy.Decision.SEND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.policy.SendBufferingPolicy.Decision;
import dev.tsunagu.policy.SendBufferingPolicyProvider;
import dev.tsunagu.stack.StackOption;
import dev.tsunagu.tcp.TcpOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three shipped send-buffering policies on one table of sender situations: each row is a
 * {@link SendBufferingPolicy.State} and what nagle, nodelay and full-segment-or-timer (with
 * the default 200 ms hold) decide. Times are plain numbers.
 */
class SendBufferingPoliciesTest {
    private static final long MS = 1_000_000;
    private static final long T0 = 5_000 * MS;

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

    /** A fixed sender situation. */
    record Situation(int unsentBytes, int mss, long bytesInFlight, boolean finQueued, long nowNanos,
                     long oldestUnsentWrittenAtNanos) implements SendBufferingPolicy.State {
        @Override
        public String toString() {
            return unsentBytes + " unsent, " + bytesInFlight + " in flight" + (finQueued ? ", FIN" : "")
                    + ", waited " + (nowNanos - oldestUnsentWrittenAtNanos) + " ns";
        }
    }

    private static Situation state(int unsent, long inFlight, boolean fin, long waitedNanos) {
        return new Situation(unsent, 1460, inFlight, fin, T0 + waitedNanos, T0);
    }

    static Stream<Arguments> situations() {
        return Stream.of(
                // situation                                         nagle  nodelay full-segment-or-timer
                Arguments.of(state(100, 0, false, 0), SEND, SEND, HOLD_WITH_TIMER),
                Arguments.of(state(1, 0, false, 0), SEND, SEND, HOLD_WITH_TIMER),
                Arguments.of(state(100, 1460, false, 0), HOLD, SEND, HOLD_WITH_TIMER),
                Arguments.of(state(1459, 1460, false, 0), HOLD, SEND, HOLD_WITH_TIMER),
                Arguments.of(state(100, 1, false, 10 * MS), HOLD, SEND, HOLD_WITH_TIMER),
                Arguments.of(state(100, 1460, false, 200 * MS - 1), HOLD, SEND, HOLD_WITH_TIMER),
                Arguments.of(state(100, 1460, false, 200 * MS), HOLD, SEND, SEND),
                Arguments.of(state(100, 1460, false, 3_000 * MS), HOLD, SEND, SEND),
                Arguments.of(state(100, 0, false, 200 * MS), SEND, SEND, SEND),
                Arguments.of(state(100, 1460, true, 0), SEND, SEND, SEND), // the FIN follows: nothing more will fill it
                Arguments.of(state(0, 1460, true, 0), SEND, SEND, SEND), // a bare FIN
                Arguments.of(state(1460, 1460, false, 0), SEND, SEND, SEND), // a full segment is not held back
                // the loop's clock wraps (nanoTime-like): 250 ms have passed
                Arguments.of(new Situation(100, 1460, 1460, false, Long.MIN_VALUE + 100 * MS, Long.MAX_VALUE - 150 * MS + 1),
                        HOLD, SEND, SEND),
                Arguments.of(new Situation(100, 1460, 1460, false, Long.MIN_VALUE + 10 * MS, Long.MAX_VALUE - 10 * MS + 1),
                        HOLD, SEND, HOLD_WITH_TIMER));
    }

    @ParameterizedTest(name = "[{index}] {0}: nagle {1}, nodelay {2}, full-segment-or-timer {3}")
    @MethodSource("situations")
    void eachPolicyDecides(SendBufferingPolicy.State state, Decision nagle, Decision noDelay, Decision fullOrTimer) {
        Context context = new Context();
        assertThat(new NagleProvider().create(context).decide(state)).as("nagle").isEqualTo(nagle);
        assertThat(new NoDelayProvider().create(context).decide(state)).as("nodelay").isEqualTo(noDelay);
        assertThat(new FullSegmentOrTimerProvider().create(context).decide(state)).as("full-segment-or-timer")
                .isEqualTo(fullOrTimer);
    }

    @Test
    void onlyFullSegmentOrTimerHasAHoldTimeout() {
        Context context = new Context();
        assertThat(new NagleProvider().create(context).holdTimeoutNanos()).isZero();
        assertThat(new NoDelayProvider().create(context).holdTimeoutNanos()).isZero();
        assertThat(new FullSegmentOrTimerProvider().create(context).holdTimeoutNanos())
                .as("TcpOptions.SEND_HOLD's default").isEqualTo(200 * MS);
    }

    @ParameterizedTest(name = "[{index}] hold {0} ms: after {1} ms {2}")
    @CsvSource({
        "5,    0, HOLD_WITH_TIMER",
        "5,    4, HOLD_WITH_TIMER",
        "5,    5, SEND",
        "1000, 999, HOLD_WITH_TIMER",
        "1000, 1000, SEND",
        "0,    0, SEND", // no hold: every partial segment leaves, like nodelay
    })
    void theHoldTimeoutComesFromTheSendHoldOption(long holdMillis, long waitedMillis, Decision decision) {
        SendBufferingPolicy policy = new FullSegmentOrTimerProvider()
                .create(new Context().with(TcpOptions.SEND_HOLD, Duration.ofMillis(holdMillis)));
        assertThat(policy.holdTimeoutNanos()).isEqualTo(holdMillis * MS);
        assertThat(policy.decide(state(100, 1460, false, waitedMillis * MS))).isEqualTo(decision);
    }

    @Test
    void aNegativeHoldIsRefused() {
        Context context = new Context().with(TcpOptions.SEND_HOLD, Duration.ofMillis(-1));
        assertThatThrownBy(() -> new FullSegmentOrTimerProvider().create(context))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(TcpOptions.SEND_HOLD.name());
    }

    @Test
    void namesAndDescriptions() {
        SendBufferingPolicyProvider[] providers = {
            new NagleProvider(), new NoDelayProvider(), new FullSegmentOrTimerProvider()
        };
        assertThat(providers).extracting(SendBufferingPolicyProvider::name)
                .containsExactly("nagle", "nodelay", "full-segment-or-timer");
        assertThat(new NagleProvider().name()).isEqualTo(SendBufferingPolicyProvider.DEFAULT);
        assertThat(providers).allSatisfy(p -> assertThat(p.description()).isNotBlank());
        Context context = new Context();
        assertThat(new NagleProvider().create(context)).hasToString("nagle");
        assertThat(new NoDelayProvider().create(context)).hasToString("nodelay");
        assertThat(new FullSegmentOrTimerProvider().create(context)).hasToString("full-segment-or-timer[hold=200000us]");
    }
}
