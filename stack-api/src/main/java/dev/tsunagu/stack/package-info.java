/**
 * The stack itself: {@link dev.tsunagu.stack.NetworkStack} and its builder, interfaces, and
 * the contracts between layers. A layer is made by a {@link dev.tsunagu.stack.LayerProvider}
 * found on the class or module path; it registers what it handles (the {@link
 * dev.tsunagu.stack.LinkLayer}, {@link dev.tsunagu.stack.NetworkProtocol}s by EtherType,
 * {@link dev.tsunagu.stack.TransportProtocol}s by IP protocol number) and publishes services
 * through the {@link dev.tsunagu.stack.StackContext}.
 */
package dev.tsunagu.stack;
