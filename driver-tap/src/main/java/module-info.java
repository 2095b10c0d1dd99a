/** The Linux TAP link driver ({@code tap:NAME}), through the FFM API. */
module dev.tsunagu.driver.tap {
    requires transitive dev.tsunagu.api;

    exports dev.tsunagu.driver.tap;

    provides dev.tsunagu.driver.LinkDriverProvider with dev.tsunagu.driver.tap.TapDriverProvider;
}
