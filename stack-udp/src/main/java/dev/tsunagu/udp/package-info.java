/** UDP (RFC 768): sockets with bounded receive queues, blocking and callback APIs. */
package dev.tsunagu.udp;
