package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tsunagu java}: an unchanged program that uses only {@code java.net}, run by the command
 * in a child JVM, finds its names in the stack's host table and its sockets on the stack — a
 * server socket on the stack's address and a client connecting to it, which the kernel could
 * not do (10.79.0.2 is nobody's address here). As a single-file source program and as a
 * compiled class on a class path; the arguments after the program are the program's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JavaCommandTest {
    private static final String PROGRAM = """
            import java.io.*;
            import java.net.*;

            public class Hello {
                public static void main(String[] args) throws Exception {
                    try (ServerSocket server = new ServerSocket(7)) {
                        Thread echo = Thread.ofPlatform().start(() -> {
                            try (Socket s = server.accept()) {
                                s.getOutputStream().write(s.getInputStream().readNBytes(5));
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
                        InetAddress www = InetAddress.getByName("www.example.test");
                        try (Socket c = new Socket(www, 7)) {
                            c.getOutputStream().write("hello".getBytes());
                            System.out.println(new String(c.getInputStream().readNBytes(5)) + " via " + www
                                    + " from " + c.getLocalAddress().getHostAddress() + ", args " + String.join(" ", args));
                        }
                        echo.join();
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    private Cli.Result java(String... programArgs) {
        return javaWith(List.of("--ip", "10.79.0.2/24"), programArgs);
    }

    private Cli.Result javaWith(List<String> network, String... programArgs) {
        List<String> a = new java.util.ArrayList<>(List.of("java", "--driver", "cable:java-cmd"));
        a.addAll(network);
        a.addAll(List.of("--hosts", "www.example.test=10.79.0.2", "--"));
        a.addAll(List.of(programArgs));
        return Cli.run(a.toArray(String[]::new));
    }

    @Test
    void aSingleFileSourceProgramRunsOnTheStack() throws Exception {
        Path source = Files.writeString(dir.resolve("Hello.java"), PROGRAM);
        Cli.Result r = java(source.toString(), "a", "-b");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello via www.example.test/10.79.0.2 from 10.79.0.2, args a -b\n");
    }

    @Test
    void aClassOnAClassPathRunsOnTheStack() throws Exception {
        Path source = Files.writeString(dir.resolve("Hello.java"), PROGRAM);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), source.toString()))
                .isZero();
        Cli.Result r = java("-cp", classes.toString(), "Hello", "x");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello via www.example.test/10.79.0.2 from 10.79.0.2, args x\n");
    }

    /** {@code --ip} twice (issue #17): the switch's stack gets both addresses, and the IPv4 program runs as before. */
    @Test
    void twoAddressesOfBothFamiliesReachTheSwitch() throws Exception {
        Path source = Files.writeString(dir.resolve("Hello.java"), PROGRAM);
        Cli.Result r = javaWith(List.of("--ip", "10.79.0.2/24", "--ip", "fd00:79::2/64", "--gateway", "fd00:79::1"),
                source.toString(), "v6");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello via www.example.test/10.79.0.2 from 10.79.0.2, args v6\n");
        assertThat(dev.tsunagu.jdk.jvm.StackProperties.from(properties("tsunagu.driver", "cable:x",
                "tsunagu.ip", "10.79.0.2/24,fd00:79::2/64", "tsunagu.gateway", "fd00:79::1")))
                .satisfies(p -> {
                    assertThat(p.ip()).extracting(Object::toString).containsExactly("10.79.0.2/24", "fd00:79::2/64");
                    assertThat(p.gateway()).extracting(Object::toString).containsExactly("fd00:79::1");
                });
    }

    /**
     * An IPv6 program connects the moment it starts: the switch's stack waits until its address
     * has passed Duplicate Address Detection (RFC 4862 5.4), so the address is a usable source.
     */
    @Test
    void anIpv6ProgramFindsItsAddressPastDuplicateAddressDetection() throws Exception {
        Path source = Files.writeString(dir.resolve("Hello.java"), PROGRAM);
        Cli.Result r = Cli.run("java", "--driver", "cable:java-cmd-v6", "--ip", "10.79.0.2/24", "--ip", "fd00:79::2/64",
                "--hosts", "www.example.test=fd00:79::2", "--", source.toString(), "v6");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello via www.example.test/fd00:79:0:0:0:0:0:2 from fd00:79:0:0:0:0:0:2, args v6\n");
    }

    private static java.util.Properties properties(String... kv) {
        java.util.Properties p = new java.util.Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void theProgramsExitCodeIsTheCommands() throws Exception {
        Path source = Files.writeString(dir.resolve("Fail.java"), "class Fail { public static void main(String[] a) { System.exit(3); } }");
        assertThat(java(source.toString()).exit()).isEqualTo(3);
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() {
        Cli.Result noProgram = Cli.run("java", "--driver", "cable:x");
        assertThat(noProgram.exit()).isEqualTo(2);
        assertThat(noProgram.errLines()).singleElement().asString().startsWith("tsunagu: ").contains("JAVA_ARGS");
        Cli.Result badHosts = Cli.run("java", "--hosts", "www.example.test", "--", "X.java");
        assertThat(badHosts.exit()).isEqualTo(2);
        assertThat(badHosts.errLines()).singleElement().asString().contains("--hosts: ").contains("NAME=ADDR");
    }

    @Test
    void theSwitchGoesBeforeTheProgramAndAModulePathIsJoinedWithOurs() {
        Map<String, Path> modules = Map.of("dev.tsunagu.jdk", Path.of("/m/jdk.jar"));
        List<String> plain = JavaLaunch.commandLine("java", modules, Path.of("/m/jdk.jar"), Map.of("tsunagu.driver", "tap:t0"),
                List.of("-m", "jdk.httpserver", "-p", "8000"));
        assertThat(plain).containsExactly("java", "--module-path", "/m/jdk.jar", "--add-modules", "dev.tsunagu.jdk",
                "-javaagent:/m/jdk.jar", "-Dtsunagu.driver=tap:t0", "-m", "jdk.httpserver", "-p", "8000");
        // The user's own -p before -m is joined with ours (java keeps only the last); the program's -p is its own.
        List<String> joined = JavaLaunch.commandLine("java", modules, Path.of("/m/jdk.jar"), Map.of(),
                List.of("-p", "/app", "-m", "app/app.Main", "-p", "9"));
        assertThat(joined).containsExactly("java", "--add-modules", "dev.tsunagu.jdk", "-javaagent:/m/jdk.jar",
                "-p", "/app" + File.pathSeparator + "/m/jdk.jar", "-m", "app/app.Main", "-p", "9");
    }
}
