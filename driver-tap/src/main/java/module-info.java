/** The Linux TAP and TUN link drivers ({@code tap:NAME}, {@code tun:NAME}, {@code tun:fd=N}), through the FFM API. */
module dev.tsunagu.driver.tap {
    requires transitive dev.tsunagu.api;
    requires dev.tsunagu.driver.nativeio; // libc, poll, eventfd: shared with the pcap driver

    exports dev.tsunagu.driver.tap;

    provides dev.tsunagu.driver.LinkDriverProvider with
            dev.tsunagu.driver.tap.TapDriverProvider,
            dev.tsunagu.driver.tap.TunDriverProvider;
}
