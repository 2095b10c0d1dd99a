package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriverProvider;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.driver.Offloads;
import dev.tsunagu.driver.tap.internal.Tun;
import dev.tsunagu.driver.nativeio.ErrnoException;
import dev.tsunagu.driver.nativeio.Libc;
import dev.tsunagu.loop.ThreadedEventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.host.NetNs;
import dev.tsunagu.testkit.host.Poll;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.TapTests;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

/**
 * The TAP driver's own behaviour beyond the contract: how it finds and opens devices, its spec,
 * its errors (busy, no capability, a device that vanishes), and prompt shutdown. Tests that
 * touch devices skip loudly without CAP_NET_ADMIN; devices made in our namespace stay down (no
 * traffic), and anything that carries frames runs in a namespace the test makes.
 */
@Timeout(60)
class TapDriverTest {
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<String> devicesToDelete = new ArrayList<>();
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final BufferPool pool = new BufferPool();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
        for (String dev : devicesToDelete) {
            Sh.run("ip", "link", "del", dev);
        }
        loop.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }

    private LinkDriverProvider provider() {
        LinkDriverProvider p = LinkDrivers.installed().provider("tap");
        assertThat(p).as("the tap provider is registered in META-INF/services").isInstanceOf(TapDriverProvider.class);
        return p;
    }

    // ---- the spec (no privileges needed) ----

    @Test
    void theSpecRejectsUnknownParametersBadNamesAndBadAddresses() {
        LinkDriverProvider p = provider();
        String n = TapTests.uniqueName("tsus"); // never made: every spec below is refused first
        assertThat(p.description()).contains("tap:NAME");
        assertThatThrownBy(() -> closeLater(p.create(DriverSpec.parse("tap:" + n + ",speed=10"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown tap parameter 'speed'");
        assertThatThrownBy(() -> closeLater(p.create(DriverSpec.parse("tap:a-name-far-too-long"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 15 characters");
        assertThatThrownBy(() -> closeLater(p.create(DriverSpec.parse("tap:" + n + ",up=10.0.0.1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("up= wants ADDR/LEN");
        assertThatThrownBy(() -> closeLater(p.create(DriverSpec.parse("tap:" + n + ",mtu=20"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MTU must be");
        assertThatThrownBy(() -> closeLater(p.create(DriverSpec.parse("tap:" + n + ",rx=sideways"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loop or thread");
    }

    @Test
    void theSpecTakesOffloadOnOrOff() {
        LinkDriverProvider p = provider();
        String n = TapTests.uniqueName("tsus");
        assertThat(p.description()).contains("offload=on|off");
        assertThatThrownBy(() -> closeLater(p.create(DriverSpec.parse("tap:" + n + ",offload=maybe"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offload must be on or off");
        assertThat(TapDriver.parseOffload("OFF")).isFalse();
        assertThat(TapDriver.parseOffload("on")).isTrue();
    }

    @Test
    void whatTheKernelTakesIsWhatTheStackIsTold() {
        Offloads all = TapOffloads.offloads(Tun.TUN_F_CSUM | Tun.TUN_F_TSO4 | Tun.TUN_F_TSO6);
        assertThat(all).isEqualTo(new Offloads(true, true, true, false, TapOffloads.MAX_SEGMENTATION, true));
        Offloads v4 = TapOffloads.offloads(Tun.TUN_F_CSUM | Tun.TUN_F_TSO4);
        assertThat(v4.tcpSegmentation(4)).isTrue();
        assertThat(v4.tcpSegmentation(6)).isFalse();
        Offloads csum = TapOffloads.offloads(Tun.TUN_F_CSUM);
        assertThat(csum).isEqualTo(new Offloads(true, false, false, false, 0, false));
        assertThat(TapOffloads.offloads(0)).isEqualTo(Offloads.NONE);
    }

    @Test
    void offloadsAreOnByDefaultAndOffloadOffGivesPlainFrames() throws Exception {
        TapTests.assumeTapAndNetns();
        TapDriver on = closeLater(TapDriver.open(TapTests.uniqueName("tsuf"), 0, false, null, TapDriver.RxMode.THREAD,
                true));
        assertThat(on.usesVnetHeader()).isTrue();
        Offloads o = on.capabilities().offloads();
        assertThat(o.transmitChecksum()).as("every kernel with IFF_VNET_HDR takes TUN_F_CSUM").isTrue();
        assertThat(o.tcpSegmentation4() && o.largeReceive()).as("Linux takes TSO4 since 2.6.27").isTrue();
        assertThat(on.capabilities().maxLargeFrameLength()).isEqualTo(TapOffloads.MAX_SEGMENTATION + 14);
        LinkDriverProvider p = provider();
        try (var off = p.create(DriverSpec.parse("tap:" + TapTests.uniqueName("tsuf") + ",offload=off"))) {
            assertThat(((TapDriver) off).usesVnetHeader()).isFalse();
            assertThat(off.capabilities().offloads()).isEqualTo(Offloads.NONE);
        }
    }

    @Test
    void itIsAvailableExactlyWhereThereIsADevTun() {
        boolean tun = Files.exists(Path.of("/dev/net/tun"));
        assertThat(provider().unavailabilityCause().isEmpty()).isEqualTo(tun);
        provider().unavailabilityCause().ifPresent(why -> assertThat(why).contains("/dev/net/tun"));
    }

    @Test
    void errorsSayWhatWentWrongAndWhatToDo() {
        // The cases the test machine cannot produce on demand, from the errno the kernel gives.
        assertThat(TunAttach.openFailure(new ErrnoException("open(/dev/net/tun)", Libc.ENOENT)).getMessage())
                .contains("no /dev/net/tun").contains("No such file or directory").contains("modprobe tun");
        assertThat(TunAttach.openFailure(new ErrnoException("open(/dev/net/tun)", Libc.EACCES)).getMessage())
                .contains("permission denied opening /dev/net/tun").contains("CAP_NET_ADMIN")
                .contains("ip tuntap add dev NAME mode tap user $USER");
        assertThat(TunAttach.attachFailure("tsu0", true, new ErrnoException("ioctl(TUNSETIFF)", Libc.EPERM)).getMessage())
                .contains("permission denied attaching to TAP tsu0").contains("another user")
                .contains("CAP_NET_ADMIN").contains("ip tuntap add dev tsu0 mode tap user $USER");
        assertThat(TunAttach.attachFailure("tsu0", true, new ErrnoException("ioctl(TUNSETIFF)", Libc.EBUSY)).getMessage())
                .contains("TAP tsu0 is busy").contains("Device or resource busy");
    }

    // ---- devices ----

    @Test
    void aDeviceItCreatesIsRemovedWhenItCloses() throws Exception {
        TapTests.assumeTapAndNetns();
        String name = TapTests.uniqueName("tsua");
        TapDriver d = closeLater(TapDriver.open(name));
        assertThat(d.createdDevice()).isTrue();
        assertThat(d.name()).isEqualTo("tap:" + name);
        assertThat(d.capabilities().mtu()).isEqualTo(1500);
        assertThat(d.capabilities().hardwareAddress()).as("the stack's MAC is its own").isNull();
        assertThat(Sh.run("ip", "link", "show", name).ok()).isTrue();
        d.close();
        assertThat(Sh.run("ip", "link", "show", name).ok()).as("a non-persistent TAP goes with its fd").isFalse();
    }

    @Test
    void itAttachesToAPreCreatedTapTakesItsMtuAndLeavesItThere() throws Exception {
        TapTests.assumeTapAndNetns();
        String name = TapTests.uniqueName("tsua");
        Sh.run("ip", "tuntap", "add", "dev", name, "mode", "tap").check();
        devicesToDelete.add(name);
        Sh.run("ip", "link", "set", "dev", name, "mtu", "1400").check();
        TapDriver d = closeLater(TapDriver.open(name));
        assertThat(d.createdDevice()).isFalse();
        assertThat(d.capabilities().mtu()).as("MTU from SIOCGIFMTU").isEqualTo(1400);
        d.close();
        assertThat(Sh.run("ip", "link", "show", name).ok()).as("a persistent TAP stays").isTrue();
    }

    @Test
    void theMtuParameterSetsTheDevice() throws Exception {
        TapTests.assumeTapAndNetns();
        String name = TapTests.uniqueName("tsua");
        TapDriver d = closeLater((TapDriver) provider().create(DriverSpec.parse("tap:" + name + ",mtu=9000")));
        assertThat(d.capabilities().mtu()).isEqualTo(9000);
        assertThat(d.capabilities().maxFrameLength()).isEqualTo(9014);
        assertThat(Sh.run("ip", "link", "show", name).output()).contains("mtu 9000");
    }

    @Test
    void aSecondDriverOnTheSameTapIsToldItIsBusy() throws Exception {
        TapTests.assumeTapAndNetns();
        String name = TapTests.uniqueName("tsua");
        closeLater(TapDriver.open(name));
        assertThatThrownBy(() -> closeLater(TapDriver.open(name)))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("TAP " + name + " is busy")
                .hasMessageContaining("another process");
    }

    @Test
    void anInterfaceThatIsNotATapIsNamedAsSuch() throws Exception {
        TapTests.assumeTapAndNetns();
        assertThatThrownBy(() -> closeLater(TapDriver.open("lo")))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("not a single-queue TAP");
    }

    @Test
    void withoutCapNetAdminTheErrorSaysWhatIsNeeded() throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("setpriv", "util-linux");
        String name = TapTests.uniqueName("tsua");
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin", "--"));
        cmd.addAll(ChildJvm.tapOpen("tap:" + name));
        Sh.Result r = Sh.run(Duration.ofSeconds(30), cmd);
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("FAILED").contains("permission denied creating TAP " + name)
                .contains("CAP_NET_ADMIN").contains("ip tuntap add dev " + name + " mode tap user");
    }

    @Test
    void asAnOrdinaryUserTheErrorSaysWhatIsNeeded(@TempDir Path dir) throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("setpriv", "util-linux");
        String name = TapTests.uniqueName("tsua");
        String cp = ChildJvm.copyMinimalClassPath(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        cmd.addAll(ChildJvm.tapOpen("tap:" + name, cp));
        Sh.Result r = Sh.run(Duration.ofSeconds(30), cmd);
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        // Where /dev/net/tun is 0600 (here) opening it fails; where it is 0666 (most desktops) creating the TAP does.
        assertThat(r.output()).containsPattern("FAILED permission denied (opening /dev/net/tun|creating TAP " + name + ")")
                .contains("CAP_NET_ADMIN").contains("ip tuntap add dev").contains("mode tap user $USER");
    }

    @Test
    void anOrdinaryUserAttachesToATapMadeForThemButCannotMakeOne(@TempDir Path dir) throws Exception {
        // The README's recipe without root: sudo ip tuntap add dev NAME mode tap user $USER, then
        // run as that user. /dev/net/tun must be world read-write for that (Debian's default);
        // here the test gives the child a 0666 node in a private mount namespace.
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("setpriv", "util-linux");
        TapTests.assumeCommand("unshare", "util-linux");
        String mine = TapTests.uniqueName("tsuo");
        String notMine = TapTests.uniqueName("tsun");
        Sh.run("ip", "tuntap", "add", "dev", mine, "mode", "tap", "user", "65534").check();
        devicesToDelete.add(mine);
        String cp = ChildJvm.copyMinimalClassPath(dir);
        Path tun = dir.resolve("tun");
        Sh.run("mknod", tun.toString(), "c", "10", "200").check();
        Files.setPosixFilePermissions(tun, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String dev : List.of(mine, notMine)) {
            String child = "mount --bind '" + tun + "' /dev/net/tun && exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "
                    + String.join(" ", ChildJvm.tapOpen("tap:" + dev, cp).stream().map(a -> "'" + a + "'").toList());
            Sh.Result r = Sh.run(Duration.ofSeconds(30), List.of("unshare", "-m", "sh", "-c", child));
            if (dev.equals(mine)) {
                assertThat(r.output()).as(r.output()).contains("OPEN tap:" + mine + " 1500");
                assertThat(r.exit()).isZero();
            } else {
                assertThat(r.exit()).as(r.output()).isEqualTo(3);
                assertThat(r.output()).contains("FAILED permission denied creating TAP " + notMine)
                        .contains("CAP_NET_ADMIN").contains("ip tuntap add dev " + notMine + " mode tap user $USER");
            }
        }
        assertThat(Sh.run("ip", "link", "show", mine).ok()).as("the user's TAP stays").isTrue();
        assertThat(Sh.run("ip", "link", "show", notMine).ok()).isFalse();
    }

    @Test
    void theUpParameterConfiguresTheKernelSide() throws Exception {
        TapTests.assumeTapAndNetns();
        // The kernel side gets an address, so this runs in a child JVM inside a namespace.
        NetNs ns = closeLater(NetNs.create());
        String name = TapTests.uniqueName("tsuu");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name));
        cmd.addAll(ChildJvm.tapOpen("tap:" + name + ",up=10.79.0.1/24,mtu=1400"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        closeLater(() -> {
            child.destroyForcibly();
            child.waitFor(5, TimeUnit.SECONDS);
        });
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = Sh.drainLineUntil(out, l -> l.startsWith("OPEN ") || l.startsWith("FAILED "), Duration.ofSeconds(30));
        assertThat(line).startsWith("OPEN tap:" + name + " 1400");
        String addr = ns.exec("ip", "addr", "show", "dev", name).check().output();
        assertThat(addr).contains("inet 10.79.0.1/24").contains("mtu 1400").containsPattern("<[^>]*\\bUP\\b");
        child.getOutputStream().close(); // the child closes the driver and exits
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(ns.exec("ip", "link", "show", name).ok()).as("removed with its fd").isFalse();
    }

    // ---- running ----

    /**
     * The stack's side, when a test only checks the driver's calls on it (errors, link state):
     * the pool to receive into, and received frames released as the stack would.
     */
    private DriverContext mockContext() {
        DriverContext ctx = mock(DriverContext.class);
        when(ctx.interfaceName()).thenReturn("t0");
        when(ctx.buffers()).thenReturn(pool);
        when(ctx.receive(any())).thenAnswer(call -> {
            call.<PacketBuffer>getArgument(0).release(); // the kernel's own frames (IPv6 RS, MLD)
            return true;
        });
        return ctx;
    }

    @Test
    void closeIsPromptAndEndsTheReader() throws Exception {
        TapTests.assumeTapAndNetns();
        // The reader polls with a minute's timeout here, so a close that returns within half of
        // it woke the poll; a wall-clock bound near the usual 250 ms failed on a loaded machine.
        TapDriver.pollTimeoutMillis = 60_000;
        try {
            TapDriver d = closeLater(TapDriver.open(TapTests.uniqueName("tsua")));
            d.open(new RecordingDriverContext("t0", pool, loop));
            assertThat(d.isReading()).isTrue();
            long t0 = System.nanoTime();
            d.close();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(d.isReading()).isFalse();
            assertThat(ms).as("close wakes the reader's poll instead of waiting it out").isLessThan(30_000);
        } finally {
            TapDriver.pollTimeoutMillis = TapDriver.POLL_TIMEOUT_MILLIS;
        }
    }

    @Test
    void onAThreadedLoopTheLoopReadsTheDeviceItselfAndCloseLetsItGo() throws Exception {
        TapTests.assumeTapAndNetns();
        ThreadedEventLoop threaded = closeLater(new ThreadedEventLoop("tap-loop-test"));
        NetNs ns = closeLater(NetNs.create());
        TapDriver d = closeLater(TapDriver.open(TapTests.uniqueName("tsul"), 0, false, null, TapDriver.RxMode.LOOP));
        ns.adopt(d.deviceName());
        ns.exec("ip", "link", "set", d.deviceName(), "up").check();
        RecordingDriverContext ctx = new RecordingDriverContext("t0", pool, threaded);
        d.open(ctx);
        assertThat(d.readsOnLoop()).isTrue();
        assertThat(d.isReading()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).as("no reader thread")
                .noneMatch(t -> t.getName().equals("tap-rx-" + d.deviceName()));
        // A datagram to a neighbour the kernel does not know yet: its ARP request comes in through the loop.
        ns.exec("ip", "addr", "add", "10.81.0.1/24", "dev", d.deviceName()).check();
        ns.exec("bash", "-c", "echo x > /dev/udp/10.81.0.2/9");
        assertThat(ctx.poll(Duration.ofSeconds(10))).as("a frame read by the loop").isNotNull();
        assertThat(d.framesReceived()).isPositive();
        long t0 = System.nanoTime();
        d.close();
        assertThat((System.nanoTime() - t0) / 1_000_000).as("close wakes the loop's ppoll").isLessThan(1000);
        assertThat(d.isReading()).isFalse();
        assertThat(threaded.attachDevice(new ThreadedEventLoopProbe())).as("the loop let the device go").isTrue();
        assertThat(threaded.submit(() -> 3).get(5, TimeUnit.SECONDS)).as("and goes on").isEqualTo(3);
    }

    @Test
    void theThreadModeKeepsAReaderThreadEvenOnAThreadedLoop() throws Exception {
        TapTests.assumeTapAndNetns();
        ThreadedEventLoop threaded = closeLater(new ThreadedEventLoop("tap-thread-test"));
        TapDriver d = closeLater(TapDriver.open(TapTests.uniqueName("tsut"), 0, false, null, TapDriver.RxMode.THREAD));
        d.open(new RecordingDriverContext("t0", pool, threaded));
        assertThat(d.readsOnLoop()).isFalse();
        assertThat(d.isReading()).isTrue();
    }

    /** A device that is never ready: only to see whether a loop's device place is free. */
    private static final class ThreadedEventLoopProbe implements dev.tsunagu.loop.PolledDevice {
        @Override
        public int poll(int budget) {
            return 0;
        }

        @Override
        public boolean hasWork() {
            return false;
        }

        @Override
        public void await(long timeoutNanos) {
        }

        @Override
        public void wake() {
        }
    }

    @Test
    void whileTheKernelSideIsDownWritesFailWithAReportAndTheLinkStays() throws Exception {
        TapTests.assumeTapAndNetns();
        NetNs ns = closeLater(NetNs.create());
        TapDriver d = closeLater(TapDriver.open(TapTests.uniqueName("tsud")));
        ns.adopt(d.deviceName()); // and left down
        DriverContext ctx = mockContext();
        d.open(ctx);
        byte[] frame = new byte[60];
        frame[0] = 0x02;
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xB5;
        boolean sent = d.transmit(pool.copyOf(frame, 0, frame.length));
        assertThat(sent).isFalse();
        ArgumentCaptor<String> error = ArgumentCaptor.forClass(String.class);
        verify(ctx).reportError(error.capture(), any(ErrnoException.class)); // once
        assertThat(error.getValue()).contains("write to TAP " + d.deviceName() + " failed")
                .contains("the kernel side is down");
        assertThat(d.transmitErrors()).isEqualTo(1);
        verify(ctx, never().description("a device that is down is not gone")).linkStateChanged(anyBoolean());
        ns.exec("ip", "link", "set", d.deviceName(), "up").check();
        assertThat(d.transmit(pool.copyOf(frame, 0, frame.length))).as("once it is up again").isTrue();
    }

    @Test
    void aVanishedDeviceTakesTheInterfaceDownAndNothingHangs() throws Exception {
        vanishes(mockContext());
    }

    @Test
    void aVanishedDeviceReadByTheLoopTakesTheInterfaceDownAndTheLoopGoesOn() throws Exception {
        ThreadedEventLoop threaded = closeLater(new ThreadedEventLoop("tap-vanish-test"));
        DriverContext ctx = mockContext();
        when(ctx.loop()).thenReturn(threaded);
        when(ctx.deliver(any())).thenAnswer(call -> {
            call.<PacketBuffer>getArgument(0).release();
            return true;
        });
        vanishes(ctx);
        assertThat(threaded.submit(() -> 4).get(5, TimeUnit.SECONDS)).as("the loop goes on without it").isEqualTo(4);
        assertThat(threaded.statistics().errors()).isZero();
    }

    private void vanishes(DriverContext ctx) throws Exception {
        TapTests.assumeTapAndNetns();
        NetNs ns = closeLater(NetNs.create());
        TapDriver d = closeLater(TapDriver.open(TapTests.uniqueName("tsuv")));
        ns.adopt(d.deviceName());
        ns.exec("ip", "link", "set", d.deviceName(), "up").check();
        d.open(ctx);
        ns.exec("ip", "link", "del", d.deviceName()).check();
        verify(ctx, timeout(5_000).description("the interface is reported down")).linkStateChanged(false);
        verify(ctx, never()).linkStateChanged(true);
        verify(ctx, atLeastOnce()).reportError(contains("vanished"), any(ErrnoException.class));
        Poll.until(Duration.ofSeconds(2), d::isReading, reading -> !reading);
        assertThat(d.isReading()).as("the reader thread ended").isFalse();
        assertThat(d.deviceVanished()).isTrue();
        PacketBuffer b = pool.copyOf(new byte[60], 0, 60);
        assertThat(d.transmit(b)).isFalse();
        assertThat(b.isReleased()).isTrue();
        long t0 = System.nanoTime();
        d.close();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
    }
}
