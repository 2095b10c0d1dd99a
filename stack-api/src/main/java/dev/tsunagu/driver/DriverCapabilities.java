package dev.tsunagu.driver;

import dev.tsunagu.net.MacAddress;

/**
 * What a driver offers the stack.
 *
 * @param mtu the largest network-layer packet a frame carries (1500 on Ethernet)
 * @param linkHeaderLength bytes of link header in each frame (14 for Ethernet II); 0 on an
 *        IP-only medium (a TUN device), whose frames are bare IPv4 or IPv6 packets
 * @param needsAddressResolution whether next hops must be resolved to link addresses (ARP);
 *        false on loopback, which, like Linux's {@code lo}, carries frames with zero MACs, and
 *        on an IP-only medium, which has no link addresses at all
 * @param hardwareAddress the medium's own address if it insists on one, or null to let the
 *        stack choose (the stack's MAC is its own, not the kernel's TAP MAC)
 * @param offloads the work the device takes off the stack (checksums, segmentation, large
 *        receive); {@link Offloads#NONE} for most
 */
public record DriverCapabilities(int mtu, int linkHeaderLength, boolean needsAddressResolution, MacAddress hardwareAddress,
                                 Offloads offloads) {
    /** Bytes of an Ethernet II header: two MAC addresses and the EtherType. */
    public static final int ETHERNET_HEADER = 14;
    /** The smallest MTU accepted: RFC 791 says every host must take 68-byte datagrams. */
    public static final int MIN_MTU = 68;      // RFC 791: every host must accept 68-byte datagrams
    /** The largest MTU accepted: the largest IPv4 datagram. */
    public static final int MAX_MTU = 65535;   // the largest IPv4 datagram

    /**
     * Checks the MTU.
     *
     * @throws IllegalArgumentException if {@code mtu} is outside {@link #MIN_MTU}..{@link #MAX_MTU}
     */
    public DriverCapabilities {
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU must be " + MIN_MTU + ".." + MAX_MTU + ": " + mtu);
        }
        java.util.Objects.requireNonNull(offloads, "offloads");
    }

    /** Capabilities without offloads. */
    public DriverCapabilities(int mtu, int linkHeaderLength, boolean needsAddressResolution, MacAddress hardwareAddress) {
        this(mtu, linkHeaderLength, needsAddressResolution, hardwareAddress, Offloads.NONE);
    }

    /** An Ethernet medium with the given MTU. */
    public static DriverCapabilities ethernet(int mtu) {
        return new DriverCapabilities(mtu, ETHERNET_HEADER, true, null);
    }

    /**
     * An IP-only medium with the given MTU: frames are IPv4 or IPv6 packets with no link header,
     * told apart by their version field, and nothing is resolved (a Linux TUN device, a
     * point-to-point link). The stack gives its interface the link layer that
     * {@linkplain dev.tsunagu.stack.LinkLayer#carries carries} such media.
     */
    public static DriverCapabilities ipOnly(int mtu) {
        return new DriverCapabilities(mtu, 0, false, null);
    }

    /** Whether frames are bare IP packets: no link header (see {@link #ipOnly}). */
    public boolean isIpOnly() {
        return linkHeaderLength == 0;
    }

    /** The largest frame this driver carries: MTU plus link header. */
    public int maxFrameLength() {
        return mtu + linkHeaderLength;
    }

    /**
     * The largest frame the driver takes when it is {@linkplain dev.tsunagu.buffer.PacketBuffer#segmentSize()
     * to be segmented} or was coalesced: the segmentation maximum plus link header, or
     * {@link #maxFrameLength()} without segmentation offload.
     */
    public int maxLargeFrameLength() {
        return Math.max(maxFrameLength(), offloads.maxSegmentationSize() + linkHeaderLength);
    }

    /** The same capabilities with other offloads. */
    public DriverCapabilities withOffloads(Offloads newOffloads) {
        return new DriverCapabilities(mtu, linkHeaderLength, needsAddressResolution, hardwareAddress, newOffloads);
    }

    /** The same capabilities with another MTU (a spec's {@code mtu=} parameter, a device's own MTU). */
    public DriverCapabilities withMtu(int newMtu) {
        return new DriverCapabilities(newMtu, linkHeaderLength, needsAddressResolution, hardwareAddress, offloads);
    }
}
