package dev.tsunagu.examples.code;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Unit tests run on the class path, where {@code META-INF/services} registers the examples'
 * plugins. {@code ./tsunagu} and library users on the module path rely on {@code module-info}'s
 * {@code provides} instead: this test runs every example in a JVM of its own on the module
 * path, so a missing {@code provides} line fails here ("no link driver named 'pipe'").
 */
class ModulePathTest {
    /** The modules an example needs at run time: ours and the libraries they use, never test jars. */
    private static final Pattern MODULE_JAR = Pattern.compile(
            "(tsunagu-stack-(api|link|ip|udp|tcp)|tsunagu-driver-(tap|pcap|native)|guava|failureaccess|slf4j-api|logback-(classic|core)|picocli)-[0-9][^/]*(?<!-tests)\\.jar");

    @Test
    void everyExampleRunsOnTheModulePathWithItsPluginsFoundThroughProvides() throws Exception {
        List<String> modulePath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            boolean moduleDir = Files.isDirectory(p) && Files.exists(p.resolve("module-info.class"));
            if (moduleDir || MODULE_JAR.matcher(p.getFileName().toString()).matches()) {
                modulePath.add(entry);
            }
        }
        assertThat(modulePath).as("module path taken from %s", System.getProperty("java.class.path"))
                .anyMatch(e -> e.contains("examples") && Files.isDirectory(Path.of(e)));

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "--module-path", String.join(File.pathSeparator, modulePath),
                "--add-modules", "ALL-MODULE-PATH", "-m", "dev.tsunagu.examples/dev.tsunagu.examples.code.RunAll");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes(); // ends when the process does
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String out = new String(output, StandardCharsets.UTF_8);
        System.out.println(out);

        assertThat(process.exitValue()).as("exit status; command %s; output:%n%s", command, out).isZero();
        assertThat(out).contains("== BlockingEcho ==", "client 2 got back 100000 chars",
                "== AsyncEcho ==", "client 2 got back 50000 chars",
                "== DescriptorSockets ==", "reply: HELLO FROM THE SEEDS",
                "interface driver: pipe:example/a", "received 1048576 bytes, identical",
                "toy-aimd  2 MB in")
                .containsPattern("bounded-nagle +the second write reached the server after PT0\\.005S");
        assertThat(Arrays.stream(out.split("\n")).filter(l -> l.contains("Exception"))).isEmpty();
    }
}
