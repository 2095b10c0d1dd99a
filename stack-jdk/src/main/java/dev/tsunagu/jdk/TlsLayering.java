package dev.tsunagu.jdk;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The JDK's TLS over Tsunagu sockets, by layering: {@code SSLSocket} runs over any connected
 * {@link Socket}, so TLS needs nothing of the stack. The server side is the one that needs a
 * recipe, because {@code SSLContext.getServerSocketFactory()} makes kernel sockets and cannot
 * wrap a foreign {@code ServerSocket}: accept a Tsunagu socket, then wrap it in server mode.
 */
public final class TlsLayering {
    private TlsLayering() {}

    /**
     * The client side of TLS over {@code plain} (connected): {@code host} is sent as SNI and, if
     * the caller turns on endpoint identification, checked against the certificate. Closing the
     * returned socket closes {@code plain}. The handshake happens on first I/O or
     * {@link SSLSocket#startHandshake()}.
     */
    public static SSLSocket clientSide(SSLContext context, Socket plain, String host) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
        tls.setUseClientMode(true);
        return tls;
    }

    /**
     * The server side of TLS over {@code accepted} (a socket a {@link TsunaguServerSocket}
     * accepted), with the context's key managers presenting the certificate. Closing the
     * returned socket closes {@code accepted}.
     */
    public static SSLSocket serverSide(SSLContext context, Socket accepted) throws IOException {
        // The (Socket, InputStream, boolean) overload is the one meant for the server side: no host, no port.
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(accepted, null, true);
        tls.setUseClientMode(false);
        return tls;
    }
}
