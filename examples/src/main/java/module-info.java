/** The {@code tsunagu} command and runnable examples. */
module dev.tsunagu.examples {
    requires dev.tsunagu.link;
    requires dev.tsunagu.tcp;
    requires info.picocli;
    requires org.slf4j;

    opens dev.tsunagu.examples to info.picocli;

    uses dev.tsunagu.stack.LayerProvider;
}
