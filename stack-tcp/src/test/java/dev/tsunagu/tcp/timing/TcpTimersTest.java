package dev.tsunagu.tcp.timing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.ForwardingDriverContext;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.arp.ArpOptions;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.TcpOptions;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TCP's timers on the virtual clock, where "exactly" means exactly: two stacks on a
 * {@link VirtualEventLoop} joined by a {@link Cable}, every frame each one sends or receives
 * recorded with the stack's clock by a small decorator around its cable port.
 *
 * <ul>
 *   <li>the delayed ACK for a lone small segment leaves {@code tcp.delayedAck} (40 ms) after it arrived;</li>
 *   <li>keepalive is off unless asked for; on, probes leave {@code tcp.keepaliveIdle} after the
 *       last segment received and are answered; when the peer vanishes,
 *       {@code tcp.keepaliveProbes} probes go unanswered {@code tcp.keepaliveInterval} apart and
 *       the connection is aborted with a timeout;</li>
 *   <li>TIME_WAIT lasts 2 × {@code tcp.msl}.</li>
 * </ul>
 */
class TcpTimersTest {
    static final Duration MSL = Duration.ofSeconds(5);
    static final Duration IDLE = Duration.ofSeconds(10);
    static final Duration INTERVAL = Duration.ofSeconds(2);
    static final int PROBES = 3;
    static final long SEED = 4040;
    static final int CLIENT_IP = 0x0A00_0001; // 10.0.0.1
    static final int SERVER_IP = 0x0A00_0002;

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("tcp-timers");
    private final Random random = new Random(SEED);
    private Recorder clientWire;
    private Recorder serverWire;
    private NetworkStack client;
    private NetworkStack server;

    @BeforeEach
    void setUp() {
        clientWire = new Recorder(lan.attach());
        serverWire = new Recorder(lan.attach());
        client = stack("client", 1, clientWire, "10.0.0.1/24");
        server = stack("server", 2, serverWire, "10.0.0.2/24");
    }

