package dev.tsunagu.bench;

import dev.tsunagu.loop.Timer;
import dev.tsunagu.loop.TimerWheel;
import dev.tsunagu.loop.VirtualClock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * What TCP does to its retransmission timer on every ACK: re-arm it (schedule, which first
 * unlinks it) and, when everything is acknowledged, cancel it; with {@code others} timers
 * already in the wheel, as a busy stack has.
 */
public class TimerWheelBenchmark extends NanosecondBenchmark {
    @Param({"0", "10000"})
    int others;

    TimerWheel wheel;
    Timer rto;
    long delay;

    @Setup
    public void setUp() {
        VirtualClock clock = new VirtualClock();
        wheel = new TimerWheel(clock, TimeUnit.MILLISECONDS.toNanos(1), e -> { });
        rto = new Timer(wheel, "rto", () -> { });
        for (int i = 0; i < others; i++) {
            new Timer(wheel, "other", () -> { }).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(1 + i % 120_000));
        }
    }

    @Benchmark
    public boolean scheduleThenCancel() {
        delay = delay == 200_000_000L ? 201_000_000L : 200_000_000L; // a 200 ms RTO, in two slots by turns
        rto.scheduleAfter(delay);
        rto.cancel();
        return rto.isPending();
    }

    @Benchmark
    public boolean reschedule() {
        delay = delay == 200_000_000L ? 201_000_000L : 200_000_000L;
        rto.scheduleAfter(delay);
        return rto.isPending();
    }
}
