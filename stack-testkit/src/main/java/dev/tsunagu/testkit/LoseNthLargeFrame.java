package dev.tsunagu.testkit;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;

/**
 * Loses the {@code n}th frame longer than 1000 bytes (a full TCP data segment on a 1500-byte
 * link) that it is given to send, and nothing else: one known loss for a scripted conversation,
 * where a random plan would lose some frame, but not reliably one TCP must repair.
 */
public final class LoseNthLargeFrame extends ForwardingLinkDriver {
    private final int n;
    private int large;
    private int lost;

    public LoseNthLargeFrame(LinkDriver inner, int n) {
        super(inner);
        this.n = n;
    }

    /** Frames lost so far (0 or 1). */
    public int lost() {
        return lost;
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        if (frame.length() > 1000 && ++large == n) {
            lost++;
            frame.release(); // taken and dropped, as a lossy link does
            return true;
        }
        return super.transmit(frame);
    }
}
