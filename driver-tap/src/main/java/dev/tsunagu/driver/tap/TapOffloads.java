package dev.tsunagu.driver.tap;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.Offloads;
import dev.tsunagu.driver.tap.internal.Tun;
import dev.tsunagu.driver.tap.internal.VirtioNetHeader;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offloads of a TAP opened with {@code IFF_VNET_HDR} (issue #15): which {@code TUNSETOFFLOAD}
 * sets to offer the kernel, the most first ({@link #negotiate}), what the set it took means for the
 * stack ({@link #offloads}), and the virtio-net header that goes in front of each transmitted
 * frame, saying how the kernel is to finish its checksum and cut it ({@link #writeHeader}). The
 * header's layout and the checks on received ones are {@link VirtioNetHeader}'s; reading and
 * writing the device are {@link TapDriver}'s. Logs under {@code TapDriver}'s name.
 */
final class TapOffloads {
    private static final Logger log = LoggerFactory.getLogger(TapDriver.class);

    /** The largest IP packet handed to the kernel to segment: the most an IPv4 length field says. */
    static final int MAX_SEGMENTATION = 0xFFFF;
    /** Offload sets offered in turn until the kernel takes one (older kernels know fewer flags). */
    // Not UDP segmentation (TUN_F_USO4/6): the kernel would then hand the stack several UDP
    // datagrams glued under one header, which the UDP layer takes for one; it sends none either.
    private static final int[] OFFLOAD_OFFERS = {
        Tun.TUN_F_CSUM | Tun.TUN_F_TSO4 | Tun.TUN_F_TSO6,
        Tun.TUN_F_CSUM | Tun.TUN_F_TSO4,
        Tun.TUN_F_CSUM,
    };

    private TapOffloads() {}

    /** Offers the kernel offload sets, the most first, until it takes one; what it took. */
    static Offloads negotiate(int fd, String name) {
        int refused = 0;
        for (int flags : OFFLOAD_OFFERS) {
            int errno = Tun.setOffload(fd, flags);
            if (errno == 0) {
                if (refused != 0) {
                    log.debug("TAP {}: the kernel refused offload flags 0x{}; took 0x{}", name,
                            Integer.toHexString(refused), Integer.toHexString(flags));
                }
                return offloads(flags);
            }
            refused = flags;
        }
        log.info("TAP {}: the kernel refused every offload (TUNSETOFFLOAD); frames go with plain checksums", name);
        Tun.setOffload(fd, 0);
        return Offloads.NONE;
    }

    /** What {@code TUNSETOFFLOAD} flags the kernel accepted mean for the stack. */
    static Offloads offloads(int flags) {
        boolean csum = (flags & Tun.TUN_F_CSUM) != 0;
        boolean tso4 = csum && (flags & Tun.TUN_F_TSO4) != 0;
        boolean tso6 = csum && (flags & Tun.TUN_F_TSO6) != 0;
        boolean uso = csum && (flags & (Tun.TUN_F_USO4 | Tun.TUN_F_USO6)) == (Tun.TUN_F_USO4 | Tun.TUN_F_USO6);
        boolean segments = tso4 || tso6 || uso;
        // The kernel hands us large segments of the kinds we took, so large receive comes with them.
        return new Offloads(csum, tso4, tso6, uso, segments ? MAX_SEGMENTATION : 0, segments);
    }

    /**
     * Writes at {@code into} the virtio-net header for {@code frame}: its partial checksum and its
     * segmentation, if any (an Ethernet frame: the EtherType says TCP over IPv4 or IPv6).
     */
    static void writeHeader(PacketBuffer frame, MemorySegment into) {
        if (!frame.checksumPartial()) {
            VirtioNetHeader.writeNone(into);
            return;
        }
        int csumStart = frame.checksumStart();
        int gsoType = VirtioNetHeader.GSO_NONE;
        int gsoSize = frame.segmentSize();
        int headerLength = 0;
        if (gsoSize > 0) {
            int etherType = frame.getU16(12);
            gsoType = etherType == 0x86DD ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4;
            headerLength = csumStart + ((frame.getU8(csumStart + 12) >>> 4) << 2); // through the TCP header
        }
        VirtioNetHeader.write(into, VirtioNetHeader.F_NEEDS_CSUM, gsoType, headerLength, gsoSize, csumStart,
                frame.checksumFieldOffset());
    }
}
