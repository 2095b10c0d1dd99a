package dev.tsunagu.policy;

/**
 * Makes {@link SendBufferingPolicy} instances; found with {@link java.util.ServiceLoader} under
 * {@code META-INF/services/dev.tsunagu.policy.SendBufferingPolicyProvider}.
 */
public interface SendBufferingPolicyProvider extends NamedProvider {
    /** The built-in default's name. */
    String DEFAULT = "nagle";

    SendBufferingPolicy create(PolicyContext context);
}
