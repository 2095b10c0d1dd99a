/**
 * Small programs to copy from, and their plugins (examples/README.md). The plugins are
 * registered here for the module path and in {@code META-INF/services} for the class path.
 */
module dev.tsunagu.examples {
    requires dev.tsunagu.link;
    requires dev.tsunagu.ip; // the pipe example pings through PingService
    requires dev.tsunagu.tcp;

    provides dev.tsunagu.driver.LinkDriverProvider with dev.tsunagu.examples.code.driver.PipeDriverProvider;
    provides dev.tsunagu.policy.SendBufferingPolicyProvider with dev.tsunagu.examples.code.buffering.BoundedNagleProvider;
    provides dev.tsunagu.policy.CongestionControlProvider with dev.tsunagu.examples.code.congestion.ToyAimdProvider;
}
