package dev.tsunagu.testkit.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Craft;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A frame a driver read on the loop ({@link DriverContext#deliver}, what a device the loop
 * polls uses) is handled before the call returns, with no queue; behind frames still queued it
 * takes the queue, so the order holds; and it is counted like any received frame.
 */
class DeliverTest {
    private static final long PEER_MAC = 0x02_00_00_00_00_09L;

    /** A driver that remembers its context and what the stack sent. */
    private static final class Probe implements LinkDriver {
        DriverContext ctx;
        final List<byte[]> sent = new ArrayList<>();

        @Override
        public String name() {
            return "probe";
        }

        @Override
        public DriverCapabilities capabilities() {
            return DriverCapabilities.ethernet(1500);
        }

        @Override
        public void open(DriverContext context) {
            ctx = context;
        }

        @Override
        public boolean transmit(PacketBuffer frame) {
            sent.add(frame.toByteArray());
            frame.release();
            return true;
        }

        @Override
        public void close() {
        }
    }

    private PacketBuffer arpFor(DriverContext ctx, String target) {
        byte[] f = Craft.ethernet(-1L & 0xFFFF_FFFF_FFFFL, PEER_MAC, 0x0806,
                Craft.arpRequest(PEER_MAC, Craft.ip("10.9.0.2"), Craft.ip(target)));
        return ctx.buffers().copyOf(f, 0, f.length);
    }

    @Test
    void aDeliveredFrameIsHandledBeforeTheCallReturnsAndCounted() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        Probe probe = new Probe();
        try (NetworkStack s = NetworkStack.builder().eventLoop(loop).loopback(false)
                .addInterface(InterfaceConfig.of(probe).address("10.9.0.1/24")).build()) {
            loop.runUntilIdle();
            probe.sent.clear();
            int[] sentDuringDeliver = {-1};
            loop.execute(() -> {
                probe.ctx.deliver(arpFor(probe.ctx, "10.9.0.1"));
                sentDuringDeliver[0] = probe.sent.size();
            });
            loop.runUntilIdle();
            assertThat(sentDuringDeliver[0]).as("the ARP reply went out within deliver").isEqualTo(1);
            assertThat(s.primaryInterface().receiveQueueLength()).isZero();
            assertThat(s.statistics().get("if.eth0", "RxFrames")).isEqualTo(1);
        }
    }

    @Test
    void behindQueuedFramesADeliveredFrameQueuesTooAndTheOrderHolds() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        Probe probe = new Probe();
        try (NetworkStack s = NetworkStack.builder().eventLoop(loop).loopback(false)
                .addInterface(InterfaceConfig.of(probe).address("10.9.0.1/24")).build()) {
            loop.runUntilIdle();
            probe.sent.clear();
            int[] sentDuringDeliver = {-1};
            loop.execute(() -> {
                probe.ctx.receive(arpFor(probe.ctx, "10.9.0.1"));   // queued, as from a reader thread
                probe.ctx.deliver(arpFor(probe.ctx, "10.9.0.1"));
                sentDuringDeliver[0] = probe.sent.size();
            });
            loop.runUntilIdle();
            assertThat(sentDuringDeliver[0]).as("not ahead of the queued frame").isZero();
            assertThat(probe.sent).as("both answered, later").hasSize(2);
            assertThat(s.statistics().get("if.eth0", "RxFrames")).isEqualTo(2);
        }
    }
}
