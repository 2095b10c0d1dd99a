package dev.tsunagu.packetdrill;

import java.nio.file.Path;

/**
 * How one script went: {@code PASS}; {@code FAIL} at the first line where the stack diverged
 * (expected against seen); {@code UNSUPPORTED} at the first call, option or command the runner
 * or the stack does not have. {@code line} is 0 when the whole script is concerned.
 */
public record Verdict(Path path, Result result, int line, String message) {
    public enum Result { PASS, FAIL, UNSUPPORTED }

    /** One line, as the command prints it: {@code FAIL path:12: expected ..., seen ...}. */
    public String format(Path relativeTo) {
        Path p = relativeTo == null ? path : relativeTo.relativize(path);
        String where = line > 0 ? p + ":" + line : p.toString();
        return result + " " + where + (message == null || message.isEmpty() ? "" : ": " + message);
    }
}
