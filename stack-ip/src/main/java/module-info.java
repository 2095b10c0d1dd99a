/** IPv4, ICMP, routing, forwarding and fragmentation. */
module dev.tsunagu.ip {
    requires transitive dev.tsunagu.api;

    exports dev.tsunagu.ip;
    exports dev.tsunagu.ip.fragment;
    exports dev.tsunagu.ip.icmp;
    exports dev.tsunagu.ip.wire;

    provides dev.tsunagu.stack.LayerProvider with dev.tsunagu.ip.Ipv4LayerProvider;
}
