/**
 * ARP (RFC 826) for Ethernet and IPv4: the wire view and value
 * ({@link dev.tsunagu.link.arp.ArpPacket}, {@link dev.tsunagu.link.arp.ArpRepr}), the
 * neighbour cache with its timers and bounded queues ({@link
 * dev.tsunagu.link.arp.NeighborCache}), and its settings ({@link
 * dev.tsunagu.link.arp.ArpOptions}). The protocol logic that answers requests lives in
 * {@link dev.tsunagu.link.EthernetLinkLayer}.
 */
package dev.tsunagu.link.arp;
