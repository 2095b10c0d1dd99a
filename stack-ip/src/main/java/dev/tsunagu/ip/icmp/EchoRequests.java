package dev.tsunagu.ip.icmp;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.util.LongObjectMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The echo requests of one stack in flight, whatever the family (ICMP's RFC 792 echo and
 * ICMPv6's RFC 4443 4.1 match replies the same way): one identifier, a sequence number per
 * request, a timeout timer each, and how each ends ({@link PingResult}). The IPv4 and IPv6
 * pingers send the messages and fill in their checksums; this builds and matches them (the echo
 * message's layout is the same in both families) and keeps the bookkeeping. Loop thread only.
 */
public final class EchoRequests {
    /** Requests that may be outstanding at once; more fail at once rather than grow memory. */
    public static final int MAX_OUTSTANDING = 1024;

    // The echo message's fields (RFC 792 "Echo or Echo Reply Message", RFC 4443 4.1 and 4.2 alike).
    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;
    private static final int HEADER_LENGTH = 8;

    private final EventLoop loop;
    private final int identifier;
    private final LongObjectMap<Pending> outstanding = new LongObjectMap<>();
    private int nextSequence = 1;

    private final class Pending {
        final int sequence;
        final IpAddress target;
        final long sentAt;
        final CompletableFuture<PingResult> future;
        final Timer timer;

        Pending(int sequence, IpAddress target, long sentAt, CompletableFuture<PingResult> future) {
            this.sequence = sequence;
            this.target = target;
            this.sentAt = sentAt;
            this.future = future;
            this.timer = loop.newTimer("ping " + sequence, () -> finish(this, new PingResult.Timeout(sequence)));
        }
    }

    public EchoRequests(EventLoop loop, int identifier) {
        this.loop = loop;
        this.identifier = identifier;
    }

    /** The identifier of this stack's requests. */
    public int identifier() {
        return identifier;
    }

    /**
     * Registers a request to {@code target} that {@code future} waits for, timing out after
     * {@code timeoutNanos}; returns its sequence number, or -1 (and fails the future) when
     * {@link #MAX_OUTSTANDING} are in flight.
     */
    public int start(IpAddress target, long timeoutNanos, CompletableFuture<PingResult> future) {
        if (outstanding.size() >= MAX_OUTSTANDING) {
            future.completeExceptionally(new IllegalStateException("too many pings outstanding (" + MAX_OUTSTANDING + ")"));
            return -1;
        }
        int seq = nextSequence;
        nextSequence = (nextSequence + 1) & 0xFFFF;
        Pending p = new Pending(seq, target, loop.now(), future);
        outstanding.put(seq, p);
        p.timer.scheduleAfter(timeoutNanos);
        return seq;
    }

    /** The request {@code sequence} could not be sent: it fails with {@code cause}. */
    public void abandon(int sequence, Throwable cause) {
        Pending p = outstanding.remove(sequence);
        if (p != null) {
            p.timer.cancel();
            p.future.completeExceptionally(cause);
        }
    }

    /** An echo reply arrived; one not ours (another identifier), late or duplicated is ignored. */
    public void reply(int replyIdentifier, int sequence, IpAddress from, int bytes, int ttl) {
        Pending p = replyIdentifier == identifier ? outstanding.get(sequence) : null;
        if (p != null) {
            finish(p, new PingResult.Reply(from, sequence, bytes, ttl, loop.now() - p.sentAt));
        }
    }

    /** An error quoted our request {@code sequence} with {@code quotedIdentifier}: it ends unreachable if the target matches. */
    public void error(int quotedIdentifier, int sequence, IcmpErrorInfo error) {
        Pending p = quotedIdentifier == identifier ? outstanding.get(sequence) : null;
        if (p != null && p.target.equals(error.quotedDestination())) {
            finish(p, new PingResult.Unreachable(error.reporter(), sequence, error.type(), error.code()));
        }
    }

    private void finish(Pending p, PingResult result) {
        outstanding.remove(p.sequence);
        p.timer.cancel();
        p.future.complete(result);
    }

    /**
     * Runs {@code send} with a new future on the loop (at once when called there) and returns
     * the future: the pingers' entry points may be called from any thread.
     */
    public static CompletableFuture<PingResult> onLoop(EventLoop loop, Consumer<CompletableFuture<PingResult>> send) {
        CompletableFuture<PingResult> f = new CompletableFuture<>();
        if (loop.inEventLoop()) {
            send.accept(f);
        } else {
            loop.execute(() -> send.accept(f));
        }
        return f;
    }

    /**
     * The echo request {@code sequence}: message type {@code echoRequestType}, code 0, this
     * stack's identifier and {@code size} data bytes ({@link #fillPayload}); the checksum is left 0
     * for the family to fill in (ICMPv6's covers a pseudo-header).
     */
    public PacketBuffer newRequest(BufferPool buffers, int echoRequestType, int sequence, int size, long now) {
        PacketBuffer b = buffers.acquire(HEADER_LENGTH + size);
        b.append(HEADER_LENGTH + size);
        b.setU8(TYPE, echoRequestType);
        b.setU8(CODE, 0);
        b.setU16(CHECKSUM, 0);
        b.setU16(IDENTIFIER, identifier);
        b.setU16(SEQUENCE, sequence);
        fillPayload(b, HEADER_LENGTH, size, now);
        return b;
    }

    /** An echo reply ({@code message} at its ICMP header, checked by the caller) arrived with {@code info}. */
    public void reply(IpPacketInfo info, PacketBuffer message) {
        reply(message.getU16(IDENTIFIER), message.getU16(SEQUENCE), info.source(), message.length() - HEADER_LENGTH,
                info.ttl());
    }

    /** An error quoted {@code quoted} (at its ICMP header): if it is one of our echo requests, that request ends. */
    public void error(IcmpErrorInfo error, PacketBuffer quoted, int echoRequestType) {
        if (quoted.length() >= HEADER_LENGTH && quoted.getU8(TYPE) == echoRequestType) {
            error(quoted.getU16(IDENTIFIER), quoted.getU16(SEQUENCE), error);
        }
    }

    /** Every request still in flight ends as a timeout (the stack is closing). */
    public void close() {
        List<Pending> all = new ArrayList<>();
        outstanding.forEach((k, v) -> all.add(v));
        for (Pending p : all) {
            finish(p, new PingResult.Timeout(p.sequence));
        }
    }

    /** Fills {@code size} data bytes at {@code at} as iputils does: a timestamp in the first 8, then a counting pattern. */
    public static void fillPayload(PacketBuffer b, int at, int size, long now) {
        for (int i = 0; i < size; i++) {
            b.setU8(at + i, i < 8 ? (int) (now >>> (56 - 8 * i)) : i);
        }
    }
}
