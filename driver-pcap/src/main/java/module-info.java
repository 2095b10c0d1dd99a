/**
 * Link drivers through libpcap: a live Ethernet interface ({@code pcap:IFACE}, FFM) and the
 * offline replay of a capture file ({@code pcap-file:PATH}).
 */
module dev.tsunagu.driver.pcap {
    requires transitive dev.tsunagu.api;
    requires dev.tsunagu.link; // the pcap/pcapng reader and writer, for replay
    requires dev.tsunagu.driver.nativeio; // libc, poll, eventfd: shared with the TAP driver

    exports dev.tsunagu.driver.pcap;
    exports dev.tsunagu.driver.pcap.replay;

    provides dev.tsunagu.driver.LinkDriverProvider with
            dev.tsunagu.driver.pcap.PcapDriverProvider,
            dev.tsunagu.driver.pcap.replay.PcapFileDriverProvider;
}
