/** The {@code tsunagu} command and runnable examples. */
module dev.tsunagu.examples {
    requires dev.tsunagu.link;
    requires transitive dev.tsunagu.tcp; // the http package's API takes a NetworkStack
    requires info.picocli;
    requires org.slf4j;
    requires jdk.management; // bench: heap in use, the open-file limit

    exports dev.tsunagu.examples.http;

    opens dev.tsunagu.examples to info.picocli;
    opens dev.tsunagu.examples.bench to info.picocli;

    uses dev.tsunagu.stack.LayerProvider;
}