    private NetworkStack stack(String name, long seed, Recorder port, String address) {
        return NetworkStack.builder().name(name).eventLoop(loop).seed(SEED * 10 + seed)
                .addInterface(InterfaceConfig.of(port).address(address))
                .option(TcpOptions.MSL, MSL)
                .option(TcpOptions.KEEPALIVE_IDLE, IDLE)
                .option(TcpOptions.KEEPALIVE_INTERVAL, INTERVAL)
                .option(TcpOptions.KEEPALIVE_PROBES, PROBES)
                // Neighbours stay resolved through every idle hour here, so what leaves at a
                // timer's instant is the TCP segment itself, not an ARP request queued before it.
                .option(ArpOptions.CACHE_TIMEOUT, Duration.ofHours(100))
                .buildUnchecked();
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    /** A connected pair: [client side, server side], established and idle, at a whole second of virtual time. */
    private TcpSocket[] connect(int port) throws Exception {
        TcpServerSocket listener = server.tcp().listen(port);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        TcpSocket c = client.tcp().connect(new InetSocketAddress("10.0.0.2", port));
        loop.runUntilIdle();
        TcpSocket s = accepted.getNow(null);
        assertThat(s).isNotNull();
        listener.close();
        loop.advance(Duration.ofMillis(1000 - (loop.now() / 1_000_000) % 1000)); // idle, and tick-aligned
        assertThat(c.state()).isEqualTo("ESTABLISHED");
        return new TcpSocket[] {c, s};
    }

    @Test
    void theDelayedAckForALoneSmallSegmentLeavesExactly40msAfterItArrived() throws Exception {
        TcpSocket[] pair = connect(80);
        TcpSocket c = pair[0];
        byte[] data = new byte[1 + random.nextInt(100)];
        random.nextBytes(data);
        int mark = serverWire.frames.size();

        c.write(data); // Nagle: nothing in flight, the partial segment leaves at once
        loop.runUntilIdle();
        List<Frame> in = serverWire.tcpSince(mark, false);
        assertThat(in).as("the data segment reached the server (seed %d)", SEED).hasSize(1);
        Frame segment = in.getFirst();
        assertThat(segment.payload()).isEqualTo(data.length);
        long arrived = segment.time();
        assertThat(serverWire.tcpSince(mark, true)).as("no ACK yet at the arrival instant").isEmpty();

        loop.advance(Duration.ofMillis(39));
        assertThat(serverWire.tcpSince(mark, true)).as("no ACK 39 ms after").isEmpty();
        loop.advance(Duration.ofMillis(100));
        List<Frame> out = serverWire.tcpSince(mark, true);
        assertThat(out).as("one pure ACK").hasSize(1);
        Frame ack = out.getFirst();
        assertThat(ack.flags() & Frame.ACK).isNotZero();
        assertThat(ack.payload()).isZero();
        assertThat(ack.ack()).isEqualTo(segment.seq() + data.length);
        assertThat(ack.time() - arrived).as("delayed ACK delay (ns)").isEqualTo(Duration.ofMillis(40).toNanos());
        assertThat(clientWire.tcpSince(0, false).getLast().time()).as("and the client saw it then").isEqualTo(ack.time());
        assertNoLoopErrors();
    }

    @Test
    void keepaliveIsOffUnlessAskedFor() throws Exception {
        assertThat(TcpSocketOptions.DEFAULT.keepAlive()).isFalse();
        TcpSocket[] pair = connect(81);
        int clientMark = clientWire.frames.size();
        int serverMark = serverWire.frames.size();
        loop.advance(Duration.ofHours(3)); // far beyond the 10 s keepalive idle configured here
        assertThat(clientWire.framesSince(clientMark)).as("an idle connection without keepalive is silent").isEmpty();
        assertThat(serverWire.framesSince(serverMark)).isEmpty();
        assertThat(client.statistics().get("tcp", "KeepaliveProbes") + server.statistics().get("tcp", "KeepaliveProbes"))
                .isZero();
        assertThat(pair[0].state()).isEqualTo("ESTABLISHED");
        assertThat(pair[1].state()).isEqualTo("ESTABLISHED");
        assertNoLoopErrors();
    }

    @Test
    void keepaliveProbesLeaveOnTimeAreAnsweredAndAbortTheConnectionWhenThePeerVanishes() throws Exception {
        TcpSocket[] pair = connect(82);
        TcpSocket c = pair[0];
        CompletableFuture<Integer> pendingRead = c.readAsync(new byte[16], 0, 16);
        long[] readFailedAt = {-1};
        pendingRead.whenComplete((n, e) -> readFailedAt[0] = loop.now());

        long on = loop.now();
        c.setKeepAlive(true);
        loop.runUntilIdle();
        int mark = clientWire.frames.size();
        int serverMark = serverWire.frames.size();

        // Answered probes: one per idle period, each answered at once, the connection stays up.
        loop.advance(IDLE.multipliedBy(3).plusMillis(500));
        List<Frame> probes = clientWire.tcpSince(mark, true);
        assertThat(probes).extracting(Frame::time).as("probe times")
                .containsExactly(on + IDLE.toNanos(), on + 2 * IDLE.toNanos(), on + 3 * IDLE.toNanos());
        for (Frame p : probes) {
            assertThat(p.payload()).isZero();
            assertThat(p.flags()).isEqualTo(Frame.ACK);
        }
        // RFC 1122 4.2.3.6: SEG.SEQ = SND.NXT − 1, which the peer must acknowledge.
        long sndNxt = (probes.getFirst().seq() + 1) & 0xFFFF_FFFFL;
        List<Frame> answers = serverWire.tcpSince(serverMark, true);
        assertThat(answers).extracting(Frame::time).as("answers, at the same instants")
                .containsExactlyElementsOf(probes.stream().map(Frame::time).toList());
        assertThat(answers).allSatisfy(a -> assertThat(a.ack()).isEqualTo(sndNxt));
        assertThat(client.statistics().get("tcp", "KeepaliveProbes")).isEqualTo(3);
        assertThat(c.state()).isEqualTo("ESTABLISHED");
        assertThat(pendingRead).isNotDone();

        // The peer vanishes without a word (its stack closes: no RST, its cable port unplugged).
        long lastAnswer = answers.getLast().time();
        server.close();
        int vanished = clientWire.frames.size();
        loop.advance(IDLE.plus(INTERVAL.multipliedBy(PROBES)).plusSeconds(5));
        List<Frame> unanswered = clientWire.tcpSince(vanished, true).stream()
                .filter(f -> (f.flags() & Frame.RST) == 0).toList();
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < PROBES; i++) {
            expected.add(lastAnswer + IDLE.toNanos() + i * INTERVAL.toNanos());
        }
        assertThat(unanswered).extracting(Frame::time).as("unanswered probes: idle after the last answer, then"
                + " every interval").containsExactlyElementsOf(expected);
        long abortAt = expected.getLast() + INTERVAL.toNanos();
        assertThat(pendingRead).isCompletedExceptionally();
        assertThat(readFailedAt[0]).as("aborted one interval after the last unanswered probe").isEqualTo(abortAt);
        Throwable why = catchCause(pendingRead);
        assertThat(why).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("keepalive");
        assertThat(clientWire.tcpSince(vanished, true)).filteredOn(f -> (f.flags() & Frame.RST) != 0)
                .extracting(Frame::time).as("a RST, in case the peer is there after all").containsExactly(abortAt);
        assertThat(client.sockets()).isEmpty();
        assertThat(client.statistics().get("tcp", "KeepaliveProbes")).isEqualTo(3 + PROBES);
        assertThat(client.statistics().get("loop", "Errors")).isZero();
    }

