package dev.tsunagu.testkit.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.arp.ArpRepr;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.cable.CableDriver;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stats.StatisticsSnapshot;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.Tshark;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad frames are counted under their reason and dropped; nothing escapes the event loop, and
 * the stack still answers afterwards. The victim's interface is wrapped in the capture
 * decorator, and tshark reads the capture back.
 */
class MalformedFrameTest {
    private static final long STRANGER = 0x02_EE_00_00_00_01L;
    private static final int VICTIM_IP = Ipv4Address.parse("10.1.0.2").bits();
    private static final int STRANGER_IP = Ipv4Address.parse("10.1.0.9").bits();

    @TempDir
    Path dir;

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("malformed");
    private CapturingDriver capture;
    private NetworkStack victim;
    private RecordingDriverContext probe;
    private CableDriver probePort;
    private long victimMac;
    /** Frame numbers (1-based, in capture order) of the frames we truncated on purpose. */
    private final Set<Integer> deliberatelyTruncated = new TreeSet<>();
    private int framesOnWire;

    @BeforeEach
    void setUp() throws Exception {
        capture = CapturingDriver.toFile(lan.attach(), dir.resolve("malformed.pcap"));
        victim = NetworkStack.builder().name("victim").eventLoop(loop).seed(7)
                .addInterface(InterfaceConfig.of(capture).address("10.1.0.2/24")).build();
        victimMac = victim.primaryInterface().macBits();
        probe = new RecordingDriverContext("probe", new BufferPool(), loop);
        probePort = lan.attach();
        probePort.open(probe);
        loop.runUntilIdle();
        framesOnWire = (int) capture.framesCaptured(); // the victim's gratuitous ARP
    }

    @AfterEach
    void tearDown() {
        victim.close();
        probePort.close();
    }

    private void inject(byte[] frame, boolean truncatedOnPurpose) {
        framesOnWire++;
        if (truncatedOnPurpose) {
            deliberatelyTruncated.add(framesOnWire);
        }
        probePort.transmit(probe.buffers().copyOf(frame, 0, frame.length));
        loop.runUntilIdle();
        // A reply from the victim would be the next frame on the wire.
        framesOnWire = (int) capture.framesCaptured();
    }

    private static byte[] ethernet(long dst, long src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(MacAddress.of(new MacAddress(dst).toBytes()).toBytes());
        b.put(new MacAddress(src).toBytes());
        b.putShort((short) type);
        b.put(payload);
        return b.array();
    }

