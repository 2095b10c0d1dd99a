package dev.tsunagu.policy;

/**
 * One delivery-rate sample (draft-cheng-iccrg-delivery-rate-estimation), made by the sender on
 * an ACK that delivered data (cumulatively or by SACK) for a controller that
 * {@linkplain CongestionControl#wantsRateSamples() asks for them}.
 *
 * <p>The sender stamps every segment when it leaves with the connection's delivery state (how
 * much had been delivered, when, and when the flight it belongs to began); the ACK that delivers
 * the most recently sent of its segments closes an interval from that stamp to now. The rate is
 * what was delivered over the longer of the send interval and the ACK interval, so neither an
 * ACK compressed on the way back nor a burst sent at once can make it exceed the bottleneck.
 *
 * <p>All sizes are bytes, all times the loop's nanoseconds.
 *
 * @param deliveryRate bytes per second over the interval, or -1 when the interval is too short
 *     to trust (shorter than the minimum RTT seen, or empty)
 * @param delivered bytes delivered over the interval
 * @param intervalNanos the interval: max(send_elapsed, ack_elapsed), or 0 when there is none
 * @param priorDelivered the connection's delivered count when the segment closing the interval
 *     was sent; a round trip has passed once this reaches the count at the round's start
 * @param totalDelivered the connection's delivered count after this ACK (C.delivered)
 * @param newlyDelivered bytes this ACK delivered (cumulatively acknowledged or SACKed)
 * @param newlyLost bytes retransmitted since the previous sample (taken as lost)
 * @param rttNanos now minus when the most recently sent segment this ACK delivered left, or -1
 *     if that segment had been retransmitted (Karn: which copy arrived is unknown)
 * @param bytesInFlight the sender's estimate of the bytes in the network after this ACK (the
 *     RFC 6675 pipe when the peer SACKs)
 * @param appLimited whether the interval began while the application, not the network, limited
 *     the sender: such a sample may understate the bottleneck and only raises an estimate
 */
public record RateSample(long deliveryRate, long delivered, long intervalNanos, long priorDelivered,
                         long totalDelivered, long newlyDelivered, long newlyLost, long rttNanos, long bytesInFlight,
                         boolean appLimited) {
    /** Whether {@link #deliveryRate} holds a rate. */
    public boolean valid() {
        return deliveryRate >= 0;
    }
}
