package dev.tsunagu.policy;

/**
 * Makes {@link SendBufferingPolicy} instances; found with {@link java.util.ServiceLoader} under
 * {@code META-INF/services/dev.tsunagu.policy.SendBufferingPolicyProvider}.
 */
public interface SendBufferingPolicyProvider extends NamedProvider {
    /** The built-in default's name. */
    String DEFAULT = "nagle";

    /**
     * A policy for one connection, made on its event loop when the connection is set up; a
     * stateless policy may return one shared instance.
     */
    SendBufferingPolicy create(PolicyContext context);
}
