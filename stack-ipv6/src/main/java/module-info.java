/** IPv6, ICMPv6, Neighbor Discovery, routing and fragmentation. */
module dev.tsunagu.ipv6 {
    requires transitive dev.tsunagu.api;
    requires dev.tsunagu.ip;

    exports dev.tsunagu.ipv6;
    exports dev.tsunagu.ipv6.fragment;
    exports dev.tsunagu.ipv6.nd;
    exports dev.tsunagu.ipv6.wire;

    provides dev.tsunagu.stack.LayerProvider with dev.tsunagu.ipv6.Ipv6LayerProvider;
}
