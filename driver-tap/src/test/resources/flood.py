# Floods for TapFloodTest (issue #18): crafted Ethernet frames written on the kernel side of a
# TAP with an AF_PACKET socket, as fast as one Python thread can, for SECONDS.
#
#   python3 flood.py KIND IFACE STACK_MAC STACK_IP OUR_IP SECONDS [PORT SPORT]
#
# KIND: ack  TCP ACKs with random ports, sequence and acknowledgment numbers to PORT
#       rst  RSTs with random sequence numbers on the connection OUR_IP:SPORT -> STACK_IP:PORT
#       frag IPv4 fragments (UDP) with random IDs, each datagram two overlapping pieces, never the last
#       arp  ARP requests for STACK_IP from random sender MACs and addresses (10.0.0.0/8)
#       udp  UDP datagrams to random closed ports (PORT and below 1024 excepted)
# Prints "sent N frames" at the end. Frames are made ahead in a pool (random each) and sent in turn.
import os, random, socket, struct, sys, time

kind, iface, stack_mac, stack_ip, our_ip, seconds = sys.argv[1:7]
port = int(sys.argv[7]) if len(sys.argv) > 7 else 0
sport = int(sys.argv[8]) if len(sys.argv) > 8 else 0
seconds = float(seconds)
rnd = random.Random(int(os.environ.get("FLOOD_SEED", "18")))

dst = bytes.fromhex(stack_mac.replace(":", ""))
with open("/sys/class/net/%s/address" % iface) as f:
    src = bytes.fromhex(f.read().strip().replace(":", ""))
sip, dip = socket.inet_aton(our_ip), socket.inet_aton(stack_ip)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, payload, ident=None, frag=0x4000, source=sip):
    ident = rnd.getrandbits(16) if ident is None else ident
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, source, dip)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return dst + src + b"\x08\x00" + h + payload


def tcp(sp, dp, seq, ack, flags, source=sip):
    t = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    c = csum(source + dip + struct.pack("!BBH", 0, 6, len(t)) + t)
    return ipv4(6, t[:16] + struct.pack("!H", c) + t[18:], source=source)


def make():
    if kind == "ack":
        return tcp(rnd.randrange(1024, 65536), port, rnd.getrandbits(32), rnd.getrandbits(32), 0x10)
    if kind == "rst":
        return tcp(sport, port, rnd.getrandbits(32), 0, 0x04)
    if kind == "frag":
        # Both pieces of one datagram, overlapping (offsets 0 and 8 bytes, each 64 bytes), more to come: never whole.
        ident = rnd.getrandbits(16)
        body = bytes(rnd.getrandbits(8) for _ in range(64))
        return [ipv4(17, body, ident, 0x2000), ipv4(17, body, ident, 0x2000 | 1)]
    if kind == "arp":
        mac = bytes([0x02]) + bytes(rnd.getrandbits(8) for _ in range(5))
        ip = bytes([10]) + bytes(rnd.getrandbits(8) for _ in range(3))
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, ip, b"\0" * 6, dip)
        return b"\xff" * 6 + mac + b"\x08\x06" + arp
    if kind == "udp":
        p = rnd.randrange(1024, 65536)
        while p == port:
            p = rnd.randrange(1024, 65536)
        u = struct.pack("!HHHH", rnd.randrange(1024, 65536), p, 8 + 32, 0) + bytes(32)
        return ipv4(17, u)
    raise SystemExit("unknown flood " + kind)


pool = []
while len(pool) < 20000:
    f = make()
    pool.extend(f if isinstance(f, list) else [f])

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
sent = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    for f in pool:
        try:
            s.send(f)
            sent += 1
        except OSError:
            pass  # the TAP's queue is full: the stack is behind; go on
        if sent % 2000 == 0 and time.monotonic() >= end:
            break
print("sent %d frames" % sent, flush=True)
