/**
 * A packetdrill runner: scripts in packetdrill's language (Linux's and gVisor's way of pinning
 * TCP behaviour) run in-process against a Tsunagu stack on a virtual clock.
 *
 * <pre>
 *   ScriptParser ─▶ Script (options, events: Packet, Syscall, Shell, Code)
 *                      │
 *   ScriptRunner ──────┴─▶ LinuxProfile (sysctls → stack options)
 *        │  timeline on a VirtualEventLoop; checks each ">" field by field
 *        ├─▶ Sockets: the calls, with Linux's descriptors and errno, over TcpService/TcpSocket
 *        └─▶ Remote: the script's end of the cable (packetdrill's tun device), Wire: its IPv4/TCP
 *   Corpus: files and directories in, a line per script and a summary by directory out
 * </pre>
 *
 * <p>The scripts themselves (Google's corpus, GPL-2.0) are test data read from outside the
 * project, never part of it.
 */
package dev.tsunagu.packetdrill;
