package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.CongestionControlProvider;
import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.tcp.TcpOptions;

/**
 * Makes {@link Cubic} controllers (with HyStart++ and fast convergence): {@code cubic}; they
 * pace when the stack option {@link TcpOptions#PACING} is on.
 */
public final class CubicProvider implements CongestionControlProvider {
    @Override
    public String name() {
        return "cubic";
    }

    @Override
    public String description() {
        return "CUBIC: a cubic window function with a Reno-friendly region, HyStart++ slow start (RFC 9438, RFC 9406)";
    }

    @Override
    public CongestionControl create(PolicyContext context) {
        return new Cubic(context.mss(), context.option(TcpOptions.INITIAL_WINDOW), true, context.option(TcpOptions.PACING));
    }
}
