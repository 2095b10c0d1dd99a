package dev.tsunagu.apps.http;

import java.util.ArrayList;
import java.util.List;

/** A response as a test reads it off the wire: the status line, the header lines, the body text. */
record RawResponse(String statusLine, List<String> headerLines, String body) {
    static RawResponse parse(String wire) {
        int end = wire.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new AssertionError("no end of head in " + wire);
        }
        List<String> lines = new ArrayList<>(List.of(wire.substring(0, end).split("\r\n")));
        String status = lines.removeFirst();
        return new RawResponse(status, lines, wire.substring(end + 4));
    }

    int status() {
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    /** The value of the first header {@code name}, or null. */
    String header(String name) {
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            if (line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }
}
