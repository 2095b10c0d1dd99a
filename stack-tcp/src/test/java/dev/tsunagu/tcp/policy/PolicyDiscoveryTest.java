package dev.tsunagu.tcp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.policy.CongestionControlProvider;
import dev.tsunagu.policy.NamedProvider;
import dev.tsunagu.policy.Policies;
import dev.tsunagu.policy.PolicyCatalog;
import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.RetransmissionPolicyProvider;
import dev.tsunagu.policy.SendBufferingPolicyProvider;
import dev.tsunagu.stack.StackOption;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped policies are found by {@link java.util.ServiceLoader} (through
 * {@code module-info} on the module path, {@code META-INF/services} on the class path) under
 * their names, and are the built-in defaults.
 */
class PolicyDiscoveryTest {
    /** Every option at its default. */
    record Context(int mss) implements PolicyContext {
        @Override
        public <T> T option(StackOption<T> option) {
            return option.defaultValue();
        }

        @Override
        public RandomGenerator random() {
            return new SplittableRandom(1);
        }
    }

    private static PolicyCatalog<?> catalog(String kind) {
        return switch (kind) {
            case "congestion-control" ->
                PolicyCatalog.load(kind, CongestionControlProvider.DEFAULT, CongestionControlProvider.class);
            case "retransmission" ->
                PolicyCatalog.load(kind, RetransmissionPolicyProvider.DEFAULT, RetransmissionPolicyProvider.class);
            case "send-buffering" ->
                PolicyCatalog.load(kind, SendBufferingPolicyProvider.DEFAULT, SendBufferingPolicyProvider.class);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0} '{1}' is {2}")
    @CsvSource({
        "congestion-control, newreno,               NewRenoProvider",
        "congestion-control, cubic,                 CubicProvider",
        "congestion-control, bbr,                   BbrProvider",
        "retransmission,     rfc6298,               Rfc6298Provider",
        "send-buffering,     nagle,                 NagleProvider",
        "send-buffering,     nodelay,               NoDelayProvider",
        "send-buffering,     full-segment-or-timer, FullSegmentOrTimerProvider",
    })
    void eachShippedPolicyIsFoundByName(String kind, String name, String providerClass) {
        PolicyCatalog<?> catalog = catalog(kind);
        assertThat(catalog.find(name)).get()
                .extracting(p -> p.getClass().getName())
                .isEqualTo("dev.tsunagu.tcp.policy." + providerClass);
        NamedProvider provider = catalog.resolve(name);
        assertThat(provider.name()).isEqualTo(name);
        assertThat(provider.description()).isNotBlank();
    }

    @Test
    void theShippedPoliciesAreTheDefaultsAndWork() {
        Policies policies = Policies.installed(null, null, null);
        Context context = new Context(1460);

        CongestionControlProvider cc = policies.congestionControl(null);
        assertThat(cc).isInstanceOf(CubicProvider.class);
        assertThat(cc.create(context).congestionWindow()).isEqualTo(4380);

        RetransmissionPolicyProvider rto = policies.retransmission(null);
        assertThat(rto).isInstanceOf(Rfc6298Provider.class);
        assertThat(rto.create(context).currentTimeoutNanos()).isEqualTo(1_000_000_000L);

        SendBufferingPolicyProvider sb = policies.sendBuffering(null);
        assertThat(sb).isInstanceOf(NagleProvider.class);
        assertThat(policies.sendBuffering("nodelay")).isInstanceOf(NoDelayProvider.class);
        assertThat(policies.sendBuffering("full-segment-or-timer").create(context).holdTimeoutNanos())
                .isEqualTo(200_000_000L);
    }

    @Test
    void eachKindListsWhatItShips() {
        assertThat(catalog("congestion-control").providers()).extracting(NamedProvider::name).contains("newreno", "cubic", "bbr");
        assertThat(catalog("retransmission").providers()).extracting(NamedProvider::name).contains("rfc6298");
        assertThat(catalog("send-buffering").providers()).extracting(NamedProvider::name)
                .contains("nagle", "nodelay", "full-segment-or-timer");
    }
}
