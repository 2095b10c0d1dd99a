/** The UDP header as a view over a packet buffer and as a value record. */
package dev.tsunagu.udp.wire;
