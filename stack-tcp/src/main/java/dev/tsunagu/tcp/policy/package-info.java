/**
 * The shipped TCP policies: NewReno congestion control (RFC 5681, RFC 6582), the RFC 6298
 * retransmission timer, and the send-buffering policies nagle (RFC 896, the default), nodelay
 * and full-segment-or-timer (the seeds' rule).
 */
package dev.tsunagu.tcp.policy;
