package dev.tsunagu.driver.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.isNull;
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
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.driver.pcap.internal.Libpcap;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.host.PacketPeer;
import dev.tsunagu.testkit.host.PcapTests;
import dev.tsunagu.testkit.host.Poll;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.Veth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pcap driver's own behaviour beyond the contract: the filter passes our MAC, broadcast
 * and multicast and nothing else; what we inject does not come back; the MTU is the
 * interface's; every failure says what is wrong and what to do (no such interface, interface
 * down, no libpcap, no CAP_NET_RAW); the spec's parameters. Live cases run on a veth pair and
 * skip loudly without the privileges.
 */
@Timeout(60)
class PcapDriverTest {
    private static final int TEST_ETHERTYPE = 0x88B5;
    private static final long OURS = 0x02_00_00_00_00_0AL;
    private static final long PEER = 0x02_00_00_00_00_0BL;

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final BufferPool pool = new BufferPool();
    private final RecordingDriverContext context = new RecordingDriverContext("test0", pool, loop);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        loop.close();
    }

    private Veth veth() throws Exception {
        Veth v = Veth.create();
        toClose.add(v);
        return v;
    }

    private PcapDriver open(String device, long mac) throws DriverException {
        PcapDriver d = PcapDriver.open(device, new MacAddress(mac), 0, true);
        toClose.add(d);
        return d;
    }

    private static byte[] frame(long dst, int marker) {
        byte[] f = new byte[60];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dst >>> (40 - 8 * i));
            f[6 + i] = (byte) (PEER >>> (40 - 8 * i));
        }
        f[12] = (byte) (TEST_ETHERTYPE >>> 8);
        f[13] = (byte) TEST_ETHERTYPE;
        f[14] = (byte) marker;
        return f;
    }

    private List<Integer> markersReceivedUntil(int last) throws InterruptedException {
        List<Integer> seen = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            byte[] f = context.poll(Duration.ofMillis(100));
            if (f != null && f.length >= 15 && ((f[12] & 0xFF) << 8 | (f[13] & 0xFF)) == TEST_ETHERTYPE) {
                seen.add(f[14] & 0xFF);
                if ((f[14] & 0xFF) == last) {
                    break;
                }
            }
        }
        return seen;
    }

    @Test
    void theFilterPassesOurMacBroadcastAndMulticastOnly() throws Exception {
        PcapTests.assumeCommand("python3", "python3");
        Veth v = veth();
        PcapDriver d = open(v.host, OURS);
        assertThat(PcapDriver.filterFor(d.mac())).isEqualTo("ether dst 02:00:00:00:00:0a or ether multicast");
        d.open(context);
        PacketPeer peer = PacketPeer.start(v.ns, Veth.FAR);
        toClose.add(peer);
        peer.send(frame(OURS, 1));
        peer.send(frame(0x02_00_00_00_00_99L, 2));      // another host's: filtered in the kernel
        peer.send(frame(0xFFFF_FFFF_FFFFL, 3));         // broadcast
        peer.send(frame(0x01_00_5E_00_00_FBL, 4));      // IPv4 multicast (mDNS group)
        peer.send(frame(0x33_33_00_00_00_01L, 5));      // IPv6 multicast
        peer.send(frame(OURS, 6));
        assertThat(markersReceivedUntil(6)).containsExactly(1, 3, 4, 5, 6);
        assertThat(d.framesReceived()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void framesWeInjectDoNotComeBack() throws Exception {
        PcapTests.assumeCommand("python3", "python3");
        Veth v = veth();
        PcapDriver d = open(v.host, OURS);
        d.open(context);
        PacketPeer peer = PacketPeer.start(v.ns, Veth.FAR);
        toClose.add(peer);
        byte[] broadcast = frame(0xFFFF_FFFF_FFFFL, 7);
        assertThat(d.transmit(pool.copyOf(broadcast, 0, broadcast.length))).isTrue();
        byte[] atPeer = null;
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (atPeer == null && System.nanoTime() < end) {
            byte[] f = peer.receive(Duration.ofMillis(100));
            if (f != null && Arrays.equals(f, broadcast)) {
                atPeer = f;
            }
        }
        assertThat(atPeer).as("the broadcast reached the far end").isNotNull();
        peer.send(frame(OURS, 8)); // a marker after it: once it is here, the broadcast would have been too
        assertThat(markersReceivedUntil(8)).as("our own broadcast is not captured (PCAP_D_IN)").containsExactly(8);
        assertThat(d.framesSent()).isEqualTo(1);
    }

    @Test
    void theMtuIsTheInterfacesAndCanOnlyBeLowered() throws Exception {
        Veth v = veth();
        Sh.run("ip", "link", "set", v.host, "mtu", "1400").check();
        assertThat(open(v.host, OURS).capabilities().mtu()).isEqualTo(1400);
        LinkDriver lower = LinkDrivers.installed().create("pcap:" + v.host + ",mtu=1300,mac=02:00:00:00:00:0c");
        toClose.add(lower);
        assertThat(lower.capabilities().mtu()).isEqualTo(1300);
        assertThat(lower.capabilities().hardwareAddress()).as("the stack takes the driver's MAC, which the filter passes")
                .isEqualTo(MacAddress.parse("02:00:00:00:00:0c"));
        assertThatThrownBy(() -> PcapDriver.open(v.host, null, 1500, true)).isInstanceOf(DriverException.class)
                .hasMessage("interface " + v.host + " has MTU 1400, less than the 1500 asked for; raise it with: "
                        + "sudo ip link set " + v.host + " mtu 1500");
    }

    @Test
    void anInterfaceDeletedUnderTheDriverTakesTheLinkDownAndTransmitFailsCleanly() throws Exception {
        Veth v = veth();
        PcapDriver d = open(v.host, OURS);
        // Only the driver's calls on the stack's side matter here: a mock, with the pool to
        // receive into and received frames released as the stack would.
        DriverContext stack = mock(DriverContext.class);
        when(stack.buffers()).thenReturn(pool);
        when(stack.receive(any())).thenAnswer(call -> {
            call.<PacketBuffer>getArgument(0).release();
            return true;
        });
        d.open(stack);
        Sh.run("ip", "link", "del", v.host).check();
        verify(stack, timeout(10_000).description("the link went down")).linkStateChanged(false);
        verify(stack, never()).linkStateChanged(true);
        verify(stack, atLeastOnce()).reportError(
                argThat(e -> e.startsWith("pcap " + v.host + ": ")
                        && e.endsWith("; the interface is down (is " + v.host + " still there and up?)")),
                isNull());
        assertThat(Poll.until(Duration.ofSeconds(5), d::isReading, r -> !r)).as("the reader ended").isFalse();
        byte[] f = frame(PEER, 9);
        assertThat(d.transmit(pool.copyOf(f, 0, f.length))).isFalse();
        assertThat(d.transmitErrors()).isEqualTo(1);
    }

    @Test
    void aMissingInterfaceIsNamed() {
        PcapTests.assumeLiveCapture();
        assertThatThrownBy(() -> PcapDriver.open("tsunope0")).isInstanceOf(DriverException.class)
                .hasMessage("interface tsunope0 not found (ip -br link lists the interfaces here)");
    }

    @Test
    void anInterfaceThatIsDownSaysHowToBringItUp() throws Exception {
        Veth v = veth();
        Sh.run("ip", "link", "set", v.host, "down").check();
        assertThatThrownBy(() -> PcapDriver.open(v.host)).isInstanceOf(DriverException.class)
                .hasMessage("interface " + v.host + " is down: bring it up with sudo ip link set " + v.host + " up");
    }

    @Test
    void withoutCapNetRawTheErrorSaysWhatIsNeeded() throws Exception {
        Veth v = veth();
        PcapTests.assumeCommand("setpriv", "util-linux");
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", "--"));
        cmd.addAll(childJvm("pcap:" + v.host));
        Sh.Result r = Sh.run(Duration.ofSeconds(30), cmd);
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("FAILED permission denied capturing on " + v.host)
                .contains("needs CAP_NET_RAW").contains("setcap cap_net_raw,cap_net_admin+ep");
    }

    @Test
    void withoutLibpcapTheErrorNamesThePackage() throws Exception {
        List<String> cmd = childJvm("pcap:lo");
        cmd.add(1, "-D" + Libpcap.LIBRARY_PROPERTY + "=libpcap-missing.so.9,/nonexistent/libpcap.so");
        Sh.Result r = Sh.run(Duration.ofSeconds(30), cmd);
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).startsWith("FAILED").contains("libpcap not found (tried libpcap-missing.so.9, /nonexistent/libpcap.so): "
                + "install the Debian package libpcap0.8 (apt-get install libpcap0.8)");
        assertThatThrownBy(() -> Libpcap.load(List.of("libpcap-missing.so.9"))).isInstanceOf(Libpcap.MissingException.class)
                .hasMessageContaining("libpcap0.8");
    }

    @Test
    void libpcapIsFoundUnderItsDebianNames() throws Exception {
        if (Libpcap.unavailabilityCause().isPresent()) {
            PcapTests.skip(Libpcap.unavailabilityCause().get());
        }
        assertThat(Libpcap.load().libraryName()).isIn(Libpcap.NAMES);
        assertThat(Libpcap.load().version()).startsWith("libpcap version");
        assertThat(LinkDrivers.installed().provider("pcap").unavailabilityCause()).isEmpty();
    }

    @Test
    void badSpecsAreRefusedWithTheReason() {
        LinkDrivers drivers = LinkDrivers.installed();
        assertThatThrownBy(() -> drivers.create("pcap:")).hasMessageContaining("needs an interface: pcap:IFACE");
        assertThatThrownBy(() -> drivers.create("pcap:eth9,speed=10")).hasMessageContaining("unknown pcap parameter 'speed'");
        assertThatThrownBy(() -> drivers.create("pcap:eth9,mac=zz")).hasMessageContaining("mac= wants a MAC");
        assertThatThrownBy(() -> drivers.create("pcap:eth9,promisc=maybe")).hasMessageContaining("promisc= wants yes or no");
        assertThatThrownBy(() -> PcapDriver.open("eth9", MacAddress.BROADCAST, 0, true))
                .hasMessageContaining("must be a unicast address");
        assertThatThrownBy(() -> PcapDriver.open("a/b")).hasMessageContaining("bad interface name");
    }

    private static List<String> childJvm(String spec) {
        List<String> c = new ArrayList<>();
        c.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        c.add("--enable-native-access=ALL-UNNAMED");
        c.add("-Xshare:auto");
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(PcapOpenMain.class.getName());
        c.add(spec);
        return c;
    }
}
