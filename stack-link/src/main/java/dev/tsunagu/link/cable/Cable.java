package dev.tsunagu.link.cable;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.Offloads;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.net.MacAddress;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * An in-memory Ethernet segment that connects any number of stacks in one JVM, behaving like
 * a learning switch: it learns which port each source MAC lives behind, sends unicast frames
 * only there, and floods broadcast, multicast and unknown destinations to every other port.
 *
 * <p>Each delivery copies the frame into a buffer from the receiving stack's pool and puts it
 * on that stack's receive queue, exactly as a NIC would DMA it into the receiver's memory: the
 * stacks share no buffers, and may run on different threads (each transmit happens on the
 * sender's event loop). Frames larger than the cable's MTU allows are refused.
 *
 * <p><b>Offloads</b> (off unless asked: {@code new Cable(name, mtu, true)}, {@code cable:NAME,offload=on}).
 * The ports then announce what a virtio NIC between two guests offers ({@link #OFFLOADS}):
 * checksums left partial and TCP segments of up to 64 KiB, which the cable carries whole, as the
 * host's memory would, and delivers marked verified ({@link PacketBuffer#checksumVerified()}):
 * the receiver takes a segment longer than its MSS. A frame its sender marked verified arrives
 * verified too, as virtio-net's {@code DATA_VALID} (and Linux's veth, which keeps
 * {@code CHECKSUM_UNNECESSARY}) would pass it: how a test hands a stack a frame with a trusted
 * checksum that nobody summed. Off by default, so that a cable stays the like-for-like wire of
 * the benchmarks.
  *
 * <p>Make one directly ({@code new Cable("lan0", 1500)}) and {@link #attach()} drivers to it,
 * or name it in a driver spec ({@code cable:lan0,mtu=9000}), which finds or creates it in
 * the JVM-wide {@link Cables} registry.
 *
 * <p>A cable can also be an IP-only medium ({@link #ipOnly}, spec {@code cable:NAME,medium=ip}):
 * frames are bare IP packets, as on a TUN device, each carried to every other port; its drivers
 * announce {@link DriverCapabilities#ipOnly}, so the stacks frame them with the link layer of
 * IP-only media. That is how the tests put a stack on a TUN-like link on the virtual clock.
 */
public final class Cable {
    public static final int DEFAULT_MTU = 1500;

    /** What a port of an offloading cable announces: checksum and TCP segmentation offload, large receive. */
    public static final Offloads OFFLOADS = new Offloads(true, true, true, false, 0xFFFF, true);

    private final String name;
    private final int mtu;
    private final boolean offloads;
    private final boolean ipOnly;
    private volatile CablePort[] ports = new CablePort[0];
    // Counts of ports that were unplugged; live ports count for themselves (see CablePort).
    private final LongAdder retiredCarried = new LongAdder();
    private final LongAdder retiredFlooded = new LongAdder();
    private final LongAdder retiredRefused = new LongAdder();

    public Cable(String name) {
        this(name, DEFAULT_MTU);
    }

    public Cable(String name, int mtu) {
        this(name, mtu, false);
    }

    /** A cable whose ports offer {@link #OFFLOADS} if {@code offloads}. */
    public Cable(String name, int mtu, boolean offloads) {
        this(name, mtu, offloads, false);
    }

    private Cable(String name, int mtu, boolean offloads, boolean ipOnly) {
        this.name = Objects.requireNonNull(name);
        DriverCapabilities.ethernet(mtu); // validates the range
        this.mtu = mtu;
        this.offloads = offloads;
        this.ipOnly = ipOnly;
    }

    /** A cable whose frames are bare IP packets (an IP-only medium, like a TUN device), without offloads. */
    public static Cable ipOnly(String name, int mtu) {
        return new Cable(name, mtu, false, true);
    }

    /** Whether frames on this cable are bare IP packets, with no Ethernet header. */
    public boolean isIpOnly() {
        return ipOnly;
    }

    /** What its drivers announce: Ethernet (with {@link #OFFLOADS} if asked), or an IP-only medium. */
    DriverCapabilities capabilities() {
        return ipOnly ? DriverCapabilities.ipOnly(mtu)
                : DriverCapabilities.ethernet(mtu).withOffloads(offloads ? OFFLOADS : Offloads.NONE);
    }

    /** Whether the ports offer {@link #OFFLOADS}. */
    public boolean offloads() {
        return offloads;
    }

    public String name() {
        return name;
    }

    public int mtu() {
        return mtu;
    }

    /** A new port on this cable, as a driver for one stack interface. */
    public CableDriver attach() {
        return new CableDriver(this);
    }

    /** Ports currently plugged in (opened and not closed). */
    public int portCount() {
        return ports.length;
    }

    public long framesCarried() {
        long n = retiredCarried.sum();
        for (CablePort p : ports) {
            n += (long) CablePort.CARRIED.getOpaque(p);
        }
        return n;
    }

    public long framesFlooded() {
        long n = retiredFlooded.sum();
        for (CablePort p : ports) {
            n += (long) CablePort.FLOODED.getOpaque(p);
        }
        return n;
    }

    /** Frames refused because they were longer than the MTU allows. */
    public long framesRefused() {
        long n = retiredRefused.sum();
        for (CablePort p : ports) {
            n += (long) CablePort.REFUSED.getOpaque(p);
        }
        return n;
    }

    synchronized void plug(CablePort port) {
        List<CablePort> l = new ArrayList<>(List.of(ports));
        l.add(port);
        ports = l.toArray(CablePort[]::new);
    }

    synchronized void unplug(CablePort port) {
        List<CablePort> l = new ArrayList<>(List.of(ports));
        if (l.remove(port)) {
            ports = l.toArray(CablePort[]::new);
            retiredCarried.add((long) CablePort.CARRIED.getOpaque(port));
            retiredFlooded.add((long) CablePort.FLOODED.getOpaque(port));
            retiredRefused.add((long) CablePort.REFUSED.getOpaque(port));
        }
    }

    /**
     * Carries {@code frame} from {@code from} to the port(s) it is for. Does not take ownership.
     *
     * @return false if the frame is too long for this cable
     */
    boolean carry(CablePort from, PacketBuffer frame) {
        int len = frame.length();
        int header = ipOnly ? 0 : EthernetFrame.HEADER_LENGTH;
        if (len > mtu + header
                && (!offloads || frame.segmentSize() == 0 || len > OFFLOADS.maxSegmentationSize() + header)) {
            from.count(CablePort.REFUSED);
            return false;
        }
        CablePort[] snapshot = ports;
        from.count(CablePort.CARRIED);
        if (ipOnly || len < EthernetFrame.HEADER_LENGTH) {
            // No link addresses to switch by (IP-only), or
            // a runt: a real switch would drop it, but a cable is also how tests feed a stack
            // bad input, so it floods it and lets the stacks defend themselves.
            from.count(CablePort.FLOODED);
            for (CablePort p : snapshot) {
                if (p != from) {
                    p.deliver(frame, offloads);
                }
            }
            return true;
        }
        long dst = frame.getU48(EthernetFrame.DESTINATION);
        long src = frame.getU48(EthernetFrame.SOURCE);
        if (!MacAddress.isMulticast(src)) {
            from.learned = src;
        }
        if (!MacAddress.isMulticast(dst)) {
            for (CablePort p : snapshot) {
                if (p != from && p.learned == dst) {
                    p.deliver(frame, offloads);
                    return true;
                }
            }
        }
        from.count(CablePort.FLOODED);
        for (CablePort p : snapshot) {
            if (p != from) {
                p.deliver(frame, offloads);
            }
        }
        return true;
    }

    /** A cable end as the cable sees it: where to deliver, and the MAC learned behind it. */
    static final class CablePort {
        static final VarHandle CARRIED;
        static final VarHandle FLOODED;
        static final VarHandle REFUSED;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                CARRIED = l.findVarHandle(CablePort.class, "carried", long.class);
                FLOODED = l.findVarHandle(CablePort.class, "flooded", long.class);
                REFUSED = l.findVarHandle(CablePort.class, "refused", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final DriverContext context;
        volatile long learned = -1;
        // Frames this port sent, by outcome. Written only by the transmitting stack's event
        // loop (single writer: opaque stores, no atomic read-modify-write); a shared LongAdder
        // here was 8% of a bulk transfer's CPU, the two loops contending on it every frame.
        @SuppressWarnings("unused") private long carried;
        @SuppressWarnings("unused") private long flooded;
        @SuppressWarnings("unused") private long refused;

        CablePort(DriverContext context) {
            this.context = context;
        }

        void count(VarHandle counter) {
            counter.setOpaque(this, (long) counter.getOpaque(this) + 1);
        }

        void deliver(PacketBuffer frame, boolean offloads) {
            PacketBuffer copy = context.buffers().copyOf(frame);
            // A checksum left partial never crossed a wire: the receiver need not (cannot) verify
            // it, and it stays marked partial (virtio-net's NEEDS_CSUM), as does the segment size.
            // One the sender vouched for stays vouched for (DATA_VALID) where offloads pass.
            if (offloads && frame.checksumVerified()) {
                copy.setChecksumVerified(true);
            }
            if (frame.checksumPartial()) {
                copy.setChecksumVerified(true);
                copy.setChecksumPartial(frame.checksumStart(), frame.checksumFieldOffset());
            }
            copy.setSegmentSize(frame.segmentSize());
            context.receive(copy); // counts and releases it if the receiver's queue is full
        }
    }

    @Override
    public String toString() {
        return "Cable[" + name + ", mtu " + mtu + (ipOnly ? ", IP only" : "") + ", " + ports.length + " ports]";
    }
}
