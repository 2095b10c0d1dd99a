package dev.tsunagu.examples.code.buffering;

import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.policy.SendBufferingPolicyProvider;
import java.time.Duration;

/**
 * A third-party send-buffering policy, {@code bounded-nagle}: Nagle's rule (RFC 896) with a
 * ceiling on how long a small write may wait.
 *
 * <p>Why: Nagle holds a partial segment while earlier data is unacknowledged. When the peer
 * delays its ACKs (RFC 1122 4.2.3.2, 40 ms here, up to 500 ms elsewhere), a "write, write,
 * read" application waits a whole delayed-ACK time for its second write to leave. Turning
 * Nagle off ({@code nodelay}) fixes the wait but sends a tiny packet for every write. This
 * policy keeps Nagle's batching and bounds the wait at {@link #DEADLINE}.
 *
 * <p>How a policy works: the sender asks only about a <em>partial</em> segment (a full one, or a
 * flush, always leaves). The policy sees a read-only {@link SendBufferingPolicy.State} and
 * answers; it owns no timers. Answering {@code HOLD_WITH_TIMER} makes the sender send anyway
 * once the oldest unsent byte has waited {@link SendBufferingPolicy#holdTimeoutNanos()}, and
 * every ACK makes it ask again. Registered like the driver next door: {@code META-INF/services}
 * plus {@code provides} in {@code module-info.java}; chosen by name per stack
 * ({@code .sendBufferingPolicy("bounded-nagle")}) or per socket
 * ({@code TcpSocketOptions.DEFAULT.withSendBuffering("bounded-nagle")}).
 */
public final class BoundedNagleProvider implements SendBufferingPolicyProvider {
    /** The name to choose it by. */
    public static final String NAME = "bounded-nagle";
    /** The longest a partial segment waits for earlier data to be acknowledged. */
    public static final Duration DEADLINE = Duration.ofMillis(5);

    /** Public with no arguments: {@link java.util.ServiceLoader} makes it. */
    public BoundedNagleProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "example: Nagle, but a small write waits at most " + DEADLINE.toMillis() + " ms";
    }

    @Override
    public SendBufferingPolicy create(PolicyContext context) {
        // Stateless, so one connection's policy could serve all; one per connection is the contract.
        return new BoundedNagle(DEADLINE.toNanos());
    }

    /** The rule; a pure function of the state it is shown. */
    record BoundedNagle(long holdTimeoutNanos) implements SendBufferingPolicy {
        @Override
        public Decision decide(State s) {
            if (s.bytesInFlight() == 0 || s.finQueued()) {
                return Decision.SEND; // Nagle: nothing outstanding to wait for; or nothing more will come
            }
            if (s.nowNanos() - s.oldestUnsentWrittenAtNanos() >= holdTimeoutNanos) {
                return Decision.SEND; // waited long enough
            }
            return Decision.HOLD_WITH_TIMER; // wait for the ACK, or for the deadline, whichever is first
        }
    }
}
