/** The loopback driver behind every stack's {@code lo} interface. */
package dev.tsunagu.link.loopback;
