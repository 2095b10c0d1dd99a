package dev.tsunagu.tcp;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Initial sequence numbers as RFC 6528 (section 3) asks: {@code ISN = M + F(localip,
 * localport, remoteip, remoteport, secretkey)}, where M is a timer that ticks every 4
 * microseconds and F a keyed pseudorandom function of the connection's 4-tuple. Each
 * connection gets its own sequence space that an off-path attacker cannot guess, while a new
 * incarnation of the same 4-tuple still starts above the old one (the clock has moved on),
 * which is what RFC 9293 3.4.1 wants of the clock-driven generator.
 *
 * <p>F is SipHash-2-4 (Aumasson and Bernstein, 2012) under a 128-bit secret drawn once from
 * the key source, over the 12 bytes {@code localIp, localPort, remoteIp, remotePort} in
 * network order, truncated to its low 32 bits. Linux does the same (with SipHash since 4.11).
 * The SipHash is Guava's {@link Hashing#sipHash24(long, long)}: a vetted implementation of the
 * paper's function, and the ISN is computed once per connection, where a Hasher's two small
 * allocations cost nothing that matters.
 * Time is passed in: the stack's clock, so ISNs in a virtual-time test are reproducible for
 * a seeded key source.
 *
 * <p>Stateless after construction and so safe to share across threads.
 */
public final class IsnGenerator {
    /** The timer M ticks once per this many nanoseconds (RFC 6528: 4 µs). */
    public static final long TICK_NANOS = 4_000;

    /** F for the ISN: SipHash-2-4 under the secret. */
    private final HashFunction isnHash;
    /** F for the timestamp offset: the same under the secret's halves swapped. */
    private final HashFunction timestampHash;

    /** Draws the 128-bit secret: two {@code nextLong()}s, the first the key's low 8 bytes. */
    public IsnGenerator(RandomGenerator keySource) {
        Objects.requireNonNull(keySource, "keySource");
        long k0 = keySource.nextLong();
        long k1 = keySource.nextLong();
        this.isnHash = Hashing.sipHash24(k0, k1);
        this.timestampHash = Hashing.sipHash24(k1, k0);
    }

    /**
     * The initial sequence number for a connection from {@code localIp:localPort} to
     * {@code remoteIp:remotePort} at {@code nowNanos} (on the stack's monotonic clock; any
     * origin, negative values included: the tick count is floored, so M never steps back).
     */
    public int isn(int localIp, int localPort, int remoteIp, int remotePort, long nowNanos) {
        int m = (int) Math.floorDiv(nowNanos, TICK_NANOS);
        return m + (int) hashTuple(isnHash, localIp, localPort, remoteIp, remotePort);
    }

    /**
     * {@link #isn(int, int, int, int, long)} for addresses of either family: for IPv4 the same
     * value, for IPv6 the same function over the 36 bytes of the 4-tuple.
     */
    public int isn(IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort, long nowNanos) {
        int m = (int) Math.floorDiv(nowNanos, TICK_NANOS);
        return m + (int) hashTuple(isnHash, localIp, localPort, remoteIp, remotePort);
    }

    /** {@link #timestampOffset(int, int, int, int)} for addresses of either family. */
    public int timestampOffset(IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort) {
        return (int) hashTuple(timestampHash, localIp, localPort, remoteIp, remotePort);
    }

    /**
     * A per-connection offset for the Timestamps clock (RFC 7323 5.4), so a timestamp tells
     * nobody the host's uptime or links its connections: the same keyed hash of the 4-tuple
     * as the ISN's, under the key's halves swapped.
     */
    public int timestampOffset(int localIp, int localPort, int remoteIp, int remotePort) {
        return (int) hashTuple(timestampHash, localIp, localPort, remoteIp, remotePort);
    }

    /**
     * F for addresses of either family: the SipHash-2-4 under {@code f}'s key of the 4-tuple in
     * network order, local address, local port, remote address, remote port (12 bytes for IPv4,
     * exactly as {@link #hashTuple(HashFunction, int, int, int, int)}; 36 for IPv6).
     */
    static long hashTuple(HashFunction f, IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort) {
        if (localIp instanceof Ipv4Address l && remoteIp instanceof Ipv4Address r) {
            return hashTuple(f, l.bits(), localPort, r.bits(), remotePort);
        }
        // The same layout with whole addresses: local, local port, remote, remote port, in network order.
        Hasher h = f.newHasher(2 * localIp.byteLength() + 4);
        h.putBytes(localIp.toBytes()).putShort(Short.reverseBytes((short) localPort));
        h.putBytes(remoteIp.toBytes()).putShort(Short.reverseBytes((short) remotePort));
        return h.hash().asLong();
    }

    /**
     * F: the SipHash-2-4 of the 12 bytes {@code localIp (4), localPort (2), remoteIp (4),
     * remotePort (2)} in network order under {@code f}'s key, as a long (the hash's bytes read
     * little-endian, as in the reference code).
     */
    static long hashTuple(HashFunction f, int localIp, int localPort, int remoteIp, int remotePort) {
        // A Hasher writes little-endian; byte-reversing each field puts it on the wire's order.
        return f.newHasher(12)
                .putInt(Integer.reverseBytes(localIp))
                .putShort(Short.reverseBytes((short) localPort))
                .putInt(Integer.reverseBytes(remoteIp))
                .putShort(Short.reverseBytes((short) remotePort))
                .hash().asLong();
    }
}
