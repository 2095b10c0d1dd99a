package dev.tsunagu.cli.tour;

import dev.tsunagu.loop.EventLoop;
import java.io.PrintWriter;

/**
 * Where the tour's lines go: one line per event, stamped with the event loop's (virtual) time
 * and who did it, so the output reads as a timeline. Synchronized: in real time the loop's
 * thread tells the frames while the script's thread tells the calls.
 */
final class Narration {
    /** Width of the "who" column: "browser -> dns" and the like. */
    private static final int WHO = 16;

    private final PrintWriter out;
    private final EventLoop loop;
    private final long origin;
    private int chapters;

    /** Times are printed from {@code origin}, a reading of the loop's clock. */
    Narration(PrintWriter out, EventLoop loop, long origin) {
        this.out = out;
        this.loop = loop;
        this.origin = origin;
    }

    /** A numbered heading before each stage of the journey. */
    synchronized void chapter(String title) {
        out.println();
        out.println("== " + (++chapters) + ". " + title + " ==");
    }

    /** One event: time, who, what. */
    synchronized void event(String who, String what) {
        out.println(String.format("%10.6f  %-" + WHO + "s %s", (loop.now() - origin) / 1e9, who, what));
    }

    /** A continuation line under the last event (a table row, an explanation). */
    synchronized void detail(String what) {
        out.println(" ".repeat(12 + WHO + 1) + what);
    }

    /** A plain line, not tied to a time. */
    synchronized void plain(String what) {
        out.println(what);
    }

    /** Several continuation lines kept together (a table), even when the loop's thread narrates too. */
    synchronized void details(java.util.List<String> lines) {
        lines.forEach(this::detail);
    }

    synchronized void flush() {
        out.flush();
    }
}
