/** The {@code tsunagu} command and runnable examples. */
module dev.tsunagu.examples {
    requires dev.tsunagu.link;
    requires transitive dev.tsunagu.tcp; // the http package's API takes a NetworkStack
    requires info.picocli;
    requires org.slf4j;
    requires jdk.unsupported; // sun.misc.Signal: the socket table on a signal (tools)
    requires jdk.management; // bench: heap in use, the open-file limit

    exports dev.tsunagu.examples.http;
    exports dev.tsunagu.examples.iperf3;

    opens dev.tsunagu.examples to info.picocli;
    opens dev.tsunagu.examples.tools to info.picocli;
    opens dev.tsunagu.examples.bench to info.picocli;

    uses dev.tsunagu.stack.LayerProvider;

    // The examples' own plugins (examples/README.md), also listed in META-INF/services for the class path.
    provides dev.tsunagu.driver.LinkDriverProvider with dev.tsunagu.examples.code.driver.PipeDriverProvider;
    provides dev.tsunagu.policy.SendBufferingPolicyProvider with dev.tsunagu.examples.code.buffering.BoundedNagleProvider;
    provides dev.tsunagu.policy.CongestionControlProvider with dev.tsunagu.examples.code.congestion.ToyAimdProvider;
}
