package dev.tsunagu.examples.code.congestion;

import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.CongestionControlProvider;
import dev.tsunagu.policy.PolicyContext;
import java.util.ArrayList;
import java.util.List;

/**
 * A third-party congestion control, {@code toy-aimd}. <b>A teaching toy, not for real
 * networks:</b> it has none of the care that RFC 5681 and RFC 6582 put into recovery (the
 * built-in {@code newreno} does). It shows how small the SPI is and how a controller lives
 * beside the sender rather than inside it.
 *
 * <p>The rule is plain AIMD with other constants than Reno's:
 * <ul>
 *   <li>slow start: the window grows by the bytes each ACK acknowledges until the first loss;</li>
 *   <li>additive increase: then by about one MSS per window of ACKed data (one per RTT);</li>
 *   <li>multiplicative decrease on a fast retransmit: to {@link #BETA} (0.7, as CUBIC uses;
 *       Reno uses 0.5) of the window, at least two MSS;</li>
 *   <li>a retransmission timeout: one MSS, and slow start again up to the decreased window.</li>
 * </ul>
 *
 * <p>The controller owns its state and only hears events; the sender asks it for the window.
 * Everything runs on the connection's event loop, so no locks. For the example's sake this
 * provider keeps a bounded record of the decreases its controllers made ({@link #decreases()}),
 * which a test or a curious user reads from {@code stack.policies().congestionControl("toy-aimd")}
 * (each stack loads its own provider instances).
 */
public final class ToyAimdProvider implements CongestionControlProvider {
    /** The name to choose it by. */
    public static final String NAME = "toy-aimd";
    /** The multiplicative decrease factor on loss. */
    public static final double BETA = 0.7;
    /** At most this many decreases are remembered (memory stays bounded). */
    public static final int HISTORY = 1000;

    /**
     * One decrease of a window.
     *
     * @param cause {@code "fast retransmit"} or {@code "timeout"}
     * @param mss the connection's MSS then, in bytes
     * @param before the window before, in bytes
     * @param after the window after, in bytes
     */
    public record Decrease(String cause, int mss, long before, long after) {}

    private final List<Decrease> decreases = new ArrayList<>();

    /** Public with no arguments: {@link java.util.ServiceLoader} makes it. */
    public ToyAimdProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "example toy: AIMD with decrease factor " + BETA + " (not for real networks)";
    }

    @Override
    public CongestionControl create(PolicyContext context) {
        return new ToyAimd(context.mss(), this::record);
    }

    /** The decreases so far, oldest first (the first {@link #HISTORY} of them). */
    public synchronized List<Decrease> decreases() {
        return List.copyOf(decreases);
    }

    private synchronized void record(Decrease d) {
        if (decreases.size() < HISTORY) {
            decreases.add(d);
        }
    }
}
