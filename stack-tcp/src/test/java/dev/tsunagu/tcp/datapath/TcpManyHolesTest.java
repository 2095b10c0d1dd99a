package dev.tsunagu.tcp.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A window that loses hundreds of segments, every other one (a slow start overshooting a deep
 * buffer does this): the receiver keeps every out-of-order segment (its bound is its buffer's
 * bytes, not a count of 64 ranges), the sender's scoreboard keeps every range the SACKs show
 * (sized by the send buffer, not 32), and RFC 6675 recovery repairs the holes at the pipe's
 * pace, in a few round trips, instead of one tail loss probe or timeout at a time.
 */
class TcpManyHolesTest {
    /** Drops every other data segment the stack sends, from its {@code from}-th on, {@code count} in all. */
    static final class EveryOtherSegmentLost extends ForwardingLinkDriver {
        private final int from;
        private final int count;
        private int dataSegments;
        int dropped;

        EveryOtherSegmentLost(LinkDriver inner, int from, int count) {
            super(inner);
            this.from = from;
            this.count = count;
        }

        @Override
        public boolean transmit(PacketBuffer frame) {
            if (frame.length() > 54 && frame.getU16(12) == 0x0800 && frame.getU8(23) == 6) {
                int ihl = (frame.getU8(14) & 0xf) * 4;
                int payload = frame.getU16(16) - ihl - (frame.getU8(14 + ihl + 12) >> 4) * 4;
                if (payload > 0 && ++dataSegments >= from && dropped < count && (dataSegments - from) % 2 == 0) {
                    dropped++;
                    frame.release();
                    return true;
                }
            }
            return super.transmit(frame);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"newreno", "cubic"})
    void hundredsOfHolesInOneWindowAreRepairedInAFewRoundTrips(String congestionControl) throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable cable = new Cable("holes", 1500);
        // 10 ms each way on the sender's port: a 20 ms RTT.
        FaultPlan delay = FaultPlan.builder().delay(1.0, Duration.ofMillis(10), Duration.ZERO).build();
        // From the 1,100th data segment, slow start sends a window of over a thousand before the
        // first duplicate ACK returns: 300 holes in one window.
        EveryOtherSegmentLost lossy = new EveryOtherSegmentLost(new FaultInjectingDriver(cable.attach(), delay, 1), 1100, 300);
        int buffer = 8 << 20;
        TcpSocketOptions options = TcpSocketOptions.DEFAULT.withSendBuffer(buffer).withReceiveBuffer(buffer);
        byte[] data = new byte[6_000_000];
        new java.util.Random(7).nextBytes(data);
        try (NetworkStack client = NetworkStack.builder().name("sender").eventLoop(loop).seed(1)
                     .congestionControl(congestionControl).addInterface(InterfaceConfig.of(lossy).address("10.0.0.1/24")).build();
             NetworkStack server = NetworkStack.builder().name("receiver").eventLoop(loop).seed(2)
                     .addInterface(InterfaceConfig.of(cable.attach()).address("10.0.0.2/24")).build()) {
            TcpServerSocket listener = server.tcp().listen(5001, 1, options);
            var accepted = listener.acceptAsync();
            var connected = client.tcp().connectAsync(new InetSocketAddress("10.0.0.2", 5001), options);
            assertThat(loop.runUntil(() -> accepted.isDone() && connected.isDone(), Duration.ofSeconds(10))).isTrue();
            TcpSocket sender = connected.join();
            TcpSocket receiver = accepted.join();
            AtomicLong received = new AtomicLong();
            drain(receiver, new byte[65536], received);
            long start = loop.now();
            sender.writeAsync(data, 0, data.length);
            assertThat(loop.runUntil(() -> received.get() == data.length, Duration.ofMinutes(5))).isTrue();
            long took = loop.now() - start;

            assertThat(lossy.dropped).as("every other segment of a window lost").isEqualTo(300);
            assertThat(server.statistics().get("tcp", "OutOfOrderDrops")).as("the receiver kept every segment past the holes")
                    .isZero();
            assertThat(client.statistics().get("tcp", "Timeouts")).as("no retransmission timeout").isZero();
            // Each hole once, or nearly: the sequence-based reordering window (not yet RACK's
            // per-segment times) may take a retransmission still in flight for lost.
            assertThat(client.statistics().get("tcp", "RetransSegs")).as("each hole resent about once")
                    .isBetween(300L, 330L);
            assertThat(client.statistics().get("tcp", "TailLossProbes")).as("no hole left for a probe to find").isZero();
            // 6 MB in about half a second when recovery keeps pace (0.27 s with CUBIC, 0.51 s with
            // NewReno); with 64 receiver ranges and 32 in the scoreboard it took 3.4 s and 26.6 s,
            // the receiver dropping 213 and 740 segments and CUBIC sending 268 probes.
            assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofSeconds(1));
        }
    }

    private static void drain(TcpSocket s, byte[] buffer, AtomicLong received) {
        s.readAsync(buffer, 0, buffer.length).whenComplete((n, e) -> {
            if (e == null && n > 0) {
                received.addAndGet(n);
                drain(s, buffer, received);
            }
        });
    }
}
