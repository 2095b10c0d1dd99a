package dev.tsunagu.driver.tap;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.testkit.host.ReadableClassPath;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a child JVM running {@link TapOpenMain} on this test's class path. */
final class ChildJvm {
    private ChildJvm() {}

    static List<String> tapOpen(String spec) {
        return tapOpen(spec, System.getProperty("java.class.path"));
    }

    static List<String> tapOpen(String spec, String classPath) {
        List<String> c = new ArrayList<>();
        c.add(java());
        c.add("--enable-native-access=ALL-UNNAMED");
        c.add("-Xshare:auto");
        c.add("-cp");
        c.add(classPath);
        c.add(TapOpenMain.class.getName());
        c.add(spec);
        return c;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    }

    /**
     * Copies what {@link TapOpenMain} needs (this module's classes and tests, stack-api, the
     * shared native I/O, slf4j)
     * into {@code dir}, readable by everyone, for a child that runs as another user (the local
     * Maven repository is usually private to its owner). Returns the class path.
     */
    static String copyMinimalClassPath(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        for (Class<?> c : List.of(TapDriver.class, TapOpenMain.class, DriverException.class,
                dev.tsunagu.driver.nativeio.Libc.class, org.slf4j.Logger.class)) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        }
        return ReadableClassPath.copy(entries, dir);
    }
}
