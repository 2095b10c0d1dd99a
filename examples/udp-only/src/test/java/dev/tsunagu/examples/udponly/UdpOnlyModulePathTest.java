package dev.tsunagu.examples.udponly;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The same program on the module path, as a modular application runs: its module requires
 * {@code dev.tsunagu.udp} and {@code dev.tsunagu.link} only, the layers are found through their
 * modules' {@code provides}, and TCP is absent there too.
 */
class UdpOnlyModulePathTest {
    private static final Pattern MODULE_JAR = Pattern.compile(
            "(tsunagu-stack-(api|link|ip|udp|tcp)|slf4j-api|logback-(classic|core))-[0-9][^/]*(?<!-tests)\\.jar");

    @Test
    void onTheModulePathUdpWorksAndTcpIsAbsent() throws Exception {
        List<String> modulePath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            boolean moduleDir = Files.isDirectory(p) && Files.exists(p.resolve("module-info.class"));
            if (moduleDir || MODULE_JAR.matcher(p.getFileName().toString()).matches()) {
                modulePath.add(entry);
            }
        }
        assertThat(modulePath).noneMatch(e -> e.contains("stack-tcp"));
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", String.join(File.pathSeparator, modulePath),
                "-m", "dev.tsunagu.examples.udponly/dev.tsunagu.examples.udponly.UdpOnly");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        System.out.println(out);

        assertThat(process.exitValue()).as("exit status of %s; output:%n%s", command, out).isZero();
        assertThat(out).contains("layers: [ethernet, ip-only, ipv4, udp]", "echoed: one", "echoed: three",
                "ping: Reply[from=10.0.0.2",
                "tcp(): this stack has no TCP: add the Maven artifact dev.tsunagu:tsunagu-stack-tcp (JPMS module dev.tsunagu.tcp)");
    }
}
