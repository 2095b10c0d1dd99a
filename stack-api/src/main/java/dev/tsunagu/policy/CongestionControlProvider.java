package dev.tsunagu.policy;

/** Makes {@link CongestionControl} instances, one per connection; found with {@link java.util.ServiceLoader}. */
public interface CongestionControlProvider extends NamedProvider {
    /** The built-in default's name. */
    String DEFAULT = "newreno";

    /**
     * A new controller for one connection, made on its event loop when the connection is set up;
     * {@code context} gives the initial MSS, stack options and the seeded random source.
     */
    CongestionControl create(PolicyContext context);
}
