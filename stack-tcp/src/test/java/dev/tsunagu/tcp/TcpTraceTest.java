package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.LoseNthLargeFrame;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Congestion;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.Retransmission;
import dev.tsunagu.trace.TcpTraceEvent.RetransmitReason;
import dev.tsunagu.trace.TcpTraceEvent.Segment;
import dev.tsunagu.trace.TcpTraceEvent.StateChange;
import dev.tsunagu.trace.TraceRecorder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trace of a scripted conversation on the virtual clock: a client sends ten segments to a
 * server over a cable that loses the third, then both close. Each fact the trace reports is
 * checked against what the conversation must have done.
 */
class TcpTraceTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("trace");
    /** 10 ms each way on the client's port, and the third full segment it sends lost. */
    private final LoseNthLargeFrame dropper = new LoseNthLargeFrame(
            new FaultInjectingDriver(lan.attach(), FaultPlan.parse("delay=1:10ms"), 1), 3);
    private final NetworkStack client = TestHosts.host(loop, "client", 1)
            .with(InterfaceConfig.of(dropper).address("10.0.0.1/24")).build();
    private final NetworkStack server = TestHosts.host(loop, "server", 2).on(lan, "10.0.0.2/24").build();
    private final TraceRecorder clientTrace = new TraceRecorder();
    private final TraceRecorder serverTrace = new TraceRecorder();

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    private void converse() throws Exception {
        TcpServerSocket listener = server.tcp().listen(80);
        TcpSocket c = client.tcp().connect(new InetSocketAddress("10.0.0.2", 80));
        TcpSocket s = listener.accept();
        byte[] data = new byte[10 * 1460];
        c.write(data);
        byte[] got = new byte[data.length];
        int total = 0;
        while (total < got.length) {
            total += s.read(got, total, got.length - total);
        }
        c.close();
        assertThat(s.read(got, 0, 1)).isEqualTo(-1);
        s.close();
        loop.advance(Duration.ofSeconds(120));
        listener.close();
    }

    @Test
    void aScriptedConversationIsTracedAsItHappened() throws Exception {
        client.tcp().trace(clientTrace);
        server.tcp().trace(serverTrace);
        converse();

        // The states each side went through, in order, and nothing else.
        assertThat(clientTrace.events(StateChange.class)).extracting(StateChange::to).containsExactly(
                "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED");
        assertThat(serverTrace.events(StateChange.class)).extracting(e -> e.from() + ">" + e.to()).containsExactly(
                "LISTEN>SYN_RECEIVED", "SYN_RECEIVED>ESTABLISHED", "ESTABLISHED>CLOSE_WAIT", "CLOSE_WAIT>LAST_ACK",
                "LAST_ACK>CLOSED");

        // The handshake: SYN out, SYN-ACK in, ACK out; the server saw the same three.
        List<Segment> clientSegments = clientTrace.events(Segment.class);
        assertThat(clientSegments.subList(0, 3)).extracting(e -> e.direction() + " " + TcpTraceEvent.flagsText(e.flags()))
                .containsExactly("SENT SYN", "RECEIVED SYN,ACK", "SENT ACK");
        List<Segment> serverSegments = serverTrace.events(Segment.class);
        assertThat(serverSegments.subList(0, 3)).extracting(e -> e.direction() + " " + TcpTraceEvent.flagsText(e.flags()))
                .containsExactly("RECEIVED SYN", "SENT SYN,ACK", "RECEIVED ACK");

        // Every segment the client sent reached the server as it was sent, but the one lost.
        List<Segment> sent = of(clientSegments, Direction.SENT);
        List<Segment> arrived = of(serverSegments, Direction.RECEIVED);
        assertThat(sent).hasSize(arrived.size() + 1);
        List<Segment> sentButLost = new ArrayList<>(sent);
        Segment lost = sentButLost.remove(indexOfLost(sent, arrived));
        assertThat(lost.length()).isEqualTo(1448); // 1460 less the timestamps option
        assertThat(dropper.lost()).isEqualTo(1);

        // One retransmission, of the lost segment, for a reason loss recovery gives; its copy follows it.
        List<Retransmission> rtx = clientTrace.events(Retransmission.class);
        assertThat(rtx).hasSize(1);
        assertThat(rtx.getFirst().seq()).isEqualTo(lost.seq());
        assertThat(rtx.getFirst().reason()).isIn(RetransmitReason.SACK_RECOVERY, RetransmitReason.REORDER_WINDOW,
                RetransmitReason.FAST_RETRANSMIT, RetransmitReason.TAIL_LOSS_PROBE);
        List<TcpTraceEvent> all = clientTrace.events();
        Segment copy = (Segment) all.get(all.indexOf(rtx.getFirst()) + 1);
        assertThat(copy.seq()).isEqualTo(lost.seq());
        assertThat(copy.length()).isEqualTo(lost.length());

        // The server's ACKs carried SACK blocks for the data above the hole.
        assertThat(of(serverSegments, Direction.SENT)).anyMatch(e -> !e.sack().isEmpty()
                && e.sack().getFirst().left() == lost.seq() + lost.length());

        // Congestion figures: the first at the SYN, one event per change, and the window fell at the loss.
        List<Congestion> cc = clientTrace.events(Congestion.class);
        assertThat(cc.getFirst().srttNanos()).isEqualTo(-1);
        for (int i = 1; i < cc.size(); i++) {
            Congestion a = cc.get(i - 1);
            Congestion b = cc.get(i);
            assertThat(a.cwnd() != b.cwnd() || a.ssthresh() != b.ssthresh() || a.srttNanos() != b.srttNanos()
                    || a.rtoNanos() != b.rtoNanos()).as("event %d changes something", i).isTrue();
        }
        int loss = clientTrace.events().indexOf(rtx.getFirst());
        long before = cc.stream().filter(e -> clientTrace.events().indexOf(e) < loss)
                .mapToLong(Congestion::cwnd).max().orElseThrow();
        assertThat(cc.getLast().ssthresh()).isLessThan(before);
        assertThat(cc).anyMatch(e -> e.srttNanos() >= 20_000_000L); // 10 ms each way

        // Time only moves forward, and every event names its connection.
        long t = 0;
        for (TcpTraceEvent e : all) {
            assertThat(e.timeNanos()).isGreaterThanOrEqualTo(t);
            t = e.timeNanos();
            assertThat(e.connection().stack()).isEqualTo("client");
            assertThat(e.connection().remote().getPort()).isEqualTo(80);
        }
        assertThat(clientTrace.events(TcpTraceEvent.TimerFired.class)).extracting(TcpTraceEvent.TimerFired::timer)
                .isSubsetOf("retransmission", "delayed-ack", "tail-loss-probe", "reorder");
    }

    @Test
    void oneConnectionCanBeTracedAloneAndTracingStops() throws Exception {
        TcpServerSocket listener = server.tcp().listen(80);
        TcpSocket first = client.tcp().connect(new InetSocketAddress("10.0.0.2", 80));
        TcpSocket second = client.tcp().connect(new InetSocketAddress("10.0.0.2", 80));
        second.trace(clientTrace);
        loop.advance(Duration.ofSeconds(1));
        second.write(new byte[100]);
        first.write(new byte[100]);
        loop.advance(Duration.ofSeconds(1));
        assertThat(clientTrace.events()).isNotEmpty().allMatch(e -> e.connection().local().equals(second.localAddress()));
        assertThat(clientTrace.events(Segment.class)).anyMatch(e -> e.direction() == Direction.SENT && e.length() == 100);

        second.trace(null);
        loop.runUntilIdle();
        int seen = clientTrace.events().size();
        second.write(new byte[100]);
        loop.advance(Duration.ofSeconds(1));
        assertThat(clientTrace.events()).hasSize(seen);
        listener.close();
    }

    @Test
    void twoSinksEachGetEveryEvent() throws Exception {
        TraceRecorder other = new TraceRecorder();
        client.tcp().trace(clientTrace);
        client.tcp().trace(other);
        converse();
        assertThat(other.events()).isNotEmpty().isEqualTo(clientTrace.events());
    }

    @Test
    void withoutASinkNothingIsTraced() throws Exception {
        server.tcp().trace(serverTrace).close();
        converse();
        assertThat(serverTrace.events()).isEmpty();
    }

    /**
     * A timeout's go-back-N is named so, copy by copy, and ends with it: a first flight lost whole
     * (the tail loss probe too) times out; the first segment goes again for TIMEOUT, the rest of
     * the flight for GO_BACK_N as the ACKs open the window again, then new data. A later single loss, repaired by SACK
     * recovery or a probe, carries its own reason, not the timeout's.
     */
    @Test
    void aTimeoutsGoBackNIsNamedSoAndLeavesNoStaleReason() throws Exception {
        LoseLargeFrames loser = new LoseLargeFrames(new FaultInjectingDriver(lan.attach(), FaultPlan.parse("delay=1:10ms"), 1), loop);
        try (NetworkStack sender = TestHosts.host(loop, "sender", 3).with(InterfaceConfig.of(loser).address("10.0.0.3/24"))
                .build();
             TcpServerSocket listener = server.tcp().listen(81)) {
            TcpSocket c = sender.tcp().connect(new InetSocketAddress("10.0.0.2", 81));
            TcpSocket s = listener.accept();
            c.trace(clientTrace);
            loser.loseUntil(loop.now() + 200_000_000L); // the first flight and the probe after it, not the timeout's copy
            byte[] data = new byte[10 * 1448];
            c.write(data);
            readAll(s, data.length);
            List<Retransmission> first = clientTrace.events(Retransmission.class);
            List<RetransmitReason> reasons = first.stream().map(Retransmission::reason).toList();
            int lostFlight = (int) clientTrace.events(Segment.class).stream()
                    .filter(e -> e.direction() == Direction.SENT && e.length() > 0 && e.timeNanos() < first.getFirst().timeNanos())
                    .count();
            assertThat(lostFlight).as("segments sent before the timeout").isGreaterThan(1);
            assertThat(reasons).as("the timeout's copy, then the rest of what was lost")
                    .containsExactlyElementsOf(java.util.stream.Stream.concat(java.util.stream.Stream.of(RetransmitReason.TIMEOUT),
                            java.util.Collections.nCopies(lostFlight - 1, RetransmitReason.GO_BACK_N).stream()).toList());
            assertThat(first.getFirst().seq()).isEqualTo(clientTrace.events(Segment.class).stream()
                    .filter(e -> e.direction() == Direction.SENT && e.length() > 0).findFirst().orElseThrow().seq());

            clientTrace.clear();
            loser.lose(2, 1); // the third of the next ten
            c.write(data);
            readAll(s, data.length);
            assertThat(clientTrace.events(Retransmission.class)).extracting(Retransmission::reason).isNotEmpty()
                    .doesNotContain(RetransmitReason.TIMEOUT, RetransmitReason.GO_BACK_N, RetransmitReason.UNKNOWN);
            c.close();
            s.close();
        }
    }

    private void readAll(TcpSocket s, int length) throws Exception {
        byte[] got = new byte[length];
        int total = 0;
        while (total < got.length) {
            total += s.read(got, total, got.length - total);
        }
        loop.advance(Duration.ofSeconds(1));
    }

    /** Loses chosen full-size frames: for a while, or after {@link #lose} lets {@code skip} pass, {@code count} of them. */
    private static final class LoseLargeFrames extends dev.tsunagu.driver.ForwardingLinkDriver {
        private final VirtualEventLoop loop;
        private int skip;
        private int count;
        private long until;

        LoseLargeFrames(dev.tsunagu.driver.LinkDriver inner, VirtualEventLoop loop) {
            super(inner);
            this.loop = loop;
        }

        /** Loses every full-size frame until the loop's clock reaches {@code nanos}. */
        void loseUntil(long nanos) {
            this.until = nanos;
        }

        void lose(int skip, int count) {
            this.skip = skip;
            this.count = count;
        }

        @Override
        public boolean transmit(dev.tsunagu.buffer.PacketBuffer frame) {
            if (frame.length() > 1000 && loop.now() < until) {
                frame.release();
                return true;
            }
            if (frame.length() > 1000 && count > 0) {
                if (skip > 0) {
                    skip--;
                } else {
                    count--;
                    frame.release();
                    return true;
                }
            }
            return super.transmit(frame);
        }
    }

    private static List<Segment> of(List<Segment> segments, Direction d) {
        return segments.stream().filter(e -> e.direction() == d).toList();
    }

    /** The index in {@code sent} of the one segment missing from {@code arrived} (both in order). */
    private static int indexOfLost(List<Segment> sent, List<Segment> arrived) {
        for (int i = 0, j = 0; i < sent.size(); i++, j++) {
            if (j == arrived.size() || !same(sent.get(i), arrived.get(j))) {
                for (int k = i + 1; k < sent.size(); k++) {
                    assertThat(same(sent.get(k), arrived.get(k - 1))).as("segment %d arrived as sent", k).isTrue();
                }
                return i;
            }
        }
        throw new AssertionError("nothing was lost");
    }

    private static boolean same(Segment a, Segment b) {
        return a.seq() == b.seq() && a.ack() == b.ack() && a.flags() == b.flags() && a.length() == b.length()
                && a.window() == b.window() && a.sack().equals(b.sack());
    }
}
