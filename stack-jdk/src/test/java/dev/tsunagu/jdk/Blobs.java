package dev.tsunagu.jdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Large payloads made from a seed, sent in chunks, and their SHA-256: what the bulk tests compare. */
final class Blobs {
    static final int TEN_MB = 10 * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;

    private Blobs() {}

    /** Writes {@code length} bytes of the stream seeded with {@code seed}; returns their SHA-256 in hex. */
    static String write(OutputStream out, long seed, int length) throws IOException {
        MessageDigest sha = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK];
        for (int left = length; left > 0; left -= CHUNK) {
            int n = Math.min(CHUNK, left);
            random.nextBytes(chunk);
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
        }
        out.flush();
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The bytes {@link #write} writes for {@code seed}, as a stream of {@code length} bytes. */
    static InputStream stream(long seed, long length) {
        SplittableRandom random = new SplittableRandom(seed);
        return new InputStream() {
            private final byte[] chunk = new byte[CHUNK];
            private int position = CHUNK;
            private long left = length;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                if (position == CHUNK) {
                    random.nextBytes(chunk);
                    position = 0;
                }
                int n = (int) Math.min(Math.min(len, CHUNK - position), left);
                System.arraycopy(chunk, position, b, off, n);
                position += n;
                left -= n;
                return n;
            }
        };
    }

    /** The SHA-256 in hex of the {@code length} bytes of the stream seeded with {@code seed}. */
    static String sha256(long seed, long length) throws IOException {
        return write(OutputStream.nullOutputStream(), seed, Math.toIntExact(length));
    }

    /** The SHA-256 in hex of exactly {@code length} bytes read from {@code in}. */
    static String read(InputStream in, long length) throws IOException {
        MessageDigest sha = sha256();
        byte[] chunk = new byte[CHUNK];
        long left = length;
        while (left > 0) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (n < 0) {
                throw new IOException("the stream ended " + left + " bytes early");
            }
            sha.update(chunk, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The SHA-256 in hex of everything left in {@code in}, and how many bytes that was. */
    static String readToEnd(InputStream in, long[] count) throws IOException {
        MessageDigest sha = sha256();
        byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = in.read(chunk)) >= 0) {
            sha.update(chunk, 0, n);
            count[0] += n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
