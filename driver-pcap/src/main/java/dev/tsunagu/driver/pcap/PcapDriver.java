package dev.tsunagu.driver.pcap;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.nativeio.DeviceReader;
import dev.tsunagu.driver.nativeio.ErrnoException;
import dev.tsunagu.driver.nativeio.Libc;
import dev.tsunagu.driver.pcap.internal.Libpcap;
import dev.tsunagu.net.MacAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A link driver on a live Ethernet interface through libpcap: the stack sits on the wire
 * next to the kernel, with a MAC and IP of its own, the way a second host would (a veth, a
 * bridge port, a NIC).
 *
 * <p><b>Opening.</b> {@link #open(String, MacAddress, int, boolean)}: {@code pcap_create},
 * snap length (the largest frame plus a VLAN tag), promiscuous mode (frames for our MAC are
 * not for the interface's, so the NIC must pass them up), immediate mode (no batching
 * delay), a 4 MiB ring, {@code pcap_activate}; then {@code pcap_setdirection(PCAP_D_IN)} so
 * that frames we inject do not come back to us, and a BPF filter ({@code pcap_compile},
 * {@code pcap_setfilter}) that passes only frames for our MAC, broadcast and multicast: the
 * kernel filters in the socket, so the rest of the interface's traffic never reaches Java.
 * The MTU is the interface's (sysfs) unless a smaller one is asked for. The stack's MAC is
 * the driver's ({@link DriverCapabilities#hardwareAddress()}): the filter has to know it.
 *
 * <p><b>Receiving.</b> A platform thread ({@code pcap-rx-IFACE}, a {@link DeviceReader}) polls
 * libpcap's selectable fd together with an eventfd that {@link #close} signals, then calls {@code pcap_next_ex}
 * (non-blocking) up to {@link #READ_BATCH} times. Each frame is copied out of libpcap's ring
 * at once (its pointer is valid only until the next call) into a pooled buffer of its size,
 * through one segment that spans the address space, so nothing is allocated per frame.
 * Frames the snap length cut short are counted and dropped.
 *
 * <p><b>Sending.</b> {@link #transmit} copies the frame into a reusable native segment and
 * calls {@code pcap_inject} on the event loop thread. A failure is counted and reported (the
 * 1st, 2nd, 4th, 8th... time).
 *
 * <p><b>Failure.</b> A read error (the interface went down or away) reports the link down
 * and ends the reader; transmits then fail and are counted. Close always releases the
 * handle, the eventfd and the native memory.
 *
 * <p>libpcap handles are not thread-safe in general; here the reader thread reads and the
 * loop thread only injects ({@code send(2)} on the same socket, which the kernel serialises).
 * The two share only the handle's error text, read on error paths alone.
 */
public final class PcapDriver implements LinkDriver {
    private static final Logger log = LoggerFactory.getLogger(PcapDriver.class);

    /** Frames read per wake-up at most, before polling again. */
    public static final int READ_BATCH = 64;
    /** How long the reader waits in one poll; bounds how long a lost wake-up could delay close. */
    static final int POLL_TIMEOUT_MILLIS = 250;
    /** libpcap's kernel ring: room for a burst of a few thousand frames. */
    static final int RING_BYTES = 4 << 20;
    private static final int VLAN_TAG = 4;
    private static final long JOIN_TIMEOUT_MILLIS = 2000;
    /** All of the address space: frames are copied out of libpcap's ring through it without a new segment per frame. */
    @SuppressWarnings("restricted")
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final Libpcap pcap;
    private final String device;
    private final MacAddress mac;
    private final DriverCapabilities capabilities;
    private final int snapLength;
    private final MemorySegment handle;
    private final DeviceReader rx;            // the reader thread, its poll and its wake-up eventfd

    private final Arena arena = Arena.ofShared();
    private final MemorySegment headerSlot;   // struct pcap_pkthdr * filled by pcap_next_ex
    private final MemorySegment dataSlot;     // const u_char * filled by pcap_next_ex
    private final MemorySegment txFrame;      // where a frame waits for pcap_inject (under txLock)

    private final Object txLock = new Object();
    private volatile DriverContext context;
    private volatile boolean closed;
    private volatile boolean failed;

    private final LongAdder rxFrames = new LongAdder();
    private final LongAdder rxTruncated = new LongAdder();
    private final LongAdder rxOffloadOversize = new LongAdder();
    private final LongAdder rxOffloadChecksum = new LongAdder();
    private final java.util.concurrent.atomic.AtomicBoolean offloadWarned = new java.util.concurrent.atomic.AtomicBoolean();
    private final LongAdder txFrames = new LongAdder();
    private final LongAdder txErrors = new LongAdder();

    private PcapDriver(Libpcap pcap, String device, MacAddress mac, int mtu, int snapLength, MemorySegment handle,
                       DeviceReader rx) {
        this.pcap = pcap;
        this.device = device;
        this.mac = mac;
        this.capabilities = new DriverCapabilities(mtu, DriverCapabilities.ETHERNET_HEADER, true, mac);
        this.snapLength = snapLength;
        this.handle = handle;
        this.rx = rx;
        this.headerSlot = arena.allocate(JAVA_LONG);
        this.dataSlot = arena.allocate(JAVA_LONG);
        this.txFrame = arena.allocate(capabilities.maxFrameLength());
    }

    /** Opens {@code device} with a random locally administered MAC and the interface's MTU. */
    public static PcapDriver open(String device) throws DriverException {
        return open(device, null, 0, true);
    }

    /**
     * Opens a live capture with injection on {@code device}.
     *
     * @param device the interface ({@code veth0}); it must exist and be up
     * @param mac the stack's MAC on this wire, or null for a random locally administered one
     * @param mtu the MTU to use, at most the interface's; 0 for the interface's own
     * @param promiscuous whether to put the interface in promiscuous mode (needed unless
     *        {@code mac} is the interface's own address)
     * @throws DriverException with what went wrong and what to do about it
     */
    public static PcapDriver open(String device, MacAddress mac, int mtu, boolean promiscuous) throws DriverException {
        Objects.requireNonNull(device, "device");
        if (device.isEmpty() || device.length() > 15 || device.contains("/") || device.contains(" ")
                || device.contains(",")) {
            throw new IllegalArgumentException("bad interface name '" + device + "': 1 to 15 characters, no '/', ' ' or ','");
        }
        if (mac != null && (mac.isMulticast() || mac.bits() == 0)) {
            throw new IllegalArgumentException("the stack's MAC must be a unicast address, not " + mac);
        }
        Libpcap pcap;
        try {
            pcap = Libpcap.load();
        } catch (Libpcap.MissingException e) {
            throw new DriverException(e.getMessage(), e);
        }
        if (NetDevice.known()) {
            if (!NetDevice.exists(device)) {
                throw notFound(device);
            }
            if (!NetDevice.isUp(device)) {
                throw down(device);
            }
        }
        int deviceMtu = NetDevice.mtu(device).orElse(1500);
        int useMtu = deviceMtu;
        if (mtu != 0) {
            DriverCapabilities.ethernet(mtu); // validates the range
            if (mtu > deviceMtu) {
                throw new DriverException("interface " + device + " has MTU " + deviceMtu + ", less than the " + mtu
                        + " asked for; raise it with: sudo ip link set " + device + " mtu " + mtu);
            }
            useMtu = mtu;
        }
        MacAddress ours = mac != null ? mac : MacAddress.randomLocal(new SecureRandom());
        int snap = useMtu + DriverCapabilities.ETHERNET_HEADER + VLAN_TAG;
        MemorySegment p = MemorySegment.NULL;
        DeviceReader rx = null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errbuf = a.allocate(Libpcap.ERRBUF_SIZE);
            p = pcap.create(a.allocateFrom(device), errbuf);
            if (p.equals(MemorySegment.NULL)) {
                throw new DriverException("pcap_create(" + device + ") failed: " + errbuf.getString(0));
            }
            pcap.setSnaplen(p, snap);
            pcap.setPromisc(p, promiscuous);
            pcap.setImmediateMode(p, true);
            pcap.setBufferSize(p, RING_BYTES);
            int status = pcap.activate(p);
            if (status < 0) {
                throw activateFailure(pcap, p, device, status);
            }
            if (status > 0) {
                log.warn("pcap {}: pcap_activate warns: {} ({})", device, pcap.statusText(status), pcap.geterr(p));
            }
            int linkType = pcap.datalink(p);
            if (linkType != Libpcap.DLT_EN10MB) {
                throw new DriverException("interface " + device + " is not an Ethernet interface (libpcap link type "
                        + linkType + "); the pcap driver carries Ethernet frames only");
            }
            if (pcap.setDirection(p, Libpcap.D_IN) != 0) {
                throw new DriverException("pcap_setdirection(" + device + ", PCAP_D_IN) failed: " + pcap.geterr(p));
            }
            installFilter(pcap, p, a, device, filterFor(ours));
            if (pcap.setNonblock(p, true, errbuf) != 0) {
                throw new DriverException("pcap_setnonblock(" + device + ") failed: " + errbuf.getString(0));
            }
            int fd = pcap.selectableFd(p);
            if (fd < 0) {
                throw new DriverException("interface " + device + " offers no selectable fd to poll");
            }
            try {
                rx = DeviceReader.open(fd);
            } catch (ErrnoException e) {
                throw new DriverException(e.getMessage(), e);
            }
            PcapDriver d = new PcapDriver(pcap, device, ours, useMtu, snap, p, rx);
            log.info("pcap {}: open as {} (mtu {}, {}, {})", device, ours, useMtu,
                    promiscuous ? "promiscuous" : "not promiscuous", pcap.version());
            return d;
        } catch (DriverException | RuntimeException e) {
            if (!p.equals(MemorySegment.NULL)) {
                pcap.close(p);
            }
            if (rx != null) {
                rx.close();
            }
            throw e;
        }
    }

    /**
     * The BPF filter expression: frames for {@code mac}, and broadcast and multicast ones
     * ({@code ether multicast} is the I/G bit, which broadcast has too).
     */
    static String filterFor(MacAddress mac) {
        return "ether dst " + mac.toString().toLowerCase(java.util.Locale.ROOT) + " or ether multicast";
    }

    private static void installFilter(Libpcap pcap, MemorySegment p, Arena a, String device, String expression)
            throws DriverException {
        MemorySegment program = a.allocate(Libpcap.BPF_PROGRAM_SIZE);
        if (pcap.compile(p, program, a.allocateFrom(expression), true, Libpcap.NETMASK_UNKNOWN) != 0) {
            throw new DriverException("pcap_compile(\"" + expression + "\") on " + device + " failed: " + pcap.geterr(p));
        }
        try {
            if (pcap.setFilter(p, program) != 0) {
                throw new DriverException("pcap_setfilter on " + device + " failed: " + pcap.geterr(p));
            }
        } finally {
            pcap.freeCode(program);
        }
    }

    static DriverException activateFailure(Libpcap pcap, MemorySegment p, String device, int status) {
        String detail = pcap.geterr(p);
        String why = detail.isBlank() ? pcap.statusText(status) : detail;
        return switch (status) {
            case Libpcap.ERROR_NO_SUCH_DEVICE -> notFound(device);
            case Libpcap.ERROR_IFACE_NOT_UP -> down(device);
            case Libpcap.ERROR_PERM_DENIED, Libpcap.ERROR_PROMISC_PERM_DENIED -> new DriverException(
                    "permission denied capturing on " + device + " (" + why + "): a live capture with injection needs "
                            + "CAP_NET_RAW (run as root, or sudo setcap cap_net_raw,cap_net_admin+ep on the java binary)");
            default -> new DriverException("pcap_activate(" + device + ") failed: " + why);
        };
    }

    private static DriverException notFound(String device) {
        return new DriverException("interface " + device + " not found (ip -br link lists the interfaces here)");
    }

    private static DriverException down(String device) {
        return new DriverException("interface " + device + " is down: bring it up with sudo ip link set " + device + " up");
    }

    // ---- what it is ----

    @Override
    public String name() {
        return "pcap:" + device;
    }

    /** The interface's name ({@code veth0}). */
    public String device() {
        return device;
    }

    /**
     * The stack's MAC on this wire, which the filter passes. The stack adopts it from
     * {@link DriverCapabilities#hardwareAddress()}; set it with the spec's {@code mac=}, not with
     * {@code InterfaceConfig.mac}, which the filter would not know.
     */
    public MacAddress mac() {
        return mac;
    }

    /** The snap length: the largest frame captured whole. */
    public int snapLength() {
        return snapLength;
    }

    @Override
    public DriverCapabilities capabilities() {
        return capabilities;
    }

    /** Frames read and handed to the stack. */
    public long framesReceived() {
        return rxFrames.sum();
    }

    /** Frames dropped on receive because the snap length cut them (longer than MTU + 18: GRO, a jumbo frame). */
    public long framesTruncated() {
        return rxTruncated.sum();
    }

    /**
     * Frames longer than the MTU allows (counted among {@link #framesTruncated}): segments the
     * far end handed its device to cut (TSO/GSO), which a veth passes on whole.
     */
    public long framesOversizeFromOffload() {
        return rxOffloadOversize.sum();
    }

    /**
     * TCP segments over IPv4 whose checksum field holds just the pseudo-header sum: left for a
     * device to finish by a far end with transmit checksum offload, so TCP drops them.
     */
    public long framesWithUnfinishedChecksum() {
        return rxOffloadChecksum.sum();
    }

    /** Frames injected. */
    public long framesSent() {
        return txFrames.sum();
    }

    /** Injections that failed. */
    public long transmitErrors() {
        return txErrors.sum();
    }

    /** Whether the receive thread is running. */
    public boolean isReading() {
        return rx.isAlive();
    }

    // ---- the driver contract ----

    @Override
    public synchronized void open(DriverContext ctx) throws DriverException {
        if (closed) {
            throw new IllegalStateException(name() + " is closed");
        }
        if (rx.started()) {
            throw new IllegalStateException(name() + " is already open");
        }
        this.context = Objects.requireNonNull(ctx, "context");
        rx.start("pcap-rx-" + device, this::readLoop);
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        int len = frame.length();
        int sent;
        String error = null;
        try {
            if (len > capabilities.maxFrameLength()) {
                report("frame of " + len + " bytes refused: " + device + " carries at most "
                        + capabilities.maxFrameLength() + " (MTU " + capabilities.mtu() + " + 14)", null);
                return false;
            }
            synchronized (txLock) {
                if (closed) {
                    report("transmit on closed pcap " + device, null);
                    return false;
                }
                if (failed) {
                    txErrors.increment();
                    return false;
                }
                MemorySegment.copy(frame.segment(), frame.start(), txFrame, 0, len);
                sent = pcap.inject(handle, txFrame, len);
                if (sent == len) {
                    txFrames.increment();
                    return true;
                }
                error = sent < 0 ? pcap.geterr(handle) : "short write of " + sent + " of " + len + " bytes";
            }
        } finally {
            frame.release();
        }
        txErrors.increment();
        long count = txErrors.sum();
        if (Long.bitCount(count) == 1) { // 1st, 2nd, 4th, 8th... error: loud but bounded
            report("pcap_inject on " + device + " failed: " + error + " (" + count + " so far)", null);
        }
        return false;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        boolean readerDone = rx.stop(JOIN_TIMEOUT_MILLIS); // wakes the reader's poll at once
        rx.close();
        if (readerDone) {
            synchronized (txLock) {
                pcap.close(handle);
            }
            arena.close();
        } else {
            // pcap_close under a reader still inside pcap_next_ex would free its ring: leave both.
            log.warn("pcap {}: the reader thread did not stop within {} ms; its handle is leaked", device,
                    JOIN_TIMEOUT_MILLIS);
        }
        log.debug("pcap {}: closed", device);
    }

    // ---- the reader ----

    private void readLoop() {
        DriverContext ctx = context;
        BufferPool pool = ctx.buffers();
        int maxLength = Math.min(snapLength, pool.maxLength());
        try {
            while (!closed) {
                int revents;
                try {
                    revents = rx.await(POLL_TIMEOUT_MILLIS);
                } catch (ErrnoException e) {
                    fail(e.getMessage());
                    return;
                }
                if (revents == 0 || closed) {
                    continue;
                }
                if ((revents & Libc.POLLNVAL) != 0) {
                    fail("its fd was closed under the reader");
                    return;
                }
                for (int i = 0; i < READ_BATCH; i++) {
                    int rc = pcap.nextEx(handle, headerSlot, dataSlot);
                    if (rc == 0) {
                        break;
                    }
                    if (rc < 0) {
                        if (!closed) {
                            fail("pcap_next_ex failed: " + pcap.geterr(handle));
                        }
                        return;
                    }
                    if (closed) {
                        return; // nothing is delivered after close
                    }
                    long header = headerSlot.get(JAVA_LONG, 0);
                    int captured = EVERYTHING.get(JAVA_INT, header + Libpcap.PKTHDR_CAPLEN);
                    int original = EVERYTHING.get(JAVA_INT, header + Libpcap.PKTHDR_CAPLEN + 4);
                    if (captured != original || captured > maxLength || captured <= 0) {
                        rxTruncated.increment();
                        if (original > capabilities.maxFrameLength() + 4) {
                            rxOffloadOversize.increment();
                            warnOffload("a frame of " + original + " bytes, larger than the MTU allows");
                        }
                        continue;
                    }
                    PacketBuffer frame = pool.acquire(captured);
                    MemorySegment.copy(EVERYTHING, dataSlot.get(JAVA_LONG, 0), frame.segment(), frame.append(captured),
                            captured);
                    if (PeerOffload.unfinishedTcpChecksum(frame)) {
                        rxOffloadChecksum.increment();
                        warnOffload("a TCP segment whose checksum was left for a device to finish");
                    }
                    rxFrames.increment();
                    ctx.receive(frame);
                }
            }
        } catch (RuntimeException | Error e) {
            if (!closed) {
                report("pcap " + device + ": the reader thread failed; the interface is down", e);
                ctx.linkStateChanged(false);
            }
        }
    }

    /**
     * The far end offloads (the common first try: a veth whose peer keeps the kernel's default
     * offloads): said once, loudly, with the fix; the frames are counted.
     */
    private void warnOffload(String what) {
        if (offloadWarned.compareAndSet(false, true)) {
            report("pcap " + device + ": received " + what + ": the interface at the other end of " + device
                    + " offloads checksums and segmentation to a device that is not there; the stack drops such "
                    + "frames. Turn it off there: ethtool -K <peer> tx off (for a veth, the peer of " + device
                    + "; counted as framesOversizeFromOffload / framesWithUnfinishedChecksum)", null);
        }
    }

    /** Reading failed for good: report it, take the interface down, end the reader. */
    private void fail(String why) {
        if (closed) {
            return;
        }
        failed = true;
        report("pcap " + device + ": " + why + "; the interface is down (is " + device + " still there and up?)", null);
        DriverContext ctx = context;
        if (ctx != null) {
            ctx.linkStateChanged(false);
        }
    }

    private void report(String message, Throwable cause) {
        DriverContext ctx = context;
        if (ctx != null) {
            ctx.reportError(message, cause);
        } else {
            log.warn("{}", message, cause);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
