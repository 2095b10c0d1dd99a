package dev.tsunagu.ip;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.ip.wire.IcmpHeader;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.util.LongObjectMap;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Echo requests and their outcomes. One identifier per stack (random), a sequence number per
 * request; requests in flight are kept by sequence with a timeout timer each.
 */
final class Pinger implements PingService {
    /** Requests that may be outstanding at once; more fail at once rather than grow memory. */
    static final int MAX_OUTSTANDING = 1024;

    private final Ipv4Layer ip;
    private final EventLoop loop;
    private final dev.tsunagu.buffer.BufferPool buffers;
    private final int identifier;
    private final LongObjectMap<Pending> outstanding = new LongObjectMap<>();
    private final Counter outEchos;
    private int nextSequence = 1;

    private final class Pending {
        final int sequence;
        final int target;
        final long sentAt;
        final CompletableFuture<PingResult> future;
        final Timer timer;

        Pending(int sequence, int target, long sentAt, CompletableFuture<PingResult> future) {
            this.sequence = sequence;
            this.target = target;
            this.sentAt = sentAt;
            this.future = future;
            this.timer = loop.newTimer("ping " + sequence, () -> finish(this, new PingResult.Timeout(sequence)));
        }
    }

    Pinger(Ipv4Layer ip, StackContext ctx) {
        this.ip = ip;
        this.loop = ctx.loop();
        this.buffers = ctx.buffers();
        this.identifier = ctx.random().nextInt(0x10000);
        this.outEchos = ctx.counters("icmp").counter("OutEchos", "echo requests sent");
    }

    @Override
    public CompletableFuture<PingResult> ping(InetAddress target, int payloadSize, int ttl, Duration timeout) {
        if (payloadSize < 0 || payloadSize > 65507) {
            throw new IllegalArgumentException("ICMP payload must be 0..65507 bytes: " + payloadSize);
        }
        CompletableFuture<PingResult> f = new CompletableFuture<>();
        if (!(IpAddress.of(target) instanceof Ipv4Address v4)) {
            f.completeExceptionally(new NoRouteToHostException("cannot ping " + target.getHostAddress()
                    + ": this stack has no IPv6 layer (ICMPv6 echo needs one); it pings IPv4 addresses only"));
            return f;
        }
        if (loop.inEventLoop()) {
            send(v4.bits(), payloadSize, ttl, timeout, f);
        } else {
            loop.execute(() -> send(v4.bits(), payloadSize, ttl, timeout, f));
        }
        return f;
    }

    private void send(int target, int size, int ttl, Duration timeout, CompletableFuture<PingResult> f) {
        if (outstanding.size() >= MAX_OUTSTANDING) {
            f.completeExceptionally(new IllegalStateException("too many pings outstanding (" + MAX_OUTSTANDING + ")"));
            return;
        }
        int seq = nextSequence;
        nextSequence = (nextSequence + 1) & 0xFFFF;
        long now = loop.now();
        PacketBuffer b = buffers.acquire(IcmpHeader.HEADER_LENGTH + size);
        b.append(IcmpHeader.HEADER_LENGTH + size);
        b.setU8(IcmpHeader.TYPE, IcmpHeader.TYPE_ECHO_REQUEST);
        b.setU8(IcmpHeader.CODE, 0);
        b.setU16(IcmpHeader.CHECKSUM, 0);
        b.setU16(IcmpHeader.IDENTIFIER, identifier);
        b.setU16(IcmpHeader.SEQUENCE, seq);
        for (int i = 0; i < size; i++) {
            // iputils: a timestamp in the first bytes, then a counting pattern
            b.setU8(IcmpHeader.HEADER_LENGTH + i, i < 8 ? (int) (now >>> (56 - 8 * i)) : i);
        }
        b.setU16(IcmpHeader.CHECKSUM, InternetChecksum.compute(b.array(), b.start(), b.length()));
        Pending p = new Pending(seq, target, now, f);
        outstanding.put(seq, p);
        p.timer.scheduleAfter(timeout.toNanos());
        outEchos.increment();
        int result = ip.send(b, 0, target, IpProtocol.ICMP, ttl, 0, false);
        if (result == IpService.NO_ROUTE) {
            outstanding.remove(seq);
            p.timer.cancel();
            f.completeExceptionally(new NoRouteToHostException("no route to host " + Ipv4Address.format(target)));
        }
    }

    void onReply(IpPacketInfo info, PacketBuffer p) {
        if (IcmpHeader.identifier(p) != identifier) {
            return;
        }
        Pending pending = outstanding.get(IcmpHeader.sequence(p));
        if (pending == null) {
            return; // late (timed out) or duplicate
        }
        finish(pending, new PingResult.Reply(info.source(), pending.sequence,
                p.length() - IcmpHeader.HEADER_LENGTH, info.ttl(), loop.now() - pending.sentAt));
    }

    /** An ICMP error quoting one of our echo requests ({@code quoted} starts at its ICMP header). */
    void onError(IcmpErrorInfo error, PacketBuffer quoted) {
        if (quoted.length() < 8 || IcmpHeader.type(quoted) != IcmpHeader.TYPE_ECHO_REQUEST
                || IcmpHeader.identifier(quoted) != identifier) {
            return;
        }
        Pending pending = outstanding.get(IcmpHeader.sequence(quoted));
        if (pending != null && error.quotedDestination() instanceof Ipv4Address to && pending.target == to.bits()) {
            finish(pending, new PingResult.Unreachable(error.reporter(), pending.sequence,
                    error.type(), error.code()));
        }
    }

    private void finish(Pending p, PingResult result) {
        outstanding.remove(p.sequence);
        p.timer.cancel();
        p.future.complete(result);
    }

    void close() {
        List<Pending> all = new ArrayList<>();
        outstanding.forEach((k, v) -> all.add(v));
        for (Pending p : all) {
            finish(p, new PingResult.Timeout(p.sequence));
        }
    }
}
