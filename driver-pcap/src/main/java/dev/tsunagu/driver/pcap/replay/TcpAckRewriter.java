package dev.tsunagu.driver.pcap.replay;

import dev.tsunagu.net.InternetChecksum;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps a replayed TCP conversation going when the stack picks a different initial sequence
 * number than the recorded host did (it always does: RFC 6528 ISNs are keyed and
 * clock-driven).
 *
 * <p>The recorded peer acknowledges the recorded host's sequence numbers. Per connection this
 * learns the recorded host's ISN (from its SYN or SYN+ACK in the file) and the stack's (from
 * the SYN or SYN+ACK the stack sends), and adds the difference to the acknowledgment number
 * of every later frame from the peer, fixing the TCP checksum incrementally (RFC 1624). With
 * that, a recorded client's ACK of the SYN+ACK, its request and its ACKs of the response are
 * all acceptable to the stack, as long as the stack sends the same number of bytes as the
 * recorded host did. Where it sends fewer, the peer's ACKs acknowledge data never sent and
 * the stack discards them (RFC 9293 3.10.7.4): the replay then checks the stack's answers only
 * up to that point. SACK blocks and timestamps are left as recorded.
 *
 * <p>A connection is keyed by (peer address, peer port, our port). Only IPv4 without VLAN
 * tags is looked at; other frames pass untouched. Loop thread only.
 */
final class TcpAckRewriter {
    private static final int ETHERNET_HEADER = 14;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;

    private static final class Flow {
        int recordedIsn;
        int stackIsn;
        boolean haveRecorded;
        boolean haveStack;
    }

    private final Map<Long, Flow> flows = new HashMap<>();
    private final int maxFlows;
    private long rewritten;

    TcpAckRewriter(int maxFlows) {
        this.maxFlows = maxFlows;
    }

    /** Frames whose acknowledgment number was changed so far. */
    long rewritten() {
        return rewritten;
    }

    /** A frame the recorded host sent (read from the file, not fed to the stack). */
    void recordedFromUs(byte[] f, int off, int len) {
        int tcp = tcpOffset(f, off, len);
        if (tcp >= 0 && (f[tcp + 13] & SYN) != 0) {
            Flow flow = flow(key(ip(f, off + ETHERNET_HEADER + 16), u16(f, tcp + 2), u16(f, tcp)), true);
            if (flow != null) {
                flow.recordedIsn = i32(f, tcp + 4);
                flow.haveRecorded = true;
            }
        }
    }

    /** A frame the stack sent. */
    void sentByStack(byte[] f, int off, int len) {
        int tcp = tcpOffset(f, off, len);
        if (tcp >= 0 && (f[tcp + 13] & SYN) != 0) {
            Flow flow = flow(key(ip(f, off + ETHERNET_HEADER + 16), u16(f, tcp + 2), u16(f, tcp)), true);
            if (flow != null) {
                flow.stackIsn = i32(f, tcp + 4);
                flow.haveStack = true;
            }
        }
    }

    /** A recorded frame from the peer, about to be fed to the stack: its ACK is shifted if the flow is known. */
    void towardStack(byte[] f, int off, int len) {
        int tcp = tcpOffset(f, off, len);
        if (tcp < 0 || (f[tcp + 13] & ACK) == 0) {
            return;
        }
        Flow flow = flow(key(ip(f, off + ETHERNET_HEADER + 12), u16(f, tcp), u16(f, tcp + 2)), false);
        if (flow == null || !flow.haveRecorded || !flow.haveStack || flow.stackIsn == flow.recordedIsn) {
            return;
        }
        int old = i32(f, tcp + 8);
        int now = old + (flow.stackIsn - flow.recordedIsn);
        int checksum = u16(f, tcp + 16);
        checksum = InternetChecksum.update(checksum, old >>> 16, now >>> 16);
        checksum = InternetChecksum.update(checksum, old & 0xFFFF, now & 0xFFFF);
        put32(f, tcp + 8, now);
        f[tcp + 16] = (byte) (checksum >>> 8);
        f[tcp + 17] = (byte) checksum;
        rewritten++;
    }

    private Flow flow(long key, boolean create) {
        Flow flow = flows.get(key);
        if (flow == null && create && flows.size() < maxFlows) {
            flow = new Flow();
            flows.put(key, flow);
        }
        return flow;
    }

    private static long key(int peerIp, int peerPort, int ourPort) {
        return (peerIp & 0xFFFF_FFFFL) << 32 | (long) peerPort << 16 | ourPort;
    }

    /** Where the TCP header starts in an untagged Ethernet/IPv4/TCP frame (first fragment), or -1. */
    static int tcpOffset(byte[] f, int off, int len) {
        if (len < ETHERNET_HEADER + 20 || u16(f, off + 12) != 0x0800) {
            return -1;
        }
        int ip = off + ETHERNET_HEADER;
        int ihl = (f[ip] & 0x0F) * 4;
        if ((f[ip] & 0xF0) != 0x40 || ihl < 20 || (f[ip + 9] & 0xFF) != 6 || (u16(f, ip + 6) & 0x1FFF) != 0) {
            return -1;
        }
        int tcp = ip + ihl;
        return tcp + 20 <= off + len ? tcp : -1;
    }

    static int u16(byte[] f, int i) {
        return (f[i] & 0xFF) << 8 | (f[i + 1] & 0xFF);
    }

    static int i32(byte[] f, int i) {
        return (f[i] & 0xFF) << 24 | (f[i + 1] & 0xFF) << 16 | (f[i + 2] & 0xFF) << 8 | (f[i + 3] & 0xFF);
    }

    static int ip(byte[] f, int i) {
        return i32(f, i);
    }

    private static void put32(byte[] f, int i, int v) {
        f[i] = (byte) (v >>> 24);
        f[i + 1] = (byte) (v >>> 16);
        f[i + 2] = (byte) (v >>> 8);
        f[i + 3] = (byte) v;
    }
}
