/**
 * Native I/O for device drivers, once: {@link dev.tsunagu.driver.nativeio.Libc} (the libc calls,
 * constants and {@code errno} capture), {@link dev.tsunagu.driver.nativeio.ErrnoException} (a
 * failed call and its reason), {@link dev.tsunagu.driver.nativeio.EventFd} (a counter another
 * thread can wake a poller with) and {@link dev.tsunagu.driver.nativeio.DeviceReader} (a
 * platform thread that waits on a device fd and an eventfd, so that closing never waits for
 * traffic). The TAP driver reads its fd with {@code read(2)}, the pcap driver with
 * {@code pcap_next_ex}; both wait, wake and stop the same way through these classes.
 *
 * <p>Why a thread of its own: an FFM downcall pins the carrier of a virtual thread, so a
 * blocking wait belongs on a platform thread, with a timeout that bounds how long a lost
 * wake-up could delay close. {@code EventFd} is kept separate from the reader so that an event
 * loop can later watch device fds itself (epoll plus one eventfd to be woken by other
 * threads) with the same pieces.
 *
 * <p>Linux only; the constants are the generic ones that x86-64 and AArch64 share.
 */
package dev.tsunagu.driver.nativeio;
