package dev.tsunagu.policy;

/**
 * The three TCP policy kinds a stack chooses from, each a {@link PolicyCatalog} of providers
 * found with {@link java.util.ServiceLoader}, plus the stack-wide choice of each (a socket can
 * choose differently by name).
 */
public final class Policies {
    private final PolicyCatalog<CongestionControlProvider> congestionControl;
    private final PolicyCatalog<RetransmissionPolicyProvider> retransmission;
    private final PolicyCatalog<SendBufferingPolicyProvider> sendBuffering;
    private final String congestionControlName;
    private final String retransmissionName;
    private final String sendBufferingName;

    public Policies(PolicyCatalog<CongestionControlProvider> congestionControl, String congestionControlName,
                    PolicyCatalog<RetransmissionPolicyProvider> retransmission, String retransmissionName,
                    PolicyCatalog<SendBufferingPolicyProvider> sendBuffering, String sendBufferingName) {
        this.congestionControl = congestionControl;
        this.retransmission = retransmission;
        this.sendBuffering = sendBuffering;
        this.congestionControlName = congestionControlName;
        this.retransmissionName = retransmissionName;
        this.sendBufferingName = sendBufferingName;
    }

    /** Every provider on the class/module path, with the stack-wide names asked for (null: the chain decides). */
    public static Policies installed(String congestionControlName, String retransmissionName, String sendBufferingName) {
        return new Policies(
                PolicyCatalog.load("congestion-control", CongestionControlProvider.DEFAULT, CongestionControlProvider.class),
                congestionControlName,
                PolicyCatalog.load("retransmission", RetransmissionPolicyProvider.DEFAULT, RetransmissionPolicyProvider.class),
                retransmissionName,
                PolicyCatalog.load("send-buffering", SendBufferingPolicyProvider.DEFAULT, SendBufferingPolicyProvider.class),
                sendBufferingName);
    }

    public PolicyCatalog<CongestionControlProvider> congestionControlCatalog() {
        return congestionControl;
    }

    public PolicyCatalog<RetransmissionPolicyProvider> retransmissionCatalog() {
        return retransmission;
    }

    public PolicyCatalog<SendBufferingPolicyProvider> sendBufferingCatalog() {
        return sendBuffering;
    }

    /** The provider for a socket that asks for {@code name}, or the stack-wide choice if null. */
    public CongestionControlProvider congestionControl(String name) {
        return congestionControl.resolve(name != null ? name : congestionControlName);
    }

    public RetransmissionPolicyProvider retransmission(String name) {
        return retransmission.resolve(name != null ? name : retransmissionName);
    }

    public SendBufferingPolicyProvider sendBuffering(String name) {
        return sendBuffering.resolve(name != null ? name : sendBufferingName);
    }
}
