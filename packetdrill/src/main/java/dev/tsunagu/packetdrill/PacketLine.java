package dev.tsunagu.packetdrill;

import dev.tsunagu.packetdrill.PacketSpec.TcpOption;
import dev.tsunagu.packetdrill.ScriptParser.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses one packet line (packets never span lines): direction, an optional IP part in
 * brackets ({@code [ect0]}, {@code (tos 0x2)}), then either {@code udp (len)}, {@code icmp ...}
 * or a TCP segment: flags, {@code start:end(len)}, {@code ack N}, {@code win N}, {@code urg N},
 * options {@code <...>}.
 */
final class PacketLine {
    private static final Pattern SEQ = Pattern.compile("(\\d+):(\\d+)\\((\\d+)\\)");
    private static final Pattern FLAGS = Pattern.compile("[SFRPUEWC.]+|-");

    private PacketLine() {}

    static PacketSpec parse(String text, int line) throws ParseException {
        boolean inbound = text.charAt(0) == '<';
        String s = text.substring(1).strip();
        String ecn = null;
        if (s.startsWith("[") || s.startsWith("(")) {
            int close = s.indexOf(s.charAt(0) == '[' ? ']' : ')');
            if (close < 0) {
                throw new ParseException(line, "unterminated IP part in '" + text + "'");
            }
            ecn = s.substring(1, close).strip().toLowerCase();
            s = s.substring(close + 1).strip();
        }
        if (s.startsWith("udp") || s.startsWith("icmp")) {
            String proto = s.startsWith("udp") ? "udp" : "icmp";
            return new PacketSpec(inbound, proto, "", 0, 0, 0, null, null, null, null, true, ecn, text);
        }
        if (s.matches("^\\d+\\s*>\\s*\\d+.*")) { // "opt_port_info": ports written out; the runner uses its own
            s = s.replaceFirst("^\\d+\\s*>\\s*\\d+", "").strip();
        }
        String[] head = s.split("\\s+", 2);
        if (!FLAGS.matcher(head[0]).matches() || head.length < 2) {
            throw new ParseException(line, "bad TCP flags or missing sequence in '" + text + "'");
        }
        String flags = head[0].equals("-") ? "" : head[0];
        String rest = head[1];
        String optionsText = null;
        int lt = rest.indexOf('<');
        if (lt >= 0) {
            int gt = rest.lastIndexOf('>');
            if (gt < lt) {
                throw new ParseException(line, "unterminated TCP options in '" + text + "'");
            }
            optionsText = rest.substring(lt + 1, gt).strip();
            rest = rest.substring(0, lt).strip();
        }
        Matcher m = SEQ.matcher(rest);
        if (!m.lookingAt()) {
            throw new ParseException(line, "expected start:end(length) in '" + text + "'");
        }
        long start = Long.parseLong(m.group(1));
        long end = Long.parseLong(m.group(2));
        int len = Integer.parseInt(m.group(3));
        if (end - start != len && !(end == start && len == 0)) {
            throw new ParseException(line, "sequence range " + start + ":" + end + " is not " + len + " bytes");
        }
        Long ack = null;
        Integer win = null;
        Integer urg = null;
        String[] words = rest.substring(m.end()).strip().split("\\s+");
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (w.isEmpty()) {
                continue;
            }
            if (i + 1 >= words.length) {
                throw new ParseException(line, "'" + w + "' without a value in '" + text + "'");
            }
            long v = parseLong(words[++i], line, text);
            switch (w) {
                case "ack" -> ack = v;
                case "win" -> win = (int) v;
                case "urg" -> urg = (int) v;
                default -> throw new ParseException(line, "unknown TCP field '" + w + "' in '" + text + "'");
            }
        }
        List<TcpOption> options = null;
        boolean any = false;
        if (optionsText == null) {
            options = List.of();
        } else if (optionsText.equals("...")) {
            any = true;
        } else {
            options = options(optionsText, line, text);
        }
        return new PacketSpec(inbound, "tcp", flags, start, end, len, ack, win, urg, options, any, ecn, text);
    }

    private static List<TcpOption> options(String list, int line, String text) throws ParseException {
        List<TcpOption> out = new ArrayList<>();
        for (String o : list.split(",")) {
            String[] w = o.strip().split("\\s+");
            String kind = w[0];
            long[] v;
            switch (kind) {
                case "nop", "eol", "sackOK" -> v = new long[0];
                case "mss", "wscale" -> v = new long[] {parseLong(arg(w, 1, line, text), line, text)};
                case "TS" -> {
                    if (w.length != 5 || !w[1].equals("val") || !w[3].equals("ecr")) {
                        throw new ParseException(line, "expected 'TS val N ecr N' in '" + text + "'");
                    }
                    v = new long[] {parseLong(w[2], line, text), parseLong(w[4], line, text)};
                }
                case "sack" -> {
                    v = new long[2 * (w.length - 1)];
                    for (int i = 1; i < w.length; i++) {
                        String[] b = w[i].split(":");
                        if (b.length != 2) {
                            throw new ParseException(line, "bad SACK block '" + w[i] + "' in '" + text + "'");
                        }
                        v[2 * (i - 1)] = parseLong(b[0], line, text);
                        v[2 * (i - 1) + 1] = parseLong(b[1], line, text);
                    }
                }
                case "FO", "FOEXP", "md5" -> v = new long[0]; // cookies and signatures: kept as text
                default -> throw new ParseException(line, "unknown TCP option '" + o.strip() + "' in '" + text + "'");
            }
            out.add(new TcpOption(kind, v, o.strip()));
        }
        return List.copyOf(out);
    }

    private static String arg(String[] w, int i, int line, String text) throws ParseException {
        if (i >= w.length) {
            throw new ParseException(line, "option '" + w[0] + "' needs a value in '" + text + "'");
        }
        return w[i];
    }

    private static long parseLong(String s, int line, String text) throws ParseException {
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ParseException(line, "bad number '" + s + "' in '" + text + "'");
        }
    }
}
