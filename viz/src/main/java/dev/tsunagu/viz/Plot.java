package dev.tsunagu.viz;

import java.util.function.LongFunction;

/**
 * A plot's frame: the data ranges mapped onto the drawing area inside margins, a frame, five
 * ticks on each axis with their labels, and the axis titles. An empty or single-valued range
 * is widened so nothing divides by zero.
 */
final class Plot {
    static final double LEFT = 80;
    static final double RIGHT = 20;
    static final double TOP = 30;
    static final double BOTTOM = 45;

    final Svg svg;
    private final long x0;
    private final long x1;
    private final long y0;
    private final long y1;

    Plot(Svg svg, long x0, long x1, long y0, long y1) {
        this.svg = svg;
        this.x0 = x0;
        this.x1 = x1 > x0 ? x1 : x0 + 1;
        this.y0 = y0;
        this.y1 = y1 > y0 ? y1 : y0 + 1;
    }

    double x(long v) {
        return LEFT + (double) (v - x0) / (x1 - x0) * (svg.width() - LEFT - RIGHT);
    }

    double y(long v) {
        return svg.height() - BOTTOM - (double) (v - y0) / (y1 - y0) * (svg.height() - TOP - BOTTOM);
    }

    double bottom() {
        return svg.height() - BOTTOM;
    }

    double right() {
        return svg.width() - RIGHT;
    }

    /** The frame, ticks and titles; {@code xLabel}/{@code yLabel} write a tick's value. */
    void frame(String title, String xTitle, String yTitle, LongFunction<String> xLabel, LongFunction<String> yLabel) {
        svg.rect(LEFT, TOP, right() - LEFT, bottom() - TOP, "frame", null);
        for (int i = 0; i <= 4; i++) {
            long xv = x0 + (x1 - x0) * i / 4;
            long yv = y0 + (y1 - y0) * i / 4;
            svg.line(x(xv), bottom(), x(xv), bottom() + 4, "tick");
            svg.text(x(xv), bottom() + 16, xLabel.apply(xv), "tick-label", "middle");
            svg.line(LEFT - 4, y(yv), LEFT, y(yv), "tick");
            svg.line(LEFT, y(yv), right(), y(yv), "grid");
            svg.text(LEFT - 6, y(yv) + 4, yLabel.apply(yv), "tick-label", "end");
        }
        svg.text((LEFT + right()) / 2, 18, title, "plot-title", "middle");
        svg.text((LEFT + right()) / 2, svg.height() - 8, xTitle, "axis-title", "middle");
        svg.text(14, TOP - 8, yTitle, "axis-title", "start");
    }
}
