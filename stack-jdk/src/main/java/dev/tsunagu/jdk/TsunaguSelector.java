package dev.tsunagu.jdk;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelectionKey;
import java.nio.channels.spi.AbstractSelector;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link java.nio.channels.Selector} over Tsunagu channels, woken by the stack instead of a
 * kernel's {@code epoll}.
 *
 * <h2>How readiness arrives</h2>
 * A channel whose state changes (on the stack's event loop: bytes arrived, the send buffer took
 * a chunk, a handshake completed, a connection waits to be accepted, the peer reset) calls
 * {@link #changed} for each of its keys through its {@link Readiness}. That queues the key
 * (once: a flag on the key) and unparks the thread waiting in {@code select}, if any. A
 * selection then looks only at the queued keys, asks each channel for the operations ready
 * <em>now</em> and updates the selected-key set as {@code Selector}'s javadoc prescribes. Keys
 * found ready are queued again for the next selection, because readiness is level-triggered:
 * a channel left unread is reported again, as with the JDK's selectors. A selection with
 * nothing queued parks until a signal, {@link #wakeup}, an interrupt, a close or its timeout:
 * no loop polls the channels.
 *
 * <h2>Locks</h2>
 * Selections hold the selector's monitor and the selected-key set's, as the JDK's do. The
 * signalling side ({@link #changed}, {@link #wakeup}) takes no lock: it runs on the stack's
 * loop thread, which must never wait for an application thread. A concurrent queue and three
 * volatile fields carry the hand-off; the waiter publishes itself before it reads the flags and
 * the signaller sets a flag before it reads the waiter, so no signal is lost.
 *
 * <p>Memory: the queue holds each key at most once, so it is bounded by the number of keys.
 */
final class TsunaguSelector extends AbstractSelector {
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> selected = new HashSet<>();
    private final Set<SelectionKey> publicSelected = new Ungrowable(selected);
    /** Keys whose channel signalled (or whose interest changed) since they were last looked at. */
    private final ConcurrentLinkedQueue<TsunaguSelectionKey> candidates = new ConcurrentLinkedQueue<>();
    private volatile boolean signalled;
    private volatile boolean wakeupPending;
    private volatile Thread waiter;

    TsunaguSelector(TsunaguSelectorProvider provider) {
        super(provider);
    }

    // ---- registration ----

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
        if (!(ch instanceof StackChannel stackChannel) || ch.provider() != provider()) {
            throw new IllegalSelectorException();
        }
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
        TsunaguSelectionKey k = new TsunaguSelectionKey(ch, this, ops);
        k.attach(attachment);
        keys.add(k);
        stackChannel.readiness().add(k);
        changed(k); // it may be ready already
        return k;
    }

    /**
     * {@code key}'s channel changed state or its interest changed: look at it in the next
     * selection, and wake a waiting selection only if the key is ready now for what it is
     * interested in. A change the key does not wait for (the send buffer took a write while the
     * key waits to read) thus costs no wake-up; every change that makes a key ready comes here
     * after it is visible, so none is missed. Any thread, no lock.
     */
    void changed(TsunaguSelectionKey key) {
        if (key.queued.compareAndSet(false, true)) {
            candidates.add(key);
        }
        if (!key.isValid() || (key.stackChannel().readyOps() & key.currentInterest()) == 0) {
            return;
        }
        signalled = true;
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    // ---- selection ----

    @Override
    public int selectNow() throws IOException {
        return select(0L, false);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return select(timeout, true);
    }

    @Override
    public int select() throws IOException {
        return select(0L, true);
    }

    /** @param timeoutMillis 0 with {@code block}: no limit */
    private int select(long timeoutMillis, boolean block) throws IOException {
        synchronized (this) {
            if (!isOpen()) {
                throw new ClosedSelectorException();
            }
            synchronized (publicSelected) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                if (block) {
                    begin(); // an interrupt wakes the selection (AbstractSelector calls wakeup)
                }
                try {
                    while (true) {
                        signalled = false;
                        processCancelledKeys();
                        Collected c = collect();
                        if (c.updated > 0 || c.readyUnchanged || !block || wakeupPending || !isOpen()
                                || Thread.currentThread().isInterrupted()) {
                            return c.updated;
                        }
                        if (!park(timeoutMillis == 0 ? Long.MAX_VALUE : deadline)) {
                            processCancelledKeys();
                            return collect().updated;
                        }
                    }
                } finally {
                    if (block) {
                        end();
                    }
                    wakeupPending = false;
                }
            }
        }
    }

    /** Parks until signalled, woken, interrupted or closed: false if the deadline passed first. */
    private boolean park(long deadline) {
        waiter = Thread.currentThread();
        try {
            while (!signalled && !wakeupPending && isOpen() && !Thread.currentThread().isInterrupted()) {
                if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
            return true;
        } finally {
            waiter = null;
        }
    }

    private record Collected(int updated, boolean readyUnchanged) {}

    /**
     * Looks at the queued keys and updates the selected-key set: a key not in it is added with
     * exactly the operations ready now; a key in it gains the newly ready ones. Returns how
     * many keys were updated, and whether some key was ready without news (its channel still
     * ready, its key still selected): a selection then returns at once with 0, as the JDK's do.
     */
    private Collected collect() {
        int updated = 0;
        boolean readyUnchanged = false;
        List<TsunaguSelectionKey> stillReady = null;
        TsunaguSelectionKey k;
        while ((k = candidates.poll()) != null) {
            k.queued.set(false);
            if (!k.isValid()) {
                continue;
            }
            int ready = k.stackChannel().readyOps() & k.currentInterest();
            if (ready == 0) {
                continue;
            }
            if (stillReady == null) {
                stillReady = new ArrayList<>();
            }
            stillReady.add(k);
            if (selected.contains(k)) {
                int before = k.currentReady();
                if ((before | ready) != before) {
                    k.readyOps(before | ready);
                    updated++;
                } else {
                    readyUnchanged = true;
                }
            } else {
                selected.add(k);
                k.readyOps(ready);
                updated++;
            }
        }
        if (stillReady != null) {
            for (TsunaguSelectionKey r : stillReady) {
                if (r.queued.compareAndSet(false, true)) {
                    candidates.add(r);
                }
            }
        }
        return new Collected(updated, readyUnchanged);
    }

    /** Deregisters the keys cancelled since the last selection (selector's monitor held). */
    private void processCancelledKeys() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            if (cancelled.isEmpty()) {
                return;
            }
            for (SelectionKey k : cancelled) {
                forget((TsunaguSelectionKey) k);
            }
            cancelled.clear();
        }
    }

    private void forget(TsunaguSelectionKey k) {
        keys.remove(k);
        selected.remove(k);
        k.stackChannel().readiness().remove(k);
        deregister((AbstractSelectionKey) k);
    }

    @Override
    public Selector wakeup() {
        wakeupPending = true;
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
        return this;
    }

    // ---- sets and closing ----

    @Override
    public Set<SelectionKey> keys() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
        return publicSelected;
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        synchronized (this) {
            synchronized (publicSelected) {
                for (SelectionKey k : new ArrayList<>(keys)) {
                    k.cancel();
                }
                processCancelledKeys();
                candidates.clear();
            }
        }
    }

    @Override
    public String toString() {
        return "TsunaguSelector[" + ((TsunaguSelectorProvider) provider()).stackName() + ", " + keys.size() + " keys]";
    }

    /** The selected-key set as {@code Selector} hands it out: removal allowed, addition not. */
    private static final class Ungrowable extends AbstractSet<SelectionKey> {
        private final Set<SelectionKey> set;

        Ungrowable(Set<SelectionKey> set) {
            this.set = set;
        }

        @Override
        public Iterator<SelectionKey> iterator() {
            return set.iterator();
        }

        @Override
        public int size() {
            return set.size();
        }

        @Override
        public boolean contains(Object o) {
            return set.contains(o);
        }

        @Override
        public boolean remove(Object o) {
            return set.remove(o);
        }

        @Override
        public void clear() {
            set.clear();
        }

        @Override
        public boolean add(SelectionKey k) {
            throw new UnsupportedOperationException("the selected-key set does not grow by add");
        }
    }
}
