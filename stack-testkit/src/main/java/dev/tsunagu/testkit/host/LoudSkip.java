package dev.tsunagu.testkit.host;

import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;

/**
 * A test that cannot run on this machine skips loudly: one line on stderr and the reason in the
 * report, tagged with the suite it belongs to ({@code driver-tap}, {@code driver-pcap}). The
 * machine is probed once per suite ({@link #unless}); {@link TapTests} and {@link PcapTests}
 * are the suites.
 */
final class LoudSkip {
    private final String suite;
    private final Supplier<String> probe;
    private volatile String unusable; // null: not probed yet; "": fine

    /** {@code probe} says why the machine cannot run the suite, or "" if it can. */
    LoudSkip(String suite, Supplier<String> probe) {
        this.suite = suite;
        this.probe = probe;
    }

    /** Skips the calling test unless the probe found the machine fit. */
    void unlessFit() {
        String why = unusable;
        if (why == null) {
            why = unusable = probe.get();
        }
        if (!why.isEmpty()) {
            skip(why);
        }
    }

    /** Skips the calling test unless {@code command} is installed ({@code pkg} provides it). */
    void unlessInstalled(String command, String pkg) {
        if (!Sh.installed(command)) {
            skip(command + " is not installed (Debian package " + pkg + "; ./check installs it as root)");
        }
    }

    void skip(String why) {
        String line = "SKIPPED (" + suite + "): " + why;
        System.err.println(line);
        Assumptions.abort(line);
    }
}
