package dev.tsunagu.jdk;

import dev.tsunagu.loop.EventLoop;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * How a blocking channel call waits: for its channel's next {@link Readiness} signal, through
 * the stack's {@link EventLoop#await} (which parks the thread, or drives a virtual loop's
 * simulation when called on that loop's thread). The call's loop re-reads the state after each
 * signal; a close signals too, and an interrupt ends the wait with the thread's interrupt
 * status set, for {@code AbstractInterruptibleChannel.end} to turn into
 * {@code ClosedByInterruptException}.
 */
final class ChannelWaits {
    /** "No deadline", as {@code System.nanoTime()} values go. */
    static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final Duration FOREVER = Duration.ofDays(36_500);

    private ChannelWaits() {}

    /** A deadline {@code timeoutMillis} from now, or {@link #NO_DEADLINE} for 0. */
    static long deadline(long timeoutMillis) {
        return timeoutMillis <= 0 ? NO_DEADLINE : System.nanoTime() + timeoutMillis * 1_000_000L;
    }

    /**
     * Waits for {@code change} until {@code deadline}.
     *
     * @return false if the deadline passed first
     */
    static boolean await(EventLoop loop, CompletableFuture<Void> change, long deadline) {
        Duration limit = deadline == NO_DEADLINE ? FOREVER : Duration.ofNanos(deadline - System.nanoTime());
        if (limit.isNegative() || limit.isZero()) {
            return change.isDone();
        }
        try {
            loop.await(change, limit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // never failed: a signal completes it normally
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** The check that opens every channel operation: a closed channel is a {@link ClosedChannelException}. */
    static void ensureOpen(Channel channel) throws ClosedChannelException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** Whether a blocking call should stop waiting: its channel closed or its thread interrupted. */
    static boolean stop(Channel channel) {
        return !channel.isOpen() || Thread.currentThread().isInterrupted();
    }
}
