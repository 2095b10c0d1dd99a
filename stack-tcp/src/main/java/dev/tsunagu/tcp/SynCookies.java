package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.gt;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * SYN cookies (RFC 4987 3.6): when a listener's SYN queue is full, the SYN-ACK's sequence number
 * carries what the listener would have kept, and nothing is kept. The ACK that completes the
 * handshake gives it back (SEG.ACK - 1), and a connection is made from it then, if it checks.
 *
 * <p>The cookie is Bernstein's layout, 32 bits:
 * <pre>
 *   31      27 26  24 23                                   0
 *  +----------+------+--------------------------------------+
 *  | t mod 32 | MSS  |  MAC(secret, 4-tuple, t, peer ISN, MSS)|
 *  +----------+------+--------------------------------------+
 * </pre>
 * {@code t} counts {@link #TICK_NANOS} (64 s) on the stack's clock; a cookie is honoured while
 * {@code t} is at most {@link #MAX_AGE_TICKS} behind the present (2 to 3 minutes, Linux's two
 * minutes rounded to ticks), so a captured cookie goes stale. The MSS is an index into
 * {@link #MSS_TABLE}: the largest entry not above what the peer offered (RFC 4987 3.6: "the
 * value is encoded ... with some loss of precision"). The MAC is the low 24 bits of
 * SipHash-2-4 under a 128-bit secret, so a blind attacker hits a valid cookie once in 2^24
 * tries, and each try must also name a 4-tuple and a peer ISN the MAC covers.
 *
 * <p><b>Secret rotation.</b> The secret is replaced every {@link #TICKS_PER_SECRET} ticks (about
 * 17 minutes) by a fresh draw from the key source; the one before is kept to check cookies
 * issued just before the change (their age is below the rotation period, so no other secret can
 * be needed). The secrets are drawn at first use, so a stack that never sends a cookie draws
 * nothing.
 *
 * <p><b>Options.</b> SACK-permitted and the peer's window scale do not fit in 32 bits with the
 * rest; when the SYN carried timestamps, they ride in the low {@link #TS_OPTION_BITS} bits of
 * our SYN-ACK's TSval, which the ACK echoes (as Linux does): bits 0-3 the peer's shift, 15 for
 * none; bit 4 SACK-permitted; bit 5 ECN granted (RFC 3168, as Linux's bit). Without timestamps a
 * cookie connection has neither SACK, window scaling nor ECN, the price RFC 4987 names.
 *
 * <p>Loop thread only (the rotation mutates).
 */
final class SynCookies {
    /** The MSS values a cookie can carry, ascending (3 bits): a tiny-MTU floor, the defaults, common tunnels, Ethernet, jumbo. */
    static final int[] MSS_TABLE = {64, 536, 1024, 1220, 1360, 1440, 1460, 8960};
    /** The cookie's clock ticks every 64 s. */
    static final long TICK_NANOS = 64_000_000_000L;
    /** A cookie more ticks old than this is stale. */
    static final int MAX_AGE_TICKS = 2;
    /** The secret changes every this many ticks; above {@link #MAX_AGE_TICKS}, so at most one older secret is needed. */
    static final int TICKS_PER_SECRET = 16;
    /** The low bits of the SYN-ACK's TSval that hold the options. */
    static final int TS_OPTION_BITS = 6;
    static final int TS_OPTION_MASK = (1 << TS_OPTION_BITS) - 1;
    private static final int NO_WINDOW_SCALE = 0xF;
    private static final int SACK_BIT = 0x10;
    private static final int ECN_BIT = 0x20;
    private static final int MAC_MASK = 0xFF_FFFF;

    private final RandomGenerator keySource;
    /** The secret period {@link #current} belongs to; {@link #previous} is the one before (or null). */
    private long period = Long.MIN_VALUE;
    private HashFunction current;
    private HashFunction previous;

    SynCookies(RandomGenerator keySource) {
        this.keySource = Objects.requireNonNull(keySource, "keySource");
    }

    /** The index of the largest table MSS not above {@code mss} (0 for anything below the floor). */
    static int mssIndex(int mss) {
        int i = MSS_TABLE.length - 1;
        while (i > 0 && MSS_TABLE[i] > mss) {
            i--;
        }
        return i;
    }

    /**
     * The cookie, our ISN for the SYN {@code peerIsn} from {@code remoteIp:remotePort} to
     * {@code localIp:localPort}, carrying the MSS table index {@code mssIndex}, at {@code now}.
     */
    int cookie(IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort, int peerIsn, int mssIndex,
               long now) {
        long tick = Math.floorDiv(now, TICK_NANOS);
        int mac = mac(secretFor(tick, tick), localIp, localPort, remoteIp, remotePort, peerIsn, mssIndex, tick);
        return (int) ((tick & 31) << 27) | (mssIndex << 24) | mac;
    }

    /**
     * Checks the cookie {@code cookie} (SEG.ACK - 1 of an ACK at a listener) against the ACK's
     * 4-tuple and {@code peerIsn} (SEG.SEQ - 1).
     *
     * @return the MSS table index it carries, or -1 if it is forged, for another connection, or stale
     */
    int check(IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort, int peerIsn, int cookie, long now) {
        long nowTick = Math.floorDiv(now, TICK_NANOS);
        int age = (int) ((nowTick - (cookie >>> 27)) & 31);
        if (age > MAX_AGE_TICKS) {
            return -1;
        }
        long tick = nowTick - age;
        HashFunction secret = secretFor(tick, nowTick);
        if (secret == null) {
            return -1;
        }
        int mssIndex = (cookie >>> 24) & 7;
        int mac = mac(secret, localIp, localPort, remoteIp, remotePort, peerIsn, mssIndex, tick);
        return mac == (cookie & MAC_MASK) ? mssIndex : -1;
    }

    /**
     * The TSval of a cookie SYN-ACK: our clock {@code tsNow} with its low bits replaced by the
     * peer's window scale ({@code -1}: none), SACK-permitted and ECN granted, never ahead of
     * {@code tsNow} (so the connection's later timestamps do not go back).
     */
    static int encodeTimestamp(int tsNow, int peerWindowScale, boolean sackPermitted, boolean ecn) {
        int bits = (peerWindowScale < 0 ? NO_WINDOW_SCALE : Math.min(peerWindowScale, 14)) | (sackPermitted ? SACK_BIT : 0)
                | (ecn ? ECN_BIT : 0);
        int ts = (tsNow & ~TS_OPTION_MASK) | bits;
        return gt(ts, tsNow) ? ts - (1 << TS_OPTION_BITS) : ts;
    }

    /** The peer's window scale from an echoed cookie TSval, -1 for none. */
    static int windowScaleOf(int tsEcho) {
        int w = tsEcho & 0xF;
        return w == NO_WINDOW_SCALE ? -1 : w;
    }

    /** SACK-permitted from an echoed cookie TSval. */
    static boolean sackPermittedOf(int tsEcho) {
        return (tsEcho & SACK_BIT) != 0;
    }

    /** Whether ECN was granted, from an echoed cookie TSval. */
    static boolean ecnOf(int tsEcho) {
        return (tsEcho & ECN_BIT) != 0;
    }

    /**
     * The secret for cookies of {@code tick}, rotating first if {@code nowTick} began a new
     * period; null if that secret is gone.
     */
    private HashFunction secretFor(long tick, long nowTick) {
        long nowPeriod = Math.floorDiv(nowTick, TICKS_PER_SECRET);
        if (nowPeriod != period) {
            previous = nowPeriod == period + 1 ? current : null;
            current = Hashing.sipHash24(keySource.nextLong(), keySource.nextLong());
            period = nowPeriod;
        }
        long p = Math.floorDiv(tick, TICKS_PER_SECRET);
        return p == period ? current : p == period - 1 ? previous : null;
    }

    private static int mac(HashFunction secret, IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort,
                           int peerIsn, int mssIndex, long tick) {
        Hasher h = secret.newHasher(48);
        put(h, localIp).putShort((short) localPort);
        put(h, remoteIp).putShort((short) remotePort);
        h.putInt(peerIsn).putLong(tick).putByte((byte) mssIndex);
        return (int) h.hash().asLong() & MAC_MASK;
    }

    private static Hasher put(Hasher h, IpAddress a) {
        return a instanceof Ipv4Address v4 ? h.putInt(v4.bits()) : h.putBytes(a.toBytes());
    }
}
