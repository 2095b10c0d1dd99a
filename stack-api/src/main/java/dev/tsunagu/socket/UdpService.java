package dev.tsunagu.socket;

/**
 * The entry point to a stack's UDP, provided by the {@code stack-udp} module and obtained with
 * {@code NetworkStack.udp()}; a stack without that module says so, naming it.
 */
public interface UdpService {
    /** A new, unbound socket. */
    UdpSocket open();

    /**
     * A transparent socket: it receives every unicast datagram for an address and port that no
     * other socket takes, whatever its destination, once the IP layer takes such destinations as
     * its own (transparent mode, the IPv4 option {@code ip.transparent}); each
     * {@link Datagram#destination()} is the address and port the peer sent to, and replies go out
     * with {@link UdpSocket#sendFrom} from that address and port. A datagram the filter declines
     * draws ICMP port unreachable, as when no socket listens. It cannot be bound or connected. One
     * per stack; closing it ends transparent receiving.
     *
     * @throws java.net.BindException if the stack already has one
     */
    default UdpSocket openAny(FlowFilter filter) throws java.io.IOException {
        throw new UnsupportedOperationException("this UDP has no transparent socket");
    }

    /** Receive queue bound, in datagrams, for sockets opened from now on. */
    int DEFAULT_RECEIVE_QUEUE = 256;
}
