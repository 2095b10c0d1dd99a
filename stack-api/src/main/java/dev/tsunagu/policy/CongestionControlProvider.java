package dev.tsunagu.policy;

/** Makes {@link CongestionControl} instances, one per connection; found with {@link java.util.ServiceLoader}. */
public interface CongestionControlProvider extends NamedProvider {
    /** The built-in default's name. */
    String DEFAULT = "newreno";

    CongestionControl create(PolicyContext context);
}
