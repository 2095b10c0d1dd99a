/**
 * Capture files: writing what the stack sends and receives so that Wireshark/tshark can show
 * it, and reading captures back for tests and replay.
 *
 * <p>Design notes:
 * <ul>
 *   <li>{@link dev.tsunagu.link.capture.PcapWriter} writes only classic libpcap with
 *       nanosecond timestamps (magic {@code 0xa1b23c4d}, always little-endian). Classic pcap
 *       is the lowest common denominator every tool reads, and nanoseconds keep the stack's
 *       clock exact. The writer never reads a clock: timestamps come from the caller (the
 *       event loop's clock, which is virtual in tests and starts at 0, i.e. 1970).</li>
 *   <li>The writer is shared by the loop thread and driver threads, so it is synchronized;
 *       output is buffered and only reaches the file on {@code flush()} or {@code close()}.</li>
 *   <li>{@link dev.tsunagu.link.capture.PcapReader} reads more than the writer produces:
 *       classic pcap in both byte orders and both resolutions, and pcapng (the format
 *       Wireshark saves by default), so captures taken with other tools can be replayed.</li>
 *   <li>The reader treats its input as untrusted: every failure is an
 *       {@link java.io.IOException} naming the byte offset, and lengths are bounded before
 *       anything is allocated (256 KiB of packet data), so a corrupt or hostile file cannot
 *       exhaust memory or escape as an unchecked exception.</li>
 *   <li>Both use only {@code java.base}; neither logs or prints.</li>
 * </ul>
 */
package dev.tsunagu.link.capture;
