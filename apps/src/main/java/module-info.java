/**
 * Applications on a Tsunagu stack, usable as libraries: an HTTP/1.1 file server and client
 * ({@code dev.tsunagu.apps.http}) and an iperf3-compatible server ({@code dev.tsunagu.apps.iperf3}).
 * Each takes a {@code NetworkStack} and runs on its sockets.
 */
module dev.tsunagu.apps {
    requires transitive dev.tsunagu.api; // the API takes a NetworkStack
    requires dev.tsunagu.tcp;
    requires dev.tsunagu.udp; // the HTTP client's resolver

    exports dev.tsunagu.apps.http;
    exports dev.tsunagu.apps.iperf3;
}
