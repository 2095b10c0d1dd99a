package dev.tsunagu.ipv6;

import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.StackContext;

/** Registers {@link Ipv6Layer}: IPv6 for EtherType 0x86DD, with ICMPv6 as protocol 58 and Neighbor Discovery. */
public final class Ipv6LayerProvider implements LayerProvider {
    @Override
    public String name() {
        return "ipv6";
    }

    @Override
    public Layer.Kind kind() {
        return Layer.Kind.NETWORK;
    }

    @Override
    public Layer create(StackContext context) {
        return new Ipv6Layer(context);
    }
}
