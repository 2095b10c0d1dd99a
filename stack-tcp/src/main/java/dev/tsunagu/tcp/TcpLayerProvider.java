package dev.tsunagu.tcp;

import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.StackContext;

/** Registers {@link TcpLayer} as IP protocol 6 and the stack's {@code TcpService}. */
public final class TcpLayerProvider implements LayerProvider {
    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public Layer.Kind kind() {
        return Layer.Kind.TRANSPORT;
    }

    @Override
    public Layer create(StackContext context) {
        return new TcpLayer(context);
    }
}
