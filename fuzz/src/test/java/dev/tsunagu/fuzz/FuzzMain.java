package dev.tsunagu.fuzz;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one fuzz target's class through the JUnit launcher, as {@code scripts/fuzz.sh} does
 * with {@code JAZZER_FUZZ=1} (then Jazzer fuzzes the class's one {@code @FuzzTest} for
 * {@code JAZZER_MAX_DURATION}); without it the class replays its inputs. Started without
 * Maven, so that several targets can run beside each other and beside a build.
 *
 * <p>Exit code 0 when the run found nothing, 1 when it failed (the finding is printed and
 * saved under {@code src/test/resources/.../<Target>Inputs/}).
 */
public final class FuzzMain {
    private FuzzMain() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: FuzzMain TARGET_CLASS   (e.g. Ipv4FuzzTest, dev.tsunagu.apps.http.HttpRequestFuzzTest)");
            System.exit(2);
        }
        String name = args[0].contains(".") ? args[0] : FuzzMain.class.getPackageName() + "." + args[0];
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(name))
                // A fuzzing run is one long test invocation: JUnit's own timeout must not cut it.
                .configurationParameter("junit.jupiter.execution.timeout.mode", "disabled")
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printTo(out);
        s.printFailuresTo(out, 30);
        System.exit(s.getTotalFailureCount() == 0 && s.getTestsFoundCount() > 0 ? 0 : 1);
    }
}
