/**
 * The Linux TAP link driver ({@code tap:NAME}): the stack exchanges Ethernet frames with the
 * kernel through {@code /dev/net/tun}, bound with the FFM API. See
 * {@link dev.tsunagu.driver.tap.TapDriver}.
 */
package dev.tsunagu.driver.tap;
