package dev.tsunagu.tcp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.bottleneck.BottleneckDriver;
import java.util.SplittableRandom;

/**
 * A test decorator that plays a congested router's ECN marking (RFC 3168 5): each transmitted
 * frame carrying an ECN-capable IP packet is marked CE with a probability. Not-ECT packets pass
 * untouched, as they would through a router that marks rather than drops.
 */
final class EcnMarker extends ForwardingLinkDriver {
    private final double probability;
    private final SplittableRandom random;
    long marked;

    EcnMarker(LinkDriver inner, double probability, long seed) {
        super(inner);
        this.probability = probability;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return "ecn-mark(" + delegate().name() + ")";
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        if (probability > 0 && random.nextDouble() < probability && BottleneckDriver.markCongestion(frame)) {
            marked++;
        }
        return super.transmit(frame);
    }
}
