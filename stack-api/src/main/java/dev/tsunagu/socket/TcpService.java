package dev.tsunagu.socket;

/**
 * The entry point to a stack's TCP, provided by the {@code stack-tcp} module and obtained
 * with {@code NetworkStack.tcp()}. A stack without that module has no TCP, and asking for it
 * fails with a message naming the module. The socket operations are declared by the TCP
 * module's own types, which extend this interface.
 */
public interface TcpService {
}
