/**
 * Applications on a Tsunagu stack, usable as libraries: an HTTP/1.1 file server and client
 * ({@code dev.tsunagu.apps.http}), an iperf3-compatible server ({@code dev.tsunagu.apps.iperf3}) and a
 * transparent relay, the engine of a gateway on a TUN ({@code dev.tsunagu.apps.relay}).
 * Each takes a {@code NetworkStack} and runs on its sockets.
 */
module dev.tsunagu.apps {
    // The API takes a NetworkStack and uses only stack-api's contracts (sockets, NameResolver);
    // stack-tcp and stack-udp, which provide them, come as run-time dependencies.
    requires transitive dev.tsunagu.api;

    exports dev.tsunagu.apps.http;
    exports dev.tsunagu.apps.iperf3;
    exports dev.tsunagu.apps.relay;
}
