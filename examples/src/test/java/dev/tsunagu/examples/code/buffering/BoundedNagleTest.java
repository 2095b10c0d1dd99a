package dev.tsunagu.examples.code.buffering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.examples.code.MainOutput;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.policy.SendBufferingPolicy.Decision;
import dev.tsunagu.stack.NetworkStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedNagleTest {
    static final long MS = 1_000_000;

    @Test
    void theRuleAloneAgainstATable() {
        SendBufferingPolicy p = new BoundedNagleProvider().create(null);
        // unsent, in flight, FIN queued, now, oldest unsent written at → decision
        assertThat(p.decide(state(100, 0, false, 0, 0))).isEqualTo(Decision.SEND);
        assertThat(p.decide(state(100, 100, false, 0, 0))).isEqualTo(Decision.HOLD_WITH_TIMER);
        assertThat(p.decide(state(100, 100, false, 4 * MS, 0))).isEqualTo(Decision.HOLD_WITH_TIMER);
        assertThat(p.decide(state(100, 100, false, 5 * MS, 0))).isEqualTo(Decision.SEND);
        assertThat(p.decide(state(100, 100, true, 0, 0))).isEqualTo(Decision.SEND);
        assertThat(p.holdTimeoutNanos()).isEqualTo(5 * MS);
    }

    @Test
    void itIsFoundByNameNextToTheBuiltInPolicies() throws Exception {
        try (NetworkStack s = NetworkStack.builder().eventLoop(new VirtualEventLoop())
                .sendBufferingPolicy(BoundedNagleProvider.NAME).build()) {
            assertThat(s.policies().sendBuffering(null)).isInstanceOf(BoundedNagleProvider.class);
            assertThat(s.policies().sendBufferingCatalog().providers()).extracting(p -> p.name())
                    .contains("nagle", "nodelay", BoundedNagleProvider.NAME);
        }
    }

    @Test
    void theSecondSmallWriteWaitsForTheDelayedAckUnderNagleAndAtMostFiveMillisecondsUnderBoundedNagle() throws Exception {
        Map<String, Duration> arrival = BoundedNagleExample.run();

        assertThat(arrival.get("nodelay")).isZero();
        assertThat(arrival.get(BoundedNagleProvider.NAME)).isEqualTo(BoundedNagleProvider.DEADLINE);
        assertThat(arrival.get("nagle")).as("Nagle waits for the server's delayed ACK (40 ms)")
                .isEqualTo(Duration.ofMillis(40));
    }

    @Test
    void mainPrintsTheThreeTimings() throws Exception {
        String out = MainOutput.of(BoundedNagleExample::main);
        assertThat(out).containsPattern("nagle +the second write reached the server after PT0\\.04S")
                .containsPattern("bounded-nagle +the second write reached the server after PT0\\.005S");
    }

    private static SendBufferingPolicy.State state(int unsent, long inFlight, boolean fin, long now, long oldest) {
        return new SendBufferingPolicy.State() {
            @Override
            public int unsentBytes() {
                return unsent;
            }

            @Override
            public int mss() {
                return 1460;
            }

            @Override
            public long bytesInFlight() {
                return inFlight;
            }

            @Override
            public boolean finQueued() {
                return fin;
            }

            @Override
            public long nowNanos() {
                return now;
            }

            @Override
            public long oldestUnsentWrittenAtNanos() {
                return oldest;
            }
        };
    }
}
