package dev.tsunagu.examples.code.congestion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.examples.code.MainOutput;
import dev.tsunagu.examples.code.congestion.ToyAimdProvider.Decrease;
import dev.tsunagu.policy.CongestionControl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToyAimdTest {
    static final int MSS = 1000;

    @Test
    void theRuleAloneSlowStartThenAdditiveIncreaseThenSeventyPercent() {
        List<Decrease> seen = new ArrayList<>();
        CongestionControl c = new ToyAimd(MSS, seen::add);
        assertThat(c.congestionWindow()).isEqualTo(4 * MSS);
        c.onAck(0, MSS, -1, 0);
        assertThat(c.congestionWindow()).as("slow start: +1 MSS per ACK of a full segment").isEqualTo(5 * MSS);

        c.onFastRetransmit(0, 5 * MSS);
        assertThat(c.congestionWindow()).isEqualTo(3500);
        assertThat(c.slowStartThreshold()).isEqualTo(3500);
        assertThat(c.inRecovery()).isTrue();
        c.onFastRetransmit(0, 5 * MSS);
        assertThat(c.congestionWindow()).as("one decrease per loss event").isEqualTo(3500);
        c.onAck(0, MSS, -1, 0);
        assertThat(c.congestionWindow()).as("held during recovery").isEqualTo(3500);
        c.onRecoveryEnd(0);

        // Congestion avoidance: +1 MSS after a window's worth (3500 bytes) of ACKs.
        c.onAck(0, 3000, -1, 0);
        assertThat(c.congestionWindow()).isEqualTo(3500);
        c.onAck(0, 500, -1, 0);
        assertThat(c.congestionWindow()).isEqualTo(4500);

        c.onRetransmissionTimeout(0, 4500);
        assertThat(c.congestionWindow()).isEqualTo(MSS);
        assertThat(c.slowStartThreshold()).isEqualTo(3150);
        assertThat(seen).containsExactly(new Decrease("fast retransmit", MSS, 5000, 3500),
                new Decrease("timeout", MSS, 4500, MSS));
    }

    @Test
    void overALossyWireBothControllersDeliverEverythingAndTheToyCutsItsWindowToSeventyPercent() throws Exception {
        long seed = 42;
        ToyAimdExample.Run reno = ToyAimdExample.run("newreno", seed);
        ToyAimdExample.Run toy = ToyAimdExample.run(ToyAimdProvider.NAME, seed);

        assertThat(reno.intact()).as("newreno, seed %d", seed).isTrue();
        assertThat(toy.intact()).as("toy-aimd, seed %d", seed).isTrue();
        assertThat(reno.decreases()).isEmpty();
        assertThat(toy.decreases()).as("1%% loss over 2 MB must cost the toy some windows (seed %d)", seed).isNotEmpty();
        for (Decrease d : toy.decreases()) {
            if (d.cause().equals("fast retransmit")) {
                assertThat(d.after()).as("%s", d).isEqualTo(Math.max((long) (d.before() * 0.7), 2L * d.mss()));
            } else {
                assertThat(d.cause()).isEqualTo("timeout");
                assertThat(d.after()).as("%s", d).isEqualTo(d.mss());
            }
        }
        assertThat(toy.socketRow()).startsWith("cwnd=").doesNotContain("null");
    }

    @Test
    void mainComparesTheTwo() throws Exception {
        String out = MainOutput.of(ToyAimdExample::main);
        assertThat(out).containsPattern("newreno +2 MB in PT[0-9.]+S of simulated time, intact")
                .containsPattern("toy-aimd +2 MB in PT[0-9.]+S of simulated time, intact")
                .contains("decreases, the first: Decrease[cause=");
    }
}
