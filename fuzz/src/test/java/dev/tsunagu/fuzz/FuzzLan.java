package dev.tsunagu.fuzz;

import dev.tsunagu.ipv6.Ipv6Options;
import dev.tsunagu.link.arp.ArpOptions;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The host under fuzz: a stack at {@code 10.0.0.2} and {@code fd00::2} on one cable with a
 * {@link RawHost} at {@code 10.0.0.9} / {@code fd00::9}, on a virtual loop, made anew for each
 * input so that every finding replays alone. The raw host sends what the target builds; after
 * each frame {@link #check} asserts what must hold whatever came in:
 *
 * <ul>
 *   <li>no exception escaped a layer (the interface counts one as a loop error and goes on;
 *       here it is thrown again, with its stack trace, as the finding);
 *   <li>every frame is accounted for: Ethernet passed it up or counted why not, and IPv4 passed
 *       each datagram up, held it as a fragment or counted why not.
 * </ul>
 *
 * <p>Builders for packets whose outer headers are right ({@link #ipv4}, {@link #ipv6},
 * {@link #fixTransportChecksum}) let a target spend its mutations on the layer it fuzzes.
 */
final class FuzzLan implements AutoCloseable {
    static final int HOST = Craft.ip("10.0.0.2");
    static final int RAW = Craft.ip("10.0.0.9");
    static final Ipv6Address HOST6 = Ipv6Address.parse("fd00::2");
    static final Ipv6Address RAW6 = Ipv6Address.parse("fd00::9");
    static final long RAW_MAC = 0x02_00_00_00_00_09L;

    /**
     * One loop for all the inputs of a run: a loop's task queue is a large array, and making
     * it anew for each input cost more than the input. A closed stack leaves no timer behind,
     * and the time it starts at does not change what a stack does with a frame.
     */
    private static final ThreadLocal<VirtualEventLoop> LOOP = ThreadLocal.withInitial(VirtualEventLoop::new);

    final VirtualEventLoop loop = LOOP.get();

    final Cable lan = new Cable("fuzz");
    final NetworkStack host;
    final RawHost raw;
    final long hostMac;
    private final StackInvariants invariants;
    private long framesSent;

    FuzzLan() {
        host = NetworkStack.builder().name("host").eventLoop(loop).seed(11)
                .option(Ipv6Options.DAD_TRANSMITS, 0)
                .option(ArpOptions.CACHE_TIMEOUT, Duration.ofDays(30))
                .addInterface(InterfaceConfig.of(lan.attach()).address("10.0.0.2/24").address("fd00::2/64"))
                .buildUnchecked();
        raw = new RawHost(lan, loop, RAW_MAC, "10.0.0.9").introduceTo(host);
        hostMac = host.primaryInterface().macBits();
        invariants = new StackInvariants(host, loop);
        framesSent = rxFrames();
        loop.runUntilIdle();
        raw.received();
        check();
    }

    /** Sends one whole frame and runs the loop until nothing is left to do. */
    void frame(byte[] frame) {
        raw.sendFrame(frame);
        framesSent++;
        loop.runUntilIdle();
        check();
    }

    /** An IPv4 packet in a frame to the host's MAC. */
    void sendIpv4(byte[] packet) {
        frame(Craft.ethernet(hostMac, RAW_MAC, 0x0800, packet));
    }

    /** An IPv6 packet in a frame to the host's MAC. */
    void sendIpv6(byte[] packet) {
        frame(Craft.ethernet(hostMac, RAW_MAC, 0x86DD, packet));
    }

    /** Moves virtual time (timers: reassembly, retransmission, neighbour entries) and checks again. */
    void advance(Duration d) {
        loop.advance(d);
        loop.runUntilIdle();
        check();
    }

    long count(String group, String counter) {
        return host.statistics().get(group, counter);
    }

    /** The invariants every input must keep ({@link StackInvariants}); the interface took every frame sent. */
    void check() {
        invariants.check();
        if (rxFrames() != framesSent) {
            throw new AssertionError("the interface took " + rxFrames() + " frames of " + framesSent);
        }
    }

    /** After every timer ran out (call after {@link #advance} by a few minutes): nothing is left half-done. */
    void checkQuiescent() {
        check();
        invariants.checkQuiescent();
    }

    private long rxFrames() {
        return host.statistics().get("if." + host.primaryInterface().name(), "RxFrames");
    }

    @Override
    public void close() {
        host.close();
        raw.close();
        loop.runUntilIdle();
    }

    // ---- packet builders ----

    /** An IPv4 header with {@code options} (padded to 4 bytes, at most 40) before {@code payload}; checksum right. */
    static byte[] ipv4(int src, int dst, int protocol, int id, int flagsAndOffset, byte[] options, byte[] payload) {
        int optLen = Math.min(40, (options.length + 3) & ~3);
        byte[] opts = java.util.Arrays.copyOf(options, optLen);
        return Craft.ipv4(src, dst, protocol, 64, id, flagsAndOffset, opts, payload);
    }

    static byte[] ipv4(int protocol, byte[] payload) {
        return Craft.ipv4(RAW, HOST, protocol, payload);
    }

    /** An IPv6 header (hop limit 64) before {@code payload}, whose first header is {@code nextHeader}. */
    static byte[] ipv6(Ipv6Address src, Ipv6Address dst, int nextHeader, int hopLimit, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x6000_0000).putShort((short) payload.length).put((byte) nextHeader).put((byte) hopLimit);
        byte[] a = b.array();
        src.writeTo(a, 8);
        dst.writeTo(a, 24);
        System.arraycopy(payload, 0, a, 40, payload.length);
        return a;
    }

    /**
     * Writes the right checksum into a TCP (6), UDP (17), ICMP (1) or ICMPv6 (58) message over
     * the pseudo-header of the given addresses (none for ICMP); the field's offset is the
     * protocol's. Messages too short for their checksum field are left alone.
     */
    static byte[] fixTransportChecksum(int protocol, byte[] src, byte[] dst, byte[] message) {
        int at = switch (protocol) {
            case 6 -> 16;
            case 17 -> 6;
            case 1, 58 -> 2;
            default -> throw new IllegalArgumentException("protocol " + protocol);
        };
        if (message.length < at + 2) {
            return message;
        }
        byte[] m = message.clone();
        m[at] = 0;
        m[at + 1] = 0;
        long sum = 0;
        if (protocol != 1) {
            sum = InternetChecksum.add(sum, src, 0, src.length);
            sum = InternetChecksum.add(sum, dst, 0, dst.length);
            sum = InternetChecksum.add32(sum, m.length);
            sum = InternetChecksum.add16(sum, protocol);
        }
        sum = InternetChecksum.add(sum, m, 0, m.length);
        int c = InternetChecksum.finish(sum);
        if (protocol == 17 && c == 0) {
            c = 0xFFFF; // RFC 768: a computed zero is sent as all ones
        }
        m[at] = (byte) (c >>> 8);
        m[at + 1] = (byte) c;
        return m;
    }

    static byte[] bytes(int ip) {
        return ByteBuffer.allocate(4).putInt(ip).array();
    }

    static byte[] bytes(Ipv6Address a) {
        byte[] b = new byte[16];
        a.writeTo(b, 0);
        return b;
    }
}
