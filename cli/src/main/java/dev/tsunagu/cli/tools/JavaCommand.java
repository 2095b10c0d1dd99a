package dev.tsunagu.cli.tools;

import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.jdk.HostTable;
import dev.tsunagu.jdk.jvm.JvmSelectorProvider;
import dev.tsunagu.jdk.jvm.StackProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * Runs any Java program with its networking on a Tsunagu stack: the JVM-wide switch of
 * {@code dev.tsunagu.jdk.jvm} added to a {@code java} command line ({@link JavaLaunch}), the
 * stack described by the same options as every network command. The stack runs in the child
 * JVM, started when the program first makes a socket or looks a name up; this command only
 * checks the options, starts the child, passes its exit code on, and stops it if stopped itself.
 */
@Command(name = "java", mixinStandardHelpOptions = true,
        description = {"Run a Java program with its sockets and names on a Tsunagu stack: everything after -- is passed to java "
                + "(JDK 25), with the Tsunagu modules and the switch (-javaagent, -Dtsunagu.*) added. -m, -jar, -cp ... Main "
                + "and single-file source programs alike.",
            "Example: tsunagu java --driver tap:tsu0 --ip 10.0.0.2/24 -- -m jdk.httpserver -b 10.0.0.2 -p 8000"})
final class JavaCommand extends NetworkCommand {
    @Mixin
    DnsOptions dns;

    @Option(names = "--hosts", paramLabel = "NAME=ADDR", split = ",",
            description = "Static host entries the program's InetAddress lookups find before DNS. Repeat or separate with commas.")
    List<String> hosts = List.of();

    @Parameters(paramLabel = "JAVA_ARGS", arity = "1..*",
            description = "After --: the java arguments, as to java itself (-m MODULE, -jar JAR, -cp PATH MAIN, FILE.java).")
    List<String> javaArgs;

    JavaCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        String servers = Host.check(spec.commandLine(), LinkDrivers.installed(), net, dns);
        if (net.netstatEvery != null) {
            throw new ParameterException(spec.commandLine(), "--netstat-every: not for java (the stack runs in the program's JVM)");
        }
        try {
            HostTable.parse(String.join(",", hosts));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--hosts: " + e.getMessage());
        }
        Map<String, Path> modules = JavaLaunch.switchModules(JavaLaunch.ownEntries());
        Path scratch = Files.createTempDirectory("tsunagu-java");
        try {
            Map<String, String> properties = properties(servers);
            if (modules.containsKey("ch.qos.logback.classic")) {
                properties.put("logback.configurationFile", logbackConfig(scratch, net.log).toString());
            }
            List<String> command = JavaLaunch.commandLine(JavaLaunch.javaExecutable(), modules,
                    JavaLaunch.agentJar(modules, scratch), properties, javaArgs);
            return run(command);
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The options as the switch's system properties ({@link StackProperties}). */
    private Map<String, String> properties(String servers) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(StackProperties.DRIVER, net.driver);
        p.put(StackProperties.IP, String.join(",", net.ip.stream().map(Object::toString).toList()));
        if (!net.gateway.isEmpty()) {
            p.put(StackProperties.GATEWAY, String.join(",", net.gateway.stream().map(Object::toString).toList()));
        }
        if (net.mtu != null) {
            p.put(StackProperties.MTU, net.mtu.toString());
        }
        if (!servers.isEmpty()) {
            p.put(StackProperties.DNS, servers);
        }
        if (!hosts.isEmpty()) {
            p.put(StackProperties.HOSTS, String.join(",", hosts));
        }
        if (net.pcap != null) {
            p.put(StackProperties.PCAP, net.pcap.toAbsolutePath().toString());
        }
        p.put(StackProperties.NAME, net.stackName("java"));
        p.put(JvmSelectorProvider.PROPERTY, JvmSelectorProvider.class.getName()); // NIO: the JDK's own switch
        return p;
    }

    /** The child's logging: the stack's warnings on stderr, as this command's own (--log sets the level). */
    private static Path logbackConfig(Path dir, String level) throws IOException {
        Path f = dir.resolve("logback.xml");
        Files.writeString(f, """
                <configuration>
                  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level %%logger{20} - %%msg%%n</pattern></encoder>
                  </appender>
                  <root level="%s"><appender-ref ref="STDERR"/></root>
                </configuration>
                """.formatted(level.toUpperCase(Locale.ROOT)));
        return f;
    }

    /**
     * Runs the child on this command's streams (its own terminal when they are the process's)
     * and returns its exit code; stopping this command (a test's switch, or this JVM ending)
     * stops the child.
     */
    private int run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        boolean system = io.in() == System.in && io.out() == System.out && io.err() == System.err;
        if (system) {
            pb.inheritIO();
        }
        Process child = pb.start();
        Thread stopper = Thread.ofPlatform().unstarted(() -> { // SIGTERM here: the program ends too, and closes its stack
            child.destroy();
            try {
                child.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            List<Thread> output = List.of();
            if (!system) {
                output = List.of(pump(child.getInputStream(), io.out()), pump(child.getErrorStream(), io.err()));
                pump(io.in(), child.getOutputStream());
            }
            io.markReady();
            while (!child.waitFor(100, TimeUnit.MILLISECONDS)) {
                if (io.stop().isDone()) {
                    child.destroy();
                }
            }
            for (Thread t : output) {
                t.join(Duration.ofSeconds(5)); // the child's last lines, before the exit code
            }
            return child.exitValue();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // this JVM is exiting: the hook runs
            }
            io.out().flush();
        }
    }

    private static Thread pump(InputStream from, OutputStream to) {
        return Thread.ofVirtual().start(() -> {
            try (from) {
                from.transferTo(to);
                to.flush();
            } catch (IOException e) {
                // the child ended or the stream closed
            } finally {
                if (!(to instanceof java.io.PrintStream)) {
                    try {
                        to.close();
                    } catch (IOException e) {
                        // already closed
                    }
                }
            }
        });
    }
}
