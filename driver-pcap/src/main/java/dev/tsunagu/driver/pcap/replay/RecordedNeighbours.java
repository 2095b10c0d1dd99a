package dev.tsunagu.driver.pcap.replay;

import java.util.HashMap;
import java.util.Map;

/**
 * The hosts a capture shows (IPv4 address → MAC, from the frames they sent), so that the
 * replay can answer the stack's ARP requests for them. A recording rarely holds the ARP
 * exchange the stack needs: the recorded host already knew its peer, while the stack starts
 * with an empty cache and, following RFC 826, learns nothing from an IP packet. Without an
 * answer the stack's SYN+ACK would wait for a reply that never comes.
 */
final class RecordedNeighbours {
    private static final int ARP = 0x0806;
    private static final int IPV4 = 0x0800;

    private final Map<Integer, Long> macs = new HashMap<>();
    private final int max;

    RecordedNeighbours(int max) {
        this.max = max;
    }

    /** Learns the sender of a recorded frame that the recorded host did not send. */
    void learn(byte[] f) {
        if (f.length < 14 + 20 || macs.size() >= max) {
            return;
        }
        long src = mac(f, 6);
        if ((src & 0x0100_0000_0000L) != 0) {
            return; // a multicast source is nonsense
        }
        int type = TcpAckRewriter.u16(f, 12);
        int ip;
        if (type == IPV4 && (f[14] & 0xF0) == 0x40) {
            ip = TcpAckRewriter.i32(f, 14 + 12);
        } else if (type == ARP && f.length >= 42) {
            ip = TcpAckRewriter.i32(f, 28);
        } else {
            return;
        }
        if (ip != 0) {
            macs.putIfAbsent(ip, src);
        }
    }

    int size() {
        return macs.size();
    }

    /**
     * If {@code f} is an ARP request for a recorded host, the reply that host would send (a
     * minimum-size frame); otherwise null.
     */
    byte[] answer(byte[] f, int off, int len) {
        if (len < 42 || TcpAckRewriter.u16(f, off + 12) != ARP || TcpAckRewriter.u16(f, off + 14) != 1
                || TcpAckRewriter.u16(f, off + 16) != IPV4 || f[off + 18] != 6 || f[off + 19] != 4
                || TcpAckRewriter.u16(f, off + 20) != 1) {
            return null;
        }
        int target = TcpAckRewriter.i32(f, off + 38);
        Long mac = macs.get(target);
        if (mac == null) {
            return null;
        }
        byte[] r = new byte[60];
        System.arraycopy(f, off + 22, r, 0, 6);      // to the asker
        putMac(r, 6, mac);
        r[12] = 0x08;
        r[13] = 0x06;
        System.arraycopy(f, off + 14, r, 14, 6);     // htype, ptype, hlen, plen as asked
        r[21] = 2;                                   // reply
        putMac(r, 22, mac);                          // sender: the recorded host
        System.arraycopy(f, off + 38, r, 28, 4);
        System.arraycopy(f, off + 22, r, 32, 10);    // target: the asker's MAC and address
        return r;
    }

    private static long mac(byte[] f, int i) {
        long m = 0;
        for (int k = 0; k < 6; k++) {
            m = m << 8 | (f[i + k] & 0xFF);
        }
        return m;
    }

    private static void putMac(byte[] f, int i, long mac) {
        for (int k = 0; k < 6; k++) {
            f[i + k] = (byte) (mac >>> (40 - 8 * k));
        }
    }
}
