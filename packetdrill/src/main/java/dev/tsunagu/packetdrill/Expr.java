package dev.tsunagu.packetdrill;

import java.util.List;

/**
 * A system call's argument or expected result, as the script wrote it: packetdrill's
 * expressions (integers, symbols such as {@code SOCK_STREAM}, strings, {@code ...} for "any",
 * arrays {@code [1]}, structures {@code {fd=3, events=POLLIN}}, {@code A|B} and
 * {@code name=value}). The runner gives them meaning; the parser only keeps their shape.
 */
public sealed interface Expr {
    /** {@code ...}: anything (an address the runner picks, a buffer it fills). */
    record Ellipsis() implements Expr {
        @Override
        public String toString() {
            return "...";
        }
    }

    record Int(long value) implements Expr {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** A symbol ({@code SOL_SOCKET}, {@code O_NONBLOCK}, {@code POLLIN}). */
    record Word(String name) implements Expr {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A string literal; {@code truncated} when written {@code "abc"...}. */
    record Str(String text, boolean truncated) implements Expr {
        @Override
        public String toString() {
            return '"' + text + '"' + (truncated ? "..." : "");
        }
    }

    record Array(List<Expr> items) implements Expr {
        @Override
        public String toString() {
            return items.toString();
        }
    }

    /** {@code {a, b}} or {@code {name=value, ...}}: a structure, field order as written. */
    record Struct(List<Expr> items) implements Expr {
        @Override
        public String toString() {
            return "{" + String.join(", ", items.stream().map(Object::toString).toList()) + "}";
        }
    }

    /** {@code a|b}. */
    record Or(Expr left, Expr right) implements Expr {
        @Override
        public String toString() {
            return left + "|" + right;
        }
    }

    /** {@code name=value} (inside structures and arguments such as {@code msg_flags=0}). */
    record Assign(Expr name, Expr value) implements Expr {
        @Override
        public String toString() {
            return name + "=" + value;
        }
    }

    /** {@code name(args)}: {@code htons(8080)}, {@code inet_addr("1.2.3.4")}, {@code msg_iov(1)}. */
    record Call(String name, List<Expr> args) implements Expr {
        @Override
        public String toString() {
            return name + args.toString().replace('[', '(').replace(']', ')');
        }
    }
}
