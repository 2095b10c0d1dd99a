package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.RetransmissionPolicy;
import dev.tsunagu.policy.RetransmissionPolicyProvider;
import dev.tsunagu.tcp.TcpOptions;

/**
 * Makes {@link Rfc6298} retransmission timers: the default, {@code rfc6298}. Reads
 * {@link TcpOptions#INITIAL_RTO}, {@link TcpOptions#MIN_RTO}, {@link TcpOptions#MAX_RTO} and
 * {@link TcpOptions#MAX_RETRIES}.
 */
public final class Rfc6298Provider implements RetransmissionPolicyProvider {
    @Override
    public String name() {
        return "rfc6298";
    }

    @Override
    public String description() {
        return "RFC 6298: SRTT/RTTVAR estimator, exponential backoff, a retry limit";
    }

    /**
     * @throws IllegalArgumentException if the options are inconsistent (see {@link Rfc6298#Rfc6298})
     */
    @Override
    public RetransmissionPolicy create(PolicyContext context) {
        return new Rfc6298(
                context.option(TcpOptions.INITIAL_RTO).toNanos(),
                context.option(TcpOptions.MIN_RTO).toNanos(),
                context.option(TcpOptions.MAX_RTO).toNanos(),
                context.option(TcpOptions.MAX_RETRIES));
    }
}
