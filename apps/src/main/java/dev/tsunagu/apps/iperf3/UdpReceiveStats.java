package dev.tsunagu.apps.iperf3;

/**
 * What the receiving end of a UDP stream reports, computed as iperf3 does: bytes and datagrams
 * received, datagrams lost (gaps in the sequence numbers, minus late arrivals that fill one),
 * datagrams out of order, and the interarrival jitter of RFC 3550 6.4.1 (a running mean of the
 * change in transit time, gain 1/16). Pure: times are passed in, nothing is read.
 *
 * <p>Transit time is arrival minus the sender's timestamp; the two clocks need not agree, only
 * tick at the same rate, because jitter uses differences of transit times.
 */
final class UdpReceiveStats {
    private long bytes;
    private long datagrams;
    private long highest; // the highest sequence number seen (iperf3's packet_count)
    private long lost;
    private long outOfOrder;
    private double jitterSeconds;
    private long previousTransit;
    private boolean first = true;

    /** One datagram of {@code length} bytes with sequence number {@code count}, sent at {@code sentMicros}, arrived at {@code arrivalMicros}. */
    void onDatagram(long count, long sentMicros, long arrivalMicros, int length) {
        bytes += length;
        datagrams++;
        if (count > highest) {
            // Numbers skipped are lost until they turn up late.
            lost += count - highest - 1;
            highest = count;
        } else {
            outOfOrder++;
            if (lost > 0) {
                lost--;
            }
        }
        long transit = arrivalMicros - sentMicros;
        if (first) {
            first = false;
        } else {
            double d = Math.abs(transit - previousTransit) / 1e6;
            jitterSeconds += (d - jitterSeconds) / 16.0;
        }
        previousTransit = transit;
    }

    long bytes() {
        return bytes;
    }

    long datagrams() {
        return datagrams;
    }

    /** What iperf3 reports as "packets": the highest sequence number seen, i.e. datagrams the sender sent up to it. */
    long packets() {
        return highest;
    }

    long lost() {
        return lost;
    }

    long outOfOrder() {
        return outOfOrder;
    }

    double jitterSeconds() {
        return jitterSeconds;
    }
}
