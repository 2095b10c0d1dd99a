/**
 * Java's own networking APIs on a Tsunagu stack: {@code java.net.Socket}, {@code ServerSocket} and
 * {@code DatagramSocket} subclasses, the {@code javax.net} socket factories that make them, TLS by
 * layering the JDK's {@code SSLSocket} over them, an {@code InetAddressResolver} on the stack's
 * DNS, and the JVM-wide switch by system properties ({@code dev.tsunagu.jdk.jvm}). See the
 * package documentation of {@code dev.tsunagu.jdk}.
 */
module dev.tsunagu.jdk {
    requires transitive dev.tsunagu.api;
    requires dev.tsunagu.link; // the JVM-wide stack's capture (tsunagu.pcap)
    requires dev.tsunagu.udp; // the JVM-wide stack's DNS servers (tsunagu.dns)

    exports dev.tsunagu.jdk;
    exports dev.tsunagu.jdk.jvm;

    provides java.net.spi.InetAddressResolverProvider with dev.tsunagu.jdk.jvm.TsunaguResolverProvider;
}
