/**
 * What every transport shares with the rest of the stack: the socket table (the
 * {@code netstat} view) and the service entry points a stack hands out ({@link
 * dev.tsunagu.socket.TcpService}, {@link dev.tsunagu.socket.UdpService}, {@link
 * dev.tsunagu.socket.NameResolver}), so that one module can use another's service without
 * depending on it.
 */
package dev.tsunagu.socket;
