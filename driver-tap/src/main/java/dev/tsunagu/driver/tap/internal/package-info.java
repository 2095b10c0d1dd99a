/**
 * The TUN/TAP and network-device ioctls of the TAP driver ({@code TUNSETIFF}, MTU, address,
 * up), on the shared libc bindings of {@code dev.tsunagu.driver.nativeio}. Not exported: these
 * may change freely.
 */
package dev.tsunagu.driver.tap.internal;
