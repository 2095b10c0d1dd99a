package dev.tsunagu.socket;

/**
 * The entry point to a stack's UDP, provided by the {@code stack-udp} module and obtained with
 * {@code NetworkStack.udp()}; see {@link TcpService} for how a missing module is reported.
 */
public interface UdpService {
}
