package dev.tsunagu.policy;

/** Makes {@link RetransmissionPolicy} instances, one per connection; found with {@link java.util.ServiceLoader}. */
public interface RetransmissionPolicyProvider extends NamedProvider {
    /** The built-in default's name. */
    String DEFAULT = "rfc6298";

    RetransmissionPolicy create(PolicyContext context);
}
