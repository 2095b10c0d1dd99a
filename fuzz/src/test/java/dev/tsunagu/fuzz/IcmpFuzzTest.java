package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.testkit.Craft;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * ICMP (RFC 792, RFC 1122 3.2.2, RFC 1191): messages of any bytes with a right checksum, and
 * errors (unreachable, fragmentation needed, time exceeded, parameter problem, and the
 * obsolete ones) quoting a datagram that may be one of ours: the host has a UDP socket talking
 * to the raw host, so a quote with the right addresses and ports reaches it.
 */
class IcmpFuzzTest {
    private static final int SOCKET_PORT = 5000;
    private static final int PEER_PORT = 53;
    private static final int[] TYPES = {3, 11, 12, 4, 5, 0, 8, 13, 255};

    @FuzzTest
    void messages(FuzzedDataProvider data) {
        try (FuzzLan lan = new FuzzLan()) {
            UdpSocket socket = lan.host.udp().open().bind(SOCKET_PORT)
                    .connect(new InetSocketAddress("10.0.0.9", PEER_PORT));
            socket.send(new byte[] {1, 2, 3});
            lan.loop.runUntilIdle();
            for (int i = 0; i < 24 && data.remainingBytes() > 0; i++) {
                byte[] icmp = data.consumeBoolean() ? data.consumeBytes(data.consumeInt(0, 600)) : error(data);
                if (data.consumeInt(0, 7) != 0) {
                    icmp = FuzzLan.fixTransportChecksum(1, null, null, icmp);
                }
                int dst = data.consumeInt(0, 7) == 0 ? 0x0A00_00FF : FuzzLan.HOST;
                lan.sendIpv4(FuzzLan.ipv4(FuzzLan.RAW, dst, 1, 1, 0, new byte[0], icmp));
            }
            socket.close();
            lan.loop.runUntilIdle();
            lan.check();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An error message whose quote is an IPv4 header (from the host, mostly to the raw host) and 8 bytes or more. */
    private static byte[] error(FuzzedDataProvider data) {
        int type = data.pickValue(TYPES);
        int code = data.consumeInt(0, 5);
        int rest = data.consumeBoolean() ? data.consumeInt(0, 1600) : data.consumeInt();
        int protocol = data.pickValue(new int[] {17, 6, 1, data.consumeInt(0, 255)});
        int src = data.consumeInt(0, 7) == 0 ? data.consumeInt() : FuzzLan.HOST;
        int dst = data.consumeInt(0, 7) == 0 ? data.consumeInt() : FuzzLan.RAW;
        ByteBuffer transport = ByteBuffer.allocate(8);
        transport.putShort((short) (data.consumeBoolean() ? SOCKET_PORT : data.consumeInt(0, 0xFFFF)));
        transport.putShort((short) (data.consumeBoolean() ? PEER_PORT : data.consumeInt(0, 0xFFFF)));
        transport.putInt(data.consumeInt());
        byte[] quotedPayload = Craft.concat(transport.array(), data.consumeBytes(data.consumeInt(0, 64)));
        byte[] quoted = FuzzLan.ipv4(src, dst, protocol, data.consumeInt(0, 0xFFFF),
                data.consumeBoolean() ? 0x4000 : data.consumeInt(0, 0xFFFF), data.consumeBytes(data.consumeInt(0, 12)),
                quotedPayload);
        int cut = data.consumeBoolean() ? quoted.length : data.consumeInt(0, quoted.length);
        return Craft.icmp(type, code, rest, java.util.Arrays.copyOf(quoted, cut));
    }
}
