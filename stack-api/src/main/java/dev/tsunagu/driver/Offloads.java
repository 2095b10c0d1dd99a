package dev.tsunagu.driver;

/**
 * The work a device takes off the stack, announced in {@link DriverCapabilities#offloads()} so
 * that each layer decides for itself: TCP sends one large segment where the device cuts it, the
 * transports leave checksums for the device to finish, and receivers take segments longer than
 * the MSS. A Linux TAP opened with {@code IFF_VNET_HDR} offers these when the kernel accepts
 * {@code TUNSETOFFLOAD}; most drivers offer {@link #NONE}.
 *
 * @param transmitChecksum the device finishes TCP and UDP checksums left partial
 *        ({@link dev.tsunagu.buffer.PacketBuffer#setChecksumPartial}): the packet holds the
 *        pseudo-header sum and the device adds the rest
 * @param tcpSegmentation4 the device cuts large TCP segments over IPv4 (TSO4) into ones of
 *        {@link dev.tsunagu.buffer.PacketBuffer#segmentSize() segmentSize} payload bytes
 * @param tcpSegmentation6 the same over IPv6 (TSO6)
 * @param udpSegmentation the device cuts large UDP datagrams (USO); announced, unused by UDP yet
 * @param maxSegmentationSize the largest network-layer packet handed to the device for
 *        segmentation (65535 on a TAP), 0 when it segments nothing
 * @param largeReceive the device may deliver packets longer than the MTU: segments it
 *        coalesced (GRO) or the local kernel's own large segments
 */
public record Offloads(boolean transmitChecksum, boolean tcpSegmentation4, boolean tcpSegmentation6,
                       boolean udpSegmentation, int maxSegmentationSize, boolean largeReceive) {
    /** No offloads: every frame within the MTU, every checksum complete. */
    public static final Offloads NONE = new Offloads(false, false, false, false, 0, false);

    /**
     * Checks that segmentation comes with checksum offload (a device that cuts a segment must
     * sum each piece) and a size.
     *
     * @throws IllegalArgumentException if segmentation is offered without checksum offload or a
     *         maximum size within 1..65535
     */
    public Offloads {
        boolean segments = tcpSegmentation4 || tcpSegmentation6 || udpSegmentation;
        if (segments && !transmitChecksum) {
            throw new IllegalArgumentException("segmentation offload needs transmit checksum offload");
        }
        if (segments ? maxSegmentationSize <= 0 || maxSegmentationSize > 0xFFFF : maxSegmentationSize != 0) {
            throw new IllegalArgumentException("maximum segmentation size " + maxSegmentationSize
                    + (segments ? " must be 1..65535" : " without segmentation must be 0"));
        }
    }

    /** Whether the device cuts TCP segments of this IP version (4 or 6). */
    public boolean tcpSegmentation(int ipVersion) {
        return ipVersion == 4 ? tcpSegmentation4 : ipVersion == 6 && tcpSegmentation6;
    }

    /** Whether anything is offered at all. */
    public boolean any() {
        return transmitChecksum || largeReceive;
    }

    /** {@code csum,tso4,tso6,uso,lro,max=65535} or {@code none}: for logs and {@code tsunagu plugins}. */
    @Override
    public String toString() {
        if (!any()) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        if (transmitChecksum) {
            s.append("csum,");
        }
        if (tcpSegmentation4) {
            s.append("tso4,");
        }
        if (tcpSegmentation6) {
            s.append("tso6,");
        }
        if (udpSegmentation) {
            s.append("uso,");
        }
        if (largeReceive) {
            s.append("lro,");
        }
        if (maxSegmentationSize > 0) {
            s.append("max=").append(maxSegmentationSize).append(',');
        }
        return s.substring(0, s.length() - 1);
    }
}
