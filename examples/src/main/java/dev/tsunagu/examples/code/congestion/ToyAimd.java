package dev.tsunagu.examples.code.congestion;

import dev.tsunagu.examples.code.congestion.ToyAimdProvider.Decrease;
import dev.tsunagu.policy.CongestionControl;
import java.util.function.Consumer;

/** One connection's {@code toy-aimd} controller; see {@link ToyAimdProvider} for the rule. All sizes in bytes. */
final class ToyAimd implements CongestionControl {
    private final Consumer<Decrease> onDecrease;
    private int mss;
    private long cwnd;
    private long ssthresh = Long.MAX_VALUE / 2; // "arbitrarily high" until the first loss
    private boolean inRecovery;
    /** Bytes ACKed since the window last grew in congestion avoidance. */
    private long ackedSinceGrowth;

    ToyAimd(int mss, Consumer<Decrease> onDecrease) {
        this.mss = mss;
        this.cwnd = 4L * mss;
        this.onDecrease = onDecrease;
    }

    @Override
    public long congestionWindow() {
        return cwnd;
    }

    @Override
    public long slowStartThreshold() {
        return ssthresh;
    }

    @Override
    public void onAck(long now, long ackedBytes, long rttNanos, long bytesInFlight) {
        if (inRecovery) {
            return; // hold the window until recovery ends
        }
        if (cwnd < ssthresh) {
            cwnd += Math.min(ackedBytes, mss); // slow start, at most one MSS per ACK
            return;
        }
        // Additive increase: one MSS each time a full window's worth of bytes has been ACKed.
        ackedSinceGrowth += ackedBytes;
        if (ackedSinceGrowth >= cwnd) {
            ackedSinceGrowth -= cwnd;
            cwnd += mss;
        }
    }

    @Override
    public void onFastRetransmit(long now, long bytesInFlight) {
        if (inRecovery) {
            return; // one decrease per loss event
        }
        long before = cwnd;
        ssthresh = Math.max((long) (cwnd * ToyAimdProvider.BETA), 2L * mss);
        cwnd = ssthresh;
        inRecovery = true;
        onDecrease.accept(new Decrease("fast retransmit", mss, before, cwnd));
    }

    @Override
    public void onRecoveryEnd(long now) {
        inRecovery = false;
        ackedSinceGrowth = 0;
    }

    @Override
    public void onRetransmissionTimeout(long now, long bytesInFlight) {
        long before = cwnd;
        ssthresh = Math.max((long) (cwnd * ToyAimdProvider.BETA), 2L * mss);
        cwnd = mss;
        inRecovery = false;
        onDecrease.accept(new Decrease("timeout", mss, before, cwnd));
    }

    @Override
    public boolean inRecovery() {
        return inRecovery;
    }

    @Override
    public void onMssChanged(int newMss) {
        // Keep the same number of segments in the window.
        cwnd = Math.max(newMss, cwnd / mss * newMss);
        mss = newMss;
    }
}
