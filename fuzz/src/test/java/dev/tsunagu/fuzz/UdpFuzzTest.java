package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * UDP (RFC 768): datagrams of any bytes (length field, checksum right or not, zero checksum)
 * to an open port, a closed one (port unreachable, rate-limited) or the broadcast address. The
 * socket's queue stays bounded, and each datagram it takes is exactly what was sent.
 */
class UdpFuzzTest {
    private static final int PORT = 7;

    @FuzzTest
    void datagrams(FuzzedDataProvider data) {
        try (FuzzLan lan = new FuzzLan()) {
            UdpSocket socket = lan.host.udp().open().bind(PORT);
            for (int i = 0; i < 32 && data.remainingBytes() > 0; i++) {
                int dst = data.consumeInt(0, 7) == 0 ? 0x0A00_00FF : FuzzLan.HOST;
                byte[] udp = data.consumeBytes(data.consumeInt(0, 1480));
                if (data.consumeBoolean() && udp.length >= 4) {
                    udp[2] = (byte) (PORT >>> 8);
                    udp[3] = (byte) PORT;
                }
                if (data.consumeBoolean() && udp.length >= 6) {
                    udp[4] = (byte) (udp.length >>> 8);
                    udp[5] = (byte) udp.length;
                }
                switch (data.consumeInt(0, 3)) {
                    case 0 -> { }
                    case 1 -> {
                        if (udp.length >= 8) {
                            udp[6] = 0;
                            udp[7] = 0;
                        }
                    }
                    default -> udp = FuzzLan.fixTransportChecksum(17, FuzzLan.bytes(FuzzLan.RAW), FuzzLan.bytes(dst), udp);
                }
                long before = lan.count("udp", "InDatagrams");
                lan.sendIpv4(FuzzLan.ipv4(FuzzLan.RAW, dst, 17, 1, 0, new byte[0], udp));
                if (lan.count("udp", "InDatagrams") > before) {
                    Datagram d = socket.poll();
                    if (d != null) {
                        checkDelivered(udp, d);
                    }
                }
            }
            while (socket.poll() != null) {
                // drained
            }
            socket.close();
            lan.check();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the socket got is the datagram's data as its length field says. */
    private static void checkDelivered(byte[] udp, Datagram d) {
        int length = ((udp[4] & 0xFF) << 8) | (udp[5] & 0xFF);
        byte[] expected = java.util.Arrays.copyOfRange(udp, 8, length);
        if (!java.util.Arrays.equals(expected, d.data())) {
            throw new AssertionError("delivered " + d.data().length + " bytes where the datagram had " + expected.length);
        }
    }
}
