package dev.tsunagu.doc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps stack-api documented: compiles the module's sources with javac's doclint
 * ({@code -Xdoclint:all/protected}, the checks {@code javadoc -Xdoclint:all} makes) and fails
 * on any public or protected type or member without a doc comment, and on any doclint error (a
 * broken {@code {@link}}, bad HTML). The other "missing" warnings ({@code no @param},
 * {@code no @return}) are allowed: the house style is a summary sentence that names the
 * parameters, not a tag per parameter.
 *
 * <p>Runs javac in-process through {@link ToolProvider} (java.base), so it needs no build plugin
 * and no HTML is written.
 */
class ApiDocumentationTest {
    /** Doclint's words for "this has no doc comment at all". */
    private static final List<String> UNDOCUMENTED = List.of(
            "warning: no comment", "use of default constructor, which does not provide a comment",
            "warning: no main description");

    @Test
    void everyPublicTypeAndMemberOfStackApiHasADocComment() throws IOException {
        ToolProvider javac = ToolProvider.findFirst("javac").orElse(null);
        assertThat(javac).as("the javac tool (module jdk.compiler) in this JDK").isNotNull();
        Path sources = Path.of("src/main/java");
        assertThat(sources).as("run from the stack-api module directory").isDirectory();
        List<String> args = new ArrayList<>(List.of(
                "-Xdoclint:all/protected", "-Xmaxwarns", "100000", "-Xmaxerrs", "100000", "-proc:none",
                "-d", Files.createDirectories(Path.of("target", "doclint-check")).toString(),
                "-classpath", System.getProperty("java.class.path")));
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("module-info.java"))
                    .map(Path::toString).sorted().forEach(args::add);
        }

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = javac.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        String report = out + "\n" + err;

        List<String> problems = report.lines()
                .filter(l -> l.contains(": error:") || UNDOCUMENTED.stream().anyMatch(l::contains))
                .toList();
        assertThat(problems).as("undocumented API or doclint errors in stack-api (javac exit %d):%n%s",
                status, String.join("\n", problems)).isEmpty();
        assertThat(status).as("javac exit status; output:%n%s", report).isZero();
    }
}
