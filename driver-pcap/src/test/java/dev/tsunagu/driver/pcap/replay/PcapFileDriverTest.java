package dev.tsunagu.driver.pcap.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.driver.pcap.replay.Captures.Timed;
import dev.tsunagu.link.capture.LinkType;
import dev.tsunagu.link.capture.PcapWriter;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.Tshark;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay driver on its own, on a virtual loop with a recording context: pcap and pcapng
 * files (both byte orders) replay frame for frame, in order, without the played host's own
 * frames; the recorded pace is kept exactly on the virtual clock; what the stack sends lands
 * in a pcap that our reader and tshark read back; bad files and specs fail with the reason.
 */
class PcapFileDriverTest {
    private static final long US = 0x02_00_00_00_00_02L;
    private static final long PEER = 0x02_00_00_00_00_01L;
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_700_000_000L * SECOND;

    @TempDir
    Path dir;
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final BufferPool pool = new BufferPool();
    private final RecordingDriverContext context = new RecordingDriverContext("replay0", pool, loop);
    private PcapFileDriver driver;

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        loop.close();
    }

    private static byte[] udp(long dst, long src, int srcIp, int dstIp, int marker) {
        return Craft.ethernet(dst, src, 0x0800,
                Craft.ipv4(srcIp, dstIp, 17, Craft.udp(srcIp, dstIp, 5000, 7, new byte[] {(byte) marker, 1, 2, 3})));
    }

    /** Peer → us, us → peer (skipped on replay), broadcast ARP from the peer, peer → us, at 0, 1, 1.5 and 3 s. */
    private static List<Timed> conversation() {
        int peerIp = Craft.ip("10.9.0.1");
        int usIp = Craft.ip("10.9.0.2");
        return List.of(
                new Timed(T0, udp(US, PEER, peerIp, usIp, 1)),
                new Timed(T0 + SECOND, udp(PEER, US, usIp, peerIp, 2)),
                new Timed(T0 + 3 * SECOND / 2, Craft.ethernet(0xFFFF_FFFF_FFFFL, PEER, 0x0806, Craft.arpRequest(PEER, peerIp, usIp))),
                new Timed(T0 + 3 * SECOND, udp(US, PEER, peerIp, usIp, 4)));
    }

    private List<byte[]> drain() {
        List<byte[]> got = new ArrayList<>();
        for (byte[] f = context.pollNow(); f != null; f = context.pollNow()) {
            got.add(f);
        }
        return got;
    }

    private void assertReplaysConversation(Path file) throws Exception {
        List<Timed> frames = conversation();
        driver = PcapFileDriver.open(file, null, PcapFileDriver.Pace.FAST, new MacAddress(US), 1500, true);
        assertThat(driver.framesInFile()).isEqualTo(4);
        driver.open(context);
        loop.runUntilIdle();
        assertThat(drain()).containsExactly(frames.get(0).data(), frames.get(2).data(), frames.get(3).data());
        assertThat(driver.finished()).isCompleted();
        assertThat(driver.framesFed()).isEqualTo(3);
        assertThat(driver.framesSkippedAsOurs()).isEqualTo(1);
    }

    @Test
    void aClassicPcapReplaysInOrderWithoutThePlayedHostsFrames() throws Exception {
        Path file = dir.resolve("in.pcap");
        Captures.writePcap(file, conversation());
        assertReplaysConversation(file);
    }

    @Test
    void aPcapngLittleEndianReplaysTheSame() throws Exception {
        Path file = dir.resolve("in-le.pcapng");
        Captures.writePcapng(file, conversation(), ByteOrder.LITTLE_ENDIAN);
        assertReplaysConversation(file);
    }

    @Test
    void aPcapngBigEndianReplaysTheSame() throws Exception {
        Path file = dir.resolve("in-be.pcapng");
        Captures.writePcapng(file, conversation(), ByteOrder.BIG_ENDIAN);
        assertReplaysConversation(file);
    }

    @Test
    void aReplayHeldForAManualStartFeedsNothingUntilStartedAndThenKeepsThePaceFromThere() throws Exception {
        Path file = dir.resolve("held.pcap");
        Captures.writePcap(file, conversation());
        driver = PcapFileDriver.open(file, null, PcapFileDriver.Pace.RECORDED, new MacAddress(US), 1500, true);
        driver.holdUntilStarted();
        driver.open(context);
        loop.advance(Duration.ofSeconds(10));
        assertThat(drain()).as("held: nothing fed, however long").isEmpty();
        assertThat(driver.framesFed()).isZero();
        driver.start();
        loop.runUntilIdle();
        assertThat(drain()).as("the first frame at once").containsExactly(conversation().get(0).data());
        loop.advance(Duration.ofMillis(1500));
        assertThat(drain()).as("1.5 s after the start").containsExactly(conversation().get(2).data());
    }

    @Test
    void theRecordedPaceIsKeptOnTheStacksClock() throws Exception {
        Path file = dir.resolve("paced.pcapng");
        Captures.writePcapng(file, conversation(), ByteOrder.LITTLE_ENDIAN);
        driver = PcapFileDriver.open(file, null, PcapFileDriver.Pace.RECORDED, new MacAddress(US), 1500, true);
        driver.open(context);
        loop.runUntilIdle();
        assertThat(drain()).as("at 0 s").hasSize(1);
        loop.advance(Duration.ofMillis(1499));
        assertThat(drain()).as("before 1.5 s: the frame at 1 s is ours, not fed").isEmpty();
        loop.advance(Duration.ofMillis(1));
        assertThat(drain()).as("at 1.5 s").containsExactly(conversation().get(2).data());
        loop.advance(Duration.ofMillis(1499));
        assertThat(drain()).as("before 3 s").isEmpty();
        assertThat(driver.finished()).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(drain()).as("at 3 s").containsExactly(conversation().get(3).data());
        loop.runUntilIdle();
        assertThat(driver.finished()).isCompleted();
    }

    @Test
    void whatTheStackSendsIsWrittenReadableByUsAndTshark() throws Exception {
        Path in = dir.resolve("in.pcap");
        Path out = dir.resolve("out.pcap");
        Captures.writePcap(in, conversation());
        driver = (PcapFileDriver) LinkDrivers.installed().create("pcap-file:" + in + ",out=" + out + ",pace=fast,mac="
                + MacAddress.format(US));
        driver.open(context);
        List<byte[]> sent = List.of(
                Craft.ethernet(0xFFFF_FFFF_FFFFL, US, 0x0806, Craft.arpRequest(US, Craft.ip("10.9.0.2"), Craft.ip("10.9.0.1"))),
                udp(PEER, US, Craft.ip("10.9.0.2"), Craft.ip("10.9.0.1"), 9));
        for (byte[] f : sent) {
            assertThat(driver.transmit(pool.copyOf(f, 0, f.length))).isTrue();
        }
        loop.runUntilIdle();
        driver.close();
        assertThat(Captures.read(out)).containsExactlyElementsOf(sent);
        assertThat(driver.framesSent()).isEqualTo(2);
        Tshark.assumeInstalled();
        List<Tshark.Frame> rows = Tshark.read(out);
        assertThat(rows).hasSize(2).noneMatch(Tshark.Frame::malformed);
        assertThat(rows.get(0).protocols()).contains("arp");
        assertThat(rows.get(1).protocols()).contains("udp");
    }

    @Test
    void theOutputOfOneReplayIsTheInputOfAnother() throws Exception {
        Path in = dir.resolve("in.pcapng");
        Path out = dir.resolve("out.pcap");
        Captures.writePcapng(in, conversation(), ByteOrder.LITTLE_ENDIAN);
        driver = PcapFileDriver.open(in, out, PcapFileDriver.Pace.FAST, new MacAddress(US), 1500, true);
        driver.open(context);
        byte[] reply = udp(PEER, US, Craft.ip("10.9.0.2"), Craft.ip("10.9.0.1"), 5);
        driver.transmit(pool.copyOf(reply, 0, reply.length));
        loop.runUntilIdle();
        driver.close();

        // Replaying our output as the peer: the frame we sent is now the one fed.
        RecordingDriverContext second = new RecordingDriverContext("replay1", pool, loop);
        driver = PcapFileDriver.open(out, null, PcapFileDriver.Pace.FAST, new MacAddress(PEER), 1500, true);
        driver.open(second);
        loop.runUntilIdle();
        assertThat(second.pollNow()).isEqualTo(reply);
        assertThat(second.pollNow()).isNull();
    }

    @Test
    void theDefaultMacIsTheOneTheFirstSynWasSentTo() throws Exception {
        Path file = dir.resolve("syn.pcap");
        long server = 0x02_00_00_00_00_05L;
        byte[] tcpSyn = Craft.ethernet(server, PEER, 0x0800, Craft.ipv4(Craft.ip("10.9.0.1"), Craft.ip("10.9.0.5"), 6,
                new byte[] {(byte) 0xC0, 0, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, 0}));
        Captures.writePcap(file, List.of(new Timed(T0, udp(US, PEER, 1, 2, 1)), new Timed(T0 + 1, tcpSyn)));
        driver = PcapFileDriver.open(file, null, PcapFileDriver.Pace.FAST, null, 1500, true);
        assertThat(driver.mac()).isEqualTo(new MacAddress(server));
        assertThat(driver.capabilities().hardwareAddress()).isEqualTo(new MacAddress(server));
    }

    @Test
    void framesThatCannotBeFedWholeAreCountedAndSkipped() throws Exception {
        Path file = dir.resolve("odd.pcap");
        byte[] jumbo = udp(US, PEER, 1, 2, 1);
        jumbo = java.util.Arrays.copyOf(jumbo, 2000);
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, 100)) {
            w.write(T0, jumbo);                         // truncated to 100 bytes by the snap length
            w.write(T0, new byte[] {1, 2, 3});          // a runt
            w.write(T0, udp(US, PEER, 1, 2, 3));
        }
        driver = PcapFileDriver.open(file, null, PcapFileDriver.Pace.FAST, new MacAddress(US), 1500, true);
        driver.open(context);
        loop.runUntilIdle();
        assertThat(drain()).containsExactly(udp(US, PEER, 1, 2, 3));
        assertThat(driver.framesSkippedAsUnusable()).isEqualTo(2);
    }

    @Test
    void badFilesFailWithTheReason() throws Exception {
        Path missing = dir.resolve("missing.pcap");
        assertThatThrownBy(() -> PcapFileDriver.open(missing, null, PcapFileDriver.Pace.FAST, null, 1500, true))
                .isInstanceOf(DriverException.class).hasMessage("capture file " + missing + " not found");
        Path garbage = dir.resolve("garbage.pcap");
        Files.write(garbage, "this is not a capture file".getBytes());
        assertThatThrownBy(() -> PcapFileDriver.open(garbage, null, PcapFileDriver.Pace.FAST, null, 1500, true))
                .isInstanceOf(DriverException.class).hasMessageStartingWith("cannot replay " + garbage + ": not a pcap or pcapng file");
        Path raw = dir.resolve("raw.pcap");
        try (PcapWriter w = PcapWriter.create(raw, LinkType.RAW_IPV4, 65535)) {
            w.write(T0, new byte[40]);
        }
        assertThatThrownBy(() -> PcapFileDriver.open(raw, null, PcapFileDriver.Pace.FAST, null, 1500, true))
                .isInstanceOf(DriverException.class).hasMessageContaining("only Ethernet captures replay");
    }

    @Test
    void badSpecsAreRefusedWithTheReason() {
        LinkDrivers drivers = LinkDrivers.installed();
        assertThatThrownBy(() -> drivers.create("pcap-file:")).hasMessageContaining("needs a capture");
        assertThatThrownBy(() -> drivers.create("pcap-file:x.pcap,speed=2")).hasMessageContaining("unknown pcap-file parameter 'speed'");
        assertThatThrownBy(() -> drivers.create("pcap-file:x.pcap,pace=slow")).hasMessageContaining("pace must be recorded or fast");
        assertThatThrownBy(() -> drivers.create("pcap-file:x.pcap,acks=maybe")).hasMessageContaining("acks= wants rewrite or as-recorded");
        assertThat(drivers.provider("pcap-file").unavailabilityCause()).isEmpty();
    }
}
