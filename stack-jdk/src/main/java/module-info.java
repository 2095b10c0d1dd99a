/**
 * Java's own socket APIs on a Tsunagu stack: {@code java.net.Socket}, {@code ServerSocket} and {@code DatagramSocket}
 * subclasses, the {@code javax.net} socket factories that make them, and TLS by layering the
 * JDK's {@code SSLSocket} over them. See the package documentation of {@code dev.tsunagu.jdk}.
 */
module dev.tsunagu.jdk {
    requires transitive dev.tsunagu.api;

    exports dev.tsunagu.jdk;
}
