/**
 * The link layer: Ethernet II, ARP, the in-memory cable and loopback drivers, and driver
 * decorators (fault injection, a bottleneck link with CoDel, pcap capture).
 */
module dev.tsunagu.link {
    requires transitive dev.tsunagu.api;

    exports dev.tsunagu.link;
    exports dev.tsunagu.link.arp;
    exports dev.tsunagu.link.bottleneck;
    exports dev.tsunagu.link.cable;
    exports dev.tsunagu.link.capture;
    exports dev.tsunagu.link.ethernet;
    exports dev.tsunagu.link.fault;
    exports dev.tsunagu.link.iponly;
    exports dev.tsunagu.link.loopback;

    provides dev.tsunagu.stack.LayerProvider with
            dev.tsunagu.link.EthernetLayerProvider,
            dev.tsunagu.link.iponly.IpOnlyLayerProvider;
    provides dev.tsunagu.driver.LinkDriverProvider with
            dev.tsunagu.link.cable.CableDriverProvider,
            dev.tsunagu.link.loopback.LoopbackDriverProvider;
}
