package dev.tsunagu.cli.tour;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import java.util.function.Predicate;

/**
 * Loses exactly one chosen frame, so the tour shows a retransmission at a known place every
 * run. The frame is handed to a {@link FaultInjectingDriver} whose plan drops everything
 * ({@code drop=1}); every other frame goes straight on. A random plan ({@code drop=0.05})
 * would lose some frame, but not reliably one whose loss TCP must repair.
 */
final class LoseOneFrame extends ForwardingLinkDriver {
    private final Predicate<PacketBuffer> chosen;
    private final Runnable onLoss;
    private final FaultInjectingDriver dropper;
    private boolean done;

    /**
     * @param inner  where every other frame goes
     * @param chosen picks the frame to lose (asked for each frame until it says yes once)
     * @param onLoss told when the frame has been lost
     */
    LoseOneFrame(LinkDriver inner, Predicate<PacketBuffer> chosen, Runnable onLoss, long seed) {
        super(inner);
        this.chosen = chosen;
        this.onLoss = onLoss;
        FaultPlan dropAll = FaultPlan.builder().drop(1.0).direction(FaultPlan.Direction.TRANSMIT).build();
        this.dropper = new FaultInjectingDriver(new Nowhere(inner.capabilities()), dropAll, seed);
    }

    /** Frames the fault injector has dropped (0 or 1). */
    long dropped() {
        return dropper.statistics().dropped();
    }

    @Override
    public void open(DriverContext context) throws DriverException {
        super.open(context);
        dropper.open(context);
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        if (!done && chosen.test(frame)) {
            done = true;
            boolean accepted = dropper.transmit(frame);
            onLoss.run();
            return accepted;
        }
        return super.transmit(frame);
    }

    @Override
    public void close() {
        dropper.close();
        super.close();
    }

    /** The fault injector's inner driver: with a drop-everything plan nothing ever reaches it. */
    private record Nowhere(DriverCapabilities capabilities) implements LinkDriver {
        @Override
        public String name() {
            return "nowhere";
        }

        @Override
        public void open(DriverContext context) {}

        @Override
        public boolean transmit(PacketBuffer frame) {
            frame.release();
            return false;
        }

        @Override
        public void close() {}
    }
}
