/**
 * What every transport shares with the rest of the stack: the socket table (the
 * {@code netstat} view) and the service entry points a stack hands out.
 */
package dev.tsunagu.socket;
