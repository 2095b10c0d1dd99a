/** A packetdrill runner: scripts in packetdrill's language against a Tsunagu stack on a virtual clock. */
module dev.tsunagu.packetdrill {
    requires transitive dev.tsunagu.api;
    requires dev.tsunagu.link;
    requires dev.tsunagu.ip;
    requires dev.tsunagu.tcp;
    requires org.slf4j;

    exports dev.tsunagu.packetdrill;
}
