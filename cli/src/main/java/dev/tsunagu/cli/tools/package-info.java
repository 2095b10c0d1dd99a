/**
 * The network commands of {@code tsunagu}: ping, http-get, serve and its shorthands, nc,
 * resolve.
 *
 * <p>Each command builds exactly one stack ({@link dev.tsunagu.cli.tools.Host}) from the
 * options every network command shares ({@link dev.tsunagu.cli.tools.NetworkOptions}: the
 * driver spec goes through the driver SPI, so any installed driver works, and {@code --pcap}
 * wraps it in the capture decorator), talks through the stack's public API only, and closes
 * it on the way out, so a capture is always complete.
 *
 * <p>Commands get their streams and their stop switch from an {@link dev.tsunagu.cli.tools.Io}
 * rather than from {@code System}: the process's own in real use, pipes in tests, which run
 * every command in-process against a peer stack on the same in-memory cable. Bad input is a
 * picocli {@code ParameterException} (one line, exit 2) before anything starts; failures are
 * exceptions with a message that stands alone (one line, exit 1).
 */
package dev.tsunagu.cli.tools;
