package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.policy.SendBufferingPolicyProvider;

/**
 * Nagle's algorithm (RFC 896; RFC 1122 4.2.3.4), the default send-buffering policy,
 * {@code nagle}: while data is unacknowledged, a partial segment waits (for more data to fill
 * it, or for the ACK); with nothing in flight it leaves at once. A partial segment followed by
 * the FIN leaves too, as Linux does: nothing more can be written to fill it.
 */
public final class NagleProvider implements SendBufferingPolicyProvider {
    /** Stateless, so one instance serves every connection. */
    private static final SendBufferingPolicy NAGLE = new Nagle();

    @Override
    public String name() {
        return "nagle";
    }

    @Override
    public String description() {
        return "Nagle: hold a partial segment while data is unacknowledged (RFC 896, RFC 1122 4.2.3.4)";
    }

    @Override
    public SendBufferingPolicy create(PolicyContext context) {
        return NAGLE;
    }

    private static final class Nagle implements SendBufferingPolicy {
        @Override
        public Decision decide(State s) {
            return s.bytesInFlight() == 0 || s.finQueued() || s.unsentBytes() >= s.mss() ? Decision.SEND : Decision.HOLD;
        }

        @Override
        public String toString() {
            return "nagle";
        }
    }
}
