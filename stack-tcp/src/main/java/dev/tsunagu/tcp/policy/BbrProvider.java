package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.CongestionControlProvider;
import dev.tsunagu.policy.PolicyContext;

/**
 * Makes {@link Bbr} controllers: {@code bbr}. They always pace (the pacing rate is BBR's main
 * output, whatever {@code tcp.pacing} says) and ask the sender for delivery-rate samples.
 */
public final class BbrProvider implements CongestionControlProvider {
    @Override
    public String name() {
        return "bbr";
    }

    @Override
    public String description() {
        return "BBR v1: paces at the measured bottleneck bandwidth, window of two BDPs, min-RTT probing"
                + " (draft-cardwell-iccrg-bbr-congestion-control, delivery-rate estimation)";
    }

    @Override
    public CongestionControl create(PolicyContext context) {
        return new Bbr(context.mss(), context.random());
    }
}
