package dev.tsunagu.packetdrill;

import dev.tsunagu.packetdrill.Script.Action;
import dev.tsunagu.packetdrill.Script.Event;
import dev.tsunagu.packetdrill.Script.EventTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a script in packetdrill's language (the grammar of its {@code parser.y}): options
 * ({@code --name=value}) first, then timed events — packets, system calls, backquoted shell
 * commands and {@code %{ }%} code — with {@code //} and {@code /* *}{@code /} comments anywhere.
 * A character-level recursive descent over the whole text, so that a system call may span lines
 * (long {@code sendmsg} structures do). Errors name the line: {@link ParseException}.
 */
public final class ScriptParser {
    /** Why a script cannot be read, with the line it failed on. */
    public static final class ParseException extends Exception {
        private final int line;

        ParseException(int line, String message) {
            super("line " + line + ": " + message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    private final String src;
    private int pos;
    private int line = 1;

    private ScriptParser(String src) {
        this.src = src;
    }

    public static Script parse(Path path) throws IOException, ParseException {
        return parse(path, Files.readString(path, StandardCharsets.UTF_8));
    }

    public static Script parse(Path path, String text) throws ParseException {
        return new ScriptParser(text).script(path);
    }

    private Script script(Path path) throws ParseException {
        Map<String, String> options = new LinkedHashMap<>();
        List<Event> events = new ArrayList<>();
        skipSpace();
        while (peek("--")) {
            pos += 2;
            String name = word();
            String value = "";
            if (peek("=")) {
                pos++;
                int start = pos;
                while (pos < src.length() && !Character.isWhitespace(src.charAt(pos))) {
                    pos++;
                }
                value = src.substring(start, pos);
            }
            options.put(name, value);
            skipSpace();
        }
        while (true) {
            skipSpace();
            if (pos >= src.length()) {
                break;
            }
            int at = line;
            char c = src.charAt(pos);
            if (c == '`') { // an untimed command: the init or the cleanup command
                events.add(new Event(at, null, new Script.Shell(backquoted())));
                continue;
            }
            EventTime time = eventTime();
            skipSpace();
            events.add(new Event(at, time, action()));
        }
        return new Script(path, options, List.copyOf(events));
    }

    private EventTime eventTime() throws ParseException {
        if (peek("*")) {
            pos++;
            return EventTime.ANY;
        }
        boolean relative = false;
        if (peek("+")) {
            pos++;
            relative = true;
        }
        long start = micros();
        if (peek("~")) {
            pos++;
            if (peek("+")) {
                pos++;
            }
            long end = micros();
            return new EventTime(false, relative, start, end, true);
        }
        return new EventTime(false, relative, start, start, false);
    }

    /** A time in seconds ({@code .1}, {@code 0}, {@code 1.250}) as microseconds. */
    private long micros() throws ParseException {
        int start = pos;
        while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '.')) {
            if (src.startsWith("...", pos)) {
                break;
            }
            pos++;
        }
        String t = src.substring(start, pos);
        if (t.isEmpty() || t.equals(".")) {
            throw error("expected a time, found '" + rest() + "'");
        }
        return Math.round(Double.parseDouble(t) * 1_000_000);
    }

    private Action action() throws ParseException {
        if (peek("<") || peek(">")) {
            return new Script.Packet(packet());
        }
        if (peek("`")) {
            return new Script.Shell(backquoted());
        }
        if (peek("%{")) {
            int end = src.indexOf("}%", pos);
            if (end < 0) {
                throw error("unterminated %{ code block");
            }
            String code = src.substring(pos + 2, end);
            advanceTo(end + 2);
            return new Script.Code(code.strip());
        }
        return syscall();
    }

    // ---- packets ----

    private PacketSpec packet() throws ParseException {
        int lineEnd = src.indexOf('\n', pos);
        if (lineEnd < 0) {
            lineEnd = src.length();
        }
        String text = stripComment(src.substring(pos, lineEnd)).strip();
        advanceTo(lineEnd);
        return PacketLine.parse(text, line);
    }

    private static String stripComment(String s) {
        int c = s.indexOf("//");
        return c < 0 ? s : s.substring(0, c);
    }

    // ---- system calls ----

    private Action syscall() throws ParseException {
        long blockingEnd = -1;
        boolean blockingRelative = false;
        if (peek("...")) {
            pos += 3;
            skipSpace();
            if (peek("+")) {
                pos++;
                blockingRelative = true;
            }
            blockingEnd = micros();
            skipSpace();
        }
        String name = word();
        if (name.isEmpty()) {
            throw error("expected a packet, a system call, a command or code, found '" + rest() + "'");
        }
        skipSpace();
        expect("(");
        List<Expr> args = new ArrayList<>();
        skipSpace();
        if (!peek(")")) {
            args.add(expression());
            skipSpace();
            while (peek(",")) {
                pos++;
                args.add(expression());
                skipSpace();
            }
        }
        expect(")");
        skipSpace();
        expect("=");
        Expr result = expression();
        // An errno and its note: "-1 EINPROGRESS (Operation now in progress)", on the same line.
        String errno = null;
        skipBlanks();
        if (pos < src.length() && Character.isUpperCase(src.charAt(pos))) {
            errno = word();
            skipBlanks();
        }
        if (peek("(")) {
            int close = src.indexOf(')', pos);
            if (close < 0) {
                throw error("unterminated note");
            }
            advanceTo(close + 1);
        }
        return new Script.Syscall(name, List.copyOf(args), result, errno, blockingEnd, blockingRelative);
    }

    private Expr expression() throws ParseException {
        Expr left = primary();
        skipSpace();
        while (true) {
            if (peek("|") && !peek("||")) {
                pos++;
                left = new Expr.Or(left, primary());
            } else if (peek("=") && !peek("==")) {
                pos++;
                left = new Expr.Assign(left, expression());
            } else {
                return left;
            }
            skipSpace();
        }
    }

    private Expr primary() throws ParseException {
        skipSpace();
        if (pos >= src.length()) {
            throw error("expression expected at end of script");
        }
        if (peek("...")) {
            pos += 3;
            return new Expr.Ellipsis();
        }
        char c = src.charAt(pos);
        if (c == '"') {
            int end = pos + 1;
            StringBuilder s = new StringBuilder();
            while (end < src.length() && src.charAt(end) != '"') {
                if (src.charAt(end) == '\\' && end + 1 < src.length()) {
                    end++;
                }
                s.append(src.charAt(end++));
            }
            if (end >= src.length()) {
                throw error("unterminated string");
            }
            advanceTo(end + 1);
            boolean truncated = false;
            if (peek("...")) {
                pos += 3;
                truncated = true;
            }
            return new Expr.Str(s.toString(), truncated);
        }
        if (c == '[') {
            pos++;
            return new Expr.Array(list("]"));
        }
        if (c == '{') {
            pos++;
            return new Expr.Struct(list("}"));
        }
        if (c == '-' || Character.isDigit(c)) {
            return new Expr.Int(integer());
        }
        String w = word();
        if (w.isEmpty()) {
            throw error("unexpected '" + rest() + "'");
        }
        skipBlanks();
        if (peek("(")) {
            pos++;
            return new Expr.Call(w, list(")"));
        }
        return new Expr.Word(w);
    }

    private List<Expr> list(String close) throws ParseException {
        List<Expr> items = new ArrayList<>();
        skipSpace();
        if (peek(close)) {
            pos++;
            return items;
        }
        while (true) {
            items.add(expression());
            skipSpace();
            if (peek(",")) {
                pos++;
                continue;
            }
            expect(close);
            return items;
        }
    }

    private long integer() throws ParseException {
        int start = pos;
        if (peek("-")) {
            pos++;
        }
        if (peek("0x") || peek("0X")) {
            pos += 2;
            int digits = pos;
            while (pos < src.length() && Character.digit(src.charAt(pos), 16) >= 0) {
                pos++;
            }
            long v = Long.parseUnsignedLong(src.substring(digits, pos), 16);
            return src.charAt(start) == '-' ? -v : v;
        }
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
            pos++;
        }
        try {
            return Long.parseLong(src.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("bad integer '" + src.substring(start, pos) + "'");
        }
    }

    // ---- lexical ----

    private String backquoted() throws ParseException {
        int end = src.indexOf('`', pos + 1);
        if (end < 0) {
            throw error("unterminated backquoted command");
        }
        String cmd = src.substring(pos + 1, end);
        advanceTo(end + 1);
        return cmd.strip();
    }

    private String word() {
        int start = pos;
        while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
            pos++;
        }
        return src.substring(start, pos);
    }

    private boolean peek(String s) {
        return src.startsWith(s, pos);
    }

    private void expect(String s) throws ParseException {
        skipSpace();
        if (!peek(s)) {
            throw error("expected '" + s + "', found '" + rest() + "'");
        }
        pos += s.length();
    }

    private String rest() {
        int end = Math.min(src.length(), pos + 20);
        int nl = src.indexOf('\n', pos);
        if (nl >= 0 && nl < end) {
            end = nl;
        }
        return src.substring(pos, end);
    }

    /** Skips white space (newlines included) and comments. */
    private void skipSpace() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else if (peek("//")) {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (peek("/*")) {
                int end = src.indexOf("*/", pos + 2);
                advanceTo(end < 0 ? src.length() : end + 2);
            } else {
                return;
            }
        }
    }

    /** Skips spaces and tabs on this line only. */
    private void skipBlanks() {
        while (pos < src.length() && (src.charAt(pos) == ' ' || src.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private void advanceTo(int to) {
        for (int i = pos; i < to; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        pos = to;
    }

    private ParseException error(String message) {
        return new ParseException(line, message);
    }
}
