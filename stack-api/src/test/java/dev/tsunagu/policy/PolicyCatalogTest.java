package dev.tsunagu.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PolicyCatalogTest {

    record Named(String name, String description) implements NamedProvider {
        Named(String name) {
            this(name, "the " + name + " policy");
        }
    }

    private static final AtomicInteger KINDS = new AtomicInteger();

    /** A kind nobody else uses, so that its system property is this test's alone. */
    private static String freshKind() {
        return "test-kind-" + KINDS.incrementAndGet() + "-" + System.nanoTime();
    }

    private static final Named RENO = new Named("newreno");
    private static final Named CUBIC = new Named("cubic");
    private static final Named BBR = new Named("bbr");

    @Test
    void systemPropertyIsNamedAfterTheKind() {
        PolicyCatalog<Named> c = PolicyCatalog.of("congestion-control", "newreno", RENO);
        assertThat(c.kind()).isEqualTo("congestion-control");
        assertThat(c.defaultName()).isEqualTo("newreno");
        assertThat(c.systemProperty()).isEqualTo("tsunagu.tcp.congestion-control");
    }

    @Test
    void explicitNameWinsOverPropertyAndDefault() {
        String kind = freshKind();
        PolicyCatalog<Named> c = PolicyCatalog.of(kind, "newreno", RENO, CUBIC, BBR);
        String property = c.systemProperty();
        System.setProperty(property, "cubic");
        try {
            assertThat(c.resolve("bbr")).isSameAs(BBR);
        } finally {
            System.clearProperty(property);
        }
        assertThat(c.resolve("bbr")).isSameAs(BBR);
        assertThat(c.resolve("newreno")).isSameAs(RENO);
    }

    @Test
    void systemPropertyIsUsedWhenNoNameIsGiven() {
        String kind = freshKind();
        PolicyCatalog<Named> c = PolicyCatalog.of(kind, "newreno", RENO, CUBIC, BBR);
        String property = "tsunagu.tcp." + kind;
        System.setProperty(property, "cubic");
        try {
            assertThat(c.resolve(null)).isSameAs(CUBIC);
            assertThat(c.resolve("")).as("a blank name counts as none").isSameAs(CUBIC);
            assertThat(c.resolve("  ")).isSameAs(CUBIC);
        } finally {
            System.clearProperty(property);
        }
        assertThat(c.resolve(null)).as("property cleared: the default").isSameAs(RENO);
    }

    @Test
    void aBlankSystemPropertyFallsThroughToTheDefault() {
        String kind = freshKind();
        PolicyCatalog<Named> c = PolicyCatalog.of(kind, "cubic", RENO, CUBIC);
        String property = c.systemProperty();
        System.setProperty(property, " ");
        try {
            assertThat(c.resolve(null)).isSameAs(CUBIC);
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void defaultNameIsUsedLast() {
        PolicyCatalog<Named> c = PolicyCatalog.of(freshKind(), "bbr", RENO, CUBIC, BBR);
        assertThat(c.resolve(null)).isSameAs(BBR);
        assertThat(c.find("cubic")).containsSame(CUBIC);
        assertThat(c.find("vegas")).isEmpty();
    }

    @Test
    void unknownExplicitNameListsTheInstalledOnes() {
        PolicyCatalog<Named> c = PolicyCatalog.of(freshKind(), "newreno", RENO, CUBIC);
        assertThatThrownBy(() -> c.resolve("vegas"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'vegas'")
                .hasMessageContaining("asked for")
                .hasMessageContaining("installed: newreno, cubic");
    }

    @Test
    void unknownNameFromThePropertySaysSo() {
        String kind = freshKind();
        PolicyCatalog<Named> c = PolicyCatalog.of(kind, "newreno", RENO);
        String property = c.systemProperty();
        System.setProperty(property, "vegas");
        try {
            assertThatThrownBy(() -> c.resolve(null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'vegas'")
                    .hasMessageContaining("system property " + property)
                    .hasMessageContaining("installed: newreno");
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void missingDefaultSaysSo() {
        PolicyCatalog<Named> c = PolicyCatalog.of(freshKind(), "newreno", CUBIC);
        assertThatThrownBy(() -> c.resolve(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'newreno'")
                .hasMessageContaining("the default")
                .hasMessageContaining("installed: cubic");
    }

    @Test
    void emptyCatalogSaysNoneIsInstalled() {
        String kind = freshKind();
        PolicyCatalog<Named> c = PolicyCatalog.of(kind, "newreno");
        assertThat(c.providers()).isEmpty();
        assertThatThrownBy(() -> c.resolve(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(kind)
                .hasMessageContaining("installed: none");
        assertThatThrownBy(() -> c.resolve("cubic"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("installed: none");
    }

    @Test
    void duplicatesKeepTheFirst() {
        Named first = new Named("cubic", "first");
        Named second = new Named("cubic", "second");
        PolicyCatalog<Named> c = PolicyCatalog.of(freshKind(), "cubic", first, RENO, second);
        assertThat(c.providers()).containsExactly(first, RENO);
        assertThat(c.resolve("cubic")).isSameAs(first);
        assertThat(c.resolve(null).description()).isEqualTo("first");
    }

    @Test
    void providersIsACopyInRegistrationOrder() {
        PolicyCatalog<Named> c = PolicyCatalog.of(freshKind(), "newreno", BBR, RENO, CUBIC);
        assertThat(c.providers()).containsExactly(BBR, RENO, CUBIC);
        c.providers().clear();
        assertThat(c.providers()).hasSize(3);
    }

    /** Public, as every service type must be for ServiceLoader to load it on another class's behalf. */
    public interface UnregisteredProvider extends NamedProvider {}

    @Test
    void loadWithNothingOnTheClassPathGivesAnEmptyCatalog() {
        PolicyCatalog<UnregisteredProvider> c = PolicyCatalog.load(freshKind(), "x", UnregisteredProvider.class);
        assertThat(c.providers()).isEmpty();
        assertThatThrownBy(() -> c.resolve(null)).hasMessageContaining("installed: none");
    }

    /** Policies applies the same chain per kind, with the stack-wide choice in place of the default. */
    @Test
    void policiesPreferTheSocketsChoiceThenTheStackWideOne() {
        CongestionControlProvider reno = cc("newreno");
        CongestionControlProvider cubic = cc("cubic");
        Policies p = new Policies(
                PolicyCatalog.of(freshKind(), "newreno", reno, cubic), "cubic",
                PolicyCatalog.of(freshKind(), "rfc6298"), null,
                PolicyCatalog.of(freshKind(), "nagle"), null);
        assertThat(p.congestionControl(null)).isSameAs(cubic);
        assertThat(p.congestionControl("newreno")).isSameAs(reno);
        assertThatThrownBy(() -> p.retransmission(null)).hasMessageContaining("installed: none");
        assertThatThrownBy(() -> p.sendBuffering("nodelay")).hasMessageContaining("'nodelay'");
    }

    private static CongestionControlProvider cc(String name) {
        return new CongestionControlProvider() {
            @Override
            public CongestionControl create(PolicyContext context) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return name;
            }
        };
    }
}
