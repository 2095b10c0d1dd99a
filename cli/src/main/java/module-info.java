/** The {@code tsunagu} command: the tour, the demo, the network tools, bench and plugins. */
module dev.tsunagu.cli {
    requires dev.tsunagu.link;
    requires dev.tsunagu.ip; // ping, the tour's routes and wire story, the demo
    requires dev.tsunagu.ipv6; // Host waits for DAD on the command's IPv6 addresses
    requires dev.tsunagu.tcp;
    requires dev.tsunagu.udp; // resolve: the DNS resolver's settings and AAAA lookups
    requires dev.tsunagu.apps;
    requires dev.tsunagu.jdk; // java: the switch's property names and agent
    requires dev.tsunagu.viz; // the tour's page, the live view, JFR events and JMX
    requires dev.tsunagu.packetdrill; // packetdrill: the runner of Linux's TCP scripts
    requires info.picocli;
    requires com.google.common; // InetAddresses, HostAndPort: address literals and ADDR:PORT options
    requires org.slf4j;
    requires jdk.unsupported; // sun.misc.Signal: the socket table on a signal (tools)
    requires jdk.management; // bench: heap in use, the open-file limit
    requires io.netty.transport; // bench: Netty's NIO transport, on Tsunagu's provider and on the JDK's
    requires io.netty.buffer;
    requires io.netty.common;

    opens dev.tsunagu.cli to info.picocli;
    opens dev.tsunagu.cli.tools to info.picocli;
    opens dev.tsunagu.cli.bench to info.picocli;
}
