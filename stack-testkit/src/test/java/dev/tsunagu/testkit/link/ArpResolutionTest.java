package dev.tsunagu.testkit.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.EthernetLayerProvider;
import dev.tsunagu.link.arp.ArpOptions;
import dev.tsunagu.link.arp.ArpRepr;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.cable.CableDriver;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.CapturingIpv4Sink;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.TestHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ARP between two stacks on one cable, on the virtual clock: resolution, expiry, the queue
 * behind an unanswered request, rate limits and bounds. A third "probe" port on the cable sees
 * every frame and can inject its own.
 */
class ArpResolutionTest {
    private static final int B_IP = Ipv4Address.parse("10.0.0.2").bits();
    private static final int NOBODY = Ipv4Address.parse("10.0.0.99").bits();

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("arp-test");
    private final CapturingIpv4Sink aSink = new CapturingIpv4Sink();
    private final CapturingIpv4Sink bSink = new CapturingIpv4Sink();
    private RecordingDriverContext probe;
    private CableDriver probePort;
    private NetworkStack a;
    private NetworkStack b;

    @BeforeEach
    void setUp() {
        a = TestHosts.host(loop, "a", 1).layers(List.of(new EthernetLayerProvider(), aSink))
                .on(lan, "10.0.0.1/24").build();
        b = TestHosts.host(loop, "b", 2).layers(List.of(new EthernetLayerProvider(), bSink))
                .on(lan, "10.0.0.2/24").build();
        probe = new RecordingDriverContext("probe", new BufferPool(), loop);
        probePort = lan.attach();
        probePort.open(probe);
        loop.runUntilIdle();
        while (probe.pollNow() != null) {
            // forget the gratuitous ARPs of start-up
        }
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
        probePort.close();
    }

    private void sendFromA(int nextHop, String payload) {
        a.run(() -> {
            PacketBuffer p = a.buffers().acquire(payload.length());
            p.append(payload.getBytes(), 0, payload.length());
            a.primaryInterface().output(p, EtherType.IPV4, new Ipv4Address(nextHop));
        });
    }

    private List<byte[]> probeFrames() {
        List<byte[]> out = new ArrayList<>();
        byte[] f;
        while ((f = probe.pollNow()) != null) {
            out.add(f);
        }
        return out;
    }

    private static int etherType(byte[] f) {
        return (f[12] & 0xFF) << 8 | (f[13] & 0xFF);
    }

    private long arpCounter(NetworkStack s, String name) {
        return s.statistics().get("arp", name);
    }

    @Test
    void resolvesTheNeighboursMacThenSendsTheQueuedPacket() {
        sendFromA(B_IP, "hello");
        loop.runUntilIdle();

        MacAddress bMac = b.primaryInterface().mac();
        assertThat(a.neighbors()).singleElement().satisfies(e -> {
            assertThat(e.address()).isEqualTo(new Ipv4Address(B_IP));
            assertThat(e.mac()).isEqualTo(bMac);
            assertThat(e.state()).isEqualTo(Neighbors.State.REACHABLE);
        });
        assertThat(bSink.packets()).extracting(String::new).containsExactly("hello");
        // The request was addressed to b, so b learned a's mapping too (RFC 826).
        assertThat(b.neighbors()).extracting(Neighbors.Entry::mac).containsExactly(a.primaryInterface().mac());

        List<byte[]> wire = probeFrames();
        assertThat(wire).extracting(ArpResolutionTest::etherType)
                .as("broadcast request (flooded), then the data frame is unicast and the reply is not flooded")
                .containsExactly(EtherType.ARP);
        assertThat(arpCounter(a, "OutRequests")).isEqualTo(2); // gratuitous at start + this request
        assertThat(arpCounter(b, "OutReplies")).isEqualTo(1);

        // Resolved: the next packet goes at once, with no new request.
        sendFromA(B_IP, "again");
        loop.runUntilIdle();
        assertThat(bSink.packets()).extracting(String::new).containsExactly("hello", "again");
        assertThat(arpCounter(a, "OutRequests")).isEqualTo(2);
    }

    @Test
    void aResolvedEntryExpiresExactlyWhenItsTimeoutPasses() {
        sendFromA(B_IP, "x");
        loop.runUntilIdle();
        long resolvedAt = loop.now();
        Duration timeout = ArpOptions.CACHE_TIMEOUT.defaultValue();
        assertThat(a.neighbors()).hasSize(1);
        assertThat(a.neighbors().get(0).expiresAtNanos()).isEqualTo(resolvedAt + timeout.toNanos());

        loop.advance(timeout.minusMillis(1));
        assertThat(a.neighbors()).as("just before the timeout").hasSize(1);
        loop.advance(Duration.ofMillis(1));
        assertThat(a.neighbors()).as("at the timeout").isEmpty();
        assertThat(arpCounter(a, "Expired")).isEqualTo(1);

        // Expired: the next packet needs a fresh request.
        sendFromA(B_IP, "y");
        loop.runUntilIdle();
        assertThat(arpCounter(a, "OutRequests")).isEqualTo(3);
        assertThat(bSink.packets()).hasSize(2);
    }

