/**
 * The stack itself: {@link dev.tsunagu.stack.NetworkStack} and its builder, interfaces, and
 * the contracts between layers. A layer is made by a {@link dev.tsunagu.stack.LayerProvider}
 * found on the class or module path; it registers what it handles (the {@link
 * dev.tsunagu.stack.LinkLayer}, {@link dev.tsunagu.stack.NetworkProtocol}s by EtherType,
 * {@link dev.tsunagu.stack.TransportProtocol}s by IP protocol number, an {@link
 * dev.tsunagu.stack.IpService} and a {@link dev.tsunagu.stack.NeighborResolver} per address
 * family) and publishes services through the {@link dev.tsunagu.stack.StackContext}.
 *
 * <p>The contracts are address-family neutral: they carry {@link dev.tsunagu.net.IpAddress}es,
 * the network layer sums the transport pseudo-header ({@link
 * dev.tsunagu.stack.IpPacketInfo#pseudoHeaderSum}), and the link layer resolves a next hop
 * with its family's resolver, so a new family is a new network layer and its resolver, with
 * the transports unchanged.
 */
package dev.tsunagu.stack;
