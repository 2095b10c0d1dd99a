package dev.tsunagu.driver.tap;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.Offloads;
import dev.tsunagu.driver.nativeio.DevicePoll;
import dev.tsunagu.driver.nativeio.DeviceReader;
import dev.tsunagu.driver.nativeio.ErrnoException;
import dev.tsunagu.driver.nativeio.Libc;
import dev.tsunagu.driver.tap.internal.Tun;
import dev.tsunagu.driver.tap.internal.VirtioNetHeader;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.PolledDevice;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.Ipv4Prefix;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.stats.Statistics;
import java.util.Locale;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A link driver over a Linux TAP device: the stack exchanges whole Ethernet frames with the
 * kernel, which sees the TAP as an ordinary Ethernet interface. The kernel is then a real
 * peer nobody here wrote: it answers ARP, pings, and speaks TCP and UDP to the stack.
 *
 * <p><b>Or a TUN device</b> ({@link #openTun}, {@link #attachTun}, spec {@code tun:NAME} or
 * {@code tun:fd=N}): the same driver on the same {@code /dev/net/tun} with {@code IFF_TUN}, where
 * a frame is a bare IPv4 or IPv6 packet. Its capabilities say so
 * ({@link DriverCapabilities#ipOnly}), and the stack gives the interface the link layer of
 * IP-only media (no Ethernet header, no ARP or Neighbor Discovery resolution). Everything below
 * (the loop reading the device, the reader thread, transmit, failure) is the same for both.
 * {@link #attachTun} takes an fd that is already attached to a TUN, which is what VPN
 * frameworks and privileged launchers hand an application; the driver then owns it and
 * closes it.
 *
 * <p><b>Opening</b> ({@link TunAttach}). {@link #open(String)} opens {@code /dev/net/tun} (non-blocking,
 * close-on-exec) and attaches to the TAP device of that name with {@code IFF_TAP | IFF_NO_PI},
 * creating it if it does not exist. A TAP this driver created is not persistent: the kernel
 * removes it when the driver closes. A pre-created one ({@code ip tuntap add dev NAME mode tap
 * user $USER}) stays. The MTU is the device's ({@code SIOCGIFMTU}) unless asked otherwise, in
 * which case the device is set to it too. The stack's MAC is its own, not the kernel's TAP MAC
 * ({@link DriverCapabilities#hardwareAddress()} is null), since the TAP's address belongs to
 * the kernel's end of the wire.
 *
 * <p><b>Receiving, on the loop</b> ({@link RxMode#LOOP}, the default). The driver offers the
 * device to the stack's event loop ({@link EventLoop#attachDevice}): the loop thread sleeps in
 * {@code ppoll} on the fd and an eventfd (which other threads signal to wake it), with its next
 * timer deadline as the timeout; when the fd is readable it reads frames until {@code EAGAIN}
 * or its budget and {@linkplain DriverContext#deliver delivers} each to the stack at once. No
 * reader thread, no queue, no wake-up per frame. A turn that did not sleep reads only if the
 * last read left input behind, or every {@link #RECHECK_TURNS}th turn, so a busy loop neither
 * pays a {@code read} per turn nor leaves the device unread.
 *
 * <p><b>Receiving, on a thread</b> ({@link RxMode#THREAD}, or when the loop refuses the device:
 * a virtual loop, or one already sleeping on another device). A platform thread
 * ({@code tap-rx-NAME}, a {@link DeviceReader}) polls the fd with a timeout, together with an
 * eventfd that {@link #close} signals, so closing never waits for traffic; when the fd is
 * readable it reads up to {@link #READ_BATCH} frames and hands them to
 * {@link DriverContext#receive}, the interface's queue.
 *
 * <p>Either way each frame is read into a reusable native segment and from there copied into a
 * buffer of its size from the stack's pool. Nothing is allocated per frame (the allocation test
 * checks it with the JVM's per-thread counters). The system calls are counted in the
 * interface's counters ({@code SysReads}, {@code SysWrites}, {@code SysPolls},
 * {@code SysEventFd}), for the syscalls-per-frame figure of the benchmarks.
 *
 * <p><b>Sending.</b> {@link #transmit} copies the frame into a reusable native segment and
 * writes it on the calling (event loop) thread; the fd is non-blocking, so a full device drops
 * the frame and counts it rather than stalling the loop. Frames longer than MTU + 14 are
 * refused and reported.
 *
 * <p><b>Offloads</b> ({@link TapOffloads}; on unless {@code offload=off} or {@code -Dtsunagu.tap.offload=off}). The
 * device is opened with {@code IFF_VNET_HDR}, so a {@code virtio_net_hdr} ({@link
 * VirtioNetHeader}) goes before every frame each way, and offered, with {@code TUNSETOFFLOAD},
 * checksum offload and TCP segmentation over IPv4 and IPv6 (not UDP's: see {@link TapOffloads});
 * an older kernel that refuses a flag is offered less (IPv6's first, then segmentation), and one that
 * refuses the header gets plain frames. What the kernel took is announced in {@link
 * DriverCapabilities#offloads()}: TCP then hands over segments of up to 64 KiB with the checksum
 * left partial, which the kernel cuts and finishes, and the kernel hands the stack its own large
 * segments (and ones it coalesced), marked {@code NEEDS_CSUM} or {@code DATA_VALID}, which the
 * stack does not sum again. A received header no kernel would write is counted
 * ({@code VnetMalformed}) and the frame dropped.
 *
 * <p><b>Failure.</b> If the device goes away while running ({@code ip link del}, the module
 * unloaded), the reader sees {@code EBADFD}/{@code EIO}/{@code ENODEV}, reports the interface
 * down ({@link DriverContext#linkStateChanged linkStateChanged(false)}) and the error, and
 * ends; later transmits return false. Nothing blocks: close still releases the fds.
 */
public final class TapDriver implements LinkDriver {
    private static final Logger log = LoggerFactory.getLogger(TapDriver.class);

    /** Frames read per wake-up at most, before polling again (on a reader thread). */
    public static final int READ_BATCH = 64;
    /** On the loop: a turn that did not sleep reads the device at least every this many turns. */
    static final int RECHECK_TURNS = 4;

    /** Where received frames are read: on the stack's event loop thread, or on a thread of the driver's own. */
    public enum RxMode {
        /** The event loop polls and reads the device itself, if it takes it (else as {@link #THREAD}). */
        LOOP,
        /** A reader thread of the driver's own polls and reads, and queues frames to the loop. */
        THREAD;

        /**
         * The default: system property {@code tsunagu.tap.rx} ({@code loop} or {@code thread}),
         * else {@link #LOOP}.
         */
        public static RxMode fromSystemProperty() {
            return parse(System.getProperty("tsunagu.tap.rx", "loop"));
        }

        /** {@code loop} or {@code thread}. */
        public static RxMode parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "loop" -> LOOP;
                case "thread" -> THREAD;
                default -> throw new IllegalArgumentException("TAP rx mode must be loop or thread: " + text);
            };
        }
    }
    /** How long the reader waits in one poll; bounds how long a lost wake-up could delay close. */
    static final int POLL_TIMEOUT_MILLIS = 250;
    /**
     * The reader's poll timeout in force; a test lengthens it to tell a woken poll from one that
     * ran out, which a wall-clock bound cannot do on a loaded machine.
     */
    static volatile int pollTimeoutMillis = POLL_TIMEOUT_MILLIS;
    /** The largest frame a read can return: the largest IPv4 packet, Ethernet header and a VLAN tag. */
    private static final int MAX_READ = DriverCapabilities.MAX_MTU + DriverCapabilities.ETHERNET_HEADER + 4;
    private static final long JOIN_TIMEOUT_MILLIS = 2000;

    /** Which kind of device: TAP (Ethernet frames) or TUN (IP packets). */
    public enum DeviceType {
        /** {@code IFF_TAP}: whole Ethernet frames. */
        TAP("tap", "TAP", Tun.IFF_TAP),
        /** {@code IFF_TUN}: bare IP packets, no link header. */
        TUN("tun", "TUN", Tun.IFF_TUN);

        final String scheme;
        final String label;
        final short flag;

        DeviceType(String scheme, String label, short flag) {
            this.scheme = scheme;
            this.label = label;
            this.flag = flag;
        }

        DriverCapabilities capabilities(int mtu) {
            return this == TUN ? DriverCapabilities.ipOnly(mtu) : DriverCapabilities.ethernet(mtu);
        }
    }

    private final DeviceType type;
    private final String label;                // "TAP" or "TUN", for messages
    private final String deviceName;
    private final boolean created;
    /** Frames go with a {@code virtio_net_hdr} in front ({@code IFF_VNET_HDR}); 0 or its length. */
    private final int vnet;
    private final DriverCapabilities capabilities;
    private final int fd;
    private final DevicePoll poll;            // ppoll on the fd and a wake-up eventfd, for the loop or the reader
    private final RxMode rxMode;
    private volatile DeviceReader rx;         // the reader thread, when the loop does not read the device
    private final LoopReader loopReader = new LoopReader();
    private volatile EventLoop loop;          // the loop that reads the device, when one does

    private final Arena arena = Arena.ofShared();
    private final MemorySegment txState;      // errno of transmit calls (under txLock)
    private final MemorySegment rxFrame;      // where read(2) puts a frame (the reading thread only)
    private final MemorySegment txFrame;      // where a frame waits for write(2) (under txLock)

    private final Object txLock = new Object();
    /** Held while the loop reads the device, so that close never frees what a read uses. */
    private final Object rxLock = new Object();
    private volatile DriverContext context;
    private volatile boolean closed;
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile Syscalls syscalls = new Syscalls(new Statistics().group("tap"));

    private final LongAdder rxFrames = new LongAdder();
    private final LongAdder txFrames = new LongAdder();
    private final LongAdder txBusyDrops = new LongAdder();
    private final LongAdder txErrors = new LongAdder();
    private final LongAdder rxMalformed = new LongAdder();

    private TapDriver(DeviceType type, String deviceName, boolean created, int mtu, int fd, DevicePoll poll,
                      RxMode rxMode, boolean vnetHeader, Offloads offloads) {
        this.type = type;
        this.label = type.label;
        this.deviceName = deviceName;
        this.created = created;
        this.vnet = vnetHeader ? VirtioNetHeader.LENGTH : 0;
        this.capabilities = type.capabilities(mtu).withOffloads(offloads);
        this.fd = fd;
        this.poll = poll;
        this.rxMode = rxMode;
        this.txState = Libc.newCallState(arena);
        this.rxFrame = arena.allocate(vnet + MAX_READ);
        this.txFrame = arena.allocate(vnet + capabilities.maxLargeFrameLength());
    }

    /**
     * Whether offloads are wanted when not said: system property {@code tsunagu.tap.offload}
     * ({@code on} or {@code off}), else on.
     */
    public static boolean offloadFromSystemProperty() {
        return parseOffload(System.getProperty("tsunagu.tap.offload", "on"));
    }

    /** {@code on}/{@code yes}/{@code true} or {@code off}/{@code no}/{@code false}. */
    public static boolean parseOffload(String text) {
        return DriverSpec.parseSwitch("tap offload", text);
    }

    /** Attaches to (or creates) the TAP device {@code name} with the device's MTU. */
    public static TapDriver open(String name) throws DriverException {
        return open(name, 0, false, null);
    }

    /** {@link #open(String, int, boolean, Ipv4Prefix, RxMode)} with the default rx mode ({@link RxMode#fromSystemProperty}). */
    public static TapDriver open(String name, int mtu, boolean bringUp, Ipv4Prefix kernelAddress) throws DriverException {
        return open(name, mtu, bringUp, kernelAddress, RxMode.fromSystemProperty());
    }

    /**
     * Attaches to the TAP device {@code name}, creating it if absent.
     *
     * @param name the device name (at most 15 characters); empty lets the kernel choose one
     * @param mtu the MTU to use, also set on the device; 0 for the device's own
     * @param bringUp set the kernel side up ({@code IFF_UP}); for examples, tests use {@code ip}
     * @param kernelAddress an IPv4 address and prefix for the kernel side, or null (implies {@code bringUp})
     * @param rxMode who reads received frames: the stack's loop, or a thread of the driver's
     * @throws DriverException with what went wrong and what to do about it
     */
    public static TapDriver open(String name, int mtu, boolean bringUp, Ipv4Prefix kernelAddress, RxMode rxMode)
            throws DriverException {
        return open(name, mtu, bringUp, kernelAddress, rxMode, offloadFromSystemProperty());
    }

    /**
     * {@link #open(String, int, boolean, Ipv4Prefix, RxMode)}, with offloads ({@code offload}:
     * the virtio-net header and what the kernel accepts of checksum and segmentation offload) or
     * without (plain frames, every checksum summed by the stack).
     */
    public static TapDriver open(String name, int mtu, boolean bringUp, Ipv4Prefix kernelAddress, RxMode rxMode,
                                 boolean offload) throws DriverException {
        return open(DeviceType.TAP, name, mtu, bringUp, kernelAddress, rxMode, offload);
    }

    /** Attaches to (or creates) the TUN device {@code name} with the device's MTU and the default rx mode. */
    public static TapDriver openTun(String name) throws DriverException {
        return openTun(name, 0, false, null, RxMode.fromSystemProperty());
    }

    /**
     * Attaches to the TUN device {@code name} ({@code IFF_TUN | IFF_NO_PI}: frames are bare IP
     * packets), creating it if absent; the parameters are those of
     * {@link #open(String, int, boolean, Ipv4Prefix, RxMode)}.
     */
    public static TapDriver openTun(String name, int mtu, boolean bringUp, Ipv4Prefix kernelAddress, RxMode rxMode)
            throws DriverException {
        return open(DeviceType.TUN, name, mtu, bringUp, kernelAddress, rxMode, false); // no offloads on a TUN yet
    }

    /**
     * Takes over {@code fd}, a descriptor already attached to a TUN device (inherited from a
     * parent process, passed over a Unix socket, handed out by a VPN framework). It must be a
     * TUN without the packet-information header ({@code IFF_TUN | IFF_NO_PI}); the driver makes
     * it non-blocking, owns it from then on and closes it on {@link #close}. The device is not
     * the driver's: it stays when the driver closes if someone else holds it or it is persistent.
     * If attaching fails the fd is left open, still the caller's.
     *
     * @param fd the descriptor
     * @param mtu the MTU to use; 0 for the device's own (1500 if the device is not visible in this
     *        network namespace, which happens when the fd was opened in another)
     * @param rxMode who reads received frames
     */
    public static TapDriver attachTun(int fd, int mtu, RxMode rxMode) throws DriverException {
        Objects.requireNonNull(rxMode, "rxMode");
        return TunAttach.takeOver(fd, mtu, (type, name, created, useMtu, descriptor, poll, vnetHeader, offloads) ->
                new TapDriver(type, name, created, useMtu, descriptor, poll, rxMode, vnetHeader, offloads));
    }

    private static TapDriver open(DeviceType type, String name, int mtu, boolean bringUp, Ipv4Prefix kernelAddress,
            RxMode rxMode, boolean offload) throws DriverException {
        Objects.requireNonNull(rxMode, "rxMode");
        return TunAttach.open(type, name, mtu, bringUp, kernelAddress, offload,
                (t, actual, created, useMtu, fd, poll, vnetHeader, offloads) ->
                        new TapDriver(t, actual, created, useMtu, fd, poll, rxMode, vnetHeader, offloads));
    }

    // ---- what it is ----

    @Override
    public String name() {
        return type.scheme + ":" + deviceName;
    }

    /** Whether this is a TAP (Ethernet frames) or a TUN (IP packets). */
    public DeviceType deviceType() {
        return type;
    }

    /** The device's name in the kernel ({@code tsu0}). */
    public String deviceName() {
        return deviceName;
    }

    /** Whether this driver created the device (and the kernel removes it when the driver closes). */
    public boolean createdDevice() {
        return created;
    }

    @Override
    public DriverCapabilities capabilities() {
        return capabilities;
    }

    /** Frames read from the device and handed to the stack. */
    public long framesReceived() {
        return rxFrames.sum();
    }

    /** Frames written to the device. */
    public long framesSent() {
        return txFrames.sum();
    }

    /** Frames dropped because the device would have blocked ({@code EAGAIN}). */
    public long framesDroppedBusy() {
        return txBusyDrops.sum();
    }

    /** Received frames dropped because their virtio-net header was malformed. */
    public long framesMalformed() {
        return rxMalformed.sum();
    }

    /** Whether frames carry a virtio-net header ({@code IFF_VNET_HDR}), the way offloads pass. */
    public boolean usesVnetHeader() {
        return vnet != 0;
    }

    /** Writes that failed for another reason (device down, gone). */
    public long transmitErrors() {
        return txErrors.sum();
    }

    /** Whether frames are being read: by the loop, or by the receive thread while it runs. */
    public boolean isReading() {
        if (loop != null) {
            return !closed && !gone.get();
        }
        DeviceReader r = rx;
        return r != null && r.isAlive();
    }

    /** Whether the stack's event loop reads the device itself (no reader thread); false before open. */
    public boolean readsOnLoop() {
        return loop != null;
    }

    /** Whether the device went away while the driver ran. */
    public boolean deviceVanished() {
        return gone.get();
    }

    // ---- the driver contract ----

    @Override
    public synchronized void open(DriverContext ctx) throws DriverException {
        if (closed) {
            throw new IllegalStateException(name() + " is closed");
        }
        if (context != null) {
            throw new IllegalStateException(name() + " is already open");
        }
        this.context = Objects.requireNonNull(ctx, "context");
        CounterGroup counters = ctx.counters();
        if (counters != null) {
            this.syscalls = new Syscalls(counters);
        }
        EventLoop l = ctx.loop();
        if (rxMode == RxMode.LOOP && l != null) {
            loop = l; // before the loop may poll: isReading and close look at it
            if (l.attachDevice(loopReader)) {
                log.debug("{} {}: read by the event loop {}", label, deviceName, l.name());
                return;
            }
            loop = null;
        }
        DeviceReader r = DeviceReader.over(poll);
        rx = r;
        r.start(type.scheme + "-rx-" + deviceName, this::readLoop);
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        int errno;
        int len = frame.length();
        try {
            if (len > capabilities.maxFrameLength()
                    && (frame.segmentSize() == 0 || len > capabilities.maxLargeFrameLength())) {
                report("frame of " + len + " bytes refused: " + label + " " + deviceName + " carries at most "
                        + capabilities.maxFrameLength() + " (MTU " + capabilities.mtu() + " + "
                        + capabilities.linkHeaderLength() + ")"
                        + (frame.segmentSize() != 0 ? " or " + capabilities.maxLargeFrameLength() + " to segment" : ""),
                        null);
                return false;
            }
            if (vnet == 0 || !capabilities.offloads().transmitChecksum()) {
                InternetChecksum.finishPartial(frame); // nobody else will
            }
            synchronized (txLock) {
                if (closed) {
                    report("transmit on closed " + label + " " + deviceName, null);
                    return false;
                }
                if (gone.get()) {
                    return false;
                }
                if (vnet != 0) {
                    TapOffloads.writeHeader(frame, txFrame);
                }
                MemorySegment.copy(frame.segment(), frame.start(), txFrame, vnet, len);
                syscalls.writes.increment();
                long n = Libc.write(txState, fd, txFrame, vnet + len);
                if (n == vnet + len) {
                    txFrames.increment();
                    return true;
                }
                errno = n < 0 ? Libc.errno(txState) : 0;
            }
        } finally {
            frame.release();
        }
        if (errno == Libc.EAGAIN) {
            txBusyDrops.increment();
            return false;
        }
        txErrors.increment();
        if (errno == 0) {
            report("short write to " + label + " " + deviceName + " (" + len + " bytes)", null);
        } else if (errno == Libc.EBADFD || errno == Libc.ENODEV || errno == Libc.ENXIO || errno == Libc.EBADF) {
            vanished(new ErrnoException("write", errno));
        } else {
            long count = txErrors.sum();
            if (Long.bitCount(count) == 1) { // 1st, 2nd, 4th, 8th... error: loud but bounded
                ErrnoException e = new ErrnoException("write", errno);
                report("write to " + label + " " + deviceName + " failed: " + e.getMessage()
                        + (errno == Libc.EIO ? "; the kernel side is down (ip link set " + deviceName + " up)" : "")
                        + " (" + count + " so far)", e);
            }
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
        EventLoop l = loop;
        DeviceReader r = rx;
        boolean readerDone;
        if (l != null) {
            l.detachDevice(loopReader); // the loop thread leaves its ppoll and will not enter it again
            synchronized (rxLock) {
                readerDone = true;      // and a read under way has ended: it checks `closed` first
            }
        } else {
            readerDone = r == null || r.stop(JOIN_TIMEOUT_MILLIS); // wakes the reader's poll at once
        }
        synchronized (txLock) {
            Libc.closeQuietly(fd);
            if (r != null) {
                r.close();
            } else {
                poll.close();
            }
        }
        if (readerDone) {
            arena.close();
        } else {
            // It will see the closed flag within a poll timeout; its memory stays until then.
            log.warn("{} {}: the reader thread did not stop within {} ms", label, deviceName, JOIN_TIMEOUT_MILLIS);
        }
        log.debug("{} {}: closed{}", label, deviceName, created ? " (and removed)" : "");
    }

    // ---- the reader ----

    private void readLoop() {
        DriverContext ctx = context;
        DeviceReader r = rx;
        try {
            while (!closed) {
                int revents;
                try {
                    syscalls.polls.increment();
                    revents = r.await(pollTimeoutMillis);
                } catch (ErrnoException e) {
                    stop(e);
                    return;
                }
                if (revents == 0 || closed) {
                    continue;
                }
                if (readBatch(revents, READ_BATCH, false) == Batch.ENDED) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            if (!closed) {
                report(label + " " + deviceName + ": the reader thread failed; the interface is down", e);
                ctx.linkStateChanged(false);
            }
        }
    }

    /** How a batch of reads ended. */
    private enum Batch {
        /** The device has nothing more now ({@code EAGAIN}). */
        DRAINED,
        /** The budget ran out with input perhaps left. */
        FULL,
        /** The device failed or the driver closed: reading is over (a failure was reported). */
        ENDED
    }

    /** Frames the last {@link #readBatch} read (the reading thread only). */
    private int batchFrames;

    /**
     * Reads up to {@code budget} frames without blocking, after a wait that saw {@code revents},
     * and hands each to the stack: {@linkplain DriverContext#deliver delivered} at once on the
     * loop, {@linkplain DriverContext#receive queued} from a reader thread. The reading thread only.
     */
    private Batch readBatch(int revents, int budget, boolean onLoop) {
        batchFrames = 0;
        if ((revents & Libc.POLLNVAL) != 0) {
            vanished(new ErrnoException("poll", Libc.EBADF));
            return Batch.ENDED;
        }
        DriverContext ctx = context;
        BufferPool pool = ctx.buffers();
        MemorySegment st = poll.callState();
        Syscalls sys = syscalls;
        boolean errorSeen = (revents & (Libc.POLLERR | Libc.POLLHUP)) != 0;
        for (int i = 0; i < budget; i++) {
            sys.reads.increment();
            long n = Libc.read(st, fd, rxFrame, vnet + MAX_READ);
            if (n > 0) {
                if (closed) {
                    return Batch.ENDED; // nothing is delivered after close
                }
                if (vnet != 0) {
                    VirtioNetHeader.Problem p = VirtioNetHeader.check(rxFrame, n, DriverCapabilities.ETHERNET_HEADER);
                    if (p != VirtioNetHeader.Problem.OK) {
                        malformed(p, n);
                        continue;
                    }
                    n -= vnet;
                }
                PacketBuffer frame = pool.acquire((int) n);
                MemorySegment.copy(rxFrame, vnet, frame.segment(), frame.append((int) n), n);
                if (vnet != 0) {
                    VirtioNetHeader.markReceived(rxFrame, frame); // trusted checksum, partial kept
                }
                rxFrames.increment();
                batchFrames++;
                if (onLoop) {
                    ctx.deliver(frame);
                    if (closed) {
                        return Batch.ENDED; // closed while the stack handled the frame
                    }
                } else {
                    ctx.receive(frame);
                }
                continue;
            }
            int e = n < 0 ? Libc.errno(st) : 0;
            if (e == Libc.EINTR) {
                continue;
            }
            if (e == Libc.EAGAIN || e == 0) {
                if (errorSeen) {
                    vanished(new ErrnoException("poll (POLLERR)", Libc.EBADFD));
                    return Batch.ENDED;
                }
                return Batch.DRAINED;
            }
            if (e == Libc.EBADFD || e == Libc.EIO || e == Libc.ENODEV || e == Libc.ENXIO || e == Libc.EBADF) {
                vanished(new ErrnoException("read", e));
            } else {
                stop(new ErrnoException("read", e));
            }
            return Batch.ENDED;
        }
        return Batch.FULL;
    }

    /**
     * The device as the event loop sees it ({@link PolledDevice}): it sleeps in {@link #await}
     * and reads in {@link #poll}, both on its own thread.
     */
    private final class LoopReader implements PolledDevice {
        /** What the last wait saw on the device (loop thread only); 0: nothing. */
        private volatile int revents; // written in await (under the loop's sleep lock), read in poll (holding the loop): a leading caller and the loop thread take turns
        /** Turns since the device was last read (loop thread only). */
        private int turnsUnread;
        /** The last batch stopped at its budget: input may be left (read by hasWork on any thread). */
        private volatile boolean more;
        private boolean ended;

        @Override
        public int poll(int budget) {
            if (revents == 0 && !more && ++turnsUnread < RECHECK_TURNS) {
                return 0; // the last wait saw nothing and the last read drained it
            }
            int seen = revents != 0 ? revents : Libc.POLLIN;
            revents = 0;
            turnsUnread = 0;
            synchronized (rxLock) {
                if (closed || ended) {
                    more = false;
                    return 0;
                }
                Batch b = readBatch(seen, budget, true);
                more = b == Batch.FULL;
                if (b == Batch.ENDED) {
                    end();
                }
                return batchFrames;
            }
        }

        @Override
        public boolean hasWork() {
            return more;
        }

        @Override
        public void await(long timeoutNanos) {
            if (closed || ended) {
                return;
            }
            try {
                Syscalls sys = syscalls;
                sys.polls.increment();
                int r = poll.await(timeoutNanos);
                if ((r & DevicePoll.WOKEN) != 0) {
                    sys.eventFd.increment(); // the drain
                }
                revents |= r & ~DevicePoll.WOKEN;
            } catch (ErrnoException e) {
                stop(e);
                end();
            } catch (RuntimeException e) {
                if (!closed) {
                    report(label + " " + deviceName + ": waiting on the device failed; the interface is down", e);
                    context.linkStateChanged(false);
                }
                end();
            }
        }

        @Override
        public void wake() {
            syscalls.eventFd.increment();
            poll.wake();
        }

        /** Reading is over (the device failed): the loop stops sleeping on it and polling it. */
        private void end() {
            ended = true;
            more = false;
            EventLoop l = loop;
            if (l != null) {
                l.detachDevice(this);
            }
        }
    }

    /** The driver's system calls, in the interface's counters (shared: the loop and other threads write them). */
    private static final class Syscalls {
        final Counter reads;
        final Counter writes;
        final Counter polls;
        final Counter eventFd;
        final Counter malformed;

        Syscalls(CounterGroup group) {
            reads = group.sharedCounter("SysReads", "read(2) calls on the device, those that found nothing included");
            writes = group.sharedCounter("SysWrites", "write(2) calls on the device");
            polls = group.sharedCounter("SysPolls", "poll(2)/ppoll(2) calls waiting on the device");
            eventFd = group.sharedCounter("SysEventFd", "eventfd signals and drains (waking the waiting thread)");
            malformed = group.sharedCounter("VnetMalformed", "frames dropped for a malformed virtio-net header");
        }
    }

    /** A received virtio-net header no kernel writes: counted, reported now and then, the frame dropped. */
    private void malformed(VirtioNetHeader.Problem p, long n) {
        rxMalformed.increment();
        syscalls.malformed.increment();
        long count = rxMalformed.sum();
        if (Long.bitCount(count) == 1) {
            report("TAP " + deviceName + ": dropped a frame of " + n + " bytes with a malformed virtio-net header ("
                    + p + "; " + count + " so far)", null);
        }
    }

    /** The device went away: the interface is down for good and the reader ends. */
    private void vanished(ErrnoException cause) {
        if (closed || !gone.compareAndSet(false, true)) {
            return;
        }
        report(label + " " + deviceName + " vanished (" + cause.getMessage() + "): the interface is down", cause);
        DriverContext ctx = context;
        if (ctx != null) {
            ctx.linkStateChanged(false);
        }
    }

    /** An unexpected error stopped the reader: report it and take the interface down. */
    private void stop(ErrnoException cause) {
        if (closed) {
            return;
        }
        gone.set(true);
        report(label + " " + deviceName + ": reading failed (" + cause.getMessage() + "); the interface is down", cause);
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
