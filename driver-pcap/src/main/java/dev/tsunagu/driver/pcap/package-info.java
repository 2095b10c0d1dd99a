/**
 * The libpcap link driver ({@code pcap:IFACE}): the stack on a live Ethernet interface with a
 * MAC and IP of its own, bound with the FFM API. See {@link dev.tsunagu.driver.pcap.PcapDriver}.
 * Capture replay ({@code pcap-file:PATH}) lives in {@link dev.tsunagu.driver.pcap.replay}.
 */
package dev.tsunagu.driver.pcap;
