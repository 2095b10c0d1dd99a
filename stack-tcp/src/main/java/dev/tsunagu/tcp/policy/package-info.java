/**
 * The shipped TCP policies: NewReno (RFC 5681, RFC 6582) and CUBIC (RFC 9438, with HyStart++,
 * RFC 9406) congestion control, which share their recovery mechanics, the RFC 6298
 * retransmission timer, and the send-buffering policies nagle (RFC 896, the default), nodelay
 * and full-segment-or-timer (the seeds' rule).
 */
package dev.tsunagu.tcp.policy;
