package dev.tsunagu.udp.dns;

import java.util.Objects;

/**
 * One entry of a DNS message's question section (RFC 1035 4.1.2).
 *
 * @param name the name asked about, in presentation form without the trailing dot ("" is the root)
 * @param type the query type ({@link DnsMessage#TYPE_A}, {@link DnsMessage#TYPE_AAAA}…)
 * @param qclass the query class, almost always {@link DnsMessage#CLASS_IN}
 */
public record Question(String name, int type, int qclass) {
    public Question {
        Objects.requireNonNull(name, "name");
        DnsMessage.checkU16("type", type);
        DnsMessage.checkU16("class", qclass);
    }

    /** A question of class IN. */
    public Question(String name, int type) {
        this(name, type, DnsMessage.CLASS_IN);
    }

    /** Whether {@code other} asks the same thing: same type and class, names equal ignoring ASCII case. */
    public boolean matches(Question other) {
        return type == other.type && qclass == other.qclass && DnsMessage.sameName(name, other.name);
    }

    @Override
    public String toString() {
        return (name.isEmpty() ? "." : name) + " " + DnsMessage.className(qclass) + " " + DnsMessage.typeName(type);
    }
}
