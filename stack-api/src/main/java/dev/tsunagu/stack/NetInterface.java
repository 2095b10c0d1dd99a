package dev.tsunagu.stack;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.PollSource;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.IpPrefix;
import dev.tsunagu.net.Ipv4Prefix;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.util.BoundedMpmcQueue;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network interface of a stack: a driver, a MAC, an MTU, IPv4 addresses, counters, and
 * the bounded queue through which the driver's receive thread hands frames to the event loop.
 * A driver that the loop itself reads ({@link dev.tsunagu.loop.PolledDevice}) skips the queue:
 * its frames are {@linkplain DriverContext#deliver delivered} to the link layer as they are read.
 *
 * <p>Frames received by the driver wait in {@link #RX_QUEUE_CAPACITY}-deep queue; when it is
 * full they are dropped and counted ({@code RxQueueDrops}), the way a NIC drops when its ring
 * overflows. The loop drains the queue each turn and passes frames to the {@link LinkLayer}.
 */
public final class NetInterface {
    private static final Logger log = LoggerFactory.getLogger(NetInterface.class);

    /** Frames that may wait between a driver and the loop. */
    public static final int RX_QUEUE_CAPACITY = 4096;

    private final int index;
    private final String name;
    private final LinkDriver driver;
    private final DriverCapabilities capabilities;
    private final long mac;
    private final int mtu;
    private volatile List<Ipv4Prefix> addresses;
    private final List<Ipv6Prefix> ipv6Addresses;
    private int[] addressBits;
    private volatile boolean up;
    private final EventLoop loop;
    private final BufferPool buffers;
    private final LinkLayer linkLayer;
    private final BoundedMpmcQueue<PacketBuffer> rxQueue = new BoundedMpmcQueue<>(RX_QUEUE_CAPACITY);
    private final CounterGroup counters;

    final Counter rxFrames;
    final Counter rxBytes;
    final Counter txFrames;
    final Counter txBytes;
    final Counter rxQueueDrops;
    final Counter txDrops;
    final Counter txOversize;
    final Counter driverErrors;
    final Counter linkChanges;

    private final PollSource source = new PollSource() {
        @Override
        public int poll(int budget) {
            return drain(budget);
        }

        @Override
        public boolean hasWork() {
            return !rxQueue.isEmpty();
        }
    };

    private final DriverContext context = new DriverContext() {
        @Override
        public String interfaceName() {
            return name;
        }

        @Override
        public BufferPool buffers() {
            return buffers;
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
        public boolean receive(PacketBuffer frame) {
            if (!rxQueue.offer(frame)) {
                rxQueueDrops.increment();
                frame.release();
                return false;
            }
            loop.wakeup();
            return true;
        }

        @Override
        public boolean deliver(PacketBuffer frame) {
            if (!loop.inEventLoop() || !rxQueue.isEmpty()) {
                return receive(frame); // not from the loop, or behind queued frames: keep the order
            }
            input(frame);
            return true;
        }

        @Override
        public CounterGroup counters() {
            return counters;
        }

        @Override
        public void linkStateChanged(boolean isUp) {
            loop.execute(() -> setUp(isUp));
        }

        @Override
        public void reportError(String message, Throwable cause) {
            driverErrors.increment();
            log.warn("{}: driver {}: {}", name, driver.name(), message, cause);
        }
    };

    NetInterface(int index, String name, LinkDriver driver, long mac, int mtu, List<IpPrefix> addresses,
                 EventLoop loop, BufferPool buffers, LinkLayer linkLayer, CounterGroup counters) {
        this.index = index;
        this.name = name;
        this.driver = driver;
        this.capabilities = driver.capabilities();
        this.mac = mac;
        this.mtu = mtu;
        this.loop = loop;
        this.buffers = buffers;
        this.linkLayer = linkLayer;
        this.counters = counters;
        setAddresses(addresses.stream().flatMap(p -> p instanceof Ipv4Prefix v4 ? Stream.of(v4) : Stream.empty()).toList());
        this.ipv6Addresses = addresses.stream()
                .flatMap(p -> p instanceof Ipv6Prefix v6 ? Stream.of(v6) : Stream.empty()).toList();
        rxFrames = counters.counter("RxFrames", "frames received and taken by the stack");
        rxBytes = counters.counter("RxBytes", "bytes in frames received");
        txFrames = counters.counter("TxFrames", "frames handed to the driver");
        txBytes = counters.counter("TxBytes", "bytes in frames handed to the driver");
        rxQueueDrops = counters.sharedCounter("RxQueueDrops", "frames dropped because the receive queue was full");
        txDrops = counters.counter("TxDrops", "frames the driver refused (down, closed, full)");
        txOversize = counters.counter("TxOversize", "frames longer than the MTU allows, not sent");
        driverErrors = counters.sharedCounter("DriverErrors", "errors the driver reported");
        linkChanges = counters.counter("LinkChanges", "times the link went up or down");
    }

    /** Position in the stack's interface list ({@code lo} first when present); the {@code ifindex}. */
    public int index() {
        return index;
    }

    /** {@code lo}, {@code eth0}…: unique within the stack. */
    public String name() {
        return name;
    }

    /** The driver behind this interface (after any decorators, the outermost). */
    public LinkDriver driver() {
        return driver;
    }

    /** What the driver reported when the interface was made. */
    public DriverCapabilities capabilities() {
        return capabilities;
    }

    /** Our MAC as 48 bits in a long (hot paths). */
    public long macBits() {
        return mac;
    }

    /** Our MAC (all zeros on loopback). */
    public MacAddress mac() {
        return new MacAddress(mac);
    }

    /** The largest network-layer packet this interface sends. */
    public int mtu() {
        return mtu;
    }

    /** Whether next hops must be resolved with ARP (false on loopback and on IP-only media). */
    public boolean needsAddressResolution() {
        return capabilities.needsAddressResolution();
    }

    /**
     * Whether this is a loopback interface: framed, yet with nothing to resolve (zero MACs, as on
     * Linux's {@code lo}). Packets on it come from the stack itself, so the "from outside" checks
     * on source addresses do not apply.
     */
    public boolean isLoopback() {
        return !capabilities.needsAddressResolution() && !capabilities.isIpOnly();
    }

    /** Whether frames on this interface are bare IP packets ({@link DriverCapabilities#isIpOnly}: a TUN). */
    public boolean isIpOnly() {
        return capabilities.isIpOnly();
    }

    /** Whether the link is up; frames are sent only while it is. */
    public boolean isUp() {
        return up;
    }

    /** The configured IPv4 addresses, in order (unmodifiable; replaced as a whole by {@link #setAddresses}). */
    public List<Ipv4Prefix> addresses() {
        return addresses;
    }

    /** The configured IPv6 addresses, in order (unmodifiable), for an IPv6 layer; none without one. */
    public List<Ipv6Prefix> ipv6Addresses() {
        return ipv6Addresses;
    }

    /** The first IPv4 address, or null if the interface has none. */
    public Ipv4Prefix primaryAddress() {
        List<Ipv4Prefix> a = addresses;
        return a.isEmpty() ? null : a.get(0);
    }

    /** Whether {@code ipv4} is one of this interface's own addresses. Loop thread. */
    public boolean hasAddress(int ipv4) {
        for (int a : addressBits) {
            if (a == ipv4) {
                return true;
            }
        }
        return false;
    }

    /** Replaces the interface's addresses. Loop thread. */
    public void setAddresses(List<Ipv4Prefix> newAddresses) {
        List<Ipv4Prefix> copy = List.copyOf(newAddresses);
        int[] bits = new int[copy.size()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = copy.get(i).address().bits();
        }
        addressBits = bits;
        addresses = copy;
    }

    /** Whether {@code ipv4} is the directed broadcast address of one of this interface's subnets (not /31, /32). */
    public boolean isDirectedBroadcast(int ipv4) {
        for (Ipv4Prefix a : addresses) {
            if (a.length() < 31 && a.broadcast().bits() == ipv4) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code a} is one of this interface's own addresses. Loop thread. */
    public boolean hasAddress(IpAddress a) {
        return switch (a) {
            case Ipv4Address v4 -> hasAddress(v4.bits());
            case Ipv6Address v6 -> ipv6Addresses.stream().anyMatch(p -> p.address().equals(v6));
        };
    }

    /** Sends a network-layer packet to {@code nextHop} through the link layer. Loop thread; takes ownership. */
    public void output(PacketBuffer packet, int etherType, IpAddress nextHop) {
        linkLayer.output(this, packet, etherType, nextHop);
    }

    /**
     * Hands a complete frame to the driver. For the link layer. Loop thread; takes ownership.
     *
     * @return whether the driver took it
     */
    public boolean transmit(PacketBuffer frame) {
        int len = frame.length();
        if (len > capabilities.maxFrameLength()
                && (frame.segmentSize() == 0 || len > capabilities.maxLargeFrameLength())) {
            txOversize.increment();
            frame.release();
            return false;
        }
        if (!up) {
            txDrops.increment();
            frame.release();
            return false;
        }
        boolean sent;
        try {
            sent = driver.transmit(frame);
        } catch (RuntimeException e) {
            // A driver must not throw; if one does, the frame is lost but the stack goes on.
            driverErrors.increment();
            log.warn("{}: driver {} threw from transmit (a driver bug)", name, driver.name(), e);
            sent = false;
        }
        if (sent) {
            txFrames.increment();
            txBytes.add(len);
        } else {
            txDrops.increment();
        }
        return sent;
    }

    // ---- used by NetworkStack ----

    DriverContext driverContext() {
        return context;
    }

    PollSource pollSource() {
        return source;
    }

    void setUp(boolean isUp) {
        if (isUp == up) {
            return;
        }
        up = isUp;
        linkChanges.increment();
        log.debug("{}: link {}", name, isUp ? "up" : "down");
        linkLayer.linkStateChanged(this, isUp);
    }

    private int drain(int budget) {
        int n = 0;
        PacketBuffer frame;
        while (n < budget && (frame = rxQueue.poll()) != null) {
            n++;
            input(frame);
        }
        return n;
    }

    /** One received frame into the link layer; loop thread. */
    private void input(PacketBuffer frame) {
        rxFrames.increment();
        rxBytes.add(frame.length());
        try {
            linkLayer.input(this, frame);
        } catch (RuntimeException e) {
            // A layer bug must not take the interface down: count it and go on with the
            // next frame. The buffer is not released: we cannot know who owns it now.
            loop.reportError(e);
        }
    }

    /** Frames waiting in the receive queue. */
    public int receiveQueueLength() {
        return rxQueue.size();
    }

    void closeDriver() {
        try {
            driver.close();
        } catch (RuntimeException e) {
            log.warn("{}: driver {} failed to close cleanly", name, driver.name(), e);
        }
        PacketBuffer b;
        while ((b = rxQueue.poll()) != null) {
            b.release();
        }
    }

    @Override
    public String toString() {
        String all = ipv6Addresses.isEmpty() ? addresses.toString()
                : Stream.concat(addresses.stream(), ipv6Addresses.stream()).toList().toString();
        return name + " (" + driver.name() + ", " + MacAddress.format(mac) + ", mtu " + mtu + ", " + all + ")";
    }
}
