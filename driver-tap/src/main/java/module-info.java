/** The Linux TAP link driver ({@code tap:NAME}), through the FFM API. */
module dev.tsunagu.driver.tap {
    requires transitive dev.tsunagu.api;
    requires dev.tsunagu.driver.nativeio; // libc, poll, eventfd: shared with the pcap driver

    exports dev.tsunagu.driver.tap;

    provides dev.tsunagu.driver.LinkDriverProvider with dev.tsunagu.driver.tap.TapDriverProvider;
}
