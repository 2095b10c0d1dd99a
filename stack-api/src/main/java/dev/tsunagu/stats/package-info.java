/**
 * Counters per layer and per interface, readable at any time as a {@link
 * dev.tsunagu.stats.StatisticsSnapshot}. Every packet the stack drops is counted under a
 * name that says why; that is how bad input is made visible instead of thrown.
 */
package dev.tsunagu.stats;
