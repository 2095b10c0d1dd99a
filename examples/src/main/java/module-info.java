/** The {@code tsunagu} command and runnable examples. */
module dev.tsunagu.examples {
    requires dev.tsunagu.link;
    requires transitive dev.tsunagu.tcp; // the http package's API takes a NetworkStack
    requires info.picocli;
    requires org.slf4j;
    requires jdk.unsupported; // sun.misc.Signal: the socket table on a signal (tools)

    exports dev.tsunagu.examples.http;
    exports dev.tsunagu.examples.iperf3;

    opens dev.tsunagu.examples to info.picocli;
    opens dev.tsunagu.examples.tools to info.picocli;

    uses dev.tsunagu.stack.LayerProvider;
}
