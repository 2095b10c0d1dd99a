package dev.tsunagu.socket;

import dev.tsunagu.net.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The stack's table of sockets: each transport registers a source that lists its own, and a
 * {@link #snapshot()} (taken on the event loop) collects them all.
 */
public final class SocketTable {
    /** A transport's contribution: adds one {@link SocketInfo} per socket it has. Runs on the loop. */
    @FunctionalInterface
    public interface Source {
        /** Hands {@code sink} one row per socket this transport has now; called on the event loop. */
        void list(Consumer<SocketInfo> sink);
    }

    private final List<Source> sources = new CopyOnWriteArrayList<>();

    /** An empty table; a stack makes one and each transport registers with it as it starts. */
    public SocketTable() {}

    /** Adds a transport's rows to every later {@link #snapshot()}; any thread. */
    public void register(Source source) {
        sources.add(source);
    }

    /** Every socket now. Call on the event loop (the stack's {@code sockets()} does that for you). */
    public List<SocketInfo> snapshot() {
        List<SocketInfo> out = new ArrayList<>();
        for (Source s : sources) {
            s.list(out::add);
        }
        return out;
    }

    /**
     * Formats rows like {@code netstat -an}, endpoints as {@link Endpoint#format} prints them
     * ({@code [fd00::2]:80}); the address columns are as wide as their longest entry.
     */
    public static String format(List<SocketInfo> rows) {
        int width = 22;
        for (SocketInfo r : rows) {
            width = Math.max(width, Math.max(Endpoint.format(r.local()).length(), Endpoint.format(r.remote()).length()));
        }
        String line = "%-5s %4s %-" + width + "s %-" + width + "s %-12s %8s %8s  %s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(line, "Proto", "FD", "Local Address", "Foreign Address", "State", "Send-Q", "Recv-Q",
                "Details"));
        for (SocketInfo r : rows) {
            sb.append(String.format(line, r.protocol(), r.descriptor() < 0 ? "-" : Integer.toString(r.descriptor()),
                    Endpoint.format(r.local()), Endpoint.format(r.remote()), r.state(), r.sendQueue(),
                    r.receiveQueue(), r.details().isEmpty() ? "" : r.details()));
        }
        return sb.toString();
    }
}
