package dev.tsunagu.jdk;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The registration of one Tsunagu channel with one {@link TsunaguSelector}. The interest set is
 * volatile (any thread may change it, as {@code SelectionKey} allows); the ready set is written
 * only by the selector, inside a selection.
 */
final class TsunaguSelectionKey extends AbstractSelectionKey {
    private final SelectableChannel channel;
    private final StackChannel stackChannel;
    private final TsunaguSelector selector;
    private volatile int interestOps;
    private volatile int readyOps;
    /** Whether the key waits in its selector's queue of keys to look at (at most once there). */
    final AtomicBoolean queued = new AtomicBoolean();

    TsunaguSelectionKey(SelectableChannel channel, TsunaguSelector selector, int ops) {
        this.channel = channel;
        this.stackChannel = (StackChannel) channel;
        this.selector = selector;
        this.interestOps = ops;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    TsunaguSelector tsunaguSelector() {
        return selector;
    }

    StackChannel stackChannel() {
        return stackChannel;
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    /** The interest set without the validity check, for the selector. */
    int currentInterest() {
        return interestOps;
    }

    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops " + ops + " for " + channel);
        }
        interestOps = ops;
        // The channel may already be ready for an operation just added: let the selector look.
        selector.changed(this);
        return this;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    void readyOps(int ops) {
        readyOps = ops;
    }

    int currentReady() {
        return readyOps;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public String toString() {
        return "TsunaguSelectionKey[" + channel + ", interest " + interestOps + ", ready " + readyOps
                + (isValid() ? "" : ", cancelled") + "]";
    }
}
