/**
 * Tsunagu's runtime core: the event loop and timers, packet buffers, the plugin SPIs (link
 * drivers, protocol layers, TCP policies), counters and the socket table. Every other
 * module plugs into what this one defines.
 */
module dev.tsunagu.api {
    requires transitive org.slf4j;
    requires jdk.management; // the virtual-thread scheduler's parallelism (loop.Carriers)

    exports dev.tsunagu.buffer;
    exports dev.tsunagu.driver;
    exports dev.tsunagu.loop;
    exports dev.tsunagu.net;
    exports dev.tsunagu.policy;
    exports dev.tsunagu.socket;
    exports dev.tsunagu.stack;
    exports dev.tsunagu.stats;
    exports dev.tsunagu.trace;
    exports dev.tsunagu.util;

    uses dev.tsunagu.stack.LayerProvider;
    uses dev.tsunagu.driver.LinkDriverProvider;
    uses dev.tsunagu.policy.CongestionControlProvider;
    uses dev.tsunagu.policy.RetransmissionPolicyProvider;
    uses dev.tsunagu.policy.SendBufferingPolicyProvider;
}
