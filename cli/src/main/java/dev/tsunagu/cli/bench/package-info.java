/**
 * {@code tsunagu bench}: Tsunagu beside the kernel, measured in the same JVM run.
 *
 * <p>Each {@link dev.tsunagu.cli.bench.Scenario} has a Tsunagu side (two stacks on an
 * in-memory cable, each on its own threaded event loop, every checksum computed on send and
 * verified on receive as on a real wire) and a baseline side (the JDK's own sockets over the
 * kernel's 127.0.0.1 in this process: what a Java user would use instead). The command runs
 * the two sides alternately for several rounds, so drift in the machine's load hits both, and
 * reports median [min–max] per side and their ratio. Every round builds fresh stacks or
 * sockets: no state (TIME_WAIT, grown buffers) carries from one round into the next.
 */
package dev.tsunagu.cli.bench;
