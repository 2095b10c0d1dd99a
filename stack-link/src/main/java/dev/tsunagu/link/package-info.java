/**
 * The link layer: {@link dev.tsunagu.link.EthernetLinkLayer} (Ethernet II framing and ARP),
 * registered through {@link dev.tsunagu.link.EthernetLayerProvider}. Sub-packages hold the
 * wire formats, the ARP cache, the in-memory cable and loopback drivers, and the driver
 * decorators (fault injection, capture).
 */
package dev.tsunagu.link;
