package dev.tsunagu.cli;

import dev.tsunagu.packetdrill.Corpus;
import dev.tsunagu.packetdrill.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs packetdrill scripts against a stack on a virtual clock (the {@code packetdrill} module):
 * a line per script, PASS, FAIL (the first diverging line, expected against seen) or
 * UNSUPPORTED (the call, option or command missing), then the pass rate by directory. Exit
 * code 0 when nothing failed (unsupported scripts are not failures), 1 otherwise.
 */
@Command(name = "packetdrill", mixinStandardHelpOptions = true,
        description = {"Run packetdrill scripts (files, or directories searched for *.pkt) in-process against a stack"
                + " on a virtual clock, with the Linux profile of stack options.",
            "Prints PASS, FAIL or UNSUPPORTED and the path for each script, then a summary by directory."})
final class PacketdrillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "scripts, or directories searched recursively for *.pkt")
    List<Path> paths;

    @Option(names = "--log", paramLabel = "LEVEL", defaultValue = "warn", description = "log level (default: ${DEFAULT-VALUE})")
    String log;

    @Override
    public Integer call() throws IOException {
        Logging.setLevel(log);
        PrintWriter out = spec.commandLine().getOut();
        List<Path> scripts = Corpus.scripts(paths);
        Path base = Corpus.base(paths);
        List<Verdict> verdicts = Corpus.run(scripts, base, line -> {
            out.println(line);
            out.flush();
        });
        out.println();
        Corpus.summary(verdicts, base).forEach(out::println);
        out.flush();
        return verdicts.stream().anyMatch(v -> v.result() == Verdict.Result.FAIL) ? 1 : 0;
    }
}
