package dev.tsunagu.packetdrill;

import dev.tsunagu.link.arp.ArpOptions;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.packetdrill.LinuxProfile.Unsupported;
import dev.tsunagu.packetdrill.PacketSpec.TcpOption;
import dev.tsunagu.packetdrill.Script.Event;
import dev.tsunagu.packetdrill.Script.EventTime;
import dev.tsunagu.packetdrill.Script.Syscall;
import dev.tsunagu.packetdrill.Sockets.Outcome;
import dev.tsunagu.packetdrill.Sockets.Result;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one script against a fresh stack on a virtual clock, the way packetdrill runs it against
 * Linux through a tun device: events in order at their times; {@code <} packets built and
 * injected; each {@code >} packet taken from what the stack sent and checked field by field
 * (flags, sequence range, ACK, window, options) and for its time, within the tolerance
 * ({@code --tolerance_usecs}, 4 ms by default). Sequence numbers are the script's: ours
 * relative to the stack's ISN, learnt from its SYN or SYN-ACK; the remote's as written (its ISN is
 * 0). A burst of segments leaving at one instant is joined to match one larger packet, as TSO
 * hands Linux's to the tun device. Timestamps: the stack's TSval is checked only with
 * {@code --tcp_ts_tick_usecs=1000} (as packetdrill: counted from the first one seen, within the
 * tolerance; the stack's clock ticks in milliseconds); an injected TSecr is mapped from the
 * script's TSval of the stack to the live one.
 */
public final class ScriptRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptRunner.class);
    /** The script diverged: FAIL at this line. */
    static final class Divergence extends Exception {
        final int line;

        Divergence(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    private static final long DEFAULT_TOLERANCE_MICROS = 4_000;
    private static final int REMOTE_PORT = 48_000;

    private final Script script;
    private final LinuxProfile profile = new LinuxProfile();
    private final long toleranceNanos;
    private final String localIp;
    private final String remoteIp;
    private VirtualEventLoop loop;
    private NetworkStack stack;
    private Remote remote;
    private Sockets sockets;
    private long originNanos;
    /** The stack's ISN (null until its SYN or SYN-ACK), its port, and the remote's. */
    private Long localIsn;
    /** The remote's ISN as the script wrote it in its SYN (0 in most scripts). */
    private long remoteIsn;
    private int localPort = Sockets.LISTEN_PORT;
    private int remotePort = REMOTE_PORT;
    /** Live TSval minus the script's, from the first checked timestamp of the stack. */
    private Long tsOffset;
    /** Whether the stack's TSval is checked ({@code --tcp_ts_tick_usecs}), not only its TSecr. */
    private boolean checkTsVal;
    private long lastLiveTsVal;
    private final List<Pending> pending = new ArrayList<>();
    private int skippedCode;
    private int checkedCode;

    /** A blocking call under way, and when it must return. */
    private record Pending(Event event, Syscall call, long endNanos, CompletableFuture<Result> result, long[] doneAt) {}

    private ScriptRunner(Script script) {
        this.script = script;
        String tol = script.options().get("tolerance_usecs");
        this.toleranceNanos = 1000 * (tol == null ? DEFAULT_TOLERANCE_MICROS : Long.parseLong(tol));
        this.localIp = script.options().getOrDefault("local_ip", "192.168.0.1");
        this.remoteIp = script.options().getOrDefault("remote_ip", "192.0.2.1");
    }

    /** Parses and runs the script at {@code path}. */
    public static Verdict run(Path path) {
        Script s;
        try {
            s = ScriptParser.parse(path);
        } catch (ScriptParser.ParseException e) {
            return new Verdict(path, Verdict.Result.UNSUPPORTED, e.line(), "cannot parse: " + e.getMessage());
        } catch (IOException e) {
            return new Verdict(path, Verdict.Result.FAIL, 0, "cannot read: " + e.getMessage());
        }
        return run(s);
    }

    public static Verdict run(Script s) {
        return new ScriptRunner(s).execute();
    }

    private Verdict execute() {
        int line = 0;
        try {
            for (String option : script.options().keySet()) {
                switch (option) {
                    case "tolerance_usecs", "local_ip", "remote_ip" -> {}
                    case "tcp_ts_tick_usecs" -> {
                        // The stack's timestamp clock ticks every millisecond (RttSampler): only that rate can be checked.
                        if (!script.options().get(option).equals("1000")) {
                            throw new Unsupported("--tcp_ts_tick_usecs=" + script.options().get(option)
                                    + " (the stack's timestamp clock ticks every 1000 us)");
                        }
                        checkTsVal = true;
                    }
                    case "ip_version" -> {
                        if (!script.options().get(option).equals("ipv4")) {
                            throw new Unsupported("--ip_version=" + script.options().get(option));
                        }
                    }
                    default -> throw new Unsupported("option --" + option);
                }
            }
            long prev = 0;
            for (Event e : script.events()) {
                line = e.line();
                if (e.time() == null) { // init or cleanup command
                    if (stack == null) {
                        profile.shell(((Script.Shell) e.action()).command(), scriptDir());
                    } else {
                        cleanup(((Script.Shell) e.action()).command());
                    }
                    continue;
                }
                if (stack == null) {
                    start();
                }
                prev = event(e, prev);
            }
            finishPending();
            String note = (checkedCode > 0 ? checkedCode + " tcp_info assertion block" + (checkedCode > 1 ? "s" : "")
                    + " held" + (skippedCode > 0 ? ", " : "") : "")
                    + (skippedCode > 0 ? skippedCode + " %{ python }% block" + (skippedCode > 1 ? "s" : "") + " not run" : "");
            return new Verdict(script.path(), Verdict.Result.PASS, 0, note);
        } catch (Unsupported u) {
            return new Verdict(script.path(), Verdict.Result.UNSUPPORTED, line, u.getMessage());
        } catch (Divergence d) {
            return new Verdict(script.path(), Verdict.Result.FAIL, d.line, d.getMessage());
        } catch (RuntimeException ex) {
            return new Verdict(script.path(), Verdict.Result.FAIL, line, "runner error: " + ex);
        } finally {
            if (stack != null) {
                stack.close();
                remote.close();
            }
        }
    }

    private Path scriptDir() {
        Path p = script.path().toAbsolutePath().getParent();
        return p == null ? Path.of(".") : p;
    }

    private void start() throws Unsupported {
        loop = new VirtualEventLoop();
        // The tun device takes what GRO would have merged (a script injects 2000 bytes at once),
        // so the cable carries up to 64 KB; the stack's interface keeps Ethernet's 1500.
        Cable cable = new Cable("packetdrill", 65_000);
        Ipv4Address local = ipv4(localIp);
        Ipv4Address gateway = Ipv4Address.parse(Ipv4Address.format((local.bits() & 0xFFFF_FF00) | ((local.bits() & 0xFF) == 2 ? 3 : 2)));
        NetworkStack.Builder b = NetworkStack.builder().name("packetdrill").eventLoop(loop).seed(1)
                .addInterface(InterfaceConfig.of(cable.attach()).mtu(1500).address(localIp + "/24"))
                .gateway(gateway.toString())
                .option(ArpOptions.CACHE_TIMEOUT, Duration.ofDays(30));
        stack = profile.apply(b).buildUnchecked();
        remote = new Remote(cable, loop);
        remote.introduce(gateway.bits(), local.bits());
        loop.runUntilIdle();
        remote.sent().clear();
        try {
            sockets = new Sockets(stack, profile, InetAddress.getByName(remoteIp), r -> loop.runUntilIdle());
        } catch (UnknownHostException e) {
            throw new Unsupported("--remote_ip=" + remoteIp);
        }
        originNanos = loop.now();
    }

    private static Ipv4Address ipv4(String s) throws Unsupported {
        try {
            return Ipv4Address.parse(s);
        } catch (IllegalArgumentException e) {
            throw new Unsupported("address " + s + " (IPv4 only)");
        }
    }

    private void cleanup(String command) throws Unsupported {
        if (!command.startsWith("/tmp/sysctl_restore_")) {
            profile.shell(command, scriptDir()); // validates; a fresh stack per script makes it moot
        }
    }

    // ---- the timeline ----

    /** Runs one timed event; returns the time the next relative time counts from. */
    private long event(Event e, long prev) throws Unsupported, Divergence {
        EventTime t = e.time();
        long start = t.any() ? scriptNow() : (t.relative() ? prev : 0) + t.startMicros();
        long end = t.range() ? (t.relative() ? prev : 0) + t.endMicros() : start;
        switch (e.action()) {
            case Script.Packet p when p.spec().inbound() -> {
                advanceTo(e, start);
                inject(e, p.spec());
            }
            case Script.Packet p -> {
                long at = expect(e, p.spec(), start, end);
                if (t.any() || t.range()) {
                    return at;
                }
            }
            case Script.Syscall s -> {
                advanceTo(e, start);
                syscall(e, s, start, prev);
            }
            case Script.Shell sh -> {
                advanceTo(e, start);
                if (!sh.command().startsWith("/tmp/sysctl_restore_")) {
                    throw new Unsupported("shell command during the script `" + sh.command().strip() + "`");
                }
            }
            case Script.Code c -> {
                advanceTo(e, start);
                code(e, c.source());
            }
        }
        return t.any() ? scriptNow() : start;
    }

    private long scriptNow() {
        return (loop.now() - originNanos) / 1000;
    }

    private long nanos(long scriptMicros) {
        return originNanos + scriptMicros * 1000;
    }

    /** Moves time to {@code micros}, checking blocking calls that return on the way. */
    private void advanceTo(Event e, long micros) throws Divergence {
        long target = nanos(micros);
        while (loop.now() < target) {
            long next = target;
            for (Pending p : pending) {
                next = Math.min(next, Math.max(loop.now(), lateAt(p)));
            }
            loop.runUntil(this::anyPendingDone, Duration.ofNanos(next - loop.now()));
            checkPending(false);
            if (loop.now() >= next && next < target) {
                checkPending(true);
            }
        }
        loop.runUntilIdle();
        checkPending(false);
    }

    /**
     * The first instant at which {@code p} is late: past its time and the tolerance. (At the
     * tolerance's very end it is still on time, so waking there and finding it pending made
     * no progress: a script whose blocking call never returned ran for ever.)
     */
    private long lateAt(Pending p) {
        return p.endNanos + toleranceNanos + 1;
    }

    /** Whether a blocking call has returned (a waiting poll() returns when the runner looks: {@link Sockets#checkWaiting}). */
    private boolean anyPendingDone() {
        sockets.checkWaiting();
        return pending.stream().anyMatch(p -> p.result.isDone());
    }

    private void checkPending(boolean late) throws Divergence {
        sockets.checkWaiting();
        for (Pending p : List.copyOf(pending)) {
            if (p.result.isDone()) {
                pending.remove(p);
                long at = p.doneAt[0];
                if (Math.abs(at - p.endNanos) > toleranceNanos) {
                    throw new Divergence(p.event.line(), p.call.name() + "() returned at " + secs(at)
                            + " s, expected at " + secs(p.endNanos) + " s");
                }
                compareResult(p.event, p.call, p.result.join());
            } else if (late && loop.now() >= lateAt(p)) {
                throw new Divergence(p.event.line(), p.call.name() + "() had not returned at " + secs(loop.now())
                        + " s, expected at " + secs(p.endNanos) + " s");
            }
        }
    }

    private void finishPending() throws Divergence {
        while (!pending.isEmpty()) {
            long end = pending.stream().mapToLong(this::lateAt).max().orElseThrow();
            loop.runUntil(this::anyPendingDone, Duration.ofNanos(Math.max(0, end - loop.now())));
            checkPending(true);
        }
    }

    private String secs(long nanos) {
        return String.format("%.3f", (nanos - originNanos) / 1e9);
    }

    /** Runs the tcp_info assertions of a code block on the latest connection, or counts the block as not run. */
    private void code(Event e, String source) throws Divergence {
        SocketInfo info = stack.sockets().stream()
                .filter(i -> i.protocol().equals("TCP") && i.remote() != null && i.details().containsKey("cwnd"))
                .max(java.util.Comparator.comparingInt(SocketInfo::descriptor)).orElse(null);
        if (info == null || !TcpInfoAssertions.understood(source)) {
            skippedCode++;
            return;
        }
        String failed = TcpInfoAssertions.check(source, info);
        if (failed != null) {
            throw new Divergence(e.line(), failed);
        }
        checkedCode++;
    }

    // ---- system calls ----

    private void syscall(Event e, Syscall s, long start, long prev) throws Unsupported, Divergence {
        Outcome o = sockets.call(s.name(), s.args(), s.result() instanceof Expr.Int i ? (int) i.value() : -1);
        long endMicros = s.blocking() ? (s.blockingRelative() || e.time().relative() ? prev : 0) + s.blockingEndMicros() : start;
        if (s.blocking() && e.time().relative() && !s.blockingRelative()) {
            // "+0...0.200": the end counts from the same point as the start (packetdrill's rule for relative events)
            endMicros = prev + s.blockingEndMicros();
        }
        long endNanos = nanos(endMicros);
        if (o.now() != null) {
            if (s.blocking() && endNanos - loop.now() > toleranceNanos) {
                throw new Divergence(e.line(), s.name() + "() returned at once (" + o.now() + "), expected to block until "
                        + secs(endNanos) + " s");
            }
            compareResult(e, s, o.now());
            return;
        }
        long[] doneAt = {-1};
        o.pending().whenComplete((r, x) -> doneAt[0] = loop.now());
        if (!s.blocking()) {
            loop.runUntil(() -> {
                sockets.checkWaiting();
                return o.pending().isDone();
            }, Duration.ofNanos(toleranceNanos));
            if (!o.pending().isDone()) {
                throw new Divergence(e.line(), s.name() + "() blocked; the script expects it to return at once");
            }
            compareResult(e, s, o.pending().join());
            return;
        }
        pending.add(new Pending(e, s, endNanos, o.pending(), doneAt));
    }

    private void compareResult(Event e, Syscall s, Result r) throws Divergence {
        boolean ok;
        if (s.result() instanceof Expr.Ellipsis) {
            ok = r.errno() == null;
        } else if (s.result() instanceof Expr.Int i) {
            ok = i.value() == r.value() && (i.value() != -1 || s.errno() == null || s.errno().equals(r.errno()))
                    && (i.value() == -1 || r.errno() == null);
        } else {
            ok = false;
        }
        if (!ok) {
            throw new Divergence(e.line(), s.name() + "() expected " + s.result()
                    + (s.errno() == null ? "" : " " + s.errno()) + ", seen " + r);
        }
    }

    // ---- packets ----

    private void inject(Event e, PacketSpec p) throws Unsupported {
        if (!p.protocol().equals("tcp")) {
            throw new Unsupported("injected " + p.protocol() + " packets");
        }
        if (p.ecn() != null) {
            throw new Unsupported("IP fields on injected packets [" + p.ecn() + "]");
        }
        int flags = Wire.flagBits(p.flags());
        long isn = localIsn == null ? 0 : localIsn;
        // packetdrill's numbering: a SYN's sequence number is the ISN itself; later ones count from it.
        if ((flags & Wire.SYN) != 0) {
            remoteIsn = p.startSeq();
        }
        long seq = (flags & Wire.SYN) != 0 ? p.startSeq() : (p.startSeq() + remoteIsn) & 0xFFFF_FFFFL;
        long ack = p.ack() == null ? 0 : (p.ack() + isn) & 0xFFFF_FFFFL;
        ByteArrayOutputStream opts = new ByteArrayOutputStream();
        for (TcpOption o : p.options() == null ? List.<TcpOption>of() : p.options()) {
            switch (o.kind()) {
                case "nop" -> opts.write(1);
                case "eol" -> opts.write(0);
                case "mss" -> opts.writeBytes(new byte[] {2, 4, (byte) (o.values()[0] >>> 8), (byte) o.values()[0]});
                case "wscale" -> opts.writeBytes(new byte[] {3, 3, (byte) o.values()[0]});
                case "sackOK" -> opts.writeBytes(new byte[] {4, 2});
                case "TS" -> {
                    long ecr = o.values()[1] == 0 ? 0 : o.values()[1] + (tsOffset != null ? tsOffset : lastLiveTsVal - o.values()[1]);
                    opts.writeBytes(new byte[] {8, 10});
                    opts.writeBytes(int32(o.values()[0]));
                    opts.writeBytes(int32(ecr));
                }
                case "sack" -> {
                    opts.writeBytes(new byte[] {5, (byte) (2 + 4 * o.values().length)});
                    for (long v : o.values()) {
                        opts.writeBytes(int32(v + isn));
                    }
                }
                default -> throw new Unsupported("TCP option " + o.kind() + " on injected packets");
            }
        }
        byte[] options = opts.toByteArray();
        if (options.length > 40) {
            throw new Unsupported("more than 40 bytes of TCP options");
        }
        int window = p.window() == null ? 0 : p.window();
        byte[] packet = Wire.tcp(ipv4(remoteIp).bits(), ipv4(localIp).bits(), 0, remotePort, localPort, seq,
                ack, flags, window, p.urgent() == null ? 0 : p.urgent(), options, p.length());
        LOG.debug("{} s < {}", secs(loop.now()), p);
        remote.sendIp(packet);
        loop.runUntilIdle();
    }

    private static byte[] int32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** Takes the next segment the stack sends and checks it against {@code p}; returns when it left (script time). */
    private long expect(Event e, PacketSpec p, long start, long end) throws Unsupported, Divergence {
        if (!p.protocol().equals("tcp")) {
            throw new Unsupported("expected " + p.protocol() + " packets");
        }
        long deadline = nanos(end) + toleranceNanos;
        if (e.time().any()) {
            deadline = Long.MAX_VALUE / 4;
        }
        Wire.Segment s = nextSegment(e, deadline);
        if (s == null) {
            throw new Divergence(e.line(), "expected " + p + " at " + secs(nanos(start)) + " s, nothing sent by "
                    + secs(Math.min(deadline, loop.now())) + " s");
        }
        if (!e.time().any() && s.at() < nanos(start) - toleranceNanos) {
            throw new Divergence(e.line(), "expected " + p + " at " + secs(nanos(start)) + " s, seen "
                    + describe(s) + " at " + secs(s.at()) + " s (too early)");
        }
        if ((s.flags() & Wire.SYN) != 0 && p.has('S')) {
            // The stack's ISN is its own: the script's number for it is a name, not a value to check.
            localIsn = s.seq();
            localPort = s.sourcePort();
            if ((s.flags() & Wire.ACK) == 0) {
                remotePort = s.destinationPort();
            }
        }
        s = coalesce(s, p);
        String diff = compare(p, s);
        if (diff != null) {
            throw new Divergence(e.line(), "expected " + p.text().substring(1).strip() + ", seen " + describe(s)
                    + " (" + diff + ")");
        }
        return (s.at() - originNanos) / 1000;
    }

    /** The next TCP segment the stack sends (by {@code deadline}), or null; other packets are passed over. */
    private Wire.Segment nextSegment(Event e, long deadline) throws Divergence {
        while (true) {
            while (!remote.sent().isEmpty()) {
                Remote.Sent sent = remote.sent().poll();
                Wire.Segment s = Wire.parse(sent.packet(), sent.at());
                if (s != null) {
                    remember(s);
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("{} s > {}   {}", secs(s.at()), describe(s), stack.sockets().stream()
                                .filter(i -> i.remote() != null).map(i -> i.state() + " " + i.details()).toList());
                    }
                    return s;
                }
            }
            if (loop.now() >= deadline) {
                return null;
            }
            long until = deadline;
            for (Pending p : pending) {
                until = Math.min(until, Math.max(loop.now(), lateAt(p)));
            }
            loop.runUntil(() -> !remote.sent().isEmpty() || anyPendingDone(),
                    Duration.ofNanos(Math.max(0, until - loop.now())));
            checkPending(until < deadline && loop.now() >= until);
        }
    }

    private void remember(Wire.Segment s) {
        for (Wire.Option o : s.options()) {
            if (o.kind() == 8) {
                lastLiveTsVal = o.values()[0];
            }
        }
    }

    /**
     * Joins the segments that left with {@code s} at the same instant, in sequence, into one as
     * TSO would have sent them, while the script's packet is longer (Linux hands the tun device
     * up to 64 KB at once; the stack sends MSS-sized segments).
     */
    private Wire.Segment coalesce(Wire.Segment s, PacketSpec p) {
        while (s.payloadLength() < p.length() && (s.flags() & (Wire.SYN | Wire.FIN | Wire.RST)) == 0
                && !remote.sent().isEmpty()) {
            Remote.Sent next = remote.sent().peek();
            Wire.Segment n = Wire.parse(next.packet(), next.at());
            if (n == null || n.at() != s.at() || n.seq() != s.end() || n.ack() != s.ack()
                    || ((n.flags() | Wire.PSH | Wire.FIN) != (s.flags() | Wire.PSH | Wire.FIN))
                    || s.payloadLength() + n.payloadLength() > p.length()) {
                break;
            }
            remote.sent().poll();
            remember(n);
            LOG.debug("{} s > {} (joined)", secs(n.at()), describe(n));
            s = new Wire.Segment(s.at(), s.ecn(), s.sourcePort(), s.destinationPort(), s.seq(), n.ack(),
                    (s.flags() & ~Wire.PSH) | n.flags(), n.window(), n.urgent(), n.options(),
                    s.payloadLength() + n.payloadLength());
        }
        return s;
    }

    /** The first field that differs, or null. */
    private String compare(PacketSpec p, Wire.Segment s) {
        long isn = localIsn == null ? 0 : localIsn;
        int want = Wire.flagBits(p.flags());
        if (want != s.flags()) {
            return "flags " + Wire.flagLetters(s.flags()) + ", expected " + (p.flags().isEmpty() ? "-" : p.flags());
        }
        long seq = Wire.rel(s.seq(), isn);
        boolean syn = (s.flags() & Wire.SYN) != 0;
        if ((!syn && seq != p.startSeq()) || s.payloadLength() != p.length()) {
            return "sequence " + seq + ":" + (seq + s.payloadLength()) + "(" + s.payloadLength() + "), expected "
                    + p.startSeq() + ":" + p.endSeq() + "(" + p.length() + ")";
        }
        long ack = syn ? s.ack() : Wire.rel(s.ack(), remoteIsn); // a SYN-ACK acknowledges the ISN as written
        if (p.ack() != null && ((s.flags() & Wire.ACK) == 0 || ack != (p.ack() & 0xFFFF_FFFFL))) {
            return "ack " + ack + ", expected " + p.ack();
        }
        if (p.window() != null && s.window() != p.window()) {
            return "win " + s.window() + ", expected " + p.window();
        }
        if (p.ecn() != null) {
            String ecn = switch (s.ecn()) {
                case 0 -> "no_ecn";
                case 1 -> "ect1";
                case 2 -> "ect0";
                default -> "ce";
            };
            if (!ecn.equals(p.ecn())) {
                return "ECN " + ecn + ", expected " + p.ecn();
            }
        }
        if (p.optionsAny()) {
            return null;
        }
        List<TcpOption> want2 = p.options();
        List<Wire.Option> got = s.options();
        if (want2.size() != got.size()) {
            return "options" + Wire.describeOptions(got, isn) + ", expected <" + join(want2) + ">";
        }
        for (int i = 0; i < got.size(); i++) {
            TcpOption w = want2.get(i);
            Wire.Option g = got.get(i);
            String bad = null;
            switch (w.kind()) {
                case "nop" -> bad = g.kind() == 1 ? null : "nop";
                case "eol" -> bad = g.kind() == 0 ? null : "eol";
                case "mss" -> bad = g.kind() == 2 && g.values()[0] == w.values()[0] ? null : w.text();
                case "wscale" -> bad = g.kind() == 3 && g.values()[0] == w.values()[0] ? null : w.text();
                case "sackOK" -> bad = g.kind() == 4 ? null : "sackOK";
                case "TS" -> {
                    if (g.kind() != 8 || g.values()[1] != w.values()[1]) {
                        bad = w.text();
                    } else if (tsOffset == null) {
                        tsOffset = g.values()[0] - w.values()[0];
                    } else if (checkTsVal && Math.abs(((g.values()[0] - tsOffset - w.values()[0]) << 32) >> 32)
                            > toleranceNanos / 1_000_000 + 1) {
                        // packetdrill's --tcp_ts_tick_usecs: TSval counts from the first one seen,
                        // in ticks, within the tolerance (and a tick for the rounding).
                        bad = w.text() + " (TS val " + (g.values()[0] - tsOffset) + " here)";
                    }
                }
                case "sack" -> {
                    boolean same = g.kind() == 5 && g.values().length == w.values().length;
                    for (int k = 0; same && k < w.values().length; k++) {
                        same = Wire.rel(g.values()[k], isn) == w.values()[k];
                    }
                    bad = same ? null : w.text();
                }
                default -> bad = w.text() + " (not checked by this runner)";
            }
            if (bad != null) {
                return "options" + Wire.describeOptions(got, isn) + ", expected <" + join(want2) + ">";
            }
        }
        return null;
    }

    private static String join(List<TcpOption> o) {
        return String.join(",", o.stream().map(TcpOption::text).toList());
    }

    private String describe(Wire.Segment s) {
        long isn = localIsn == null ? 0 : localIsn;
        long seq = Wire.rel(s.seq(), isn);
        return Wire.flagLetters(s.flags()) + " " + seq + ":" + (seq + s.payloadLength()) + "(" + s.payloadLength() + ")"
                + ((s.flags() & Wire.ACK) != 0 ? " ack " + ((s.flags() & Wire.SYN) != 0 ? s.ack() : Wire.rel(s.ack(), remoteIsn)) : "") + " win " + s.window()
                + Wire.describeOptions(s.options(), isn);
    }
}
