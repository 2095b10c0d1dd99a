/**
 * Packet memory: one {@link dev.tsunagu.buffer.PacketBuffer} type end to end, with headroom
 * for headers and pooled by {@link dev.tsunagu.buffer.BufferPool}. Parsing goes through
 * header views that read fields in place, so a packet is copied at most when it crosses
 * from a driver into the stack and when its payload reaches the application.
 */
package dev.tsunagu.buffer;
