package dev.tsunagu.examples.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tsunagu as a library from Maven, the way a user gets it: a separate project
 * ({@code src/test/resources/maven-consumer}, outside the reactor) imports {@code tsunagu-bom},
 * depends on the modules without versions, and its own test runs a Netty echo (Netty's stock NIO
 * transport handed the Tsunagu {@code SelectorProvider}) between two stacks on the cable. The artifacts this build just packaged (the jars on this test's class path, their
 * POMs, the parent POM and the BOM) are installed into the local repository under a version of
 * this run's own ({@code 0.1.0-SNAPSHOT} becomes {@code 0.1.0-consumer<pid>}), so that Maven
 * runs offline with the plugins and libraries already there, while no artifact another build
 * reads is replaced; the run's version is deleted afterwards. (Maven 3.8, the one this build
 * runs on, has no read-only "tail" repository that would let a repository under
 * {@code target/} do.)
 *
 * <p>Needs the packaged jars, so it runs in {@code verify} (and {@code ./check}); where the
 * class path has folders of classes instead ({@code mvn test}), it skips loudly.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MavenConsumerTest {
    /** The consumer's dependencies and what they need, each packaged by this build: folders; artifactIds add "tsunagu-". */
    private static final List<String> MODULES = List.of("stack-api", "stack-link", "stack-ip", "stack-udp", "stack-tcp",
            "stack-jdk");

    @Test
    void aProjectOutsideTheBuildUsesTsunaguThroughTheBom() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        String rootPom = Files.readString(root.resolve("pom.xml"));
        String built = group(rootPom, "<artifactId>tsunagu-parent</artifactId>\\s*<version>([^<]+)</version>");
        String version = built.replace("-SNAPSHOT", "") + "-consumer" + ProcessHandle.current().pid();
        List<Path> jars = new ArrayList<>();
        for (String module : MODULES) {
            jars.add(packagedJar(module)); // skips (before anything is written) where they are not packaged
        }
        Path repo = sharedRepository();
        List<Path> installed = new ArrayList<>();
        try {
            installed.add(install(repo, "tsunagu-parent", built, version, root.resolve("pom.xml"), null));
            installed.add(install(repo, "tsunagu-bom", built, version, root.resolve("bom/pom.xml"), null));
            for (int i = 0; i < MODULES.size(); i++) {
                installed.add(install(repo, "tsunagu-" + MODULES.get(i), built, version, root.resolve(MODULES.get(i)).resolve("pom.xml"),
                        jars.get(i)));
            }
            buildConsumer(root, rootPom, version);
        } finally {
            for (Path dir : installed) {
                deleteRecursively(dir);
                try (Stream<Path> left = Files.list(dir.getParent())) {
                    if (left.findAny().isEmpty()) {
                        Files.delete(dir.getParent()); // an artifact only this run made (the BOM, before it is installed)
                    }
                }
            }
        }
    }

    /** Builds and tests the consumer project against {@code version}; fails with Maven's output. */
    private static void buildConsumer(Path root, String rootPom, String version) throws Exception {
        Path project = Path.of("target", "maven-consumer").toAbsolutePath();
        deleteRecursively(project);
        copyTree(Path.of("src/test/resources/maven-consumer"), project);
        Path pom = project.resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("@tsunagu.version@", version)
                .replace("@junit.version@", group(rootPom, "<junit.version>([^<]+)</junit.version>"))
                .replace("@netty.version@", group(rootPom, "<netty.version>([^<]+)</netty.version>")));

        List<String> mvn = List.of(root.resolve("mvnw").toString(), "-B", "-ntp", "-o", "-f", pom.toString(),
                "-Dmaven.repo.local=" + sharedRepository(), "test");
        Process p = new ProcessBuilder(mvn).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).as(out).isTrue();
        assertThat(p.exitValue()).as("%s%n%s", mvn, out).isZero();
        assertThat(out).contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
    }

    /** Where this build put {@code module}'s jar: the entry of this test's class path. */
    private static Path packagedJar(String module) {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (p.getFileName().toString().matches(Pattern.quote("tsunagu-" + module) + "-[0-9][^/]*(?<!-tests)\\.jar")) {
                return p;
            }
            if (Files.isDirectory(p) && p.endsWith(Path.of(module, "target", "classes"))) {
                String why = module + " is a folder of classes here, not a jar (the jars are made at package: run verify)";
                System.err.println("SKIPPED (examples): " + why);
                Assumptions.abort(why);
            }
        }
        throw new IllegalStateException(module + " is not on the class path: " + System.getProperty("java.class.path"));
    }

    /** The local repository this build reads third-party artifacts from, found by guava's jar. */
    private static Path sharedRepository() {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            int at = entry.indexOf(File.separator + "com" + File.separator + "google" + File.separator + "guava");
            if (at > 0) {
                return Path.of(entry.substring(0, at));
            }
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * What {@code mvn install} would put in a local repository, the POM and, for a jar module, the
     * jar, under {@code version} instead of the {@code built} one; returns the folder.
     */
    private static Path install(Path repo, String artifactId, String built, String version, Path pom, Path jar)
            throws IOException {
        Path dir = Files.createDirectories(repo.resolve("dev/tsunagu").resolve(artifactId).resolve(version));
        Files.writeString(dir.resolve(artifactId + "-" + version + ".pom"), Files.readString(pom).replace(built, version));
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifactId + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in the root pom");
        }
        return m.group(1).strip();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> all;
        try (Stream<Path> files = Files.walk(from)) {
            all = new ArrayList<>(files.toList());
        }
        for (Path f : all) {
            Path t = to.resolve(from.relativize(f).toString());
            if (Files.isDirectory(f)) {
                Files.createDirectories(t);
            } else {
                Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
