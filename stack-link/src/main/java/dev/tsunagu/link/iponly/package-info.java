/**
 * The link layer of IP-only media (a TUN device): bare IP packets, no link header, nothing
 * resolved; chosen per interface by the driver's capabilities.
 */
package dev.tsunagu.link.iponly;
