/**
 * Test support shipped in the {@code stack-link} test jar for every module and for third
 * parties: the driver contract tests, a recording driver context, builders for test networks
 * on a virtual loop, and a tshark runner.
 */
package dev.tsunagu.link.testkit;
