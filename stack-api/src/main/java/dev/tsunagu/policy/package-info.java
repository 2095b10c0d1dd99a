/**
 * The TCP policy SPIs: congestion control, the retransmission timer, and send buffering
 * (when a partial segment leaves). Interfaces live here so a third party can implement one
 * without depending on TCP internals; {@code stack-tcp} ships the defaults. Each kind is a
 * {@link dev.tsunagu.policy.PolicyCatalog} of providers found with
 * {@link java.util.ServiceLoader}, chosen per stack or per socket by name.
 */
package dev.tsunagu.policy;
