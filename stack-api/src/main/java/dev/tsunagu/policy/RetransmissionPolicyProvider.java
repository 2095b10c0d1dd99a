package dev.tsunagu.policy;

/** Makes {@link RetransmissionPolicy} instances, one per connection; found with {@link java.util.ServiceLoader}. */
public interface RetransmissionPolicyProvider extends NamedProvider {
    /** The built-in default's name. */
    String DEFAULT = "rfc6298";

    /** A new policy for one connection, made on its event loop when the connection is set up. */
    RetransmissionPolicy create(PolicyContext context);
}
