package dev.tsunagu.apps.iperf3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The UDP header, loss and jitter accounting, and the sender's pacing: pure, times passed in. */
class UdpStatsTest {
    @Test
    void readsTheHeaderIperf3312Sent() {
        // From tcpdump of iperf3 3.12 on loopback: sec 0x219d, usec 0x0005900a, datagram 1.
        byte[] d = HexFormat.of().parseHex("0000219d0005900a00000001175b1069");
        assertThat(UdpHeader.check(d.length, false)).isTrue();
        assertThat(UdpHeader.sentMicros(d)).isEqualTo(8605L * 1_000_000 + 364554);
        assertThat(UdpHeader.count(d, false)).isEqualTo(1);
    }

    @Test
    void headerRoundTripsWith32And64BitCounters() {
        byte[] d = new byte[16];
        UdpHeader.write(d, 12_345_678_901L, 0xFFFF_FFFFL, false);
        assertThat(UdpHeader.sentMicros(d)).isEqualTo(12_345_678_901L);
        assertThat(UdpHeader.count(d, false)).isEqualTo(0xFFFF_FFFFL);
        UdpHeader.write(d, 7, 0x1_0000_0002L, true);
        assertThat(UdpHeader.count(d, true)).isEqualTo(0x1_0000_0002L);
        assertThat(UdpHeader.check(12, true)).isFalse();
        assertThat(UdpHeader.check(11, false)).isFalse();
    }

    @Test
    void gapsAreLossUntilALateDatagramFillsOne() {
        UdpReceiveStats s = new UdpReceiveStats();
        for (long n : new long[] {1, 2, 5, 6}) {
            s.onDatagram(n, n * 1000, n * 1000 + 300, 100);
        }
        assertThat(s.lost()).isEqualTo(2);
        assertThat(s.packets()).isEqualTo(6);
        s.onDatagram(3, 3000, 9000, 100); // late
        assertThat(s.lost()).isEqualTo(1);
        assertThat(s.outOfOrder()).isEqualTo(1);
        assertThat(s.datagrams()).isEqualTo(5);
        assertThat(s.bytes()).isEqualTo(500);
        assertThat(s.packets()).as("still the highest number").isEqualTo(6);
    }

    @Test
    void jitterIsZeroForAConstantTransitWhateverTheClockOffset() {
        UdpReceiveStats s = new UdpReceiveStats();
        for (long n = 1; n <= 100; n++) {
            s.onDatagram(n, n * 1000, 987_654_321_000L + n * 1000, 1000); // the clocks differ by hours
        }
        assertThat(s.jitterSeconds()).isZero();
    }

    @Test
    void jitterConvergesToTheMeanTransitChangeWithGainOneSixteenth() {
        UdpReceiveStats s = new UdpReceiveStats();
        s.onDatagram(1, 0, 500, 100);
        s.onDatagram(2, 1000, 1700, 100); // transit 500 → 700: |D| = 200 µs
        assertThat(s.jitterSeconds()).isCloseTo(200e-6 / 16, within(1e-12));
        for (long n = 3; n < 400; n++) {
            s.onDatagram(n, n * 1000, n * 1000 + (n % 2 == 0 ? 700 : 500), 100); // alternating: |D| always 200 µs
        }
        assertThat(s.jitterSeconds()).isCloseTo(200e-6, within(1e-9));
    }

    @Test
    void pacerHoldsTheRateAndUnlimitedNeverWaits() {
        Pacer p = new Pacer(8_000_000, null); // 1 MB/s: 1000-byte blocks every 1 ms
        assertThat(p.delayMicros(1000, 0)).isZero();
        assertThat(p.delayMicros(1000, 0)).isEqualTo(1000);
        assertThat(p.delayMicros(1000, 400)).isEqualTo(600);
        assertThat(p.delayMicros(1000, 1000)).isZero();
        assertThat(p.delayMicros(1000, 1500)).isEqualTo(500);
        Pacer unlimited = new Pacer(0, null);
        for (int i = 0; i < 100; i++) {
            assertThat(unlimited.delayMicros(65536, 0)).isZero();
        }
    }

    @Test
    void aLateSenderMakesUpAtMostTenMillisecondsAtOnce() {
        Pacer p = new Pacer(8_000_000, null); // 1000-byte blocks every 1 ms
        assertThat(p.delayMicros(1000, 0)).isZero();
        // The thread did not run for a second: without a bound it could send 1,000 blocks back to
        // back; it makes up 10 ms of them (plus the one due now), then is held to the rate again.
        int burst = 0;
        while (p.delayMicros(1000, 1_000_000) == 0) {
            burst++;
        }
        assertThat(burst).isEqualTo(1 + (int) (Pacer.MAX_CATCH_UP_MICROS / 1000));
        assertThat(p.delayMicros(1000, 1_000_500)).isEqualTo(500);
    }

    @Test
    void omittedSecondsAreLeftOutOfTheCounts() {
        Omitted none = new Omitted(1_000_000, 1_000_000);
        none.beforeUpdate(1_500_000, 100, 1, 0);
        assertThat(none.bytes(500)).isEqualTo(500);
        assertThat(none.seconds(1_000_000, 3_000_000)).isEqualTo(2.0);

        Omitted o = new Omitted(1_000_000, 2_000_000); // -O 1
        o.beforeUpdate(1_900_000, 100, 10, 1); // still omitting
        o.beforeUpdate(2_100_000, 300, 30, 2); // the first update after: the baseline
        o.beforeUpdate(2_500_000, 999, 99, 9); // later ones change nothing
        assertThat(o.bytes(1000)).isEqualTo(700);
        assertThat(o.packets(50)).isEqualTo(20);
        assertThat(o.errors(5)).isEqualTo(3);
        assertThat(o.seconds(1_000_000, 3_000_000)).isEqualTo(1.0);

        Omitted never = new Omitted(0, 5_000_000); // the test ended inside the omit time
        never.beforeUpdate(1_000_000, 10, 1, 0);
        assertThat(never.bytes(10)).isZero();
        assertThat(never.seconds(0, 2_000_000)).isZero();
    }
}