    @Test
    void aPacketQueuedBehindAnUnansweredRequestIsDroppedAndCountedAfterTheResolutionTimeout() {
        sendFromA(NOBODY, "lost");
        loop.runUntilIdle();
        assertThat(a.neighbors()).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(Neighbors.State.INCOMPLETE);
            assertThat(e.queued()).isEqualTo(1);
        });

        // Requests at 0 s, 1 s and 2 s (one per second, RFC 1122), give up at 3 s.
        loop.advance(Duration.ofMillis(2999));
        assertThat(arpCounter(a, "DropUnresolved")).isZero();
        assertThat(arpCounter(a, "OutRequests")).isEqualTo(1 + 3);
        loop.advance(Duration.ofMillis(1));
        assertThat(arpCounter(a, "DropUnresolved")).isEqualTo(1);
        assertThat(a.neighbors()).isEmpty();
        assertThat(a.call(() -> a.service(Neighbors.class).orElseThrow().entries())).isEmpty();

        List<byte[]> wire = probeFrames();
        assertThat(wire).hasSize(3).allSatisfy(f -> {
            assertThat(etherType(f)).isEqualTo(EtherType.ARP);
            assertThat(MacAddress.readBits(f, 0)).isEqualTo(MacAddress.BROADCAST.bits());
        });
    }

    @Test
    void sendsAtMostOneRequestPerSecondPerAddress() {
        for (int i = 0; i < 5; i++) {
            sendFromA(NOBODY, "p" + i);
            loop.advance(Duration.ofMillis(100));
        }
        assertThat(arpCounter(a, "OutRequests")).isEqualTo(1 + 1);
        assertThat(a.neighbors().get(0).queued()).isEqualTo(5);
    }

    @Test
    void theQueueBehindOneAddressIsBounded() {
        int bound = ArpOptions.QUEUE_PER_ENTRY.defaultValue();
        for (int i = 0; i < bound + 3; i++) {
            sendFromA(NOBODY, "p" + i);
        }
        loop.runUntilIdle();
        assertThat(a.neighbors().get(0).queued()).isEqualTo(bound);
        assertThat(arpCounter(a, "DropQueueFull")).isEqualTo(3);
        loop.advance(Duration.ofSeconds(3));
        assertThat(arpCounter(a, "DropUnresolved")).isEqualTo(bound);
    }

    @Test
    void requestsForAddressesThatAreNotOursGetNoReply() {
        // (Each stack already counted the other's start-up announcement as not for it.)
        long aBefore = arpCounter(a, "NotForUs");
        long bBefore = arpCounter(b, "NotForUs");
        injectArp(ArpRepr.request(0x02_AA_00_00_00_01L, Ipv4Address.parse("10.0.0.50").bits(),
                Ipv4Address.parse("10.0.0.77").bits()));
        loop.runUntilIdle();
        assertThat(probeFrames()).isEmpty();
        assertThat(arpCounter(a, "NotForUs")).isEqualTo(aBefore + 1);
        assertThat(arpCounter(b, "NotForUs")).isEqualTo(bBefore + 1);
        assertThat(a.neighbors()).as("not for us: nothing learned").isEmpty();
    }

    @Test
    void aRequestForOurAddressIsAnsweredToTheAsker() {
        long asker = 0x02_AA_00_00_00_01L;
        injectArp(ArpRepr.request(asker, Ipv4Address.parse("10.0.0.50").bits(), B_IP));
        loop.runUntilIdle();
        List<byte[]> wire = probeFrames();
        assertThat(wire).hasSize(1);
        PacketBuffer reply = PacketBuffer.copyOf(wire.get(0), 0);
        assertThat(EthernetFrame.destination(reply)).isEqualTo(asker);
        reply.consume(EthernetFrame.HEADER_LENGTH);
        ArpRepr r = ((ArpRepr.Parsed) ArpRepr.parse(reply)).repr();
        assertThat(r).isEqualTo(ArpRepr.reply(b.primaryInterface().macBits(), B_IP, asker,
                Ipv4Address.parse("10.0.0.50").bits()));
    }

    @Test
    void theCacheIsBounded() {
        NetworkStack small = TestHosts.host(loop, "small", 3).layers(List.of(new EthernetLayerProvider()))
                .option(ArpOptions.CACHE_SIZE, 4).on(lan, "10.0.0.3/24").build();
        try {
            for (int i = 0; i < 10; i++) {
                // Requests addressed to "small" teach it the sender (RFC 826 create-on-target).
                injectArp(ArpRepr.request(0x02_BB_00_00_00_10L + i, Ipv4Address.parse("10.0.0." + (100 + i)).bits(),
                        Ipv4Address.parse("10.0.0.3").bits()));
                loop.advance(Duration.ofMillis(10));
            }
            assertThat(small.neighbors()).hasSize(4);
            assertThat(small.statistics().get("arp", "Evicted")).isEqualTo(6);
            assertThat(small.neighbors()).extracting(e -> e.address().toString())
                    .as("the oldest entries made room").containsExactly("10.0.0.106", "10.0.0.107", "10.0.0.108", "10.0.0.109");
        } finally {
            small.close();
        }
    }

    @Test
    void aFloodOfRequestsFromMadeUpSendersEvictsItsOwnEntriesNotTheNeighbourInUse() {
        NetworkStack small = TestHosts.host(loop, "small", 3).layers(List.of(new EthernetLayerProvider()))
                .option(ArpOptions.CACHE_SIZE, 4).on(lan, "10.0.0.3/24").build();
        try {
            for (int i = 0; i < 50; i++) {
                send(small, B_IP, "to b " + i); // traffic to b all along (its entry, once resolved, is in use)
                injectArp(ArpRepr.request(0x02_BB_00_00_01_00L + i, Ipv4Address.parse("10.0.1." + (i + 1)).bits(),
                        Ipv4Address.parse("10.0.0.3").bits()));
                loop.advance(Duration.ofMillis(10));
            }
            assertThat(small.neighbors()).hasSize(4).extracting(e -> e.address().toString()).contains("10.0.0.2");
            assertThat(small.statistics().get("arp", "Evicted")).isEqualTo(47);
            assertThat(small.statistics().get("arp", "OutRequests") - small.statistics().get("arp", "OutGratuitous"))
                    .as("b resolved once, never again").isEqualTo(1);
            assertThat(small.statistics().get("arp", "DropUnresolved")).isZero();
        } finally {
            small.close();
        }
    }

    @Test
    void aNeighbourWhoseTrafficPausedOutlivesTheFloodsOwnEntries() {
        // TapFloodTest on a loaded machine: the flood fills the TAP's queue, the kernel's
        // retransmissions are lost for over IN_USE, the stack sends it nothing meanwhile. Its
        // entry must still outlive askers nothing was ever sent to.
        NetworkStack small = TestHosts.host(loop, "small", 3).layers(List.of(new EthernetLayerProvider()))
                .option(ArpOptions.CACHE_SIZE, 4).on(lan, "10.0.0.3/24").build();
        try {
            send(small, B_IP, "to b");
            loop.runUntilIdle();
            for (int i = 0; i < 80; i++) { // 8 s of flood, nothing sent to b
                injectArp(ArpRepr.request(0x02_BB_00_00_02_00L + i, Ipv4Address.parse("10.0.2." + (i + 1)).bits(),
                        Ipv4Address.parse("10.0.0.3").bits()));
                loop.advance(Duration.ofMillis(100));
            }
            assertThat(small.neighbors()).hasSize(4).extracting(e -> e.address().toString()).contains("10.0.0.2");
            send(small, B_IP, "to b again");
            loop.runUntilIdle();
            assertThat(small.statistics().get("arp", "OutRequests") - small.statistics().get("arp", "OutGratuitous"))
                    .as("b resolved once, never again").isEqualTo(1);
            assertThat(small.statistics().get("arp", "DropUnresolved")).isZero();
        } finally {
            small.close();
        }
    }

    private static void send(NetworkStack from, int nextHop, String payload) {
        from.run(() -> {
            PacketBuffer p = from.buffers().acquire(payload.length());
            p.append(payload.getBytes(), 0, payload.length());
            from.primaryInterface().output(p, EtherType.IPV4, new Ipv4Address(nextHop));
        });
    }

    @Test
    void aGratuitousArpRefreshesAnExistingEntryButCreatesNone() {
        sendFromA(B_IP, "x");
        loop.runUntilIdle();
        loop.advance(Duration.ofSeconds(30));
        // b announces itself again (e.g. its interface bounced): a refreshes its entry.
        injectArpFrom(b.primaryInterface().macBits(), ArpRepr.request(b.primaryInterface().macBits(), B_IP, B_IP));
        // a stranger's announcement teaches a nothing.
        injectArp(ArpRepr.request(0x02_CC_00_00_00_01L, Ipv4Address.parse("10.0.0.60").bits(),
                Ipv4Address.parse("10.0.0.60").bits()));
        loop.runUntilIdle();
        assertThat(a.neighbors()).singleElement().satisfies(e ->
                assertThat(e.expiresAtNanos()).isEqualTo(loop.now() + ArpOptions.CACHE_TIMEOUT.defaultValue().toNanos()));
    }

    private void injectArp(ArpRepr repr) {
        injectArpFrom(repr.senderMac(), repr);
    }

    private void injectArpFrom(long srcMac, ArpRepr repr) {
        PacketBuffer f = probe.buffers().acquire(42);
        repr.emit(f);
        EthernetFrame.prepend(f, MacAddress.BROADCAST.bits(), srcMac, EtherType.ARP);
        probePort.transmit(f);
    }
}
