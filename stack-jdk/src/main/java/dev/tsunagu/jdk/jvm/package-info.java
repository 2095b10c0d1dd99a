/**
 * The JVM-wide switch: one set of system properties ({@link dev.tsunagu.jdk.jvm.StackProperties})
 * puts an unchanged Java program's networking on a Tsunagu stack, started lazily, once
 * ({@link dev.tsunagu.jdk.jvm.JvmStack}), the first time a socket, a channel or a name is asked for.
 *
 * <pre>
 * java -javaagent:tsunagu-stack-jdk.jar \
 *      -Dtsunagu.driver=tap:tsu0 -Dtsunagu.ip=10.0.0.2/24 -Dtsunagu.dns=10.0.0.1 \
 *      -jar app.jar
 * </pre>
 *
 * <h2>Three hooks, because the JDK has three doors</h2>
 * <ul>
 *   <li>{@code java.net.Socket}, {@code ServerSocket}, {@code DatagramSocket}: the JDK's only hook
 *       for sockets that code makes with {@code new} is the trio of implementation factories
 *       ({@code Socket.setSocketImplFactory} and its siblings), deprecated since 17 but not for
 *       removal; they can be set once, and early, so {@link dev.tsunagu.jdk.jvm.TsunaguAgent}
 *       sets them in {@code premain}, before {@code main}.</li>
 *   <li>Names: {@link dev.tsunagu.jdk.jvm.TsunaguResolverProvider}, a
 *       {@code java.net.spi.InetAddressResolverProvider} found by {@code ServiceLoader}; it hands
 *       back the JDK's own resolver unless the switch is on.</li>
 *   <li>NIO channels: {@code -Djava.nio.channels.spi.SelectorProvider=} names {@link dev.tsunagu.jdk.jvm.JvmSelectorProvider}
 *       (the JDK makes it with its no-argument constructor).</li>
 * </ul>
 * {@code tsunagu java [network options] -- JAVA_ARGS...} adds all of them to a {@code java}
 * command line. Several stacks in one JVM do not use this package: each gets its own
 * {@link dev.tsunagu.jdk.TsunaguJdk}.
 *
 * <h2>Why lazily</h2>
 * A JVM given the switch may never touch the network, and the properties may be set by
 * {@code main} itself; building the stack (opening a TAP, starting its threads) at the first
 * socket or lookup costs nothing to the program that does neither. A stack that cannot be built
 * fails that first call and every later one with the same message, naming the property.
 */
package dev.tsunagu.jdk.jvm;
