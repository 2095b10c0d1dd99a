package dev.tsunagu.packetdrill;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed packetdrill script: the command-line options it carries ({@code --tolerance_usecs=10000}),
 * the shell command run before the events (usually {@code `../common/defaults.sh`}) and the
 * events in order.
 *
 * @param path where it was read from (for messages and to resolve the shell helpers it names)
 */
public record Script(Path path, Map<String, String> options, List<Event> events) {
    /** One timed line: when, and what. {@code line} is where it starts in the file (1-based). */
    public record Event(int line, EventTime time, Action action) {}

    /**
     * When an event happens: {@code start} seconds (in microseconds) after the previous event
     * ({@code relative}) or after the script began; {@code end} for a range {@code a~b} (the
     * event may happen anywhere in it); {@code any} for {@code *}. For a blocking system call
     * written {@code +0...0.2}, {@code end} is when it returns.
     */
    public record EventTime(boolean any, boolean relative, long startMicros, long endMicros, boolean range) {
        public static final EventTime ANY = new EventTime(true, false, 0, 0, false);
    }

    /** What an event does. */
    public sealed interface Action permits Packet, Syscall, Shell, Code {}

    /** A system call: {@code name(args) = result [ERRNO (note)]}; {@code blockingEndMicros} &ge; 0 for {@code ...t}. */
    public record Syscall(String name, List<Expr> args, Expr result, String errno, long blockingEndMicros,
                          boolean blockingRelative) implements Action {
        public boolean blocking() {
            return blockingEndMicros >= 0;
        }

        @Override
        public String toString() {
            return name + args.toString().replace('[', '(').replace(']', ')') + " = " + result
                    + (errno == null ? "" : " " + errno);
        }
    }

    /** A shell command between backquotes. */
    public record Shell(String command) implements Action {}

    /** A {@code %{ python }%} block (assertions on tcp_info). */
    public record Code(String source) implements Action {}

    /** A packet to inject ({@code <}) or expect ({@code >}). */
    public record Packet(PacketSpec spec) implements Action {}
}
