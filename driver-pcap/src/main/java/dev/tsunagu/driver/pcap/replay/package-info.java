/**
 * Offline replay ({@code pcap-file:PATH}): a capture's frames fed into a stack on its own
 * loop, at the recorded pace or as fast as the stack takes them, with the stack's answers
 * written to a pcap; TCP acknowledgments shifted to the stack's ISNs and ARP answered for the
 * recorded hosts, so a recorded server session can run against the stack. See
 * {@link dev.tsunagu.driver.pcap.replay.PcapFileDriver}.
 */
package dev.tsunagu.driver.pcap.replay;
