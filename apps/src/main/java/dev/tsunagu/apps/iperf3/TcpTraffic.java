package dev.tsunagu.apps.iperf3;

import dev.tsunagu.socket.TcpSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP streams of one test: each stream connection (its cookie already checked by the server) gets
 * a virtual thread that reads and counts, or in reverse mode writes blocks of random bytes
 * (paced to the client's {@code -b} if it gave one) until the test stops.
 */
final class TcpTraffic implements Traffic {
    private static final Logger log = LoggerFactory.getLogger(TcpTraffic.class);

    /** How long {@link #stop} waits for a stream's thread once its socket is closed. */
    private static final Duration THREAD_EXIT = Duration.ofSeconds(2);

    private final TestParameters params;
    private final LongSupplier micros;
    private final List<Stream> streams = new ArrayList<>();
    private final CountDownLatch connected;
    private volatile boolean stopped;
    private long startMicros;
    private List<StreamReport> reports = List.of();

    TcpTraffic(TestParameters params, LongSupplier micros) {
        this.params = params;
        this.micros = micros;
        this.connected = new CountDownLatch(params.streams());
    }

    /** A stream connection with the test's cookie; false (caller closes it) if all streams are already in. */
    synchronized boolean add(TcpSocket socket) {
        if (stopped || streams.size() >= params.streams()) {
            return false;
        }
        streams.add(new Stream(StreamReport.streamId(streams.size()), socket));
        connected.countDown();
        return true;
    }

    @Override
    public boolean awaitStreams(Duration timeout) throws InterruptedException {
        return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void start() {
        startMicros = micros.getAsLong();
        for (Stream s : streams) {
            s.omitted = new Omitted(startMicros, params.countFromMicros(startMicros));
            s.thread = Thread.ofVirtual().name("iperf3-stream-" + s.id).start(params.serverSends() ? s::send : s::receive);
        }
    }

    @Override
    public void stop() {
        List<Stream> all;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            all = List.copyOf(streams);
        }
        long end = micros.getAsLong();
        // Close first, then wait for each stream's thread to leave, and only then read the
        // counts: a sender counts a block when it hands it to the socket, so once the sockets
        // are closed and the threads gone, every byte the client can still receive is counted
        // (a sender blocked in write on a full window is woken by the close).
        close();
        for (Stream s : all) {
            s.awaitExit(THREAD_EXIT);
        }
        List<StreamReport> r = new ArrayList<>();
        for (Stream s : all) {
            Omitted o = s.omitted;
            // iperf3 has no retransmission count from this stack: -1 says "unknown".
            r.add(o == null ? new StreamReport(s.id, 0, -1, 0, 0, 0, 0)
                    : new StreamReport(s.id, o.bytes(s.bytes), -1, 0, 0, 0, o.seconds(startMicros, end)));
        }
        reports = List.copyOf(r);
    }

    @Override
    public long progress() {
        long sum = 0;
        for (Stream s : snapshot()) {
            sum += s.bytes;
        }
        return sum;
    }

    @Override
    public List<StreamReport> reports() {
        return reports;
    }

    @Override
    public void close() {
        stopped = true;
        for (Stream s : snapshot()) {
            s.socket.close(); // wakes its thread: pending reads and writes fail
        }
    }

    private synchronized List<Stream> snapshot() {
        return List.copyOf(streams);
    }

    private final class Stream {
        final int id;
        final TcpSocket socket;
        volatile long bytes; // written by the stream's own thread only
        volatile Omitted omitted; // set before the thread starts, then its thread's
        Thread thread;

        Stream(int id, TcpSocket socket) {
            this.id = id;
            this.socket = socket;
        }

        /** Waits (bounded) for the stream's thread to end; its socket is already closed. */
        void awaitExit(Duration limit) {
            Thread t = thread;
            if (t == null) {
                return;
            }
            try {
                if (!t.join(limit)) {
                    log.warn("iperf3 stream {}: its thread did not end within {} of the close; its count may miss a block", id, limit);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void receive() {
            byte[] buffer = new byte[Math.max(params.blockSize(), 64 << 10)];
            try {
                int n;
                while (!stopped && (n = socket.read(buffer, 0, buffer.length)) >= 0) {
                    if (!stopped) {
                        omitted.beforeUpdate(micros.getAsLong(), bytes, 0, 0);
                        bytes += n;
                    }
                }
            } catch (IOException e) {
                if (!stopped) {
                    log.debug("iperf3 stream {}: {}", id, e.toString());
                }
            }
        }

        void send() {
            byte[] block = new byte[params.blockSize()];
            new SplittableRandom(id).nextBytes(block); // iperf3 sends random bytes too (not compressible)
            Pacer pacer = new Pacer(params.bitsPerSecond(), micros);
            try {
                while (!stopped) {
                    pacer.awaitRoomFor(block.length);
                    // Counted as it is handed to the socket, not after write returns: a write
                    // blocked on a full window has already sent part of the block, and the
                    // client counts that part. A block counted when the close beat its write
                    // makes the report at most one block high, never low.
                    omitted.beforeUpdate(micros.getAsLong(), bytes, 0, 0);
                    bytes += block.length;
                    socket.write(block, 0, block.length);
                }
            } catch (IOException e) {
                if (!stopped) {
                    log.debug("iperf3 stream {}: {}", id, e.toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
