package dev.tsunagu.apps.iperf3;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP flows of one test, on the server's one UDP socket (the test's port), told apart by the
 * client's address and port. A flow begins when the client's 4-byte connect datagram arrives,
 * which the server answers with its own 4 bytes; then either the client's datagrams are counted
 * here ({@link UdpReceiveStats}: loss, jitter), or in reverse mode the server sends to it at the
 * client's rate from a virtual thread per flow.
 *
 * <p>{@link #onDatagram} runs on the stack's event loop and never blocks.
 */
final class UdpTraffic implements Traffic {
    private static final Logger log = LoggerFactory.getLogger(UdpTraffic.class);

    /** The client's "connect" datagram: "9876" in ASCII (iperf3 writes 0x36373839 in host order). */
    static final int CONNECT = 0x39383736;
    /** The server's answer: "6789". */
    static final int REPLY = 0x36373839;
    /** iperf3 before 3.11 sent 123456789 and expected 987654321, in host (little-endian) order. */
    static final int LEGACY_CONNECT = Integer.reverseBytes(123456789);
    static final int LEGACY_REPLY = Integer.reverseBytes(987654321);

    private final TestParameters params;
    private final UdpSocket socket;
    private final LongSupplier micros;
    private final Map<InetSocketAddress, Flow> flows = new LinkedHashMap<>(); // guarded by this
    private final CountDownLatch connected;
    private volatile boolean running;
    private volatile boolean stopped;
    private long startMicros;
    private long strays;
    private List<StreamReport> reports = List.of();

    UdpTraffic(TestParameters params, UdpSocket socket, LongSupplier micros) {
        this.params = params;
        this.socket = socket;
        this.micros = micros;
        this.connected = new CountDownLatch(params.streams());
    }

    /** A datagram to the test's port while this test runs; counts it, answers a connect, or drops it. */
    void onDatagram(Datagram d) {
        long now = micros.getAsLong();
        Flow f;
        synchronized (this) {
            f = flows.get(d.source());
            if (f == null) {
                if (stopped || d.length() != 4 || flows.size() >= params.streams() || !isConnect(d.data())) {
                    strays++;
                    return;
                }
                f = new Flow(StreamReport.streamId(flows.size()), d.source());
                flows.put(d.source(), f);
                connected.countDown();
            }
        }
        if (d.length() == 4 && isConnect(d.data())) {
            reply(f, d.data()); // also a repeated connect: our first answer may have been lost
            return;
        }
        if (running && !stopped && !params.serverSends() && UdpHeader.check(d.length(), params.udpCounters64())) {
            byte[] b = d.data();
            f.omitted.beforeUpdate(now, f.stats.bytes(), f.stats.packets(), f.stats.lost());
            f.stats.onDatagram(UdpHeader.count(b, params.udpCounters64()), UdpHeader.sentMicros(b), now, d.length());
        } else {
            synchronized (this) {
                strays++;
            }
        }
    }

    private static boolean isConnect(byte[] b) {
        int v = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        return v == CONNECT || v == LEGACY_CONNECT;
    }

    private void reply(Flow f, byte[] connect) {
        int v = ((connect[0] & 0xff) << 24) | ((connect[1] & 0xff) << 16) | ((connect[2] & 0xff) << 8) | (connect[3] & 0xff);
        int r = v == LEGACY_CONNECT ? LEGACY_REPLY : REPLY;
        try {
            socket.send(new byte[] {(byte) (r >>> 24), (byte) (r >>> 16), (byte) (r >>> 8), (byte) r}, f.peer);
        } catch (IOException e) {
            log.debug("iperf3 UDP reply to {}: {}", f.peer, e.toString());
        }
    }

    @Override
    public boolean awaitStreams(Duration timeout) throws InterruptedException {
        return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void start() {
        startMicros = micros.getAsLong();
        for (Flow f : flows.values()) {
            f.omitted = new Omitted(startMicros, params.countFromMicros(startMicros));
        }
        running = true;
        if (params.serverSends()) {
            for (Flow f : flows.values()) {
                f.thread = Thread.ofVirtual().name("iperf3-udp-" + f.id).start(f::send);
            }
        }
    }

    @Override
    public void stop() {
        List<Flow> all;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            all = List.copyOf(flows.values());
        }
        long end = micros.getAsLong();
        List<StreamReport> r = new ArrayList<>();
        for (Flow f : all) {
            Omitted o = f.omitted;
            if (o == null) { // connected but never started
                r.add(new StreamReport(f.id, 0, -1, 0, 0, 0, 0));
            } else if (params.serverSends()) {
                r.add(new StreamReport(f.id, o.bytes(f.sentBytes), -1, 0, 0, o.packets(f.sentCount), o.seconds(startMicros, end)));
            } else {
                UdpReceiveStats s = f.stats;
                r.add(new StreamReport(f.id, o.bytes(s.bytes()), -1, s.jitterSeconds(), o.errors(s.lost()), o.packets(s.packets()),
                        o.seconds(startMicros, end)));
            }
        }
        reports = List.copyOf(r);
        close();
    }

    @Override
    public long progress() {
        long sum = 0;
        for (Flow f : snapshot()) {
            sum += params.serverSends() ? f.sentBytes : f.stats.bytes();
        }
        return sum;
    }

    @Override
    public List<StreamReport> reports() {
        return reports;
    }

    /** Datagrams that belonged to no flow (or came before the start), dropped. */
    synchronized long strays() {
        return strays;
    }

    @Override
    public void close() {
        stopped = true;
        for (Flow f : snapshot()) {
            if (f.thread != null) {
                f.thread.interrupt();
            }
        }
    }

    private synchronized List<Flow> snapshot() {
        return List.copyOf(flows.values());
    }

    private final class Flow {
        final int id;
        final InetSocketAddress peer;
        final UdpReceiveStats stats = new UdpReceiveStats(); // touched on the event loop only
        volatile Omitted omitted; // set at start, then the receiving loop's or the sending thread's
        volatile long sentBytes; // the flow's sender thread only
        volatile long sentCount;
        Thread thread;

        Flow(int id, InetSocketAddress peer) {
            this.id = id;
            this.peer = peer;
        }

        void send() {
            byte[] d = new byte[params.blockSize()];
            new SplittableRandom(id).nextBytes(d);
            Pacer pacer = new Pacer(params.bitsPerSecond(), micros);
            long count = 0;
            try {
                while (!stopped) {
                    pacer.awaitRoomFor(d.length);
                    long now = micros.getAsLong();
                    UdpHeader.write(d, now, ++count, params.udpCounters64());
                    omitted.beforeUpdate(now, sentBytes, sentCount, 0);
                    // Counted before it goes: the client may see it, end the test and ask for
                    // our results before this thread runs again.
                    sentCount = count;
                    sentBytes += d.length;
                    socket.send(d, peer);
                }
            } catch (IOException e) {
                if (!stopped) {
                    log.debug("iperf3 UDP flow {}: {}", id, e.toString());
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }
    }
}
