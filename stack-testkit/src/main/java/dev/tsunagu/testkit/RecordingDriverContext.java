package dev.tsunagu.testkit;

import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DriverContext} for driver tests: it copies every received frame into a queue the
 * test can wait on (drivers may deliver from their own threads), releases the buffer as the
 * stack would, and records reported errors and link changes.
 */
public final class RecordingDriverContext implements DriverContext {
    private final String name;
    private final BufferPool pool;
    private final EventLoop loop;
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<Boolean> linkChanges = new CopyOnWriteArrayList<>();

    public RecordingDriverContext(String name, BufferPool pool, EventLoop loop) {
        this.name = name;
        this.pool = pool;
        this.loop = loop;
    }

    @Override
    public String interfaceName() {
        return name;
    }

    @Override
    public BufferPool buffers() {
        return pool;
    }

    @Override
    public Clock clock() {
        return loop.clock();
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public boolean receive(PacketBuffer frame) {
        InternetChecksum.finishPartial(frame); // as the device would before a wire: recorded as it would arrive
        received.add(frame.toByteArray());
        frame.release();
        return true;
    }

    @Override
    public void linkStateChanged(boolean up) {
        linkChanges.add(up);
    }

    @Override
    public void reportError(String message, Throwable cause) {
        errors.add(message);
    }

    /** The next received frame, or null if none arrives within {@code timeout}. */
    public byte[] poll(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public byte[] pollNow() {
        return received.poll();
    }

    public List<String> errors() {
        return errors;
    }

    public List<Boolean> linkChanges() {
        return linkChanges;
    }
}
