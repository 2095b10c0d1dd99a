/**
 * Tsunagu's test kit, for its own modules' tests and for third parties' drivers and layers:
 * the driver contract kit, test hosts on a virtual loop, raw hosts and peers, wire values
 * that parse and emit on their own, network namespaces, TAP and veth benches, tshark.
 */
module dev.tsunagu.testkit {
    requires transitive dev.tsunagu.link;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    requires java.management; // Heap: memory bounds in the scale and flood tests

    exports dev.tsunagu.testkit;
    exports dev.tsunagu.testkit.host;
    exports dev.tsunagu.testkit.tcp;
    exports dev.tsunagu.testkit.wire;
}
