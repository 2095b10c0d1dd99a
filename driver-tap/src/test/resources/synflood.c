/*
 * SYN flood for TapSynFloodTest (issue #16): Ethernet frames carrying TCP SYNs from random
 * source addresses (198.18.0.0/15, the benchmarking range) and ports, written on the kernel
 * side of a TAP with an AF_PACKET socket at RATE frames a second for SECONDS. Python cannot
 * reach 20,000 a second on a loaded machine; this is compiled by the test with gcc.
 *
 *   synflood IFACE STACK_MAC STACK_IP PORT RATE SECONDS
 *
 * Prints "sent N frames in S seconds (E send errors)" at the end, or when stopped by SIGTERM.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 0x16u;
static volatile sig_atomic_t stopped;

static void on_term(int sig) {
    (void) sig;
    stopped = 1;
}

static uint32_t next32(void) { /* xorshift64*: a fixed seed, so every run floods alike */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t) ((rng * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t sum16(const uint8_t *b, size_t n, uint32_t s) {
    for (size_t i = 0; i + 1 < n; i += 2) {
        s += (uint32_t) (b[i] << 8 | b[i + 1]);
    }
    if (n & 1) {
        s += (uint32_t) b[n - 1] << 8;
    }
    return s;
}

static uint16_t fold(uint32_t s) {
    while (s >> 16) {
        s = (s & 0xFFFF) + (s >> 16);
    }
    return (uint16_t) ~s;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: synflood IFACE STACK_MAC STACK_IP PORT RATE SECONDS\n");
        return 2;
    }
    const char *iface = argv[1];
    uint8_t dmac[6], smac[6];
    if (sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1], &dmac[2], &dmac[3], &dmac[4], &dmac[5]) != 6) {
        return 2;
    }
    char path[128];
    snprintf(path, sizeof path, "/sys/class/net/%s/address", iface);
    FILE *f = fopen(path, "r");
    if (!f || fscanf(f, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &smac[0], &smac[1], &smac[2], &smac[3], &smac[4], &smac[5]) != 6) {
        return 2;
    }
    fclose(f);
    struct in_addr dst;
    inet_pton(AF_INET, argv[3], &dst);
    int port = atoi(argv[4]);
    double rate = atof(argv[5]);
    double seconds = atof(argv[6]);

    signal(SIGTERM, on_term);
    int s = socket(AF_PACKET, SOCK_RAW, 0);
    if (s < 0) {
        perror("socket");
        return 1;
    }
    struct sockaddr_ll ll = {0};
    ll.sll_family = AF_PACKET;
    ll.sll_ifindex = (int) if_nametoindex(iface);
    if (bind(s, (struct sockaddr *) &ll, sizeof ll) < 0) {
        perror("bind");
        return 1;
    }

    uint8_t frame[14 + 20 + 24];
    memcpy(frame, dmac, 6);
    memcpy(frame + 6, smac, 6);
    frame[12] = 0x08;
    frame[13] = 0x00;
    uint8_t *ip = frame + 14, *tcp = ip + 20;
    long sent = 0, errors = 0;
    double start = now(), end = start + seconds;
    while (1) {
        double t = now();
        if (t >= end || stopped) {
            break;
        }
        long due = (long) ((t - start) * rate);
        if (sent + errors >= due) {
            struct timespec pause = {0, 200000}; /* 0.2 ms */
            nanosleep(&pause, NULL);
            continue;
        }
        for (long k = due - sent - errors; k > 0; k--) {
            uint32_t src = htonl(0xC6120000u | (next32() & 0x1FFFF)); /* 198.18.0.0/15 */
            memset(ip, 0, 20);
            ip[0] = 0x45;
            ip[2] = 0;
            ip[3] = 44;
            uint16_t id = (uint16_t) next32();
            ip[4] = id >> 8;
            ip[5] = id & 0xFF;
            ip[6] = 0x40; /* DF */
            ip[8] = 64;
            ip[9] = 6;
            memcpy(ip + 12, &src, 4);
            memcpy(ip + 16, &dst, 4);
            uint16_t c = fold(sum16(ip, 20, 0));
            ip[10] = c >> 8;
            ip[11] = c & 0xFF;
            memset(tcp, 0, 24);
            uint16_t sport = (uint16_t) (1024 + next32() % 64000);
            tcp[0] = sport >> 8;
            tcp[1] = sport & 0xFF;
            tcp[2] = (uint8_t) (port >> 8);
            tcp[3] = (uint8_t) port;
            uint32_t seq = next32();
            memcpy(tcp + 4, &seq, 4);
            tcp[12] = 6 << 4; /* 24 bytes: the header and an MSS option */
            tcp[13] = 0x02;   /* SYN */
            tcp[14] = 0xFF;
            tcp[15] = 0xFF;
            tcp[20] = 2;
            tcp[21] = 4;
            tcp[22] = 1460 >> 8;
            tcp[23] = 1460 & 0xFF;
            uint8_t pseudo[12];
            memcpy(pseudo, ip + 12, 8);
            pseudo[8] = 0;
            pseudo[9] = 6;
            pseudo[10] = 0;
            pseudo[11] = 24;
            c = fold(sum16(tcp, 24, sum16(pseudo, 12, 0)));
            tcp[16] = c >> 8;
            tcp[17] = c & 0xFF;
            if (send(s, frame, sizeof frame, 0) == (ssize_t) sizeof frame) {
                sent++;
            } else {
                errors++; /* the TAP's queue is full: the stack is behind */
            }
        }
    }
    printf("sent %ld frames in %.2f seconds (%ld send errors)\n", sent, now() - start, errors);
    return 0;
}
