package dev.tsunagu.testkit;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.util.function.UnaryOperator;

/**
 * The seeds' picture of routers: client — router — server on two cables, all on one virtual
 * clock, with whatever layers the test's class path has.
 *
 * <pre>
 *  client 10.1.0.2 ──lanA── 10.1.0.1 router 10.2.0.1 ──lanB (MTU 1000)── 10.2.0.2 server
 * </pre>
 *
 * The router's port on lanB is wrapped in a {@link FaultInjectingDriver}, so a test can lose
 * what the router sends there. The router forwards only if the test says so through
 * {@code routerOptions} (stack-ip's {@code IpOptions.FORWARDING}; the kit does not depend on
 * stack-ip). {@link #close} closes the three stacks.
 */
public final class RoutedNetwork implements AutoCloseable {
    public final VirtualEventLoop loop;
    public final Cable lanA;
    public final Cable lanB;
    public final NetworkStack client;
    public final NetworkStack router;
    public final NetworkStack server;
    /** The router's port on lanB, under the fault plan. */
    public final FaultInjectingDriver lossyRouterPort;

    private RoutedNetwork(VirtualEventLoop loop, FaultPlan lanBLoss, long faultSeed,
                          UnaryOperator<NetworkStack.Builder> routerOptions) {
        this.loop = loop;
        lanA = new Cable("lanA", 1500);
        lanB = new Cable("lanB", 1000);
        client = NetworkStack.builder().name("client").eventLoop(loop).seed(1)
                .addInterface(InterfaceConfig.of(lanA.attach()).address("10.1.0.2/24"))
                .gateway("10.1.0.1").buildUnchecked();
        lossyRouterPort = new FaultInjectingDriver(lanB.attach(), lanBLoss, faultSeed);
        router = routerOptions.apply(NetworkStack.builder().name("router").eventLoop(loop).seed(2)
                .addInterface(InterfaceConfig.of(lanA.attach()).address("10.1.0.1/24"))
                .addInterface(InterfaceConfig.of(lossyRouterPort).address("10.2.0.1/24")))
                .buildUnchecked();
        server = NetworkStack.builder().name("server").eventLoop(loop).seed(3)
                .addInterface(InterfaceConfig.of(lanB.attach()).address("10.2.0.2/24"))
                .gateway("10.2.0.1").buildUnchecked();
        loop.runUntilIdle();
    }

    /** The three hosts on a fresh loop, lanB losing what {@code lanBLoss} says (seeded by {@code faultSeed}). */
    public static RoutedNetwork build(FaultPlan lanBLoss, long faultSeed, UnaryOperator<NetworkStack.Builder> routerOptions) {
        return new RoutedNetwork(new VirtualEventLoop(), lanBLoss, faultSeed, routerOptions);
    }

    @Override
    public void close() {
        client.close();
        router.close();
        server.close();
    }
}
