package dev.tsunagu.ip.fragment;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stats.Counter;
import java.util.List;

/**
 * What both families do once a datagram too big for its route has been cut (by
 * {@link Fragmenter} for IPv4, by stack-ipv6's fragmenter for IPv6): the whole one is released,
 * the fragments counted ({@code FragOKs}, {@code FragCreates} in the family's group) and handed,
 * in order, to the route's interface for the same next hop.
 */
public final class FragmentOutput {
    private FragmentOutput() {}

    /** Sends {@code fragments} of {@code whole} (released here) through {@code iface} to {@code nextHop}. */
    public static void send(PacketBuffer whole, List<PacketBuffer> fragments, NetInterface iface, int etherType,
                            IpAddress nextHop, Counter fragOks, Counter fragCreates) {
        whole.release();
        fragOks.increment();
        fragCreates.add(fragments.size());
        for (PacketBuffer f : fragments) {
            iface.output(f, etherType, nextHop);
        }
    }
}
