package dev.tsunagu.examples.code;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs an example's {@code main} and returns what it printed to standard output. */
public final class MainOutput {
    /** An example's {@code main}. */
    @FunctionalInterface
    public interface Main {
        void run(String[] args) throws Exception;
    }

    private MainOutput() {}

    /** Tests in a module run one at a time (surefire's default), so swapping System.out is safe. */
    public static synchronized String of(Main main, String... args) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            main.run(args);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        original.print(out); // still visible in the test's output file
        return out;
    }
}
