/**
 * TCP (RFC 9293): the connection state machine, the listener, the socket API, and the glue to
 * the policies that decide congestion control, retransmission timing and send buffering.
 */
package dev.tsunagu.tcp;
