package dev.tsunagu.apps.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Small pieces of HTTP/1.1 (RFC 9110, 9112) shared by the server and the client. */
final class Http {
    /** Copying buffer for bodies and files: 64 KiB. */
    static final int BUFFER_SIZE = 64 * 1024;
    /** The longest request, status or header line accepted, in bytes. */
    static final int MAX_LINE = 8 * 1024;
    /** The most header lines accepted in one message. */
    static final int MAX_HEADERS = 100;

    /** IMF-fixdate (RFC 9110 5.6.7): {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private Http() {}

    static String date(Instant t) {
        return IMF_FIXDATE.format(t);
    }

    /** The standard reason phrase of {@code status}, or "" if it has none here. */
    static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 505 -> "HTTP Version Not Supported";
            default -> "";
        };
    }

    /** RFC 9110 5.6.2 token: one or more tchars. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /** A wire text for an error message: quoted, control characters escaped, shortened. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                sb.append(String.format("\\x%02x", (int) c & 0xFF));
            } else {
                sb.append(c);
            }
        }
        return sb.append(s.length() > 80 ? "\"…" : "\"").toString();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
