package dev.tsunagu.cli.tools;

/**
 * One service of {@code serve}, running on the command's stack until closed. New services
 * (the iperf3 server) implement this and get an option in {@link ServeCommand}.
 */
interface Service extends AutoCloseable {
    /** One line for the start-up banner: {@code echo on tcp/7 and udp/7}. */
    String describe();

    /** Stops listening and drops what is still connected. Idempotent. */
    @Override
    void close();
}
