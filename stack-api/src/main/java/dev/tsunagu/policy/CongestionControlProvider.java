package dev.tsunagu.policy;

/** Makes {@link CongestionControl} instances, one per connection; found with {@link java.util.ServiceLoader}. */
public interface CongestionControlProvider extends NamedProvider {
    /** The built-in default's name: CUBIC (RFC 9438), as Linux's; {@code newreno} stays selectable. */
    String DEFAULT = "cubic";

    /**
     * A new controller for one connection, made on its event loop when the connection is set up;
     * {@code context} gives the initial MSS, stack options and the seeded random source.
     */
    CongestionControl create(PolicyContext context);
}
