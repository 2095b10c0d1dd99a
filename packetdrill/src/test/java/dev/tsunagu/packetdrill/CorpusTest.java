package dev.tsunagu.packetdrill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.testkit.host.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Google's packetdrill corpus ({@code ../shared/packetdrill}, read where it lies: GPL-2.0 test
 * data, not part of the project) against the stack: every script parses, and every script
 * listed in {@code expected-passes.txt} still passes. A script that starts passing is printed,
 * to be added to the list.
 */
class CorpusTest {
    @Test
    void theScriptsThatPassedStillPass() throws IOException {
        Path root = SharedData.dir("packetdrill");
        List<Path> scripts = Corpus.scripts(List.of(root));
        assertThat(scripts).as("scripts under " + root).hasSizeGreaterThan(100);
        List<Verdict> verdicts = Corpus.run(scripts, root, null);

        assertThat(verdicts).as("scripts that do not parse")
                .noneMatch(v -> v.message() != null && v.message().startsWith("cannot parse"));
        Set<String> passed = verdicts.stream().filter(v -> v.result() == Verdict.Result.PASS)
                .map(v -> root.relativize(v.path()).toString()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = expectedPasses();
        List<String> regressions = new ArrayList<>();
        for (String s : expected) {
            if (!passed.contains(s)) {
                regressions.add(verdicts.stream().filter(v -> root.relativize(v.path()).toString().equals(s))
                        .findFirst().map(v -> v.format(root)).orElse("MISSING " + s));
            }
        }
        Set<String> fresh = new TreeSet<>(passed);
        fresh.removeAll(expected);
        fresh.forEach(s -> System.err.println("packetdrill: " + s + " passes now: add it to expected-passes.txt"));
        Corpus.summary(verdicts, root).forEach(System.err::println);
        assertThat(regressions).as("scripts in expected-passes.txt that no longer pass").isEmpty();
    }

    private static Set<String> expectedPasses() throws IOException {
        try (InputStream in = CorpusTest.class.getResourceAsStream("expected-passes.txt")) {
            assertThat(in).as("expected-passes.txt").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
