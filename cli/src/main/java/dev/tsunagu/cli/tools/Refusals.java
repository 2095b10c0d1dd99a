package dev.tsunagu.cli.tools;

import dev.tsunagu.socket.TcpSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Connections a full service turns away ({@link ConnectionLimit}): each is reset at once and
 * counted, and the log hears of them at most once every {@link #QUIET}, so that a client
 * hammering a full server cannot flood the log as well. Used by one accept loop.
 */
final class Refusals {
    static final Duration QUIET = Duration.ofSeconds(5);

    private final String service;
    private final int limit;
    private final Consumer<String> log;
    private final AtomicLong count = new AtomicLong();
    private long saidAt;
    private long countSaid;

    Refusals(String service, int limit, Consumer<String> log) {
        this.service = service;
        this.limit = limit;
        this.log = log;
    }

    /** Resets {@code s}, which came while {@code limit} connections were being served. */
    void refuse(TcpSocket s) {
        String who = Addresses.format(s.remoteAddress());
        s.abort();
        long n = count.incrementAndGet();
        long now = System.nanoTime();
        if (countSaid == 0 || now - saidAt >= QUIET.toNanos()) {
            long unsaid = n - countSaid - 1;
            log.accept(service + ": " + limit + " connections already; reset " + who
                    + (unsaid > 0 ? " and " + unsaid + " more since the last such line" : "") + " (" + n + " in all)");
            saidAt = now;
            countSaid = n;
        }
    }

    long count() {
        return count.get();
    }
}
