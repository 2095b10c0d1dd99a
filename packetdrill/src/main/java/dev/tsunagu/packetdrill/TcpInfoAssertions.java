package dev.tsunagu.packetdrill;

import dev.tsunagu.socket.SocketInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of packetdrill's {@code %{ }%} Python blocks that needs no Python: lines
 * {@code assert A op B [op C][, message]} comparing integers and {@code tcpi_*} fields of
 * Linux's {@code struct tcp_info} that the socket table has ({@code tcpi_snd_cwnd} in segments,
 * {@code tcpi_snd_mss}). A block with anything else is not run (the verdict counts it).
 */
final class TcpInfoAssertions {
    private static final Pattern ASSERT = Pattern.compile("assert\\s+(.+?)(\\s*,.*)?");
    private static final Pattern OP = Pattern.compile("\\s*(==|!=|<=|>=|<|>)\\s*");

    private TcpInfoAssertions() {}

    /** Whether every line of {@code code} is an assertion this class can evaluate. */
    static boolean understood(String code) {
        for (String line : lines(code)) {
            Matcher m = ASSERT.matcher(line);
            if (!m.matches()) {
                return false;
            }
            for (String operand : OP.split(m.group(1))) {
                if (!operand.matches("-?\\d+") && !operand.matches("tcpi_snd_cwnd|tcpi_snd_mss")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Evaluates an {@link #understood} block against {@code info}: null if it holds, else what failed. */
    static String check(String code, SocketInfo info) {
        for (String line : lines(code)) {
            Matcher m = ASSERT.matcher(line);
            m.matches();
            String expr = m.group(1);
            List<Long> values = new ArrayList<>();
            for (String operand : OP.split(expr)) {
                values.add(value(operand, info));
            }
            Matcher op = OP.matcher(expr);
            for (int i = 0; op.find(); i++) {
                long a = values.get(i);
                long b = values.get(i + 1);
                boolean ok = switch (op.group(1)) {
                    case "==" -> a == b;
                    case "!=" -> a != b;
                    case "<=" -> a <= b;
                    case ">=" -> a >= b;
                    case "<" -> a < b;
                    default -> a > b;
                };
                if (!ok) {
                    return "assert " + expr + " failed: " + describe(expr, info);
                }
            }
        }
        return null;
    }

    private static String describe(String expr, SocketInfo info) {
        StringBuilder s = new StringBuilder();
        for (String operand : OP.split(expr)) {
            if (operand.startsWith("tcpi_")) {
                s.append(s.isEmpty() ? "" : ", ").append(operand).append(" = ").append(value(operand, info));
            }
        }
        return s.toString();
    }

    private static long value(String operand, SocketInfo info) {
        if (!operand.startsWith("tcpi_")) {
            return Long.parseLong(operand);
        }
        long mss = Long.parseLong(info.details().get("mss"));
        return switch (operand) {
            case "tcpi_snd_cwnd" -> Long.parseLong(info.details().get("cwnd")) / mss;
            default -> mss;
        };
    }

    private static List<String> lines(String code) {
        List<String> out = new ArrayList<>();
        for (String l : code.split("\n")) {
            int hash = l.indexOf('#');
            String t = (hash >= 0 ? l.substring(0, hash) : l).strip();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
