package dev.tsunagu.ipv6;

import dev.tsunagu.net.Ipv6Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Stable, semantically opaque interface identifiers (RFC 7217) for addresses SLAAC forms from a
 * Router Advertisement's prefix, when {@link Ipv6Options#ADDRESS_GENERATION} says
 * {@link Ipv6Options.AddressGeneration#STABLE}: the identifier is
 * {@code F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret_key)} (section 5), F being SHA-256
 * (the RFC's suggestion) and the identifier its first 64 bits. The same secret gives the same
 * address on the same network every time (stable, unlike RFC 8981's temporary addresses), yet a
 * host moving to another prefix gets an unrelated identifier, so the MAC is not in the address
 * and the host cannot be followed across networks (RFC 7721).
 *
 * <p>Net_Iface is the interface's name; Network_ID, optional in the RFC, is left out. An
 * identifier in RFC 5453's registry (the subnet-router anycast zero, the reserved subnet anycast
 * range, the IANA Ethernet block) is never used: the DAD_Counter goes on to the next one, as the
 * RFC's section 5 asks. On a duplicate the caller asks again with the counter one higher, at most
 * {@link #IDGEN_RETRIES} times (section 6).
 */
final class StableInterfaceIdentifiers {
    /** RFC 7217 7: new identifiers tried after a DAD failure, at most. */
    static final int IDGEN_RETRIES = 3;

    /** An address made for a prefix, and the DAD_Counter it was made with. */
    record Generated(Ipv6Address address, int dadCounter) {}

    private final byte[] secret;

    /** @param secret the secret_key: at least 128 bits (section 5), the same across restarts for stable addresses */
    StableInterfaceIdentifiers(byte[] secret) {
        this.secret = secret.clone();
    }

    /** The address for the /64 {@code prefix} on interface {@code netIface}, with a DAD_Counter of at least {@code dadCounter}. */
    Generated generate(Ipv6Address prefix, String netIface, int dadCounter) {
        for (int counter = dadCounter; ; counter++) {
            long iid = interfaceIdentifier(prefix.high(), netIface, counter);
            if (!reserved(iid)) {
                return new Generated(new Ipv6Address(prefix.high(), iid), counter);
            }
        }
    }

    /** F() of section 5: the first 64 bits of SHA-256 over Prefix | Net_Iface | DAD_Counter | secret_key. */
    long interfaceIdentifier(long prefixHigh, String netIface, int dadCounter) {
        byte[] name = netIface.getBytes(StandardCharsets.UTF_8);
        ByteBuffer in = ByteBuffer.allocate(8 + name.length + 1 + secret.length);
        in.putLong(prefixHigh).put(name).put((byte) dadCounter).put(secret);
        return ByteBuffer.wrap(sha256().digest(in.array())).getLong();
    }

    /** The IANA registry RFC 5453 set up: identifiers no SLAAC address may have. */
    static boolean reserved(long iid) {
        return iid == 0                                          // subnet-router anycast (RFC 4291 2.6.1)
                || (iid >>> 7) == (0xFDFF_FFFF_FFFF_FF80L >>> 7)  // reserved subnet anycast, ...ff80 to ...ffff (RFC 2526)
                || (iid >>> 24) == 0x0200_5EFF_FEL;              // the IANA Ethernet block, Proxy Mobile IPv6's among them
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
