package dev.tsunagu.testkit.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The machine is probed once per suite; an unfit machine aborts every test with the reason, tagged. */
class LoudSkipTest {
    @Test
    void anUnfitMachineAbortsWithTheReasonAndIsProbedOnce() {
        AtomicInteger probes = new AtomicInteger();
        LoudSkip skip = new LoudSkip("suite-x", () -> {
            probes.incrementAndGet();
            return "no widget here";
        });
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(skip::unlessFit).isInstanceOf(TestAbortedException.class)
                    .hasMessageContaining("SKIPPED (suite-x): no widget here");
        }
        assertThat(probes).hasValue(1);
    }

    @Test
    void aFitMachineRunsTheTest() {
        LoudSkip skip = new LoudSkip("suite-y", () -> "");
        assertThatCode(skip::unlessFit).doesNotThrowAnyException();
        assertThatThrownBy(() -> skip.unlessInstalled("no-such-command-tsunagu", "nothing"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("SKIPPED (suite-y): no-such-command-tsunagu is not installed (Debian package nothing");
    }
}
