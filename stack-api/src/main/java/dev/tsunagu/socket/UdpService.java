package dev.tsunagu.socket;

/**
 * The entry point to a stack's UDP, provided by the {@code stack-udp} module and obtained with
 * {@code NetworkStack.udp()}; a stack without that module says so, naming it.
 */
public interface UdpService {
    /** A new, unbound socket. */
    UdpSocket open();

    /** Receive queue bound, in datagrams, for sockets opened from now on. */
    int DEFAULT_RECEIVE_QUEUE = 256;
}
