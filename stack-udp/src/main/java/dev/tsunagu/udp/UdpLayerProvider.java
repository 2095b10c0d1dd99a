package dev.tsunagu.udp;

import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.StackContext;

/** Registers {@link UdpLayer} as IP protocol 17 and the stack's {@code UdpService}. */
public final class UdpLayerProvider implements LayerProvider {
    @Override
    public String name() {
        return "udp";
    }

    @Override
    public Layer.Kind kind() {
        return Layer.Kind.TRANSPORT;
    }

    @Override
    public Layer create(StackContext context) {
        return new UdpLayer(context);
    }
}
