package dev.tsunagu.testkit.host;

import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The public face of the TAP test kit for the interop tests of other modules (driver-tap's own
 * tests use {@link TapRig} and {@link TapTests} directly).
 *
 * <p>The bench is a {@link TapRig}: a fresh network namespace with the kernel side of a TAP at
 * {@code 10.S.0.1/24} and a threaded stack in this JVM at {@code 10.S.0.2/24}. Optionally
 * ({@link #startRouted}) a second namespace, the <em>peer</em>, sits one routed hop behind it
 * over a veth pair ({@code 10.S.1.1} ↔ {@code 10.S.1.2}), with the stack's gateway at
 * {@code 10.S.0.1}: there nftables can drop packets in the router's forward chain, where the
 * loss is real for both TCPs (a packet that a kernel's own output hook drops is reported back
 * to its TCP, which sends it again at once). {@link #close} kills what runs in the namespaces
 * and deletes them, pass or fail.
 *
 * <p>The test JVM needs {@code --enable-native-access=ALL-UNNAMED} (the driver's downcalls).
 */
public final class TapBench implements AutoCloseable {
    private final TapRig rig;
    private final BenchNamespace kernelSide;
    private NetNs peerNs;
    private BenchNamespace peer;
    private final int subnet;

    private TapBench(int subnet, TapRig rig) {
        this.subnet = subnet;
        this.rig = rig;
        this.kernelSide = new BenchNamespace(rig.ns);
    }

    /**
     * Sets up the bench, skipping the calling test loudly where TAPs or namespaces cannot be
     * made (no Linux, no {@code /dev/net/tun}, no CAP_NET_ADMIN).
     *
     * @param subnet the S of 10.S.0.0/24
     * @param pcap where our capture decorator writes the stack's frames, or null for none
     * @param options more builder settings
     */
    public static TapBench start(int subnet, Path pcap, UnaryOperator<NetworkStack.Builder> options) throws Exception {
        return new TapBench(subnet, TapRig.start(subnet, pcap, options));
    }

    public static TapBench start(int subnet) throws Exception {
        return start(subnet, null, b -> b);
    }

    /**
     * The bench with a peer namespace one routed hop behind the TAP's namespace (see the class
     * comment): the stack's gateway is {@code 10.S.0.1}, the peer is at {@link #peerAddress()}.
     */
    public static TapBench startRouted(int subnet, UnaryOperator<NetworkStack.Builder> options) throws Exception {
        return startRouted(subnet, null, options);
    }

    /** {@link #startRouted(int, UnaryOperator)} with the stack's frames captured into {@code pcap} (or null for none). */
    public static TapBench startRouted(int subnet, Path pcap, UnaryOperator<NetworkStack.Builder> options) throws Exception {
        String router = "10." + subnet + ".0.1";
        TapBench bench = start(subnet, pcap, b -> options.apply(b.gateway(router)));
        try {
            bench.addPeer();
        } catch (Exception | Error e) {
            bench.close();
            throw e;
        }
        return bench;
    }

    private void addPeer() throws IOException, InterruptedException {
        peerNs = NetNs.create();
        peer = new BenchNamespace(peerNs);
        String net = "10." + subnet + ".";
        // The pair is made in the TAP's namespace with its other end in the peer's: never in ours.
        rig.ns.exec("ip", "link", "add", "vr", "type", "veth", "peer", "name", "vp", "netns", peerNs.name).check();
        rig.ns.exec("ip", "addr", "add", net + "1.1/24", "dev", "vr").check();
        peerNs.exec("ip", "addr", "add", net + "1.2/24", "dev", "vp").check();
        rig.ns.exec("ip", "link", "set", "vr", "up").check();
        peerNs.exec("ip", "link", "set", "vp", "up").check();
        peerNs.exec("ip", "route", "add", net + "0.0/24", "via", net + "1.1").check();
        rig.ns.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward").check(); // that namespace's own setting
    }

    /** Skips the calling test, loudly, unless TAP devices and network namespaces can be made here. */
    public static void assumeTapAndNetns() {
        TapTests.assumeTapAndNetns();
    }

    /** Skips the calling test, loudly, unless {@code command} is installed ({@code debianPackage} provides it). */
    public static void assumeCommand(String command, String debianPackage) {
        TapTests.assumeCommand(command, debianPackage);
    }

    /** The kernel's address on the TAP, 10.S.0.1 (the router in a routed bench). */
    public String kernel() {
        return rig.kernel;
    }

    /** The stack's address, 10.S.0.2. */
    public String stackAddress() {
        return rig.stackAddress;
    }

    /** The TAP's name (in the kernel side's namespace). */
    public String device() {
        return rig.dev;
    }

    public NetworkStack stack() {
        return rig.stack;
    }

    /** The namespace holding the TAP's kernel side. */
    public BenchNamespace kernelSide() {
        return kernelSide;
    }

    /** The peer namespace of a routed bench ({@link #startRouted}); its end of the veth is {@code vp}. */
    public BenchNamespace peer() {
        if (peer == null) {
            throw new IllegalStateException("this bench has no peer: start it with startRouted");
        }
        return peer;
    }

    /** The peer's address, 10.S.1.2, in a routed bench. */
    public String peerAddress() {
        peer();
        return "10." + subnet + ".1.2";
    }

    /**
     * Closes the stack (so the capture is complete) and asserts, through tshark, that no frame
     * is malformed and every checksum in the frames the stack sent verifies; says so loudly and
     * checks nothing where tshark is missing. Only for a bench started with a pcap path.
     */
    public void closeAndCheckWire() throws IOException, InterruptedException {
        rig.closeAndCheckWire();
    }

    @Override
    public void close() {
        try {
            rig.close();
        } finally {
            if (peerNs != null) {
                peerNs.close();
            }
        }
    }
}
