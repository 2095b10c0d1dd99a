/**
 * Applications on a Tsunagu stack, usable as libraries: an HTTP/1.1 file server and client
 * ({@code dev.tsunagu.apps.http}) and an iperf3-compatible server ({@code dev.tsunagu.apps.iperf3}).
 * Each takes a {@code NetworkStack} and runs on its sockets.
 */
module dev.tsunagu.apps {
    // The API takes a NetworkStack and uses only stack-api's contracts (sockets, NameResolver);
    // stack-tcp and stack-udp, which provide them, come as run-time dependencies.
    requires transitive dev.tsunagu.api;

    exports dev.tsunagu.apps.http;
    exports dev.tsunagu.apps.iperf3;
}