    private static byte[] arp(int htype, int ptype, int hlen, int plen, int op) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) htype).putShort((short) ptype).put((byte) hlen).put((byte) plen).putShort((short) op);
        b.put(new MacAddress(STRANGER).toBytes()).putInt(STRANGER_IP);
        b.put(new byte[6]).putInt(VICTIM_IP);
        return b.array();
    }

    /** A minimal, valid IPv6 header with "no next header" (59), so only our stack finds fault with it. */
    private static byte[] ipv6NoNextHeader() {
        ByteBuffer b = ByteBuffer.allocate(46);
        b.putInt(0x6000_0000).putShort((short) 0).put((byte) 59).put((byte) 64);
        b.put(new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        b.put(new byte[] {(byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        return b.array();
    }

    private long broadcast() {
        return MacAddress.BROADCAST.bits();
    }

    @Test
    void malformedFramesAreCountedAndDroppedAndNothingEscapesTheLoop() throws Exception {
        long bc = broadcast();
        // Link layer
        inject(new byte[0], true);                                                        // empty
        inject(new byte[13], true);                                                       // shorter than a header
        inject(ethernet(bc, STRANGER, 0x0040, new byte[64]), false);                       // 802.3 length field
        inject(ethernet(bc, STRANGER, 0x88B5, new byte[46]), false);                       // unknown EtherType
        inject(ethernet(bc, STRANGER, EtherType.IPV6, ipv6NoNextHeader()), false);         // IPv6: no layer for it
        inject(ethernet(0x02_12_34_56_78_9AL, STRANGER, EtherType.ARP,
                arp(1, 0x0800, 6, 4, 1)), false);                                          // unicast for another host
        inject(ethernet(bc, 0x03_00_00_00_00_01L, EtherType.ARP, arp(1, 0x0800, 6, 4, 1)), false); // group source MAC
        // ARP
        inject(ethernet(bc, STRANGER, EtherType.ARP,
                java.util.Arrays.copyOf(arp(1, 0x0800, 6, 4, 1), 10)), true);              // truncated ARP
        inject(ethernet(bc, STRANGER, EtherType.ARP, arp(1, 0x0800, 6, 4, 7)), false);    // bad opcode
        inject(ethernet(bc, STRANGER, EtherType.ARP, arp(1, 0x0800, 6, 4, 0)), false);    // opcode 0
        inject(ethernet(bc, STRANGER, EtherType.ARP, arp(6, 0x0800, 6, 4, 1)), false);    // not Ethernet
        inject(ethernet(bc, STRANGER, EtherType.ARP, arp(1, 0x86DD, 6, 4, 1)), false);    // not IPv4
        inject(ethernet(bc, STRANGER, EtherType.ARP, arp(1, 0x0800, 8, 4, 1)), true);     // hlen 8: tshark reads past the end
        inject(ethernet(bc, STRANGER, EtherType.ARP, arp(1, 0x0800, 6, 16, 1)), true);    // plen 16: likewise

        StatisticsSnapshot s = victim.statistics();
        assertThat(s.get("ethernet", "DropTruncated")).isEqualTo(2);
        assertThat(s.get("ethernet", "DropNotEthernetII")).isEqualTo(1);
        assertThat(s.get("ethernet", "DropUnknownEtherType")).isEqualTo(2);
        assertThat(s.get("ethernet", "DropOtherHost")).isEqualTo(1);
        assertThat(s.get("ethernet", "DropBadSource")).isEqualTo(1);
        assertThat(s.get("arp", "DropTruncated")).isEqualTo(1);
        assertThat(s.get("arp", "DropBadOperation")).isEqualTo(2);
        assertThat(s.get("arp", "DropBadFormat")).isEqualTo(4);
        assertThat(s.get("arp", "OutReplies")).as("nothing bad was answered").isZero();
        assertThat(victim.neighbors()).as("nothing bad was learned").isEmpty();
        assertThat(s.get("loop", "Errors")).as("no exception reached the event loop").isZero();

        assertTheStackStillAnswers();
        assertTsharkReadsTheCapture();
    }

    @Test
    void randomGarbageNeverThrowsAndIsAllCounted() throws Exception {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        int n = 5000;
        for (int i = 0; i < n; i++) {
            byte[] f = new byte[r.nextInt(100)];
            r.nextBytes(f);
            if (f.length >= 14 && r.nextBoolean()) {
                // Aim half of them at the victim's ARP handler, where the interesting checks are.
                MacAddress.writeBits(r.nextBoolean() ? broadcast() : victimMac, f, 0);
                f[6] &= (byte) 0xFE; // unicast source
                f[12] = 0x08;
                f[13] = 0x06;
            }
            probePort.transmit(probe.buffers().copyOf(f, 0, f.length));
        }
        loop.runUntilIdle();
        StatisticsSnapshot s = victim.statistics();
        assertThat(s.get("loop", "Errors")).as("seed %d", seed).isZero();
        long accounted = s.get("ethernet", "InFrames") + s.get("ethernet", "DropTruncated")
                + s.get("ethernet", "DropNotEthernetII") + s.get("ethernet", "DropOtherHost")
                + s.get("ethernet", "DropBadSource") + s.get("ethernet", "DropUnknownEtherType");
        assertThat(accounted).as("every frame counted once by the link layer (seed %d)", seed)
                .isEqualTo(s.get("if.eth0", "RxFrames"));
        // They arrived faster than the loop ran: the bounded receive queue took what it could
        // hold and counted the rest, as a NIC ring does.
        assertThat(s.get("if.eth0", "RxFrames")).isEqualTo(dev.tsunagu.stack.NetInterface.RX_QUEUE_CAPACITY);
        assertThat(s.get("if.eth0", "RxFrames") + s.get("if.eth0", "RxQueueDrops")).as("seed %d", seed).isEqualTo(n);
        assertTheStackStillAnswers();
    }

    private void assertTheStackStillAnswers() {
        while (probe.pollNow() != null) {
            // drop what came before
        }
        PacketBuffer f = probe.buffers().acquire(42);
        ArpRepr.request(STRANGER, STRANGER_IP, VICTIM_IP).emit(f);
        EthernetFrame.prepend(f, broadcast(), STRANGER, EtherType.ARP);
        framesOnWire++;
        probePort.transmit(f);
        loop.runUntilIdle();
        byte[] reply = probe.pollNow();
        assertThat(reply).as("the victim still answers ARP").isNotNull();
        PacketBuffer rb = PacketBuffer.copyOf(reply, 0);
        assertThat(EthernetFrame.destination(rb)).isEqualTo(STRANGER);
        rb.consume(14);
        assertThat(ArpRepr.parse(rb)).isEqualTo(new ArpRepr.Parsed(
                ArpRepr.reply(victimMac, VICTIM_IP, STRANGER, STRANGER_IP)));
    }

    private void assertTsharkReadsTheCapture() throws Exception {
        long captured = capture.framesCaptured();
        victim.close(); // flushes and closes the capture file
        Tshark.assumeInstalled();
        List<Tshark.Frame> frames = Tshark.read(dir.resolve("malformed.pcap"));
        assertThat(frames).as("tshark sees every captured frame").hasSize((int) captured);
        List<Integer> malformed = new ArrayList<>();
        for (Tshark.Frame f : frames) {
            if (f.malformed()) {
                malformed.add(f.number());
            }
        }
        assertThat(malformed)
                .as("the only frames tshark calls malformed are the ones this test truncated on purpose;"
                        + " every frame the stack wrote is well-formed")
                .containsExactlyElementsOf(deliberatelyTruncated);
    }
}
