/** TCP and its policies. */
module dev.tsunagu.tcp {
    requires transitive dev.tsunagu.api; // TCP speaks to IP only through stack-api's IpService: no IPv4 type at compile time
    requires com.google.common; // Hashing.sipHash24 for initial sequence numbers (RFC 6528)
    // No dev.tsunagu.udp: the socket library finds datagram sockets (UdpService) and names
    // (NameResolver) through stack-api's contracts, published by stack-udp when it is present.

    exports dev.tsunagu.tcp;
    exports dev.tsunagu.tcp.buffer;
    exports dev.tsunagu.tcp.policy;
    exports dev.tsunagu.tcp.wire;

    provides dev.tsunagu.stack.LayerProvider with dev.tsunagu.tcp.TcpLayerProvider;
    provides dev.tsunagu.policy.CongestionControlProvider with
            dev.tsunagu.tcp.policy.NewRenoProvider,
            dev.tsunagu.tcp.policy.CubicProvider,
            dev.tsunagu.tcp.policy.BbrProvider;
    provides dev.tsunagu.policy.RetransmissionPolicyProvider with dev.tsunagu.tcp.policy.Rfc6298Provider;
    provides dev.tsunagu.policy.SendBufferingPolicyProvider with
            dev.tsunagu.tcp.policy.NagleProvider,
            dev.tsunagu.tcp.policy.NoDelayProvider,
            dev.tsunagu.tcp.policy.FullSegmentOrTimerProvider;
}
