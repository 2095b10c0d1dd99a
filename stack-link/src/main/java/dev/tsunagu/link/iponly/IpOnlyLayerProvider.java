package dev.tsunagu.link.iponly;

import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.StackContext;

/** Registers {@link IpOnlyLinkLayer} beside the main link layer, for interfaces on IP-only media. */
public final class IpOnlyLayerProvider implements LayerProvider {
    @Override
    public String name() {
        return "ip-only";
    }

    @Override
    public Layer.Kind kind() {
        return Layer.Kind.LINK;
    }

    @Override
    public Layer create(StackContext context) {
        return new IpOnlyLinkLayer(context);
    }
}
