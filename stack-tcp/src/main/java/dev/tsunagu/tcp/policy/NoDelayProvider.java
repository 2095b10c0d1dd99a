package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.policy.SendBufferingPolicyProvider;

/** {@code TCP_NODELAY}, {@code nodelay}: every partial segment leaves at once (Nagle off). */
public final class NoDelayProvider implements SendBufferingPolicyProvider {
    /** Stateless, so one instance serves every connection. */
    private static final SendBufferingPolicy NO_DELAY = new NoDelay();

    @Override
    public String name() {
        return "nodelay";
    }

    @Override
    public String description() {
        return "TCP_NODELAY: send partial segments at once";
    }

    @Override
    public SendBufferingPolicy create(PolicyContext context) {
        return NO_DELAY;
    }

    private static final class NoDelay implements SendBufferingPolicy {
        @Override
        public Decision decide(State s) {
            return Decision.SEND;
        }

        @Override
        public String toString() {
            return "nodelay";
        }
    }
}
