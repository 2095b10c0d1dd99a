package dev.tsunagu.udp.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A DNS message (RFC 1035 4.1): the header, the questions and the three record sections, with
 * a parser that accepts any message and an encoder with name compression.
 *
 * <h2>Names</h2>
 * Names are strings in presentation form without the trailing dot: {@code "example.com"}, and
 * {@code ""} for the root. A label byte that is not printable ASCII, and a {@code .} or
 * {@code \} inside a label, is written {@code \DDD} (decimal) or {@code \.}, {@code \\}, so
 * every wire name has exactly one string and back. Names compare ignoring ASCII case
 * ({@link #sameName}).
 *
 * <h2>Parsing</h2>
 * {@link #parse} checks everything it reads against the message's bounds. A label is at most
 * 63 bytes, a name at most 255 (RFC 1035 2.3.4), label types other than "normal" and "pointer"
 * are refused, and a compression pointer must point into the message, past the header, and
 * strictly before the place the parser jumped from, so it can neither loop nor jump forward;
 * at most {@value #MAX_POINTERS} pointers are followed per name. Each section's records are
 * parsed one by one as bytes allow, so a forged count allocates nothing. Anything malformed
 * is a {@link DnsFormatException} naming the problem and its offset, never an unchecked
 * exception. Bytes left over after the last section are malformed too.
 *
 * <h2>Encoding</h2>
 * {@link #encode} writes names with compression pointers to earlier occurrences of the same
 * suffix (ignoring case), including in CNAME record data (RFC 3597 4 allows it for the RFC
 * 1035 types). {@link #query} builds a stub resolver's query, {@link #response} a server's
 * answer to one. The header's Z bits (and DNSSEC's AD/CD) are read and ignored, and written
 * as zero.
 *
 * @param id the 16-bit identifier matching responses to queries
 * @param response QR: a response rather than a query
 * @param opcode the kind of query (0 = standard query)
 * @param authoritative AA: the answer comes from an authority for the name
 * @param truncated TC: the message was cut to fit the transport; the answer is incomplete
 * @param recursionDesired RD: the querier asks the server to recurse
 * @param recursionAvailable RA: the server offers recursion
 * @param rcode the response code ({@link #RCODE_NOERROR}, {@link #RCODE_NXDOMAIN}…)
 * @param questions the question section
 * @param answers the answer section
 * @param authorities the authority section
 * @param additionals the additional section
 */
public record DnsMessage(int id, boolean response, int opcode, boolean authoritative, boolean truncated,
                         boolean recursionDesired, boolean recursionAvailable, int rcode,
                         List<Question> questions, List<ResourceRecord> answers,
                         List<ResourceRecord> authorities, List<ResourceRecord> additionals) {

    /** Type A: an IPv4 address. */
    public static final int TYPE_A = 1;
    /** Type NS: an authoritative name server. */
    public static final int TYPE_NS = 2;
    /** Type CNAME: the canonical name for an alias. */
    public static final int TYPE_CNAME = 5;
    /** Type SOA: start of a zone of authority. */
    public static final int TYPE_SOA = 6;
    /** Type PTR: a domain name pointer. */
    public static final int TYPE_PTR = 12;
    /** Type MX: mail exchange. */
    public static final int TYPE_MX = 15;
    /** Type TXT: text strings. */
    public static final int TYPE_TXT = 16;
    /** Type AAAA: an IPv6 address (RFC 3596). */
    public static final int TYPE_AAAA = 28;
    /** Type OPT: the EDNS(0) pseudo-record (RFC 6891). */
    public static final int TYPE_OPT = 41;

    /** Class IN: the Internet. */
    public static final int CLASS_IN = 1;

    /** Opcode QUERY: a standard query. */
    public static final int OPCODE_QUERY = 0;

    /** No error. */
    public static final int RCODE_NOERROR = 0;
    /** Format error: the server could not interpret the query. */
    public static final int RCODE_FORMERR = 1;
    /** Server failure. */
    public static final int RCODE_SERVFAIL = 2;
    /** Name error: the name does not exist (NXDOMAIN). */
    public static final int RCODE_NXDOMAIN = 3;
    /** Not implemented. */
    public static final int RCODE_NOTIMP = 4;
    /** Refused, for policy reasons. */
    public static final int RCODE_REFUSED = 5;

    /** Header length in bytes. */
    public static final int HEADER_LENGTH = 12;
    /** Longest label, in bytes. */
    public static final int MAX_LABEL_LENGTH = 63;
    /** Longest name on the wire, length bytes and the root's zero included. */
    public static final int MAX_NAME_LENGTH = 255;
    /** Largest message over UDP without EDNS (RFC 1035 4.2.1). */
    public static final int MAX_UDP_MESSAGE = 512;
    /** Compression pointers followed per name at most (a legal name has at most 127 labels). */
    public static final int MAX_POINTERS = 127;

    private static final int FLAG_QR = 0x8000;
    private static final int FLAG_AA = 0x0400;
    private static final int FLAG_TC = 0x0200;
    private static final int FLAG_RD = 0x0100;
    private static final int FLAG_RA = 0x0080;
    /** Compression pointers hold 14 bits: names past this offset cannot be pointed at. */
    private static final int MAX_POINTER_TARGET = 0x3FFF;

    public DnsMessage {
        checkU16("id", id);
        if (opcode < 0 || opcode > 15) {
            throw new IllegalArgumentException("opcode out of range 0..15: " + opcode);
        }
        if (rcode < 0 || rcode > 15) {
            throw new IllegalArgumentException("rcode out of range 0..15: " + rcode);
        }
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authorities = List.copyOf(authorities);
        additionals = List.copyOf(additionals);
    }

    // ------------------------------------------------------------------------------------------
    // Building messages

    /**
     * A standard query for {@code name} of type {@code qtype}, class IN, with RD set (a stub
     * resolver asks its server to recurse).
     *
     * @throws IllegalArgumentException if {@code name} is not a valid domain name
     */
    public static byte[] query(int id, String name, int qtype) {
        return new DnsMessage(id, false, OPCODE_QUERY, false, false, true, false, RCODE_NOERROR,
                List.of(new Question(name, qtype)), List.of(), List.of(), List.of()).encode();
    }

    /**
     * A server's response to {@code query}: same id, opcode, RD and question; QR and AA set
     * (the test server is authoritative), RA clear.
     */
    public static DnsMessage responseTo(DnsMessage query, int rcode, List<ResourceRecord> answers) {
        return new DnsMessage(query.id, true, query.opcode, true, false, query.recursionDesired, false, rcode,
                query.questions, answers, List.of(), List.of());
    }

    /** {@link #responseTo} encoded: the answers' names point at the question's. */
    public static byte[] response(DnsMessage query, int rcode, List<ResourceRecord> answers) {
        return responseTo(query, rcode, answers).encode();
    }

    /** The same message with the TC bit set or cleared. */
    public DnsMessage withTruncated(boolean tc) {
        return new DnsMessage(id, response, opcode, authoritative, tc, recursionDesired, recursionAvailable, rcode,
                questions, answers, authorities, additionals);
    }

    /** The same message with another rcode. */
    public DnsMessage withRcode(int newRcode) {
        return new DnsMessage(id, response, opcode, authoritative, truncated, recursionDesired, recursionAvailable,
                newRcode, questions, answers, authorities, additionals);
    }

    /** The same message with another id. */
    public DnsMessage withId(int newId) {
        return new DnsMessage(newId, response, opcode, authoritative, truncated, recursionDesired,
                recursionAvailable, rcode, questions, answers, authorities, additionals);
    }

    /** The only question, or null if there is not exactly one. */
    public Question question() {
        return questions.size() == 1 ? questions.getFirst() : null;
    }

    /** The 16 header flag bits as on the wire (Z bits zero). */
    public int flags() {
        return (response ? FLAG_QR : 0) | opcode << 11 | (authoritative ? FLAG_AA : 0) | (truncated ? FLAG_TC : 0)
                | (recursionDesired ? FLAG_RD : 0) | (recursionAvailable ? FLAG_RA : 0) | rcode;
    }

    // ------------------------------------------------------------------------------------------
    // Encoding

    /**
     * The message on the wire, names compressed.
     *
     * @throws IllegalArgumentException if a name is not valid, a section holds more than 65535
     *     entries, or the message would exceed 65535 bytes
     */
    public byte[] encode() {
        for (List<?> section : List.of(questions, answers, authorities, additionals)) {
            if (section.size() > 0xFFFF) {
                throw new IllegalArgumentException("more than 65535 entries in a section: " + section.size());
            }
        }
        Writer w = new Writer();
        w.u16(id);
        w.u16(flags());
        w.u16(questions.size());
        w.u16(answers.size());
        w.u16(authorities.size());
        w.u16(additionals.size());
        for (Question q : questions) {
            w.name(q.name());
            w.u16(q.type());
            w.u16(q.qclass());
        }
        for (List<ResourceRecord> section : List.of(answers, authorities, additionals)) {
            for (ResourceRecord r : section) {
                w.record(r);
            }
        }
        if (w.length > 0xFFFF) {
            throw new IllegalArgumentException("message longer than 65535 bytes: " + w.length);
        }
        return Arrays.copyOf(w.buf, w.length);
    }

    /** A growing byte buffer with the compression table of the names written so far. */
    private static final class Writer {
        byte[] buf = new byte[MAX_UDP_MESSAGE];
        int length;
        /** Lower-cased wire form of a suffix (as ISO-8859-1 text) → its offset. */
        final Map<String, Integer> suffixes = new HashMap<>();

        void ensure(int n) {
            if (length + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + n));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[length++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[length++] = (byte) (v >>> 8);
            buf[length++] = (byte) v;
        }

        void u32(long v) {
            u16((int) (v >>> 16) & 0xFFFF);
            u16((int) v & 0xFFFF);
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, length, b.length);
            length += b.length;
        }

        void name(String name) {
            List<byte[]> labels = labels(name);
            for (int i = 0; i < labels.size(); i++) {
                String key = suffixKey(labels, i);
                Integer at = suffixes.get(key);
                if (at != null) {
                    u16(0xC000 | at);
                    return;
                }
                if (length <= MAX_POINTER_TARGET) {
                    suffixes.put(key, length);
                }
                u8(labels.get(i).length);
                bytes(labels.get(i));
            }
            u8(0);
        }

        void record(ResourceRecord r) {
            name(r.name());
            u16(r.type());
            u16(r.rrClass());
            u32(r.ttl());
            int lengthAt = length;
            u16(0);
            switch (r) {
                case ResourceRecord.A a -> bytes(a.address().getAddress());
                case ResourceRecord.Aaaa a -> bytes(a.address().getAddress());
                case ResourceRecord.Cname c -> name(c.target());
                case ResourceRecord.Raw raw -> bytes(raw.rdataUnsafe());
            }
            int rdlength = length - lengthAt - 2;
            if (rdlength > 0xFFFF) {
                throw new IllegalArgumentException("record data longer than 65535 bytes: " + r);
            }
            buf[lengthAt] = (byte) (rdlength >>> 8);
            buf[lengthAt + 1] = (byte) rdlength;
        }

        private static String suffixKey(List<byte[]> labels, int from) {
            StringBuilder sb = new StringBuilder();
            for (int i = from; i < labels.size(); i++) {
                byte[] l = labels.get(i);
                sb.append((char) l.length);
                for (byte b : l) {
                    sb.append((char) lowerAscii(b & 0xFF));
                }
            }
            return sb.toString();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Names

    /**
     * The labels of {@code name} (presentation form; one trailing dot allowed; {@code ""} or
     * {@code "."} is the root), escapes decoded.
     *
     * @throws IllegalArgumentException if a label is empty or longer than 63 bytes, an escape
     *     is malformed, a character is not ASCII, or the name exceeds 255 bytes on the wire
     */
    static List<byte[]> labels(String name) {
        Objects.requireNonNull(name, "name");
        List<byte[]> labels = new ArrayList<>();
        if (name.isEmpty() || name.equals(".")) {
            return labels;
        }
        byte[] label = new byte[MAX_LABEL_LENGTH];
        int len = 0;
        int wire = 1;
        int n = name.length();
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (len == 0) {
                    throw new IllegalArgumentException("empty label in name: \"" + name + "\"");
                }
                labels.add(Arrays.copyOf(label, len));
                wire += len + 1;
                len = 0;
                continue;
            }
            int b;
            if (c == '\\') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("name ends in a lone backslash: \"" + name + "\"");
                }
                char d = name.charAt(i + 1);
                if (d >= '0' && d <= '9') {
                    if (i + 3 >= n) {
                        throw new IllegalArgumentException("\\DDD escape needs three digits: \"" + name + "\"");
                    }
                    int v = 0;
                    for (int k = 1; k <= 3; k++) {
                        char e = name.charAt(i + k);
                        if (e < '0' || e > '9') {
                            throw new IllegalArgumentException("\\DDD escape needs three digits: \"" + name + "\"");
                        }
                        v = v * 10 + (e - '0');
                    }
                    if (v > 255) {
                        throw new IllegalArgumentException("\\DDD escape above 255: \"" + name + "\"");
                    }
                    b = v;
                    i += 3;
                } else if (d > 0x7E) {
                    throw new IllegalArgumentException("non-ASCII character in name (use punycode or \\DDD): \""
                            + name + "\"");
                } else {
                    b = d;
                    i += 1;
                }
            } else {
                b = c;
            }
            if (c > 0x7E) {
                throw new IllegalArgumentException("non-ASCII character in name (use punycode or \\DDD): \""
                        + name + "\"");
            }
            if (len == MAX_LABEL_LENGTH) {
                throw new IllegalArgumentException("label longer than " + MAX_LABEL_LENGTH + " bytes in \""
                        + name + "\"");
            }
            label[len++] = (byte) b;
        }
        if (len > 0) { // else the name ended in its one trailing dot
            labels.add(Arrays.copyOf(label, len));
            wire += len + 1;
        }
        if (wire > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name longer than " + MAX_NAME_LENGTH + " bytes on the wire ("
                    + wire + "): \"" + name + "\"");
        }
        return labels;
    }

    /**
     * {@code name} in canonical form: escapes normalised, ASCII lower case, no trailing dot.
     *
     * @throws IllegalArgumentException if it is not a valid name
     */
    public static String canonicalName(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (byte[] label : labels(name)) {
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            appendLabel(sb, label, 0, label.length, true);
        }
        return sb.toString();
    }

    /** Whether two names are equal, ignoring ASCII case and a trailing dot. Invalid names are never equal. */
    public static boolean sameName(String a, String b) {
        if (a.equalsIgnoreCase(b)) {
            return true;
        }
        try {
            return canonicalName(a).equals(canonicalName(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int lowerAscii(int b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    private static void appendLabel(StringBuilder sb, byte[] m, int from, int len, boolean lower) {
        for (int i = from; i < from + len; i++) {
            int b = m[i] & 0xFF;
            if (b == '.' || b == '\\') {
                sb.append('\\').append((char) b);
            } else if (b <= 0x20 || b >= 0x7F) {
                sb.append('\\').append((char) ('0' + b / 100)).append((char) ('0' + b / 10 % 10))
                        .append((char) ('0' + b % 10));
            } else {
                sb.append((char) (lower ? lowerAscii(b) : b));
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Parsing

    /**
     * Parses a whole message.
     *
     * @throws DnsFormatException if it is malformed in any way (see the class comment)
     */
    public static DnsMessage parse(byte[] message) throws DnsFormatException {
        return new Reader(message).message();
    }

    /** A cursor over one message. */
    private static final class Reader {
        final byte[] m;
        int pos;

        Reader(byte[] m) {
            this.m = Objects.requireNonNull(m, "message");
        }

        DnsMessage message() throws DnsFormatException {
            if (m.length < HEADER_LENGTH) {
                throw new DnsFormatException("message of " + m.length + " bytes is shorter than the "
                        + HEADER_LENGTH + "-byte header", 0);
            }
            int id = u16();
            int flags = u16();
            int qd = u16();
            int an = u16();
            int ns = u16();
            int ar = u16();
            List<Question> questions = new ArrayList<>(Math.min(qd, 4));
            for (int i = 0; i < qd; i++) {
                int at = pos;
                String name = name("question " + (i + 1), m.length);
                need(4, "question " + (i + 1) + " type and class", at);
                questions.add(new Question(name, u16(), u16()));
            }
            List<ResourceRecord> answers = section("answer", an);
            List<ResourceRecord> authorities = section("authority", ns);
            List<ResourceRecord> additionals = section("additional", ar);
            if (pos != m.length) {
                throw new DnsFormatException((m.length - pos) + " bytes left over after the last record", pos);
            }
            return new DnsMessage(id, (flags & FLAG_QR) != 0, flags >>> 11 & 0xF, (flags & FLAG_AA) != 0,
                    (flags & FLAG_TC) != 0, (flags & FLAG_RD) != 0, (flags & FLAG_RA) != 0, flags & 0xF,
                    questions, answers, authorities, additionals);
        }

        List<ResourceRecord> section(String what, int count) throws DnsFormatException {
            List<ResourceRecord> records = new ArrayList<>(Math.min(count, 8));
            for (int i = 0; i < count; i++) {
                records.add(record(what + " record " + (i + 1)));
            }
            return records;
        }

        ResourceRecord record(String what) throws DnsFormatException {
            int start = pos;
            if (pos >= m.length) {
                throw new DnsFormatException(what + " missing: the message ends (the header counts more records)", pos);
            }
            String name = name(what + " owner name", m.length);
            need(10, what + " type, class, TTL and data length", start);
            int type = u16();
            int rrClass = u16();
            long ttl = u32();
            int rdlength = u16();
            int rdata = pos;
            if (rdlength > m.length - rdata) {
                throw new DnsFormatException(what + " data of " + rdlength + " bytes runs past the end of the "
                        + m.length + "-byte message", rdata - 2);
            }
            int end = rdata + rdlength;
            ResourceRecord r;
            if (type == TYPE_A && rrClass == CLASS_IN) {
                if (rdlength != 4) {
                    throw new DnsFormatException(what + ": A record data is " + rdlength + " bytes, not 4", rdata - 2);
                }
                r = new ResourceRecord.A(name, rrClass, ttl, (Inet4Address) address(rdata, 4));
            } else if (type == TYPE_AAAA && rrClass == CLASS_IN) {
                if (rdlength != 16) {
                    throw new DnsFormatException(what + ": AAAA record data is " + rdlength + " bytes, not 16",
                            rdata - 2);
                }
                r = new ResourceRecord.Aaaa(name, rrClass, ttl, (Inet6Address) address(rdata, 16));
            } else if (type == TYPE_CNAME) {
                if (rdlength == 0) {
                    throw new DnsFormatException(what + ": CNAME record without data", rdata - 2);
                }
                String target = name(what + " CNAME target", end);
                if (pos != end) {
                    throw new DnsFormatException(what + ": CNAME target ends " + (end - pos)
                            + " bytes before the record data does", pos);
                }
                r = new ResourceRecord.Cname(name, rrClass, ttl, target);
            } else {
                r = new ResourceRecord.Raw(name, type, rrClass, ttl, Arrays.copyOfRange(m, rdata, end));
            }
            pos = end;
            return r;
        }

        java.net.InetAddress address(int at, int len) {
            byte[] b = Arrays.copyOfRange(m, at, at + len);
            try {
                return len == 4 ? java.net.InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1);
            } catch (UnknownHostException e) {
                throw new AssertionError(e); // the length is right
            }
        }

        /**
         * Reads a possibly compressed name at {@code pos}, leaving {@code pos} just after it (after
         * its first pointer, if any). The uncompressed part must end by {@code limit}.
         */
        String name(String what, int limit) throws DnsFormatException {
            StringBuilder sb = new StringBuilder();
            int p = pos;
            int after = -1;
            int bound = pos;
            int wire = 0;
            int pointers = 0;
            int end = limit;
            while (true) {
                if (p >= end) {
                    throw new DnsFormatException(what + " runs past the end of "
                            + (end == m.length ? "the message" : "its record data"), p);
                }
                int len = m[p] & 0xFF;
                switch (len >>> 6) {
                    case 0 -> {
                        if (len == 0) {
                            if (after < 0) {
                                after = p + 1;
                            }
                            pos = after;
                            return sb.toString();
                        }
                        if (len > end - p - 1) {
                            throw new DnsFormatException(what + ": label of " + len + " bytes runs past the end of "
                                    + (end == m.length ? "the message" : "its record data"), p);
                        }
                        wire += len + 1;
                        if (wire + 1 > MAX_NAME_LENGTH) {
                            throw new DnsFormatException(what + " is longer than " + MAX_NAME_LENGTH + " bytes", p);
                        }
                        if (!sb.isEmpty()) {
                            sb.append('.');
                        }
                        appendLabel(sb, m, p + 1, len, false);
                        p += len + 1;
                    }
                    case 3 -> {
                        if (p + 1 >= end) {
                            throw new DnsFormatException(what + ": compression pointer cut off", p);
                        }
                        int target = (len & 0x3F) << 8 | (m[p + 1] & 0xFF);
                        if (target >= m.length) {
                            throw new DnsFormatException(what + ": compression pointer to offset " + target
                                    + ", beyond the end of the " + m.length + "-byte message", p);
                        }
                        if (target < HEADER_LENGTH) {
                            throw new DnsFormatException(what + ": compression pointer to offset " + target
                                    + ", inside the header", p);
                        }
                        if (target >= bound) {
                            throw new DnsFormatException(what + ": compression pointer to offset " + target
                                    + " does not point to an earlier name (a pointer loop or forward jump)", p);
                        }
                        if (++pointers > MAX_POINTERS) {
                            throw new DnsFormatException(what + ": more than " + MAX_POINTERS
                                    + " compression pointers", p);
                        }
                        if (after < 0) {
                            after = p + 2;
                        }
                        bound = target;
                        p = target;
                        end = m.length;
                    }
                    default -> throw new DnsFormatException(what + ": unsupported label type 0x"
                            + Integer.toHexString(len & 0xC0) + " (RFC 6891 extended or RFC 2673 binary labels)", p);
                }
            }
        }

        void need(int n, String what, int from) throws DnsFormatException {
            if (m.length - pos < n) {
                throw new DnsFormatException(what + " cut off: need " + n + " bytes, " + (m.length - pos) + " left",
                        Math.max(from, pos));
            }
        }

        int u16() {
            int v = (m[pos] & 0xFF) << 8 | (m[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        long u32() {
            long v = (long) u16() << 16;
            return v | u16();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Names of numbers, for messages

    /** "A", "AAAA", "CNAME"…, or "TYPE123" (RFC 3597 form). */
    public static String typeName(int type) {
        return switch (type) {
            case TYPE_A -> "A";
            case TYPE_NS -> "NS";
            case TYPE_CNAME -> "CNAME";
            case TYPE_SOA -> "SOA";
            case TYPE_PTR -> "PTR";
            case TYPE_MX -> "MX";
            case TYPE_TXT -> "TXT";
            case TYPE_AAAA -> "AAAA";
            case TYPE_OPT -> "OPT";
            default -> "TYPE" + type;
        };
    }

    /** "IN" or "CLASS123". */
    public static String className(int qclass) {
        return qclass == CLASS_IN ? "IN" : "CLASS" + qclass;
    }

    /** "NOERROR", "NXDOMAIN"…, or "RCODE12". */
    public static String rcodeName(int rcode) {
        return switch (rcode) {
            case RCODE_NOERROR -> "NOERROR";
            case RCODE_FORMERR -> "FORMERR";
            case RCODE_SERVFAIL -> "SERVFAIL";
            case RCODE_NXDOMAIN -> "NXDOMAIN";
            case RCODE_NOTIMP -> "NOTIMP";
            case RCODE_REFUSED -> "REFUSED";
            default -> "RCODE" + rcode;
        };
    }

    static void checkU16(String what, int v) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " out of range 0..65535: " + v);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("DnsMessage[id=").append(id).append(response ? " response" : " query");
        if (opcode != 0) {
            sb.append(" opcode=").append(opcode);
        }
        sb.append(' ').append(rcodeName(rcode));
        if (authoritative) {
            sb.append(" aa");
        }
        if (truncated) {
            sb.append(" tc");
        }
        if (recursionDesired) {
            sb.append(" rd");
        }
        if (recursionAvailable) {
            sb.append(" ra");
        }
        sb.append(" question=").append(questions);
        if (!answers.isEmpty()) {
            sb.append(" answer=").append(answers);
        }
        if (!authorities.isEmpty()) {
            sb.append(" authority=").append(authorities);
        }
        if (!additionals.isEmpty()) {
            sb.append(" additional=").append(additionals);
        }
        return sb.append(']').toString();
    }

    /** The bytes as text, for diagnostics: {@code 12 34 81 80…}. */
    static String hex(byte[] b) {
        return java.util.HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
