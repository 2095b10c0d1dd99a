/** UDP sockets and the DNS stub resolver. */
module dev.tsunagu.udp {
    requires transitive dev.tsunagu.ip;

    exports dev.tsunagu.udp;
    exports dev.tsunagu.udp.dns;
    exports dev.tsunagu.udp.wire;

    provides dev.tsunagu.stack.LayerProvider with dev.tsunagu.udp.UdpLayerProvider;
}
