package dev.tsunagu.testkit.host;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test makes and deletes: the kernel side of a TAP or the far end of a veth lives here, so the
 * test's traffic never touches the machine's own interfaces. {@link #close} kills every
 * process left in it (ours and their children) and deletes it, whatever state the test left.
 */
public final class NetNs implements AutoCloseable {
    public final String name;
    private final List<Process> processes = new ArrayList<>();
    private boolean closed;

    private NetNs(String name) {
        this.name = name;
    }

    /** A fresh namespace with loopback up and IPv6 off (fewer unsolicited frames on the wire). */
    public static NetNs create() throws IOException, InterruptedException {
        NetNs ns = new NetNs(uniqueName("tsu-test-"));
        Sh.run("ip", "netns", "add", ns.name).check();
        try {
            ns.exec("ip", "link", "set", "lo", "up").check();
            ns.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
        } catch (RuntimeException | IOException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Moves {@code device} from our namespace into this one; a TAP's fd keeps working. */
    public void adopt(String device) throws IOException, InterruptedException {
        Sh.run("ip", "link", "set", device, "netns", name).check();
    }

    /** Runs a command inside the namespace, waiting at most 20 s. */
    public Sh.Result exec(String... command) throws IOException, InterruptedException {
        return exec(Duration.ofSeconds(20), command);
    }

    public Sh.Result exec(Duration timeout, String... command) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(command));
        return Sh.run(timeout, c);
    }

    /** Starts a long-running command inside the namespace; it is killed on {@link #close}. */
    public synchronized Process start(String... command) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(command));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    /** Waits until something listens on {@code port} ({@code proto} "tcp" or "udp"); false after {@code timeout}. */
    public boolean awaitListening(String proto, int port, Duration timeout) throws IOException, InterruptedException {
        String flag = proto.equals("udp") ? "-Hlnu" : "-Hlnt";
        try {
            Sh.Result r = Poll.until(timeout, () -> exec("ss", flag, "sport = :" + port),
                    x -> x.ok() && !x.output().isBlank());
            return r.ok() && !r.output().isBlank();
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            // Anything else still in there (a forked socat child): kill it, or the namespace lingers.
            Sh.Result pids = Sh.run("ip", "netns", "pids", name);
            for (String pid : pids.output().split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Sh.Result del = Sh.run("ip", "netns", "del", name);
            if (!del.ok()) {
                System.err.println("driver-tap tests: could not delete network namespace " + name + ": " + del.output().strip());
            }
        } catch (IOException e) {
            System.err.println("driver-tap tests: could not delete network namespace " + name + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }

    /** {@code prefix} and random hex digits, at most 15 characters (an interface name's limit). */
    public static String uniqueName(String prefix) {
        int hexDigits = Math.min(8, 15 - prefix.length());
        byte[] b = new byte[(hexDigits + 1) / 2];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(b);
        return prefix + java.util.HexFormat.of().formatHex(b).substring(0, hexDigits);
    }
}
