package dev.tsunagu.udp;

import dev.tsunagu.stack.StackOption;

/** UDP settings, set with {@code NetworkStack.Builder.option}. */
public final class UdpOptions {
    /** Datagrams a socket queues before it drops (and counts) more. */
    public static final StackOption<Integer> RECEIVE_QUEUE = StackOption.of("udp.receiveQueue", Integer.class, 256,
            "datagrams queued per socket");

    /** The DNS servers the resolver asks, e.g. {@code "10.0.0.53, 10.0.0.54:5353"}; empty: none configured. */
    public static final StackOption<String> DNS_SERVERS = StackOption.of("dns.servers", String.class, "",
            "DNS servers for the resolver");

    private UdpOptions() {}
}
