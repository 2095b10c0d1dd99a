package dev.tsunagu.jdk.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM-wide switch in child JVMs, as a user turns it on: {@code -javaagent} and the
 * {@code tsunagu.*} properties (and the JDK's own switch for NIO), and a program that uses nothing
 * but {@code java.net} and {@code java.nio} ({@link JvmSwitchChild}). Its names, sockets, server
 * sockets, datagram sockets and socket channels all go through the stack; the stack starts at the first lookup, not before; without the properties
 * the JVM keeps its own networking; the agent without a driver stops the JVM with the reason.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JvmSwitchTest {
    @TempDir
    Path dir;

    @Test
    void anUnchangedProgramResolvesConnectsListensAndSendsThroughTheStack() throws Exception {
        Child c = java(List.of(agent(), "-Dtsunagu.driver=cable:jvm-switch-" + ProcessHandle.current().pid(),
                "-Dtsunagu.ip=10.78.0.2/24", "-Dtsunagu.dns=" + JvmSwitchChild.PEER,
                "-Dtsunagu.hosts=db.example.test=10.78.0.5",
                "-D" + JvmSelectorProvider.PROPERTY + "=" + JvmSelectorProvider.class.getName()), JvmSwitchChild.class.getName());

        assertThat(c.exit).as(c.output).isZero();
        assertThat(c.output.lines()).contains(
                "stack running before the first socket: false",
                "www.example.test is 10.78.0.1",
                "stack running after the first lookup: true",
                "static entry: 10.78.0.5",
                "tcp echo: hello from local 10.78.0.2",
                "channel echo: again from local 10.78.0.2 by JvmSelectorProvider",
                "server socket accepted from 10.78.0.1: served",
                "udp echo: ping from 10.78.0.1",
                "nowhere.example.test: UnknownHostException");
    }

    @Test
    void withoutTheDriverPropertyTheJvmKeepsItsOwnResolver() throws Exception {
        // The provider is on the class path, but only the switch makes it answer: localhost comes
        // from the JDK's resolver and a socket is a kernel socket (no stack thread appears).
        Child c = java(List.of(), Probe.class.getName());
        assertThat(c.exit).as(c.output).isZero();
        assertThat(c.output.lines()).contains("localhost is 127.0.0.1", "stack running: false");
    }

    @Test
    void theAgentWithoutADriverStopsTheJvmSayingWhy() throws Exception {
        Child c = java(List.of(agent()), Probe.class.getName());
        assertThat(c.exit).isNotZero();
        assertThat(c.output).contains("the Tsunagu agent needs -Dtsunagu.driver=SPEC").doesNotContain("localhost is");
    }

    @Test
    void aBadPropertyFailsTheFirstSocketNamingIt() throws Exception {
        Child c = java(List.of(agent(), "-Dtsunagu.driver=cable:x", "-Dtsunagu.mtu=9"), Probe.class.getName());
        assertThat(c.exit).isNotZero();
        assertThat(c.output).contains("tsunagu.mtu=9: want 68-65535");
    }

    /** Prints what the JVM's own networking says; with the switch, its first socket starts (or fails) the stack. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            System.out.println("localhost is " + java.net.InetAddress.getByName("localhost").getHostAddress());
            try (java.net.Socket s = new java.net.Socket()) {
                System.out.println("stack running: "
                        + Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("tsunagu-")));
            }
        }
    }

    /**
     * {@code -javaagent:} a jar whose manifest names {@link TsunaguAgent}: stack-jdk's own jar is
     * not built yet when its tests run, and an agent jar is added to the class path, where the
     * class is found.
     */
    private String agent() throws IOException {
        Path jar = dir.resolve("agent.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", TsunaguAgent.class.getName());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            // the manifest is all
        }
        return "-javaagent:" + jar;
    }

    private record Child(int exit, String output) {}

    private static Child java(List<String> options, String mainClass) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        cmd.add("-Xshare:auto");
        cmd.addAll(options);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        return new Child(p.exitValue(), out);
    }
}
