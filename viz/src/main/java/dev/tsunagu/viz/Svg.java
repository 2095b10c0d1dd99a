package dev.tsunagu.viz;

import java.util.Locale;

/**
 * A few SVG elements written straight into text, escaped: enough for the diagrams here, and
 * well-formed XML so that the pages parse as XHTML too (the tests parse them with the JDK's XML
 * parser). Coordinates are printed with one decimal, in the C locale.
 */
final class Svg {
    private final StringBuilder out = new StringBuilder();
    private final double width;
    private final double height;

    Svg(double width, double height, String cssClass, String title) {
        this.width = width;
        this.height = height;
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"").append(esc(cssClass))
                .append("\" width=\"").append(n(width)).append("\" height=\"").append(n(height))
                .append("\" viewBox=\"0 0 ").append(n(width)).append(' ').append(n(height)).append("\">\n");
        out.append("<title>").append(esc(title)).append("</title>\n");
    }

    double width() {
        return width;
    }

    double height() {
        return height;
    }

    Svg line(double x1, double y1, double x2, double y2, String cssClass) {
        return line(x1, y1, x2, y2, cssClass, null);
    }

    Svg line(double x1, double y1, double x2, double y2, String cssClass, String tooltip) {
        out.append("<line class=\"").append(esc(cssClass)).append("\" x1=\"").append(n(x1)).append("\" y1=\"")
                .append(n(y1)).append("\" x2=\"").append(n(x2)).append("\" y2=\"").append(n(y2)).append('"');
        return close("line", tooltip);
    }

    Svg circle(double x, double y, double r, String cssClass, String tooltip) {
        out.append("<circle class=\"").append(esc(cssClass)).append("\" cx=\"").append(n(x)).append("\" cy=\"")
                .append(n(y)).append("\" r=\"").append(n(r)).append('"');
        return close("circle", tooltip);
    }

    Svg rect(double x, double y, double w, double h, String cssClass, String tooltip) {
        out.append("<rect class=\"").append(esc(cssClass)).append("\" x=\"").append(n(x)).append("\" y=\"")
                .append(n(y)).append("\" width=\"").append(n(Math.max(w, 0.5))).append("\" height=\"")
                .append(n(Math.max(h, 0.5))).append('"');
        return close("rect", tooltip);
    }

    /** A polyline through {@code xy} ({x0, y0, x1, y1, ...}); nothing if it has no point. */
    Svg polyline(double[] xy, int points, String cssClass) {
        if (points == 0) {
            return this;
        }
        out.append("<polyline class=\"").append(esc(cssClass)).append("\" points=\"");
        for (int i = 0; i < points; i++) {
            out.append(i == 0 ? "" : " ").append(n(xy[2 * i])).append(',').append(n(xy[2 * i + 1]));
        }
        out.append("\"/>\n");
        return this;
    }

    /** Text at (x, y); {@code anchor} is start, middle or end. */
    Svg text(double x, double y, String text, String cssClass, String anchor) {
        out.append("<text class=\"").append(esc(cssClass)).append("\" x=\"").append(n(x)).append("\" y=\"")
                .append(n(y)).append("\" text-anchor=\"").append(anchor).append("\">").append(esc(text))
                .append("</text>\n");
        return this;
    }

    /** A marker definition for arrow heads, referenced as {@code url(#id)} from the style sheet. */
    Svg arrowHead(String id, String cssClass) {
        out.append("<defs><marker id=\"").append(id).append("\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" ")
                .append("markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"")
                .append(esc(cssClass)).append("\" d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>\n");
        return this;
    }

    private Svg close(String element, String tooltip) {
        if (tooltip == null) {
            out.append("/>\n");
        } else {
            out.append("><title>").append(esc(tooltip)).append("</title></").append(element).append(">\n");
        }
        return this;
    }

    String end() {
        return out.append("</svg>\n").toString();
    }

    static String n(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Escapes text for XML content and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
