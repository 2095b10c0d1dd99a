/**
 * The driver SPI: a {@link dev.tsunagu.driver.LinkDriver} moves frames between the stack and a
 * medium; a {@link dev.tsunagu.driver.LinkDriverProvider} makes drivers from a spec string
 * ({@code cable:lan0}, {@code tap:tsu0}, {@code pcap:eth0}) and is found by
 * {@link java.util.ServiceLoader}, so third parties add drivers without touching the core.
 */
package dev.tsunagu.driver;