    @Test
    void timeWaitLastsTwiceTheConfiguredMsl() throws Exception {
        TcpSocket[] pair = connect(83);
        TcpSocket c = pair[0];
        TcpSocket s = pair[1];
        c.close(); // the client closes first: it will hold TIME_WAIT
        byte[] buf = new byte[8];
        assertThat(s.read(buf, 0, buf.length)).isEqualTo(-1);
        s.close();
        loop.runUntilIdle();
        long entered = loop.now();
        assertThat(client.sockets()).extracting(SocketInfo::state).containsExactly("TIME_WAIT");
        assertThat(server.sockets()).isEmpty();

        loop.advance(MSL.multipliedBy(2).minusMillis(1));
        assertThat(client.sockets()).as("1 ms before 2 MSL").extracting(SocketInfo::state).containsExactly("TIME_WAIT");
        loop.advance(Duration.ofMillis(1));
        assertThat(loop.now() - entered).isEqualTo(MSL.multipliedBy(2).toNanos());
        assertThat(client.sockets()).as("at exactly 2 MSL = 10 s").isEmpty();
        assertNoLoopErrors();
    }

    private void assertNoLoopErrors() {
        assertThat(client.statistics().get("loop", "Errors") + server.statistics().get("loop", "Errors")).isZero();
    }

    private static Throwable catchCause(CompletableFuture<?> f) {
        try {
            f.join();
            throw new AssertionError("expected a failure");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    // ---- the recorder ----

    /** One Ethernet frame as it crossed a port; TCP fields are -1 for anything else (ARP). */
    record Frame(long time, boolean transmitted, int srcIp, int dstIp, int flags, long seq, long ack, int payload) {
        static final int FIN = 0x01;
        static final int SYN = 0x02;
        static final int RST = 0x04;
        static final int ACK = 0x10;

        boolean isTcp() {
            return flags >= 0;
        }

        static Frame parse(long time, boolean transmitted, byte[] f) {
            int etherType = u16(f, 12);
            if (etherType != 0x0800 || f.length < 34 || (f[23] & 0xFF) != 6) {
                return new Frame(time, transmitted, 0, 0, -1, -1, -1, -1);
            }
            int ihl = (f[14] & 0x0F) * 4;
            int total = u16(f, 16);
            int tcp = 14 + ihl;
            int doff = ((f[tcp + 12] & 0xF0) >> 4) * 4;
            return new Frame(time, transmitted, (int) u32(f, 26), (int) u32(f, 30), f[tcp + 13] & 0x3F,
                    u32(f, tcp + 4), u32(f, tcp + 8), total - ihl - doff);
        }

        private static int u16(byte[] b, int at) {
            return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
        }

        private static long u32(byte[] b, int at) {
            return ((long) u16(b, at) << 16) | u16(b, at + 2);
        }
    }

    /** A decorator that records every frame its driver sends and receives, stamped with the stack's clock. */
    static final class Recorder extends ForwardingLinkDriver {
        final List<Frame> frames = new CopyOnWriteArrayList<>();

        Recorder(LinkDriver inner) {
            super(inner);
        }

        List<Frame> framesSince(int mark) {
            return frames.subList(mark, frames.size());
        }

        /** TCP frames since {@code mark} sent ({@code transmitted}) or received by this port. */
        List<Frame> tcpSince(int mark, boolean transmitted) {
            return framesSince(mark).stream().filter(f -> f.isTcp() && f.transmitted() == transmitted).toList();
        }

        private void record(PacketBuffer frame, boolean transmitted) {
            byte[] copy = new byte[frame.length()];
            System.arraycopy(frame.array(), frame.start(), copy, 0, copy.length);
            frames.add(Frame.parse(context().clock().nanoTime(), transmitted, copy));
        }

        @Override
        public String name() {
            return "recorder(" + delegate().name() + ")";
        }

        @Override
        protected DriverContext innerContext(DriverContext ctx) {
            return new ForwardingDriverContext(ctx) {
                @Override
                public boolean receive(PacketBuffer frame) {
                    record(frame, false);
                    return super.receive(frame);
                }
            };
        }

        @Override
        public boolean transmit(PacketBuffer frame) {
            if (context() != null) {
                record(frame, true);
            }
            return super.transmit(frame);
        }
    }
}
