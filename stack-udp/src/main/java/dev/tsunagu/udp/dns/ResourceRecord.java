package dev.tsunagu.udp.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One resource record of a DNS message's answer, authority or additional section (RFC 1035
 * 4.1.3). The record data of the types a stub resolver needs is decoded ({@link A},
 * {@link Aaaa}, {@link Cname}); every other type is kept as it was on the wire ({@link Raw}).
 *
 * <p>Names are in presentation form without the trailing dot. TTLs are the unsigned 32-bit
 * value sent; RFC 2181 8's rule (a TTL with the top bit set means zero) is the reader's to apply.
 */
public sealed interface ResourceRecord {
    /** The owner name. */
    String name();

    /** The record type ({@link DnsMessage#TYPE_A}…). */
    int type();

    /** The record class, almost always {@link DnsMessage#CLASS_IN}. */
    int rrClass();

    /** Time to live in seconds, 0 to 2<sup>32</sup>−1. */
    long ttl();

    /** An IPv4 address (type A, class IN). */
    record A(String name, int rrClass, long ttl, Inet4Address address) implements ResourceRecord {
        public A {
            check(name, rrClass, ttl);
            Objects.requireNonNull(address, "address");
        }

        public A(String name, long ttl, Inet4Address address) {
            this(name, DnsMessage.CLASS_IN, ttl, address);
        }

        @Override
        public int type() {
            return DnsMessage.TYPE_A;
        }

        @Override
        public String toString() {
            return ResourceRecord.prefix(this) + address.getHostAddress();
        }
    }

    /** An IPv6 address (type AAAA, class IN; RFC 3596). */
    record Aaaa(String name, int rrClass, long ttl, Inet6Address address) implements ResourceRecord {
        public Aaaa {
            check(name, rrClass, ttl);
            Objects.requireNonNull(address, "address");
        }

        public Aaaa(String name, long ttl, Inet6Address address) {
            this(name, DnsMessage.CLASS_IN, ttl, address);
        }

        @Override
        public int type() {
            return DnsMessage.TYPE_AAAA;
        }

        @Override
        public String toString() {
            return ResourceRecord.prefix(this) + address.getHostAddress();
        }
    }

    /** An alias: {@code name} is another name for {@code target} (type CNAME). */
    record Cname(String name, int rrClass, long ttl, String target) implements ResourceRecord {
        public Cname {
            check(name, rrClass, ttl);
            Objects.requireNonNull(target, "target");
        }

        public Cname(String name, long ttl, String target) {
            this(name, DnsMessage.CLASS_IN, ttl, target);
        }

        @Override
        public int type() {
            return DnsMessage.TYPE_CNAME;
        }

        @Override
        public String toString() {
            return ResourceRecord.prefix(this) + (target.isEmpty() ? "." : target);
        }
    }

    /**
     * Any other record, with its record data exactly as received. Names inside such data (NS,
     * MX, SOA…) may hold compression pointers, which only mean something within the message
     * the record came from.
     */
    record Raw(String name, int type, int rrClass, long ttl, byte[] rdata) implements ResourceRecord {
        public Raw {
            check(name, rrClass, ttl);
            DnsMessage.checkU16("type", type);
            if (rdata.length > 0xFFFF) {
                throw new IllegalArgumentException("rdata longer than 65535 bytes: " + rdata.length);
            }
            rdata = rdata.clone();
        }

        @Override
        public byte[] rdata() {
            return rdata.clone();
        }

        int rdataLength() {
            return rdata.length;
        }

        byte[] rdataUnsafe() {
            return rdata;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Raw r && r.type == type && r.rrClass == rrClass && r.ttl == ttl
                    && r.name.equals(name) && Arrays.equals(r.rdata, rdata);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, type, rrClass, ttl, Arrays.hashCode(rdata));
        }

        @Override
        public String toString() {
            return ResourceRecord.prefix(this) + "\\# " + rdata.length + " " + HexFormat.of().formatHex(rdata);
        }
    }

    /** An A or AAAA record of class IN for {@code address}, whichever fits it. */
    static ResourceRecord address(String name, long ttl, InetAddress address) {
        return switch (address) {
            case Inet4Address a4 -> new A(name, ttl, a4);
            case Inet6Address a6 -> new Aaaa(name, ttl, a6);
            default -> throw new IllegalArgumentException("neither IPv4 nor IPv6: " + address);
        };
    }

    private static void check(String name, int rrClass, long ttl) {
        Objects.requireNonNull(name, "name");
        DnsMessage.checkU16("class", rrClass);
        if (ttl < 0 || ttl > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("TTL out of range 0.." + 0xFFFF_FFFFL + ": " + ttl);
        }
    }

    private static String prefix(ResourceRecord r) {
        return (r.name().isEmpty() ? "." : r.name()) + " " + r.ttl() + " " + DnsMessage.className(r.rrClass())
                + " " + DnsMessage.typeName(r.type()) + " ";
    }
}
