package dev.tsunagu.link;

import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.StackContext;

/** Registers {@link EthernetLinkLayer} (Ethernet II + ARP) as the stack's link layer. */
public final class EthernetLayerProvider implements LayerProvider {
    @Override
    public String name() {
        return "ethernet";
    }

    @Override
    public Layer.Kind kind() {
        return Layer.Kind.LINK;
    }

    @Override
    public Layer create(StackContext context) {
        return new EthernetLinkLayer(context);
    }
}
