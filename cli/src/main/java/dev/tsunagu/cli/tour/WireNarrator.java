package dev.tsunagu.cli.tour;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.ForwardingDriverContext;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;

/**
 * The outermost decorator of each tour host: every frame the host sends is told once, as it
 * leaves the stack. Received frames are not told again (each was told by its sender), but the
 * story notes when ACKs arrive, since that is when the sender's retransmission timer restarts.
 */
final class WireNarrator extends ForwardingLinkDriver {
    private final String host;
    private final WireStory story;
    private final Narration narration;
    private Runnable afterDnsQuery = () -> {};

    WireNarrator(LinkDriver inner, String host, WireStory story, Narration narration) {
        super(inner);
        this.host = host;
        this.story = story;
        this.narration = narration;
    }

    /** Something to tell right after this host sends a DNS query (the tour shows the resolver's socket). */
    void afterDnsQuery(Runnable r) {
        afterDnsQuery = r;
    }

    @Override
    protected DriverContext innerContext(DriverContext context) {
        return new ForwardingDriverContext(context) {
            @Override
            public boolean receive(PacketBuffer frame) {
                story.received(frame.toByteArray(), context.clock().nanoTime());
                return super.receive(frame);
            }
        };
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        WireStory.Line line = story.transmitted(host, frame.toByteArray(), context().clock().nanoTime());
        narration.event(line.who(), line.what());
        boolean sent = super.transmit(frame);
        if (line.dnsQuery()) {
            afterDnsQuery.run();
        }
        return sent;
    }
}
