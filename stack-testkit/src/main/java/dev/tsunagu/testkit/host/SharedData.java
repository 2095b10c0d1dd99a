package dev.tsunagu.testkit.host;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test data kept beside the project rather than in it ({@code ../shared/NAME} from the project's
 * root, e.g. the packetdrill corpus, whose licence keeps it out): the directory, or a loud skip
 * when this checkout has no such neighbour.
 */
public final class SharedData {
    private SharedData() {}

    /** {@code ../shared/name} from the project root (found upwards from the working directory by {@code mvnw}). */
    public static Path dir(String name) {
        Path root = projectRoot();
        Path dir = root == null ? null : root.resolve("../shared").resolve(name).normalize();
        if (dir == null || !Files.isDirectory(dir)) {
            new LoudSkip("shared-" + name, () -> "").skip("test data " + (dir == null ? "../shared/" + name : dir)
                    + " is not there (it is kept beside the project, not in it)");
        }
        return dir;
    }

    private static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return null;
    }
}
