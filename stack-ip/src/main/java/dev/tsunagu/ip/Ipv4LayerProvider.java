package dev.tsunagu.ip;

import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.StackContext;

/** Registers {@link Ipv4Layer}: IPv4 for EtherType 0x0800, with ICMP as protocol 1. */
public final class Ipv4LayerProvider implements LayerProvider {
    @Override
    public String name() {
        return "ipv4";
    }

    @Override
    public Layer.Kind kind() {
        return Layer.Kind.NETWORK;
    }

    @Override
    public Layer create(StackContext context) {
        return new Ipv4Layer(context);
    }
}
