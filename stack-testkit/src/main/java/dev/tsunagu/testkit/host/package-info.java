/**
 * Tests against the host's kernel: network namespaces ({@link dev.tsunagu.testkit.host.NetNs}),
 * commands ({@link dev.tsunagu.testkit.host.Sh}), waiting on a condition
 * ({@link dev.tsunagu.testkit.host.Poll}), a TAP bench ({@link dev.tsunagu.testkit.host.TapRig},
 * {@link dev.tsunagu.testkit.host.TapBench}), a veth bench for the pcap driver
 * ({@link dev.tsunagu.testkit.host.VethBench}) and their namespaces
 * ({@link dev.tsunagu.testkit.host.BenchNamespace}). Each skips the test loudly, with a one-line
 * reason, where the machine lacks what it needs ({@link dev.tsunagu.testkit.host.TapTests},
 * {@link dev.tsunagu.testkit.host.PcapTests}). Drivers are opened by their specs, so the kit
 * does not depend on driver-tap or driver-pcap: the test's class path brings them. Data kept
 * beside the project ({@code ../shared}) is found by {@link dev.tsunagu.testkit.host.SharedData}.
 */
package dev.tsunagu.testkit.host;
