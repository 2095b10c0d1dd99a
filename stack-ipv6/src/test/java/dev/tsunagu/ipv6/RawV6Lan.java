package dev.tsunagu.ipv6;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The IPv6 twin of the test kit's {@code RawLan}: the host under test at {@code fd00::2} and a
 * raw host at {@code fd00::9} (MAC 02:00:00:00:00:09, link-local fe80::9) on one cable and one
 * virtual loop. The raw host sends crafted packets ({@link V6}) and reads what the host sends.
 * DAD is off unless a test asks, so the host's addresses are usable at once.
 */
final class RawV6Lan implements AutoCloseable {
    static final Ipv6Address HOST = Ipv6Address.parse("fd00::2");
    static final Ipv6Address RAW = Ipv6Address.parse("fd00::9");
    static final Ipv6Address RAW_LINK_LOCAL = Ipv6Address.parse("fe80::9");
    static final long RAW_MAC = 0x02_00_00_00_00_09L;

    /** One IPv6 packet the host sent, with the frame's destination MAC. */
    record Sent(long dstMac, byte[] packet) {
        int nextHeader() {
            return packet[6] & 0xFF;
        }

        int hopLimit() {
            return packet[7] & 0xFF;
        }

        Ipv6Address source() {
            return Ipv6Address.of(packet, 8);
        }

        Ipv6Address destination() {
            return Ipv6Address.of(packet, 24);
        }

        /** The ICMPv6 type, or -1 if this is not ICMPv6 right after the fixed header. */
        int icmpType() {
            return nextHeader() == 58 ? packet[40] & 0xFF : -1;
        }

        int icmpCode() {
            return packet[41] & 0xFF;
        }

        /** The 32-bit word after the ICMPv6 checksum (pointer, MTU, identifier and sequence, NA flags). */
        long icmpWord() {
            return ByteBuffer.wrap(packet, 44, 4).getInt() & 0xFFFF_FFFFL;
        }

        /** What follows the first 8 bytes of the ICMPv6 message (an error's quote). */
        byte[] icmpData() {
            return Arrays.copyOfRange(packet, 48, packet.length);
        }
    }

    final VirtualEventLoop loop = new VirtualEventLoop();
    final Cable lan;
    final NetworkStack host;
    final RawHost raw;
    /** What the host sent as it came up (DAD solicitations, its Router Solicitation). */
    final List<Sent> startup;

    RawV6Lan(String name, Consumer<NetworkStack.Builder> options) {
        lan = new Cable(name);
        NetworkStack.Builder b = NetworkStack.builder().name("host").eventLoop(loop).seed(5)
                .option(Ipv6Options.DAD_TRANSMITS, 0)
                .addInterface(InterfaceConfig.of(lan.attach()).address("10.0.0.2/24").address("fd00::2/64"));
        options.accept(b);
        host = b.buildUnchecked();
        raw = new RawHost(lan, loop, RAW_MAC, "10.0.0.9");
        startup = sent();
    }

    RawV6Lan(String name) {
        this(name, b -> { });
    }

    long hostMac() {
        return host.primaryInterface().macBits();
    }

    Ipv6Service v6() {
        return host.service(Ipv6Service.class).orElseThrow();
    }

    long count(String group, String counter) {
        return host.statistics().get(group, counter);
    }

    /** Sends {@code packet} in a frame to the host's MAC. */
    void send(byte[] packet) {
        raw.sendFrame(Craft.ethernet(hostMac(), RAW_MAC, 0x86DD, packet));
    }

    /** Sends {@code packet} in a frame to the multicast MAC of {@code group}. */
    void sendTo(Ipv6Address group, byte[] packet) {
        raw.sendFrame(Craft.ethernet(Ipv6Addresses.multicastMac(group), RAW_MAC, 0x86DD, packet));
    }

    /** Makes the host learn the raw host's MAC (a solicitation with our link-layer address), and forgets the answer. */
    RawV6Lan introduce() {
        Ipv6Address group = Ipv6Addresses.solicitedNode(HOST);
        sendTo(group, V6.packet(RAW, group, 58, 255, V6.icmp(RAW, group, 135, 0, V6.ndBody(0, HOST, 1, RAW_MAC))));
        sent();
        return this;
    }

    /** An echo request from the raw host to {@code dst}, wrapped in whatever {@code wrap} puts before it. */
    byte[] echo(Ipv6Address src, Ipv6Address dst, int seq) {
        return V6.icmp(src, dst, 128, 0, V6.echoBody(0x77, seq, "ping".getBytes()));
    }

    /** Every IPv6 packet the host sent since the last call, after running the loop now. */
    List<Sent> sent() {
        loop.runUntilIdle();
        List<Sent> out = new ArrayList<>();
        for (byte[] f : raw.received()) {
            if (f.length > 14 && (f[12] & 0xFF) == 0x86 && (f[13] & 0xFF) == 0xDD) {
                long dst = ByteBuffer.wrap(f, 0, 8).getLong() >>> 16;
                out.add(new Sent(dst, Arrays.copyOfRange(f, 14, f.length)));
            }
        }
        return out;
    }

    /** The ICMPv6 messages among {@link #sent()}. */
    List<Sent> icmp() {
        return sent().stream().filter(s -> s.icmpType() >= 0).toList();
    }

    @Override
    public void close() {
        host.close();
        raw.close();
    }
}
