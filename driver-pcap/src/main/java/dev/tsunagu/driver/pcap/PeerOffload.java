package dev.tsunagu.driver.pcap;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;

/**
 * Recognises a frame that a sender with transmit checksum offload handed on unfinished: a
 * TCP segment over IPv4 whose checksum field holds only the folded pseudo-header sum (what
 * Linux leaves for the device in a {@code CHECKSUM_PARTIAL} packet). A finished checksum equals
 * that value by chance once in 65536 segments, so the test only ever feeds a warning and a
 * counter; the segment still goes to TCP, which verifies it. Costs a few additions per frame.
 */
final class PeerOffload {
    private static final int ETHERNET = 14;
    private static final int IPV4 = 0x0800;
    private static final int TCP = 6;

    private PeerOffload() {}

    static boolean unfinishedTcpChecksum(PacketBuffer frame) {
        int len = frame.length();
        if (len < ETHERNET + 40 || frame.getU16(12) != IPV4) {
            return false;
        }
        int vihl = frame.getU8(ETHERNET);
        int ihl = (vihl & 0x0F) * 4;
        if (vihl >>> 4 != 4 || ihl < 20 || frame.getU8(ETHERNET + 9) != TCP) {
            return false;
        }
        int total = frame.getU16(ETHERNET + 2);
        int tcpLength = total - ihl;
        if (tcpLength < 20 || ETHERNET + ihl + 18 > len || (frame.getU16(ETHERNET + 6) & 0x3FFF) != 0) {
            return false; // too short, or a fragment
        }
        long pseudo = InternetChecksum.pseudoHeader(frame.getI32(ETHERNET + 12), frame.getI32(ETHERNET + 16), TCP,
                tcpLength);
        return frame.getU16(ETHERNET + ihl + 16) == InternetChecksum.partial(pseudo);
    }
}
