package dev.tsunagu.link.cable;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.net.MacAddress;
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
 * <p>Make one directly ({@code new Cable("lan0", 1500)}) and {@link #attach()} drivers to it,
 * or name it in a driver spec ({@code cable:lan0,mtu=9000}), which finds or creates it in
 * the JVM-wide {@link Cables} registry.
 */
public final class Cable {
    public static final int DEFAULT_MTU = 1500;

    private final String name;
    private final int mtu;
    private volatile CablePort[] ports = new CablePort[0];
    private final LongAdder framesCarried = new LongAdder();
    private final LongAdder framesFlooded = new LongAdder();
    private final LongAdder framesRefused = new LongAdder();

    public Cable(String name) {
        this(name, DEFAULT_MTU);
    }

    public Cable(String name, int mtu) {
        this.name = Objects.requireNonNull(name);
        DriverCapabilities.ethernet(mtu); // validates the range
        this.mtu = mtu;
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
        return framesCarried.sum();
    }

    public long framesFlooded() {
        return framesFlooded.sum();
    }

    /** Frames refused because they were longer than the MTU allows. */
    public long framesRefused() {
        return framesRefused.sum();
    }

    synchronized void plug(CablePort port) {
        List<CablePort> l = new ArrayList<>(List.of(ports));
        l.add(port);
        ports = l.toArray(CablePort[]::new);
    }

    synchronized void unplug(CablePort port) {
        List<CablePort> l = new ArrayList<>(List.of(ports));
        l.remove(port);
        ports = l.toArray(CablePort[]::new);
    }

    /**
     * Carries {@code frame} from {@code from} to the port(s) it is for. Does not take ownership.
     *
     * @return false if the frame is too long for this cable
     */
    boolean carry(CablePort from, PacketBuffer frame) {
        int len = frame.length();
        if (len > mtu + EthernetFrame.HEADER_LENGTH) {
            framesRefused.increment();
            return false;
        }
        CablePort[] snapshot = ports;
        framesCarried.increment();
        if (len < EthernetFrame.HEADER_LENGTH) {
            // A runt: a real switch would drop it, but a cable is also how tests feed a stack
            // bad input, so it floods it and lets the stacks defend themselves.
            framesFlooded.increment();
            for (CablePort p : snapshot) {
                if (p != from) {
                    p.deliver(frame);
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
                    p.deliver(frame);
                    return true;
                }
            }
        }
        framesFlooded.increment();
        for (CablePort p : snapshot) {
            if (p != from) {
                p.deliver(frame);
            }
        }
        return true;
    }

    /** A cable end as the cable sees it: where to deliver, and the MAC learned behind it. */
    static final class CablePort {
        final DriverContext context;
        volatile long learned = -1;

        CablePort(DriverContext context) {
            this.context = context;
        }

        void deliver(PacketBuffer frame) {
            PacketBuffer copy = context.buffers().copyOf(frame);
            context.receive(copy); // counts and releases it if the receiver's queue is full
        }
    }

    @Override
    public String toString() {
        return "Cable[" + name + ", mtu " + mtu + ", " + ports.length + " ports]";
    }
}
