package dev.tsunagu.ip.icmp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.util.TokenBucket;
import java.util.function.Consumer;

/**
 * Whether an ICMP or ICMPv6 error may go out, whatever the family: the family's layer says
 * whether its RFC forbids this one (RFC 1122 3.2.2 for IPv4, RFC 4443 2.4 (e) for IPv6, each
 * kept in its layer's {@code sendIcmpErrorAbout}), and this gate counts the refusal or asks the
 * token bucket (RFC 1812 4.3.2.8, RFC 4443 2.4 (f)). The counters keep the names both families
 * always had, in the family's ICMP group: {@code OutErrorsSuppressed} and {@code OutRateLimited}.
 * Loop thread only; it draws nothing from the stack's random generator.
 */
public final class IcmpErrorGate {
    private final TokenBucket budget;
    private final Counter suppressed;
    private final Counter rateLimited;

    /**
     * @param icmpCounters the family's ICMP counter group ({@code icmp} or {@code icmpv6})
     * @param suppressedHelp what the family's rules forbid, for the counter's description
     * @param rateLimitedHelp the rate limit's description
     */
    public IcmpErrorGate(int ratePerSecond, int burst, CounterGroup icmpCounters, String suppressedHelp,
                         String rateLimitedHelp) {
        this.budget = new TokenBucket(ratePerSecond, burst);
        this.suppressed = icmpCounters.counter("OutErrorsSuppressed", suppressedHelp);
        this.rateLimited = icmpCounters.counter("OutRateLimited", rateLimitedHelp);
    }

    /** Whether the error may be sent: not if {@code forbidden}, nor if the bucket is empty; each refusal counted. */
    public boolean allows(boolean forbidden, long now) {
        if (forbidden) {
            suppressed.increment();
            return false;
        }
        if (!budget.tryTake(now)) {
            rateLimited.increment();
            return false;
        }
        return true;
    }

    /**
     * Runs {@code sendAbout} with the packet a transport is receiving, seen from its IP header:
     * the headers are still in the buffer, {@code headerLength} bytes in front of the payload,
     * and are put back out of view afterwards whatever happens.
     *
     * @param current the layer's flyweight of the receive call in progress; {@code given} must be it
     */
    public static void aboutReceived(IpPacketInfo current, IpPacketInfo given, PacketBuffer payload, int headerLength,
                                     Consumer<PacketBuffer> sendAbout) {
        if (given != current) {
            throw new IllegalArgumentException("sendIcmpError needs the IpPacketInfo of the receive call in progress");
        }
        payload.prepend(headerLength);
        try {
            sendAbout.accept(payload);
        } finally {
            payload.consume(headerLength);
        }
    }
}
