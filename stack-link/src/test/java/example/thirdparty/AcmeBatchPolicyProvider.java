package example.thirdparty;

import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.policy.SendBufferingPolicyProvider;

/**
 * A third party's send-buffering policy, registered only through {@code META-INF/services}:
 * hold partial segments until 4 KiB or half an MSS, whichever is smaller, has gathered, or 5 ms
 * have passed.
 */
public final class AcmeBatchPolicyProvider implements SendBufferingPolicyProvider {
    @Override
    public String name() {
        return "acme-batch";
    }

    @Override
    public String description() {
        return "Acme batching: half an MSS or 5 ms";
    }

    @Override
    public SendBufferingPolicy create(PolicyContext context) {
        return new SendBufferingPolicy() {
            @Override
            public Decision decide(State s) {
                return s.unsentBytes() >= Math.min(4096, s.mss() / 2) || s.finQueued()
                        ? Decision.SEND : Decision.HOLD_WITH_TIMER;
            }

            @Override
            public long holdTimeoutNanos() {
                return 5_000_000;
            }
        };
    }
}
