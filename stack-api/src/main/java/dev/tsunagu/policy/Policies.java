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

    /**
     * The given catalogs and stack-wide names (null: let each catalog's chain decide); explicit
     * wiring for embedders and tests.
     */
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

    /**
     * Exactly these three, each the stack-wide choice of its kind and the only one a socket can
     * ask for: explicit wiring for embedders and tests, with no discovery and no system property
     * consulted (a name given outranks the property in every catalog's chain).
     */
    public static Policies of(CongestionControlProvider congestionControl, RetransmissionPolicyProvider retransmission,
                              SendBufferingPolicyProvider sendBuffering) {
        return new Policies(
                PolicyCatalog.of("congestion-control", CongestionControlProvider.DEFAULT, congestionControl),
                congestionControl.name(),
                PolicyCatalog.of("retransmission", RetransmissionPolicyProvider.DEFAULT, retransmission),
                retransmission.name(),
                PolicyCatalog.of("send-buffering", SendBufferingPolicyProvider.DEFAULT, sendBuffering),
                sendBuffering.name());
    }

    /**
     * The same catalogs with a different stack-wide choice for each kind whose name is given
     * (null keeps this one's choice).
     */
    public Policies choosing(String congestionControlName, String retransmissionName, String sendBufferingName) {
        return new Policies(
                congestionControl, congestionControlName != null ? congestionControlName : this.congestionControlName,
                retransmission, retransmissionName != null ? retransmissionName : this.retransmissionName,
                sendBuffering, sendBufferingName != null ? sendBufferingName : this.sendBufferingName);
    }

    /** The installed congestion controls. */
    public PolicyCatalog<CongestionControlProvider> congestionControlCatalog() {
        return congestionControl;
    }

    /** The installed retransmission policies. */
    public PolicyCatalog<RetransmissionPolicyProvider> retransmissionCatalog() {
        return retransmission;
    }

    /** The installed send-buffering policies. */
    public PolicyCatalog<SendBufferingPolicyProvider> sendBufferingCatalog() {
        return sendBuffering;
    }

    /** The provider for a socket that asks for {@code name}, or the stack-wide choice if null. */
    public CongestionControlProvider congestionControl(String name) {
        return congestionControl.resolve(name != null ? name : congestionControlName);
    }

    /**
     * The retransmission provider for a socket that asks for {@code name}, or the stack-wide choice if null.
     *
     * @throws IllegalArgumentException naming what is installed, if the chosen name is not
     */
    public RetransmissionPolicyProvider retransmission(String name) {
        return retransmission.resolve(name != null ? name : retransmissionName);
    }

    /**
     * The send-buffering provider for a socket that asks for {@code name}, or the stack-wide choice if null.
     *
     * @throws IllegalArgumentException naming what is installed, if the chosen name is not
     */
    public SendBufferingPolicyProvider sendBuffering(String name) {
        return sendBuffering.resolve(name != null ? name : sendBufferingName);
    }
}
