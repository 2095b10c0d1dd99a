package dev.tsunagu.link.bottleneck;

import static dev.tsunagu.link.bottleneck.CoDel.INTERVAL_NANOS;
import static dev.tsunagu.link.bottleneck.CoDel.TARGET_NANOS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.bottleneck.CoDel.Verdict;
import org.junit.jupiter.api.Test;

/** CoDel's rules (RFC 8289), one test each, with times given by hand. */
class CoDelTest {
    private static final long MS = 1_000_000L;
    private static final long QUEUE = 100_000; // bytes left behind the head: a real queue
    private static final int MTU = 1514;

    @Test
    void aSojournBelowTargetNeverSignals() {
        CoDel c = new CoDel(MTU);
        for (long t = 0; t < 2_000 * MS; t += MS) {
            assertThat(c.onDequeue(t, TARGET_NANOS - 1, QUEUE)).isEqualTo(Verdict.PASS);
        }
        assertThat(c.signals()).isZero();
    }

    @Test
    void aboveTargetForAWholeIntervalStartsDropping() {
        CoDel c = new CoDel(MTU);
        long above = TARGET_NANOS + MS;
        assertThat(c.onDequeue(0, above, QUEUE)).as("first above: the interval starts").isEqualTo(Verdict.PASS);
        assertThat(c.onDequeue(INTERVAL_NANOS - 1, above, QUEUE)).isEqualTo(Verdict.PASS);
        assertThat(c.onDequeue(INTERVAL_NANOS, above, QUEUE)).isEqualTo(Verdict.SIGNAL);
        assertThat(c.dropping()).isTrue();
    }

    @Test
    void theControlLawDropsEverSooner() {
        CoDel c = new CoDel(MTU);
        long above = TARGET_NANOS + MS;
        c.onDequeue(0, above, QUEUE);
        long t = INTERVAL_NANOS;
        assertThat(c.onDequeue(t, above, QUEUE)).isEqualTo(Verdict.SIGNAL); // count 1: next at t + interval
        long next = t + INTERVAL_NANOS;
        for (int count = 2; count <= 5; count++) {
            assertThat(c.onDequeue(next - 1, above, QUEUE)).as("before drop %d", count).isEqualTo(Verdict.PASS);
            assertThat(c.onDequeue(next, above, QUEUE)).as("drop %d", count).isEqualTo(Verdict.SIGNAL);
            next = next + (long) (INTERVAL_NANOS / Math.sqrt(count));
        }
        assertThat(c.signals()).isEqualTo(5);
    }

    @Test
    void aSojournBackBelowTargetLeavesTheDroppingState() {
        CoDel c = new CoDel(MTU);
        c.onDequeue(0, TARGET_NANOS * 2, QUEUE);
        c.onDequeue(INTERVAL_NANOS, TARGET_NANOS * 2, QUEUE);
        assertThat(c.dropping()).isTrue();
        assertThat(c.onDequeue(INTERVAL_NANOS + MS, TARGET_NANOS - 1, QUEUE)).isEqualTo(Verdict.PASS);
        assertThat(c.dropping()).isFalse();
    }

    @Test
    void aQueueOfAtMostOnePacketIsNeverStanding() {
        CoDel c = new CoDel(MTU);
        for (long t = 0; t < 1_000 * MS; t += MS) {
            assertThat(c.onDequeue(t, 50 * MS, MTU)).isEqualTo(Verdict.PASS);
        }
    }

    @Test
    void reEnteringSoonResumesNearTheLastDropRate() {
        CoDel c = new CoDel(MTU);
        long above = TARGET_NANOS * 2;
        c.onDequeue(0, above, QUEUE);
        long t = INTERVAL_NANOS;
        int drops = 0;
        while (drops < 6) { // count climbs to 6
            if (c.onDequeue(t, above, QUEUE) == Verdict.SIGNAL) {
                drops++;
            }
            t += MS;
        }
        c.onDequeue(t, 0, QUEUE); // leave
        c.onDequeue(t + MS, above, QUEUE); // above again: a new interval
        long reEnter = t + MS + INTERVAL_NANOS;
        assertThat(c.onDequeue(reEnter, above, QUEUE)).isEqualTo(Verdict.SIGNAL);
        // count resumed at count - lastcount = 5: the next drop comes interval/sqrt(5) later, not a whole interval.
        long next = reEnter + (long) (INTERVAL_NANOS / Math.sqrt(5));
        assertThat(c.onDequeue(next - 1, above, QUEUE)).isEqualTo(Verdict.PASS);
        assertThat(c.onDequeue(next, above, QUEUE)).isEqualTo(Verdict.SIGNAL);
    }
}
