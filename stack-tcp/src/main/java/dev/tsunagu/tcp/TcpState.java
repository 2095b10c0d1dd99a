package dev.tsunagu.tcp;

/** The connection states of RFC 9293 3.3.2. */
public enum TcpState {
    CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT;

    /** Whether both sides' initial sequence numbers are known (RFC 9293's "synchronized states"). */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /** Whether we may still send data (our FIN has not been queued). */
    public boolean canSendData() {
        return this == ESTABLISHED || this == CLOSE_WAIT;
    }

    /** Whether data from the peer is still accepted (its FIN has not been received). */
    public boolean canReceiveData() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }
}
