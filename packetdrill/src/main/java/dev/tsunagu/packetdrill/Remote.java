package dev.tsunagu.packetdrill;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.cable.CableDriver;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The script's remote end, on the stack's cable: packetdrill's tun device. It sends the
 * packets the runner builds, keeps every IPv4 packet the stack sends with the virtual instant it
 * left, and answers the stack's ARP requests for any address (it is the gateway and every
 * remote host at once), so the stack reaches whatever address the script uses.
 */
final class Remote implements DriverContext, AutoCloseable {
    /** One IPv4 packet from the stack and when it left. */
    record Sent(long at, byte[] packet) {}

    static final long MAC = 0x02_00_00_00_00_02L;
    private final VirtualEventLoop loop;
    private final BufferPool pool = new BufferPool();
    private final CableDriver port;
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    private long stackMac = -1;
    private int dropped;

    Remote(Cable cable, VirtualEventLoop loop) {
        this.loop = loop;
        this.port = cable.attach();
        port.open(this);
    }

    /** Packets the stack sent, oldest first; the runner takes them. */
    ArrayDeque<Sent> sent() {
        return sent;
    }

    void sendIp(byte[] packet) {
        if (stackMac < 0) {
            throw new IllegalStateException("the stack has not spoken yet: its MAC is unknown");
        }
        byte[] f = new byte[14 + packet.length];
        ByteBuffer.wrap(f).put(mac(stackMac)).put(mac(MAC)).putShort((short) 0x0800).put(packet);
        transmit(f);
    }

    /** Introduces us with an ARP request for the stack's address (RFC 826: it learns our MAC). */
    void introduce(int ourIp, int stackIp) {
        transmit(arp(1, 0xFFFF_FFFF_FFFFL, ourIp, 0, stackIp));
    }

    private byte[] arp(int op, long targetMac, int senderIp, long arpTargetMac, int targetIp) {
        byte[] f = new byte[42];
        ByteBuffer b = ByteBuffer.wrap(f).put(mac(targetMac)).put(mac(MAC)).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        b.put(mac(MAC)).putInt(senderIp).put(mac(arpTargetMac)).putInt(targetIp);
        return f;
    }

    private void transmit(byte[] frame) {
        port.transmit(pool.copyOf(frame, 0, frame.length));
    }

    private static byte[] mac(long m) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (m >>> (40 - 8 * i));
        }
        return b;
    }

    @Override
    public boolean receive(PacketBuffer frame) {
        byte[] f = frame.toByteArray();
        frame.release();
        if (f.length < 14) {
            dropped++;
            return true;
        }
        ByteBuffer b = ByteBuffer.wrap(f);
        b.position(6);
        long src = 0;
        for (int i = 0; i < 6; i++) {
            src = (src << 8) | (b.get() & 0xFF);
        }
        int type = b.getShort() & 0xFFFF;
        if (type == 0x0806 && f.length >= 42) {
            stackMac = src;
            int op = ((f[20] & 0xFF) << 8) | (f[21] & 0xFF);
            int senderIp = ByteBuffer.wrap(f, 28, 4).getInt();
            int targetIp = ByteBuffer.wrap(f, 38, 4).getInt();
            if (op == 1 && targetIp != senderIp) { // a request: we are everyone the stack looks for
                transmit(arp(2, src, targetIp, src, senderIp));
            }
        } else if (type == 0x0800) {
            stackMac = src;
            sent.add(new Sent(loop.now(), Arrays.copyOfRange(f, 14, f.length)));
        } else {
            dropped++;
        }
        return true;
    }

    @Override
    public String interfaceName() {
        return "packetdrill";
    }

    @Override
    public BufferPool buffers() {
        return pool;
    }

    @Override
    public Clock clock() {
        return loop.clock();
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public void linkStateChanged(boolean up) {}

    @Override
    public void reportError(String message, Throwable cause) {}

    @Override
    public void close() {
        port.close();
    }
}
