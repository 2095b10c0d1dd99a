/**
 * The in-memory cable: an Ethernet segment inside the JVM that behaves like a learning
 * switch, the embedded default that runs every example and test without root.
 */
package dev.tsunagu.link.cable;
