package dev.tsunagu.policy;

/** What every policy provider has: a name to be chosen by, and a line to be listed with. */
public interface NamedProvider {
    /** The name users select it by ({@code newreno}, {@code nagle}); lower case, unique per kind. */
    String name();

    /** One line saying what it does, for listings such as {@code tsunagu plugins}. */
    String description();
}
