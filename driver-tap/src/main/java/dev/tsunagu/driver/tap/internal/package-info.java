/**
 * FFM bindings for the TAP driver: libc calls with captured {@code errno}, and the TUN/TAP
 * and network-device ioctls. Not exported: the layout of these classes may change freely.
 */
package dev.tsunagu.driver.tap.internal;
