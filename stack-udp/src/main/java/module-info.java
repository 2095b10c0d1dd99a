/** UDP sockets and the DNS stub resolver. */
module dev.tsunagu.udp {
    requires transitive dev.tsunagu.api; // UDP speaks to IP only through stack-api's IpService: no IPv4 type at compile time

    exports dev.tsunagu.udp;
    exports dev.tsunagu.udp.dns;
    exports dev.tsunagu.udp.wire;

    provides dev.tsunagu.stack.LayerProvider with dev.tsunagu.udp.UdpLayerProvider;
}
