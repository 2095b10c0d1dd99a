package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The order in which recovery's retransmissions left, and which of them a later SACK finds lost. */
class RetransmissionLogTest {
    private static final int MSS = 1000;
    private static final int BASE = -3_500; // across the 2^32 wrap

    @Test
    void onlyRetransmissionsThatLeftBeforeTheSackedDataAreTaken() {
        RetransmissionLog log = new RetransmissionLog(64);
        // Holes at 0, 2, 4 resent while SND.MAX was 100, 101 and 103 segments (new data went between).
        log.add(BASE, BASE + 100 * MSS);
        log.add(BASE + 2 * MSS, BASE + 101 * MSS);
        log.add(BASE + 4 * MSS, BASE + 103 * MSS);
        int[] lost = new int[8];
        // Data up to segment 102 SACKed: it left after the first two, before the third.
        assertThat(log.takeSentBefore(BASE + 102 * MSS, lost)).isEqualTo(2);
        assertThat(lost[0]).isEqualTo(BASE);
        assertThat(lost[1]).isEqualTo(BASE + 2 * MSS);
        assertThat(log.size()).as("the third may still be on its way").isEqualTo(1);
        assertThat(log.takeSentBefore(BASE + 102 * MSS, lost)).isZero();
        assertThat(log.takeSentBefore(BASE + 104 * MSS, lost)).isEqualTo(1);
        assertThat(lost[0]).isEqualTo(BASE + 4 * MSS);
    }

    @Test
    void theLogIsBoundedAndForgetsTheOldestGrowingOnlyAsNeeded() {
        RetransmissionLog log = new RetransmissionLog(100);
        for (int i = 0; i < 250; i++) {
            log.add(BASE + i * MSS, BASE + (1000 + i) * MSS);
        }
        assertThat(log.size()).isEqualTo(100);
        int[] lost = new int[16];
        assertThat(log.takeSentBefore(BASE + 2000 * MSS, lost)).as("at most the batch").isEqualTo(16);
        assertThat(lost[0]).as("the oldest kept is the 150th").isEqualTo(BASE + 150 * MSS);
        assertThat(log.size()).isEqualTo(84);
        log.clear();
        assertThat(log.size()).isZero();
        assertThat(log.takeSentBefore(BASE + 2000 * MSS, lost)).isZero();
    }
}
