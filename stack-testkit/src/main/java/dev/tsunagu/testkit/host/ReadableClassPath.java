package dev.tsunagu.testkit.host;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Class path entries copied where another user can read them, for a child JVM that a test runs
 * as an unprivileged user (to check what a TAP open says without root): the local Maven
 * repository and the build's folders are usually private to their owner.
 */
public final class ReadableClassPath {
    private ReadableClassPath() {}

    /**
     * Copies each existing entry (a jar or a folder of classes) into {@code dir} as
     * {@code cp0.jar}, {@code cp1/}, …, makes {@code dir} and everything in it readable by
     * everyone, and returns the copies as a class path.
     */
    public static String copy(List<Path> entries, Path dir) throws IOException {
        List<String> cp = new ArrayList<>();
        int i = 0;
        for (Path from : entries) {
            if (!Files.exists(from)) {
                continue;
            }
            Path to = dir.resolve("cp" + i++ + (Files.isDirectory(from) ? "" : ".jar"));
            if (Files.isDirectory(from)) {
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path t = to.resolve(from.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
            cp.add(to.toString());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, cp);
    }

    /** This JVM's own class path, copied by {@link #copy}. */
    public static String copyOfThisJvm(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(Path.of(entry));
        }
        return copy(entries, dir);
    }
}
