package dev.tsunagu.examples.tour;

import dev.tsunagu.loop.EventLoop;
import java.io.PrintWriter;

/**
 * Where the tour's lines go: one line per event, stamped with the event loop's (virtual) time
 * and who did it, so the output reads as a timeline.
 */
final class Narration {
    /** Width of the "who" column: "browser → dns" and the like. */
    private static final int WHO = 16;

    private final PrintWriter out;
    private final EventLoop loop;
    private int chapters;

    Narration(PrintWriter out, EventLoop loop) {
        this.out = out;
        this.loop = loop;
    }

    /** A numbered heading before each stage of the journey. */
    void chapter(String title) {
        out.println();
        out.println("== " + (++chapters) + ". " + title + " ==");
    }

    /** One event: time, who, what. */
    void event(String who, String what) {
        out.println(String.format("%10.6f  %-" + WHO + "s %s", loop.now() / 1e9, who, what));
    }

    /** A continuation line under the last event (a table row, an explanation). */
    void detail(String what) {
        out.println(" ".repeat(12 + WHO + 1) + what);
    }

    /** A plain line, not tied to a time. */
    void plain(String what) {
        out.println(what);
    }

    void flush() {
        out.flush();
    }
}
