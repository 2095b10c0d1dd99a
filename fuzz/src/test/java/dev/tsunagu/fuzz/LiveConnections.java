package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import dev.tsunagu.testkit.tcp.TcpPeer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A stack that holds live connections, the receive-path targets' host under fuzz: an active
 * and a passive ESTABLISHED connection, CLOSE-WAIT, FIN-WAIT-2, SYN-RECEIVED, TIME-WAIT and a
 * listener, each with its own peer ({@link TcpPeer}) on one cable and one virtual clock, and a
 * third host ({@link #fuzzer}) that sends what the fuzzer makes. The builders here aim its
 * packets at the live connections: TCP segments to their ports, ICMP errors quoting them; and
 * keep it from speaking as a peer (a segment in a connection's window from its own peer is
 * that connection's data, not an attack).
 */
final class LiveConnections implements AutoCloseable {
    static final int FUZZ_IP = Craft.ip("10.0.0.50");
    static final long FUZZ_MAC = 0x02_00_00_00_00_50L;
    static final int STACK_IP = Craft.ip(TcpPeer.STACK_ADDRESS);

    final TcpPeer active;
    final TcpPeer passive;
    final List<TcpPeer> peers;
    final RawHost fuzzer;
    final StackInvariants invariants;
    final long hostMac;

    /** The connections on a cable of MTU 1500, with offloads ({@link dev.tsunagu.link.cable.Cable#OFFLOADS}) if asked. */
    LiveConnections(boolean offloads) throws IOException {
        active = TcpPeer.start(1500, offloads, h -> h);
        active.established();
        passive = active.another("10.0.0.10");
        passive.establishedPassive();
        TcpPeer closeWait = active.another("10.0.0.11");
        closeWait.closeWait();
        TcpPeer finWait2 = active.another("10.0.0.12");
        finWait2.finWait2();
        TcpPeer synReceived = passive.another("10.0.0.13");
        synReceived.synReceived();
        TcpPeer timeWait = active.another("10.0.0.14");
        timeWait.timeWait();
        peers = List.of(active, passive, closeWait, finWait2, synReceived, timeWait);
        fuzzer = new RawHost(active.cable, active.loop, FUZZ_MAC, "10.0.0.50").introduceTo(active.stack);
        invariants = new StackInvariants(active.stack, active.loop, 300);
        hostMac = active.stack.primaryInterface().macBits();
    }

    /** An IPv4 packet claiming a peer's address as its source gets the fuzzing host's instead (header checksum kept right). */
    byte[] notFromPeers(byte[] ipv4) {
        if (ipv4.length < 20) {
            return ipv4;
        }
        int src = ByteBuffer.wrap(ipv4, 12, 4).getInt();
        for (TcpPeer p : peers) {
            if (src == Craft.ip(p.address)) {
                byte[] fixed = ipv4.clone();
                ByteBuffer.wrap(fixed, 12, 4).putInt(FUZZ_IP);
                // Keep the header checksum right if it was: adjust it by the address's change (RFC 1624).
                int hl = Math.min((fixed[0] & 0x0F) * 4, fixed.length);
                int before = InternetChecksum.compute(ipv4, 0, hl);
                fixed[10] = 0;
                fixed[11] = 0;
                int c = InternetChecksum.compute(fixed, 0, hl);
                if (before != 0) {
                    c ^= 0x0001; // it was wrong before: keep it wrong
                }
                fixed[10] = (byte) (c >>> 8);
                fixed[11] = (byte) c;
                return fixed;
            }
        }
        return ipv4;
    }

    /** As {@link #notFromPeers(byte[])} for the IPv4 packet in an Ethernet frame; other frames as they are. */
    byte[] frameNotFromPeers(byte[] frame) {
        if (frame.length < 34 || (frame[12] & 0xFF) != 0x08 || frame[13] != 0x00) {
            return frame;
        }
        byte[] ip = notFromPeers(java.util.Arrays.copyOfRange(frame, 14, frame.length));
        if (ip.length == frame.length - 14 && java.util.Arrays.equals(ip, 0, ip.length, frame, 14, frame.length)) {
            return frame;
        }
        byte[] fixed = frame.clone();
        System.arraycopy(ip, 0, fixed, 14, ip.length);
        return fixed;
    }

    /**
     * A TCP segment from the fuzzing host to a live connection's port, the listener or anywhere,
     * with up to {@code maxPayload} bytes; its checksum right if {@code rightChecksum}, else as
     * the fuzzer wrote it (for a frame whose checksum is trusted).
     */
    static byte[] tcp(FuzzedDataProvider data, List<TcpPeer> peers, int maxPayload, boolean rightChecksum) {
        TcpPeer target = data.pickValue(peers);
        int srcPort = data.consumeBoolean() ? target.port : data.consumeInt(0, 0xFFFF);
        int dstPort = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 0xFFFF) : target.stackPort;
        int seq = data.consumeBoolean() ? target.sndNxt + data.consumeInt(-1000, 1000) : data.consumeInt();
        int ack = data.consumeBoolean() ? target.rcvNxt + data.consumeInt(-1000, 1000) : data.consumeInt();
        byte[] options = data.consumeBytes(data.consumeInt(0, 40));
        int optLen = (options.length + 3) & ~3;
        int flags = data.pickValue(new int[] {0x02, 0x10, 0x04, 0x12, 0x11, 0x14, data.consumeInt(0, 0xFFF)});
        int length = data.consumeInt(0, maxPayload);
        byte[] payload = data.consumeBytes(length);
        int window = data.consumeInt(0, 0xFFFF);
        int checksum = 0;
        if (!rightChecksum) {
            checksum = data.consumeInt(0, 0xFFFF);
            // A long segment even from a short input: its length is what matters, not its bytes.
            payload = java.util.Arrays.copyOf(payload, length);
        }
        ByteBuffer b = ByteBuffer.allocate(20 + optLen + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(seq).putInt(ack);
        b.putShort((short) (((5 + optLen / 4) << 12) | flags)).putShort((short) window);
        b.putShort((short) checksum).putShort((short) 0).put(options).position(20 + optLen).put(payload);
        return rightChecksum ? FuzzLan.fixTransportChecksum(6, FuzzLan.bytes(FUZZ_IP), FuzzLan.bytes(STACK_IP), b.array())
                : b.array();
    }

    /** An ICMP error quoting a segment of a live connection (the stack's side of it), with fuzzed type, code and MTU. */
    static byte[] icmpError(FuzzedDataProvider data, List<TcpPeer> peers) {
        TcpPeer target = data.pickValue(peers);
        ByteBuffer tcp = ByteBuffer.allocate(8);
        tcp.putShort((short) target.stackPort).putShort((short) target.port);
        tcp.putInt(data.consumeBoolean() ? target.rcvNxt + data.consumeInt(-1000, 1000) : data.consumeInt());
        byte[] quoted = Craft.ipv4(STACK_IP, Craft.ip(target.address), 6, tcp.array());
        int type = data.pickValue(new int[] {3, 11, 12, 4, 5});
        int rest = data.consumeBoolean() ? data.consumeInt(0, 1500) : data.consumeInt();
        return Craft.icmp(type, data.consumeInt(0, 15), rest, quoted);
    }

    @Override
    public void close() {
        fuzzer.close();
        for (TcpPeer p : peers.subList(1, peers.size())) {
            p.close();
        }
        active.close();
    }
}
