package dev.tsunagu.cli.tools;

import dev.tsunagu.jdk.jvm.TsunaguAgent;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The {@code java} command line that {@code tsunagu java} runs: the user's arguments with the
 * Tsunagu modules and the switch put in front of them.
 *
 * <pre>
 * java --module-path MODULES --add-modules dev.tsunagu.jdk --enable-native-access=DRIVERS
 *      -javaagent:STACK-JDK-JAR -Dtsunagu.driver=... -Dtsunagu.ip=... [-Dlogback.configurationFile=...]
 *      USER-ARGS...
 * </pre>
 *
 * <p>Which modules: {@code dev.tsunagu.jdk} resolved <em>with service binding</em> over the
 * modules this command runs from, which brings exactly what a stack finds by
 * {@code ServiceLoader} (the layers, the drivers, the slf4j backend) and nothing of the command
 * itself (picocli, the apps). The same works when the command runs from a class path (its
 * tests): each entry is looked at as a module would be. Modules on the module path work with
 * every way of naming a program ({@code -m}, {@code -jar}, {@code -cp … Main}, a source file),
 * where a class path would be dropped by {@code -jar}. A module path the user gives is joined
 * with ours, since {@code java} keeps only the last one.
 */
final class JavaLaunch {
    /** The root: the JVM-wide switch; the rest comes by binding. */
    static final String ROOT = "dev.tsunagu.jdk";

    /** Options of {@code java} whose value is the next argument (so it is not the main class). */
    private static final Set<String> TAKES_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-exports", "--add-opens", "--add-reads",
            "--patch-module", "--source", "--enable-native-access", "--illegal-native-access", "--describe-module", "-d");
    private static final Set<String> MODULE_PATH = Set.of("-p", "--module-path");
    private static final Set<String> NATIVE = Set.of("dev.tsunagu.driver.nativeio", "dev.tsunagu.driver.tap",
            "dev.tsunagu.driver.pcap");

    private JavaLaunch() {}

    /**
     * The modules of the switch: their locations (jars or folders), found among {@code entries}
     * (the module path or class path this command runs from).
     *
     * @throws IllegalStateException if {@link #ROOT} or a module it needs is not among them
     */
    static Map<String, Path> switchModules(List<Path> entries) {
        ModuleFinder finder = ModuleFinder.of(entries.stream().filter(Files::exists).toArray(Path[]::new));
        Configuration cf;
        try {
            // Against an empty parent, not this JVM's boot layer, which may hold the modules already.
            cf = Configuration.resolveAndBind(ModuleFinder.ofSystem(), List.of(Configuration.empty()), finder, Set.of(ROOT));
        } catch (RuntimeException e) { // FindException, ResolutionException
            throw new IllegalStateException("cannot assemble the Tsunagu modules for the child JVM: " + e.getMessage(), e);
        }
        Map<String, Path> modules = new LinkedHashMap<>();
        for (ResolvedModule m : cf.modules()) {
            m.reference().location().filter(uri -> "file".equals(uri.getScheme())) // not the JDK's own (jrt:)
                    .ifPresent(uri -> modules.put(m.name(), Path.of(uri)));
        }
        return modules;
    }

    /** This command's own module path, or its class path if it runs from one (tests). */
    static List<Path> ownEntries() {
        String mp = System.getProperty("jdk.module.path");
        String path = mp != null && !mp.isBlank() ? mp : System.getProperty("java.class.path", "");
        return Arrays.stream(path.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    /**
     * The jar to give {@code -javaagent}: stack-jdk's own (its manifest names the agent); where
     * stack-jdk is a folder of classes (a build's tests), a jar holding only such a manifest,
     * made in {@code scratch} (the agent class itself is found on the module path).
     */
    static Path agentJar(Map<String, Path> modules, Path scratch) throws IOException {
        Path jdk = modules.get(ROOT);
        if (jdk != null && Files.isRegularFile(jdk)) {
            return jdk;
        }
        Path jar = scratch.resolve("tsunagu-agent.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", TsunaguAgent.class.getName());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            // the manifest is all
        }
        return jar;
    }

    /**
     * The whole command line.
     *
     * @param java the {@code java} executable
     * @param modules the switch's modules ({@link #switchModules})
     * @param agent the agent jar ({@link #agentJar})
     * @param properties the {@code -D} settings, in order
     * @param userArgs everything the user put after {@code --}
     */
    static List<String> commandLine(String java, Map<String, Path> modules, Path agent, Map<String, String> properties,
                                    List<String> userArgs) {
        String ours = String.join(File.pathSeparator, modules.values().stream().map(Path::toString).toList());
        List<String> user = new ArrayList<>(userArgs);
        boolean joined = false;
        for (int i = 0; i < user.size(); i++) {
            String a = user.get(i);
            if (MODULE_PATH.contains(a) && i + 1 < user.size()) {
                user.set(i + 1, user.get(i + 1) + File.pathSeparator + ours);
                joined = true;
                i++;
            } else if (a.startsWith("--module-path=")) {
                user.set(i, a + File.pathSeparator + ours);
                joined = true;
            } else if (TAKES_VALUE.contains(a)) {
                i++;
            } else if (!a.startsWith("-") || a.equals("-m") || a.equals("--module") || a.startsWith("--module=")
                    || a.equals("-jar")) {
                break; // the program starts here: what follows is its own arguments
            }
        }
        List<String> c = new ArrayList<>();
        c.add(java);
        if (!joined) {
            c.add("--module-path");
            c.add(ours);
        }
        c.add("--add-modules");
        c.add(ROOT);
        Set<String> nativeModules = new TreeSet<>(modules.keySet());
        nativeModules.retainAll(NATIVE);
        if (!nativeModules.isEmpty()) {
            c.add("--enable-native-access=" + String.join(",", nativeModules));
        }
        c.add("-javaagent:" + agent);
        properties.forEach((k, v) -> c.add("-D" + k + "=" + v));
        c.addAll(user);
        return c;
    }

    /** The {@code java} this command runs on (JDK 25, as the tsunagu script found it). */
    static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
