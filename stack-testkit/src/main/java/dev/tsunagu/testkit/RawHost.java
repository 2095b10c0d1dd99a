package dev.tsunagu.testkit;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.cable.CableDriver;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.stack.NetworkStack;
import java.util.ArrayList;
import java.util.List;

/**
 * A host on a cable that is only a test's hands: it sends whatever bytes the test crafts and
 * keeps every frame it receives. It introduces itself to a stack with an ARP request for the
 * stack's address (RFC 826: the stack then knows our MAC without asking), so the stack's
 * replies come straight back to it.
 */
public final class RawHost implements AutoCloseable {
    public final long mac;
    public final int ip;
    private final VirtualEventLoop loop;
    private final Cable cable;
    private final CableDriver port;
    private final RecordingDriverContext context;

    public RawHost(Cable cable, VirtualEventLoop loop, long mac, String ip) {
        this.mac = mac;
        this.ip = Craft.ip(ip);
        this.loop = loop;
        this.context = new RecordingDriverContext("raw", new BufferPool(), loop);
        this.cable = cable;
        this.port = cable.attach();
        port.open(context);
    }

    /** Makes {@code stack} learn our MAC (an ARP request for its address) and forgets the reply. */
    public RawHost introduceTo(NetworkStack stack) {
        int target = stack.primaryInterface().primaryAddress().address().bits();
        sendFrame(Craft.ethernet(0xFFFF_FFFF_FFFFL, mac, 0x0806, Craft.arpRequest(mac, ip, target)));
        loop.runUntilIdle();
        received();
        return this;
    }

    /**
     * Sends a frame as it is. On a cable with offloads, one longer than the MTU goes as a
     * segment the device coalesced (segment size MTU - 40), which such a cable carries whole.
     */
    public void sendFrame(byte[] frame) {
        send(context.buffers().copyOf(frame, 0, frame.length));
    }

    /**
     * Sends a frame with the offload marks it carries: on a cable with offloads one marked
     * {@linkplain PacketBuffer#checksumVerified() verified} or {@linkplain
     * PacketBuffer#checksumPartial() partial} arrives with its transport checksum trusted, as a
     * TAP delivers a frame under {@code DATA_VALID} or {@code NEEDS_CSUM}. Takes ownership.
     */
    public void send(PacketBuffer frame) {
        if (cable.offloads() && frame.length() > cable.mtu() + 14) {
            frame.setSegmentSize(cable.mtu() - 40);
        }
        port.transmit(frame);
    }

    /** A buffer from this host's pool holding a copy of {@code frame}, to mark and {@link #send}. */
    public PacketBuffer buffer(byte[] frame) {
        return context.buffers().copyOf(frame, 0, frame.length);
    }

    /** Sends an IPv4 packet to {@code stack}'s MAC. */
    public void sendIp(NetworkStack stack, byte[] packet) {
        sendFrame(Craft.ethernet(stack.primaryInterface().macBits(), mac, 0x0800, packet));
    }

    /** Every frame received since the last call. */
    public List<byte[]> received() {
        List<byte[]> out = new ArrayList<>();
        byte[] f;
        while ((f = context.pollNow()) != null) {
            out.add(f);
        }
        return out;
    }

    /** The IPv4 packets (Ethernet header stripped) received since the last call. */
    public List<byte[]> receivedIp() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : received()) {
            if (f.length > 14 && (f[12] & 0xFF) == 0x08 && f[13] == 0x00) {
                out.add(java.util.Arrays.copyOfRange(f, 14, f.length));
            }
        }
        return out;
    }

    @Override
    public void close() {
        port.close();
    }
}
