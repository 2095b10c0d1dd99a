package example.thirdparty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.policy.SendBufferingPolicyProvider;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackOption;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * A third party adds a driver and a send-buffering policy with nothing but classes and
 * {@code META-INF/services} files (see this test's resources), and the stack uses both by
 * name: no core change, no explicit wiring.
 */
class ThirdPartyPluginTest {
    @Test
    void aThirdPartyDriverAndPolicyAreFoundAndUsedByName() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        int before = AcmeNullDriverProvider.TRANSMITTED.get();
        try (NetworkStack stack = NetworkStack.builder().name("acme").eventLoop(loop).seed(1)
                .addInterface("acme-null:wire0,mtu=1400", "192.0.2.1/24")
                .sendBufferingPolicy("acme-batch")
                .build()) {
            loop.runUntilIdle();

            NetInterface eth0 = stack.interfaceNamed("eth0").orElseThrow();
            assertThat(eth0.driver().name()).isEqualTo("acme-null:wire0");
            assertThat(eth0.mtu()).isEqualTo(1400);
            assertThat(AcmeNullDriverProvider.TRANSMITTED.get() - before)
                    .as("the stack sent its gratuitous ARP through the third-party driver").isEqualTo(1);
            assertThat(stack.statistics().get("if.eth0", "TxFrames")).isEqualTo(1);

            SendBufferingPolicyProvider chosen = stack.policies().sendBuffering(null);
            assertThat(chosen).isInstanceOf(AcmeBatchPolicyProvider.class);
            assertThat(stack.policies().sendBuffering("acme-batch")).isSameAs(chosen);
            SendBufferingPolicy policy = chosen.create(new FixedContext(1460));
            assertThat(policy.decide(state(100, 1460))).isEqualTo(SendBufferingPolicy.Decision.HOLD_WITH_TIMER);
            assertThat(policy.decide(state(730, 1460))).isEqualTo(SendBufferingPolicy.Decision.SEND);
            assertThat(policy.holdTimeoutNanos()).isEqualTo(5_000_000);
        }
    }

    @Test
    void anUnknownPolicyNameFailsTheBuildListingWhatIsInstalled() {
        assertThatThrownBy(() -> NetworkStack.builder().eventLoop(new VirtualEventLoop())
                .sendBufferingPolicy("no-such-policy").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no send-buffering policy named 'no-such-policy'")
                .hasMessageContaining("acme-batch");
    }

    @Test
    void anUnknownDriverNameFailsTheBuildListingWhatIsInstalled() {
        assertThatThrownBy(() -> NetworkStack.builder().eventLoop(new VirtualEventLoop())
                .addInterface("warp-drive:0", "192.0.2.1/24").build())
                .hasMessageContaining("no link driver named 'warp-drive'")
                .hasMessageContaining("acme-null")
                .hasMessageContaining("cable")
                .hasMessageContaining("loopback");
    }

    private static SendBufferingPolicy.State state(int unsent, int mss) {
        return new SendBufferingPolicy.State() {
            @Override
            public int unsentBytes() {
                return unsent;
            }

            @Override
            public int mss() {
                return mss;
            }

            @Override
            public long bytesInFlight() {
                return 0;
            }

            @Override
            public boolean finQueued() {
                return false;
            }

            @Override
            public long nowNanos() {
                return 0;
            }

            @Override
            public long oldestUnsentWrittenAtNanos() {
                return 0;
            }
        };
    }

    private record FixedContext(int mss) implements PolicyContext {
        @Override
        public <T> T option(StackOption<T> option) {
            return option.defaultValue();
        }

        @Override
        public RandomGenerator random() {
            return RandomGenerator.of("L64X128MixRandom");
        }
    }
}
