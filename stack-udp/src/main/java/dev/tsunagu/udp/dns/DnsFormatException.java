package dev.tsunagu.udp.dns;

import java.io.IOException;

/**
 * A DNS message that does not follow RFC 1035's wire format: what is wrong and the byte offset
 * where the parser found it. {@link DnsMessage#parse} throws nothing else for bad input.
 */
public final class DnsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int offset;

    public DnsFormatException(String what, int offset) {
        super(what + " (at offset " + offset + ")");
        this.offset = offset;
    }

    /** Byte offset into the message where the problem was found. */
    public int offset() {
        return offset;
    }
}
