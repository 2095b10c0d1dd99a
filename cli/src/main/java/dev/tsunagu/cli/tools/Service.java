package dev.tsunagu.cli.tools;

/**
 * One service of {@code serve}, running on the command's stack until closed. New services
 * (the iperf3 server) implement this and get an option in {@link ServeCommand}.
 */
interface Service extends AutoCloseable {
    /** One line for the start-up banner: {@code echo on tcp/7 and udp/7}. */
    String describe();

    /**
     * The most memory the service's connections may hold at once: its connection limit times what
     * one may buffer (socket buffers and the service's own). 0 for a service without such a bound.
     */
    default long worstCaseBytes() {
        return 0;
    }

    /** Stops listening and drops what is still connected. Idempotent. */
    @Override
    void close();
}
