package dev.tsunagu.testkit.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.ForwardingDriverContext;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.driver.Offloads;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.testkit.RecordingDriverContext;
import org.junit.jupiter.api.Test;

/** The cable's offloads: off by default, asked for by spec, and what they let through. */
class CableOffloadTest {
    private final BufferPool pool = new BufferPool();
    private final VirtualEventLoop loop = new VirtualEventLoop();

    @Test
    void offByDefaultAndOnBySpec() throws Exception {
        try (LinkDriver plain = LinkDrivers.installed().create("cable:ofl-plain");
             LinkDriver off = LinkDrivers.installed().create("cable:ofl-on,offload=on")) {
            assertThat(plain.capabilities().offloads()).isEqualTo(Offloads.NONE);
            assertThat(off.capabilities().offloads()).isEqualTo(Cable.OFFLOADS);
            assertThatThrownBy(() -> LinkDrivers.installed().create("cable:ofl-on,offload=off"))
                    .hasMessageContaining("exists with offloads on");
            assertThatThrownBy(() -> LinkDrivers.installed().create("cable:ofl-x,offload=maybe"))
                    .hasMessageContaining("must be on or off");
        }
    }

    @Test
    void aSegmentToBeCutCrossesWholeAndArrivesVerifiedAndPartial() throws Exception {
        for (boolean offloads : new boolean[] {true, false}) {
            Cable cable = new Cable("ofl", 1500, offloads);
            LinkDriver a = cable.attach();
            LinkDriver b = cable.attach();
            RecordingDriverContext ca = new RecordingDriverContext("a", pool, loop);
            Received cb = new Received(pool, loop);
            a.open(ca);
            b.open(cb);
            PacketBuffer big = pool.acquire(20_014);
            big.append(20_014);
            big.fill(0, 6, (byte) 0xFF); // broadcast: delivered to every other port
            big.setChecksumPartial(34, 16);
            big.setSegmentSize(1448);
            assertThat(a.transmit(big)).as("offloads " + offloads).isEqualTo(offloads);
            if (offloads) {
                assertThat(cb.last.length()).isEqualTo(20_014);
                assertThat(cb.last.checksumVerified()).isTrue();
                assertThat(cb.last.checksumPartial()).isTrue();
                assertThat(cb.last.checksumStart()).isEqualTo(34);
                assertThat(cb.last.segmentSize()).isEqualTo(1448);
            } else {
                assertThat(cb.last).as("refused: larger than the MTU allows").isNull();
            }
            a.close();
            b.close();
        }
    }

    @Test
    void aFrameItsSenderVouchedForArrivesVerifiedOnlyWhereOffloadsPass() throws Exception {
        for (boolean offloads : new boolean[] {true, false}) {
            Cable cable = new Cable("ofl-valid", 1500, offloads);
            LinkDriver a = cable.attach();
            LinkDriver b = cable.attach();
            Received cb = new Received(pool, loop);
            a.open(new RecordingDriverContext("a", pool, loop));
            b.open(cb);
            PacketBuffer frame = pool.acquire(60);
            frame.append(60);
            frame.fill(0, 6, (byte) 0xFF);
            frame.setChecksumVerified(true); // virtio-net's DATA_VALID: checked, and complete
            assertThat(a.transmit(frame)).isTrue();
            assertThat(cb.last.checksumVerified()).as("offloads " + offloads).isEqualTo(offloads);
            assertThat(cb.last.checksumPartial()).isFalse();
            a.close();
            b.close();
        }
    }

    /** Keeps the last frame as the cable delivered it (its offload fields included). */
    private static final class Received extends ForwardingDriverContext {
        PacketBuffer last;

        Received(BufferPool pool, VirtualEventLoop loop) {
            super(new RecordingDriverContext("b", pool, loop));
        }

        @Override
        public boolean receive(PacketBuffer frame) {
            last = frame;
            return true;
        }
    }
}
