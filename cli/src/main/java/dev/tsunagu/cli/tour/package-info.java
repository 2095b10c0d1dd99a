/**
 * {@code tsunagu tour}: the journey of the seed documents, run on real stacks and told one
 * event per line.
 *
 * <p>How it is put together, and why:
 * <ul>
 *   <li>{@link dev.tsunagu.cli.tour.Tour} is the script. It reads like the application the
 *       seeds describe (socket, connect by name, write, read, close through the descriptor
 *       {@code SocketLibrary}) because blocking calls on a {@code VirtualEventLoop}'s own thread
 *       drive the simulation until they can return. Three stacks share that loop, so a run is a
 *       pure function of the seed.</li>
 *   <li>What happens on the wire is told by a driver decorator,
 *       {@link dev.tsunagu.cli.tour.WireNarrator}, outermost on every host, with
 *       {@link dev.tsunagu.cli.tour.WireStory} turning each frame into a sentence. The
 *       story only reads frames and remembers what a reader of the capture would (ISNs, window
 *       scales, the highest byte sent); it never looks inside the stacks, so what it says is
 *       what the capture shows.</li>
 *   <li>The cable's delay and the one lost segment come from the fault injector
 *       ({@code FaultInjectingDriver}); {@link dev.tsunagu.cli.tour.LoseOneFrame} picks the
 *       frame, so the loss is the same every run.</li>
 *   <li>The DNS server is {@link dev.tsunagu.cli.tour.DnsResponder}, a few lines over the
 *       stack's UDP sockets; the browser's resolver is the stack's own.</li>
 * </ul>
 */
package dev.tsunagu.cli.tour;
