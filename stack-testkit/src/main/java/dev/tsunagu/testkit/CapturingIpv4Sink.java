package dev.tsunagu.testkit;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkProtocol;
import dev.tsunagu.stack.StackContext;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in network layer for link-layer tests: it claims EtherType IPv4 and keeps a copy of
 * every packet delivered to it, so a test can see what crossed the link without a real IP layer.
 */
public final class CapturingIpv4Sink implements LayerProvider {
    private final List<byte[]> packets = new ArrayList<>();

    public List<byte[]> packets() {
        return packets;
    }

    @Override
    public String name() {
        return "ipv4-sink";
    }

    @Override
    public Layer.Kind kind() {
        return Layer.Kind.NETWORK;
    }

    @Override
    public Layer create(StackContext context) {
        context.registerNetworkProtocol(EtherType.IPV4, new NetworkProtocol() {
            @Override
            public void receive(NetInterface iface, PacketBuffer packet, int deliveryClass) {
                packets.add(packet.toByteArray());
                packet.release();
            }
        });
        return new Layer() {};
    }
}
