package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.arp.ArpRepr;
import dev.tsunagu.link.ethernet.EthernetRepr;
import dev.tsunagu.testkit.Craft;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Ethernet II and ARP (RFC 826): whole frames of any bytes, frames to the host with any
 * EtherType, ARP packets of any bytes and ARP requests and replies built from fuzzed fields
 * (senders, targets, our own address), with time passing between them so that entries age and
 * requests are retried. Each frame is also parsed as a value ({@link EthernetRepr},
 * {@link ArpRepr}), and what parses must write back as the same fields.
 */
class EthernetArpFuzzTest {
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    @FuzzTest
    void frames(FuzzedDataProvider data) {
        try (FuzzLan lan = new FuzzLan()) {
            for (int i = 0; i < 32 && data.remainingBytes() > 0; i++) {
                switch (data.consumeInt(0, 4)) {
                    case 0 -> send(lan, data.consumeBytes(data.consumeInt(0, 1600)));
                    case 1 -> send(lan, Craft.ethernet(dst(lan, data), src(data), data.consumeInt(0, 0xFFFF),
                            data.consumeBytes(data.consumeInt(0, 100))));
                    case 2 -> send(lan, Craft.ethernet(dst(lan, data), src(data), 0x0806,
                            data.consumeBytes(data.consumeInt(0, 64))));
                    case 3 -> send(lan, Craft.ethernet(dst(lan, data), src(data), 0x0806, arp(data)));
                    default -> lan.advance(Duration.ofSeconds(data.consumeInt(0, 120)));
                }
            }
            lan.advance(Duration.ofMinutes(5));
            lan.checkQuiescent();
        }
    }

    private static void send(FuzzLan lan, byte[] frame) {
        parseAsValues(frame);
        lan.frame(frame);
    }

    /** The value parsers never throw, and what they accept emits as itself. */
    private static void parseAsValues(byte[] frame) {
        PacketBuffer b = PacketBuffer.copyOf(frame, 64);
        EthernetRepr eth = EthernetRepr.parse(b);
        if (eth == null) {
            return;
        }
        b.consume(eth.bufferLength());
        if (ArpRepr.parse(b) instanceof ArpRepr.Parsed p) {
            PacketBuffer out = PacketBuffer.allocate(64, 16);
            p.repr().emit(out);
            if (!(ArpRepr.parse(out) instanceof ArpRepr.Parsed again) || !again.repr().equals(p.repr())) {
                throw new AssertionError("ARP " + p.repr() + " does not survive emit and parse");
            }
        }
        PacketBuffer out = PacketBuffer.allocate(64, 16);
        eth.emit(out);
        if (!eth.equals(EthernetRepr.parse(out))) {
            throw new AssertionError("Ethernet header " + eth + " does not survive emit and parse");
        }
    }

    private static long dst(FuzzLan lan, FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> lan.hostMac;
            case 1 -> BROADCAST;
            case 2 -> 0x3333_0000_0001L;
            default -> data.consumeLong() & BROADCAST;
        };
    }

    private static long src(FuzzedDataProvider data) {
        return data.consumeBoolean() ? FuzzLan.RAW_MAC : data.consumeLong() & BROADCAST;
    }

    /** An Ethernet/IPv4 ARP packet with fuzzed operation, addresses, and sometimes ours among them. */
    private static byte[] arp(FuzzedDataProvider data) {
        int op = data.pickValue(new int[] {1, 2, data.consumeInt(0, 0xFFFF)});
        long sha = data.consumeBoolean() ? FuzzLan.RAW_MAC + data.consumeInt(0, 3) : data.consumeLong() & BROADCAST;
        int spa = data.consumeBoolean() ? FuzzLan.RAW + data.consumeInt(-2, 300) : data.consumeInt();
        long tha = data.consumeLong() & BROADCAST;
        int tpa = data.consumeBoolean() ? FuzzLan.HOST : data.consumeInt();
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        b.putShort((short) (sha >>> 32)).putInt((int) sha).putInt(spa);
        b.putShort((short) (tha >>> 32)).putInt((int) tha).putInt(tpa);
        return b.array();
    }
}
