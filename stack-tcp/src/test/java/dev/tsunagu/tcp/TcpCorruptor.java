package dev.tsunagu.tcp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import java.util.SplittableRandom;

/**
 * A test decorator that flips one random bit in transmitted IPv4/TCP frames, past the IP
 * header, with a probability: corruption that a link's frame check sequence missed, which the
 * TCP checksum must catch.
 */
final class TcpCorruptor extends ForwardingLinkDriver {
    private final double probability;
    private final SplittableRandom random;
    long corrupted;

    TcpCorruptor(LinkDriver inner, double probability, long seed) {
        super(inner);
        this.probability = probability;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return "tcp-corrupt(" + delegate().name() + ")";
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        if (probability > 0 && frame.length() > 34 && frame.getU16(12) == 0x0800 && frame.getU8(23) == 6
                && random.nextDouble() < probability) {
            int at = 34 + random.nextInt(frame.length() - 34);
            frame.setU8(at, frame.getU8(at) ^ (1 << random.nextInt(8)));
            corrupted++;
        }
        return super.transmit(frame);
    }
}
