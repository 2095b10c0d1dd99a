/**
 * The Linux native I/O the device drivers share: libc bound through the FFM API with
 * {@code errno} captured at the call, an eventfd, and a reader that polls a device fd
 * together with that eventfd. Exported only to the drivers: it is plumbing, not an API, and
 * may change with them.
 */
module dev.tsunagu.driver.nativeio {
    exports dev.tsunagu.driver.nativeio to dev.tsunagu.driver.tap, dev.tsunagu.driver.pcap;
}
