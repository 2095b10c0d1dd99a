package dev.tsunagu.testkit.host;

import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.util.function.UnaryOperator;

/**
 * A stack on a veth through the pcap driver, next to a kernel: the public face of the pcap
 * test kit, for driver-pcap's tests and other modules' interop tests.
 *
 * <p>The pair's far end sits in a fresh network namespace with the kernel at
 * {@code 10.S.0.1/24}; our end stays in this JVM's namespace without an address (so the host's
 * kernel answers nothing for the stack and sends nothing on the wire), and a threaded stack in
 * this JVM is {@code 10.S.0.2/24} on it with {@code pcap:OUR-END} and a MAC of its own: a
 * second host on the wire as far as the kernel in the namespace can tell. {@link #close}
 * closes the stack, kills what runs in the namespace and deletes the pair and the namespace,
 * pass or fail. The JVM needs {@code --enable-native-access=ALL-UNNAMED}.
 */
public final class VethBench implements AutoCloseable {
    private final Veth veth;
    private final LinkDriver driver;
    private final NetworkStack stack;
    private final String kernel;
    private final String stackAddress;
    private final BenchNamespace namespace;
    private boolean closed;

    private VethBench(int subnet, Veth veth, UnaryOperator<NetworkStack.Builder> options) throws Exception {
        this.veth = veth;
        this.kernel = "10." + subnet + ".0.1";
        this.stackAddress = "10." + subnet + ".0.2";
        this.namespace = new BenchNamespace(veth.ns);
        veth.ns.exec("ip", "addr", "add", kernel + "/24", "dev", Veth.FAR).check();
        this.driver = PcapTests.openPcap(veth.host);
        try {
            this.stack = options.apply(NetworkStack.builder().name("veth-bench-" + subnet)
                    .addInterface(InterfaceConfig.of(driver).address(stackAddress + "/24"))).build();
        } catch (Exception | Error e) {
            driver.close();
            throw e;
        }
    }

    /**
     * Sets up the bench, skipping the calling test loudly where it cannot (no Linux, no libpcap,
     * no CAP_NET_RAW/CAP_NET_ADMIN, no ethtool).
     *
     * @param subnet the S of 10.S.0.0/24
     * @param options more builder settings
     */
    public static VethBench start(int subnet, UnaryOperator<NetworkStack.Builder> options) throws Exception {
        Veth veth = Veth.create();
        try {
            return new VethBench(subnet, veth, options);
        } catch (Exception | Error e) {
            veth.close();
            throw e;
        }
    }

    public static VethBench start(int subnet) throws Exception {
        return start(subnet, b -> b);
    }

    /** Skips the calling test, loudly, unless veth pairs, namespaces and live captures can be made here. */
    public static void assumeLiveCapture() {
        PcapTests.assumeLiveCapture();
    }

    /** Skips the calling test, loudly, unless {@code command} is installed ({@code debianPackage} provides it). */
    public static void assumeCommand(String command, String debianPackage) {
        PcapTests.assumeCommand(command, debianPackage);
    }

    /** The kernel's address on the far end, 10.S.0.1. */
    public String kernel() {
        return kernel;
    }

    /** The stack's address, 10.S.0.2. */
    public String stackAddress() {
        return stackAddress;
    }

    /** Our end of the pair, the interface the driver captures on (in this JVM's namespace). */
    public String device() {
        return veth.host;
    }

    /** The far end's name inside {@link #kernelSide()}. */
    public String farDevice() {
        return Veth.FAR;
    }

    public NetworkStack stack() {
        return stack;
    }

    /** The stack's driver: driver-pcap's {@code PcapDriver} (its frame counters). */
    public LinkDriver driver() {
        return driver;
    }

    /** The namespace of the kernel under test. */
    public BenchNamespace kernelSide() {
        return namespace;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stack.close(); // closes the driver
        } finally {
            veth.close();
        }
    }
}
