package dev.tsunagu.packetdrill;

import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackOption;
import dev.tsunagu.tcp.TcpOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stack settings the corpus assumes: Linux with the sysctls of packetdrill's
 * {@code defaults.sh} — as options of the stack, never as special cases in TCP. Each sysctl a
 * script sets is either mapped to an option ({@code tcp_timestamps} to {@link TcpOptions#TIMESTAMPS},
 * {@code tcp_rmem}'s maximum to the receive buffer, which sets the window scale as Linux's
 * does, {@code tcp_congestion_control} to the socket's congestion control, {@code tcp_ecn} to
 * {@link TcpOptions#ECN}, off as {@code defaults.sh} sets it), or taken as it stands because the
 * stack already behaves that way at the value {@code defaults.sh} gives, or refused as
 * {@link Unsupported}.
 *
 * <p>Linux's settings without a sysctl are options too: an initial window of 10 segments
 * (RFC 6928), a 40 ms delayed ACK after 16 quick ACKs, a 200 ms minimum and 1 s initial RTO, a 60 s TIME_WAIT.
 */
public final class LinuxProfile {
    /** Thrown for a command or setting the runner cannot give the stack. */
    public static final class Unsupported extends Exception {
        public Unsupported(String message) {
            super(message);
        }
    }

    /**
     * Settings the stack is taken to have at these values (those of {@code defaults.sh}): either
     * it behaves so (no metrics cache, no pacing) or the difference shows in the scripts
     * that depend on it, which then fail and say so.
     */
    private static final Map<String, String> ASSUMED = Map.ofEntries(
            Map.entry("tcp_synack_retries", "5"),
            Map.entry("tcp_frto", "2"),
            Map.entry("tcp_dsack", "1"),
            Map.entry("tcp_fack", "0"),
            Map.entry("tcp_reordering", "3"),
            Map.entry("tcp_early_retrans", "4"),
            Map.entry("tcp_recovery", "1"),
            Map.entry("tcp_ecn_option", "2"),
            Map.entry("tcp_pacing_ss_ratio", "200"),
            Map.entry("tcp_pacing_ca_ratio", "120"),
            Map.entry("tcp_notsent_lowat", "4294967295"),
            Map.entry("tcp_fastopen", "0x70403"),
            Map.entry("tcp_fastopen_key", "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4"),
            Map.entry("tcp_syncookies", "1"));

    /** Sysctls about TSO sizing: the stack sends MSS-sized segments and never defers, and the runner joins a burst as TSO would. */
    private static final List<String> ANY_VALUE = List.of("tcp_tso_win_divisor", "tcp_min_tso_segs");

    private final Map<StackOption<?>, Object> options = new LinkedHashMap<>();
    private int receiveBuffer = 15 * 1024 * 1024;
    private int sendBuffer = 256 * 1024;
    private String congestionControl = "cubic";
    private final List<String> notes = new ArrayList<>();

    public LinuxProfile() {
        options.put(TcpOptions.INITIAL_WINDOW, 10);
        options.put(TcpOptions.DELAYED_ACK, Duration.ofMillis(40));
        options.put(TcpOptions.QUICK_ACKS, 16);
        options.put(TcpOptions.MIN_RTO, Duration.ofMillis(200));
        options.put(TcpOptions.INITIAL_RTO, Duration.ofSeconds(1));
        options.put(TcpOptions.MSL, Duration.ofSeconds(30));
        options.put(TcpOptions.TIMESTAMPS, true);
        options.put(TcpOptions.SACK, true);
        options.put(TcpOptions.SYN_RETRIES, 6);
        options.put(TcpOptions.ECN, TcpOptions.EcnMode.OFF); // defaults.sh: tcp_ecn=0
        options.put(TcpOptions.SLOW_START_AFTER_IDLE, true);
        options.put(TcpOptions.MTU_PROBING, TcpOptions.MtuProbing.OFF); // Linux's default tcp_mtu_probing=0
    }

    /** Puts the options on a stack being built. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public NetworkStack.Builder apply(NetworkStack.Builder b) {
        options.forEach((k, v) -> b.option((StackOption) k, v));
        return b;
    }

    /** The socket options a new socket starts with: tcp_wmem's default, tcp_rmem's maximum. */
    public TcpSocketOptions socketDefaults() {
        return TcpSocketOptions.DEFAULT.withReceiveBuffer(receiveBuffer).withSendBuffer(sendBuffer)
                .withCongestionControl(congestionControl);
    }

    /** What was taken as given rather than mapped, for the report. */
    public List<String> notes() {
        return notes;
    }

    /**
     * Runs a script's shell command as far as it configures TCP: {@code defaults.sh} (read and
     * followed, relative to {@code dir}), {@code sysctl -q name=value ...}, {@code set_sysctls.py
     * /proc/sys/net/ipv4/name=value ...}, and the housekeeping that has no meaning here (restoring
     * sysctls, flushing the metrics cache, the tun device's qdisc).
     *
     * @throws Unsupported for any other command, or a setting the stack does not have
     */
    public void shell(String command, Path dir) throws Unsupported {
        // A backslash at the end of a line continues the command on the next (POSIX sh 2.2.1).
        for (String raw : command.replaceAll("\\\\[ \t]*\r?\n", " ").split("\n|;|&&")) {
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            line = line.replaceAll("\\s*[0-9&]*>\\s*/dev/null(\\s+2>&1)?", "").replace("2>&1", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] w = line.split("\\s+");
            if (w[0].endsWith("defaults.sh")) {
                defaults(dir.resolve(w[0]).normalize());
            } else if (w[0].equals("sysctl")) {
                for (int i = 1; i < w.length; i++) {
                    if (!w[i].startsWith("-")) {
                        sysctlAssignment(joinQuoted(w, i), line);
                        i = skipQuoted(w, i);
                    }
                }
            } else if (w[0].endsWith("set_sysctls.py")) {
                for (int i = 1; i < w.length; i++) {
                    sysctlAssignment(joinQuoted(w, i).replaceFirst("^/proc/sys/", "").replace('/', '.'), line);
                    i = skipQuoted(w, i);
                }
            } else if (w[0].startsWith("/tmp/sysctl_restore_")) {
                // restores what set_sysctls.py changed: every script gets a fresh stack anyway
            } else if (line.startsWith("ip tcp_metrics flush") || line.matches("tc qdisc (add|replace) dev tun0 root pfifo")) {
                // no metrics cache to flush; no qdisc: packets leave when TCP sends them
            } else {
                throw new Unsupported("shell command `" + line + "`");
            }
        }
    }

    private void defaults(Path file) throws Unsupported {
        if (!Files.isRegularFile(file)) {
            throw new Unsupported("shell command: " + file + " is not there");
        }
        try {
            shell(Files.readString(file), file.getParent());
        } catch (IOException e) {
            throw new Unsupported("shell command: cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String joinQuoted(String[] w, int i) {
        if (!w[i].contains("\"") || w[i].chars().filter(c -> c == '"').count() == 2) {
            return w[i];
        }
        StringBuilder s = new StringBuilder(w[i]);
        for (int k = i + 1; k < w.length; k++) {
            s.append(' ').append(w[k]);
            if (w[k].contains("\"")) {
                break;
            }
        }
        return s.toString();
    }

    private static int skipQuoted(String[] w, int i) {
        if (!w[i].contains("\"") || w[i].chars().filter(c -> c == '"').count() == 2) {
            return i;
        }
        for (int k = i + 1; k < w.length; k++) {
            if (w[k].contains("\"")) {
                return k;
            }
        }
        return w.length;
    }

    private void sysctlAssignment(String assignment, String line) throws Unsupported {
        int eq = assignment.indexOf('=');
        if (eq < 0) {
            throw new Unsupported("shell command `" + line + "`: '" + assignment + "' sets nothing");
        }
        String name = assignment.substring(0, eq).replaceFirst("^net\\.ipv4\\.", "");
        String value = assignment.substring(eq + 1).replace("\"", "").strip();
        sysctl(name, value);
    }

    /** Sets one {@code net.ipv4} sysctl (name without the prefix). */
    public void sysctl(String name, String value) throws Unsupported {
        switch (name) {
            case "tcp_timestamps" -> options.put(TcpOptions.TIMESTAMPS, bool(name, value));
            case "tcp_sack" -> options.put(TcpOptions.SACK, bool(name, value));
            case "tcp_syn_retries" -> options.put(TcpOptions.SYN_RETRIES, integer(name, value));
            case "tcp_ecn" -> options.put(TcpOptions.ECN, switch (value) {
                case "0" -> TcpOptions.EcnMode.OFF;
                case "1" -> TcpOptions.EcnMode.ON;
                case "2" -> TcpOptions.EcnMode.ACCEPT;
                default -> throw new Unsupported("sysctl net.ipv4.tcp_ecn=" + value);
            });
            case "tcp_slow_start_after_idle" -> options.put(TcpOptions.SLOW_START_AFTER_IDLE, bool(name, value));
            case "tcp_mtu_probing" -> options.put(TcpOptions.MTU_PROBING, switch (value) {
                case "0" -> TcpOptions.MtuProbing.OFF;
                case "1" -> TcpOptions.MtuProbing.ON_BLACK_HOLE;
                case "2" -> TcpOptions.MtuProbing.ALWAYS;
                default -> throw new Unsupported("sysctl net.ipv4.tcp_mtu_probing=" + value);
            });
            case "tcp_rmem" -> receiveBuffer = triple(name, value)[2];
            case "tcp_wmem" -> sendBuffer = triple(name, value)[1];
            case "tcp_congestion_control" -> congestionControl = switch (value) {
                case "cubic" -> "cubic";
                case "reno" -> "newreno"; // Linux's reno is NewReno (RFC 6582)
                default -> throw new Unsupported("sysctl net.ipv4.tcp_congestion_control=" + value);
            };
            default -> {
                if (ANY_VALUE.contains(name)) {
                    return;
                }
                String assumed = ASSUMED.get(name);
                if (assumed == null) {
                    throw new Unsupported("sysctl net.ipv4." + name + " (no matching stack option)");
                }
                if (!assumed.equalsIgnoreCase(value)) {
                    throw new Unsupported("sysctl net.ipv4." + name + "=" + value + " (the profile has only "
                            + assumed + ")");
                }
            }
        }
    }

    private static boolean bool(String name, String value) throws Unsupported {
        return switch (value) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new Unsupported("sysctl net.ipv4." + name + "=" + value);
        };
    }

    private static int integer(String name, String value) throws Unsupported {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new Unsupported("sysctl net.ipv4." + name + "=" + value);
        }
    }

    private static int[] triple(String name, String value) throws Unsupported {
        String[] p = value.split("\\s+");
        if (p.length != 3) {
            throw new Unsupported("sysctl net.ipv4." + name + "=" + value);
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            v[i] = p[i].startsWith("$((") ? evaluate(p[i]) : integer(name, p[i]);
        }
        return v;
    }

    /** {@code $((15*1024*1024))}: the shell arithmetic defaults.sh uses (products only). */
    private static int evaluate(String e) throws Unsupported {
        String body = e.replace("$((", "").replace("))", "");
        long v = 1;
        for (String f : body.split("\\*")) {
            v *= integer("arithmetic", f.strip());
        }
        return (int) Math.min(v, 1 << 30);
    }
}
