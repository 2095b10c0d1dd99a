/**
 * Test support for every module and for third parties (the {@code stack-testkit} artifact,
 * test scope): the driver contract kit ({@link dev.tsunagu.testkit.LinkDriverContractTest}) with
 * a recording driver context, builders for test networks on a virtual loop
 * ({@link dev.tsunagu.testkit.TestHosts}), a raw host on the cable that sends and receives
 * frames the test crafts ({@link dev.tsunagu.testkit.RawHost}, {@link dev.tsunagu.testkit.Craft}),
 * and a tshark runner.
 *
 * <p>The kit depends on {@code stack-api} and {@code stack-link} only, so that stack-ip,
 * stack-udp, stack-tcp and the drivers can all use it; in turn stack-link's own tests cannot
 * (Maven allows no cycle), and the few that need it live in this module's tests.
 */
package dev.tsunagu.testkit;
