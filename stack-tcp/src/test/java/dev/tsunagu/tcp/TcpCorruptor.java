package dev.tsunagu.tcp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import java.util.SplittableRandom;

/**
 * A test decorator that flips one random bit in transmitted IPv4/TCP or IPv6/TCP frames, past
 * the IP header, with a probability: corruption that a link's frame check sequence missed, which
 * the TCP checksum must catch (over IPv6 it is the only checksum there is).
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
        int ipEnd = tcpOffset(frame);
        if (probability > 0 && ipEnd > 0 && frame.length() > ipEnd && random.nextDouble() < probability) {
            int at = ipEnd + random.nextInt(frame.length() - ipEnd);
            frame.setU8(at, frame.getU8(at) ^ (1 << random.nextInt(8)));
            corrupted++;
        }
        return super.transmit(frame);
    }

    /**
     * Where TCP starts in an Ethernet frame carrying it: after a 20-byte IPv4 header (the stack
     * sends no options) or the 40-byte IPv6 one (no extension headers); 0 for other frames.
     */
    private static int tcpOffset(PacketBuffer frame) {
        if (frame.length() > 34 && frame.getU16(12) == 0x0800 && frame.getU8(23) == 6) {
            return 34;
        }
        if (frame.length() > 54 && frame.getU16(12) == 0x86DD && frame.getU8(20) == 6) {
            return 54;
        }
        return 0;
    }
}
