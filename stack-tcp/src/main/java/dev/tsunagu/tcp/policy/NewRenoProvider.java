package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.CongestionControlProvider;
import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.tcp.TcpOptions;

/** Makes {@link NewReno} controllers: the default congestion control, {@code newreno}. */
public final class NewRenoProvider implements CongestionControlProvider {
    @Override
    public String name() {
        return "newreno";
    }

    @Override
    public String description() {
        return "NewReno: slow start, congestion avoidance, fast retransmit and recovery (RFC 5681, RFC 6582)";
    }

    @Override
    public CongestionControl create(PolicyContext context) {
        return new NewReno(context.mss(), context.option(TcpOptions.INITIAL_WINDOW));
    }
}
