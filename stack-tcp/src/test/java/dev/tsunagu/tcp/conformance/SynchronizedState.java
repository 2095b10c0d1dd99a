package dev.tsunagu.tcp.conformance;

import dev.tsunagu.testkit.tcp.TcpPeer;
import java.io.IOException;

/** The synchronized states in which the stack still takes segments from its peer, and the fixture for each. */
enum SynchronizedState {
    ESTABLISHED(TcpPeer::established),
    CLOSE_WAIT(TcpPeer::closeWait),
    FIN_WAIT_1(TcpPeer::finWait1),
    FIN_WAIT_2(TcpPeer::finWait2),
    CLOSING(TcpPeer::closing),
    LAST_ACK(TcpPeer::lastAck);

    @FunctionalInterface
    interface Fixture {
        void drive(TcpPeer p) throws IOException;
    }

    private final Fixture fixture;

    SynchronizedState(Fixture fixture) {
        this.fixture = fixture;
    }

    /** Drives the stack under test into this state against {@code p}. */
    void drive(TcpPeer p) throws IOException {
        fixture.drive(p);
    }
}
