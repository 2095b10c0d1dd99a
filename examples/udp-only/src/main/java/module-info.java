/**
 * An application that uses UDP, ICMP and IPv4 without TCP: it requires {@code dev.tsunagu.udp}
 * and the link layer, and nothing brings {@code dev.tsunagu.tcp} onto its module path.
 */
module dev.tsunagu.examples.udponly {
    requires dev.tsunagu.ip; // ping (PingService)
    requires dev.tsunagu.udp;
    requires dev.tsunagu.link; // Ethernet, ARP and the cable: found by ServiceLoader, so required to be resolved
}
