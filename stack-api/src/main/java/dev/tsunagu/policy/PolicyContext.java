package dev.tsunagu.policy;

import dev.tsunagu.stack.StackOption;
import java.util.random.RandomGenerator;

/** What a policy may read when it is made for one connection. */
public interface PolicyContext {
    /** A stack setting (e.g. the minimum RTO), or its default. */
    <T> T option(StackOption<T> option);

    /** The connection's maximum segment size when the policy is made (it may shrink later). */
    int mss();

    /** The stack's random source (seeded in tests). */
    RandomGenerator random();
}
