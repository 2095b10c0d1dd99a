#!/usr/bin/env bash
# tap-directions.sh - both stream directions with iperf3 (Debian 3.12) from the kernel side, interleaved, one CPU:
# Tsunagu's iperf3-serve on a TAP with offloads on and off, and kernel <-> kernel over a veth
# without and with offloads. Forward = kernel client sends to the target; -R = the target sends.
# Usage, as root: scripts/tap-directions.sh  (REPS=3 SECS=5 WARM=0 P=ofl by default; needs iperf3, ethtool, a built ./tsunagu)
# WARM=N: first run each direction N seconds against a fresh Tsunagu server, uncounted, so the measured runs find its
# data path compiled (on a loaded CPU the JIT takes tens of seconds, inside a 5 s run otherwise; the kernel has none).
# Each line gives the CPU seconds per GiB of both ends: iperf3's own (its JSON) and, for Tsunagu, the server
# process's (/proc, threads of the JIT included).
set -uo pipefail
TS="${TSUNAGU_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"; OUT="${OUT:-$(mktemp -d)}"; REPS="${REPS:-3}"; SECS="${SECS:-5}"; WARM="${WARM:-0}"; T=(taskset -c 0)
# P: the prefix of the namespaces and devices made here (another run of this script on the machine needs its own)
P="${P:-ofl}"
cleanup() { [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; ip netns del $P-d 2>/dev/null; ip netns del $P-da 2>/dev/null; ip netns del $P-db 2>/dev/null; true; }
trap cleanup EXIT
ticks() { [ -n "${1:-}" ] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
iperf() { # NS HOST TARGET DIR(fwd|rev) [SERVER_PID: its CPU counted too]
  local flag=(); [ "$4" = rev ] && flag=(-R)
  local t0; t0=$(ticks "${5:-}")
  ip netns exec "$1" "${T[@]}" iperf3 -c "$2" -t "$SECS" -O 1 "${flag[@]}" -J > "$OUT/iperf.json" 2>&1
  local t1; t1=$(ticks "${5:-}")
  python3 - "$3" "$4" "$OUT/iperf.json" "$((t1 - t0))" "$(getconf CLK_TCK)" "${5:-}" <<'PY'
import json, sys
try:
    e = json.load(open(sys.argv[3]))["end"]
    r, c = e['sum_received'], e['cpu_utilization_percent']
    # iperf3's CPU is over the whole test (the omitted second too); the server process's is from /proc
    cpu = c['host_total'] / 100 * (r['seconds'] + 1) + (int(sys.argv[4]) / int(sys.argv[5]) if sys.argv[6] else c['remote_total'] / 100 * (r['seconds'] + 1))
    print(f"target={sys.argv[1]} dir={sys.argv[2]} gbps={r['bits_per_second']/1e9:.3f} retrans={e['sum_sent'].get('retransmits', 0)}"
          f" cpu_s_per_gib={cpu / (r['bytes'] / 2**30):.2f}")
except Exception as x:
    print(f"target={sys.argv[1]} dir={sys.argv[2]} error={x}")
PY
}
tsunagu() { # OFFLOAD(on|off)
  ip netns add $P-d; ip -n $P-d link set lo up
  ip netns exec $P-d ip tuntap add dev ${P}tapd mode tap
  ip -n $P-d addr add 10.76.0.1/24 dev ${P}tapd; ip -n $P-d link set ${P}tapd up
  ip netns exec $P-d "${T[@]}" "$TS/tsunagu" iperf3-serve --driver "tap:${P}tapd,offload=$1" --ip 10.76.0.2/24 \
      > "$OUT/iperf3-serve-$1.log" 2>&1 & SPID=$!
  for ((i = 0; i < 300; i++)); do ip netns exec $P-d bash -c "exec 3<>/dev/tcp/10.76.0.2/5201" 2>/dev/null && break; sleep 0.2; done
  sleep 1
  local jpid; jpid=$(pgrep -n -f "iperf3-serve --driver tap:${P}tapd")
  if [ "$WARM" -gt 0 ]; then
    ip netns exec $P-d "${T[@]}" iperf3 -c 10.76.0.2 -t "$WARM" >/dev/null 2>&1
    ip netns exec $P-d "${T[@]}" iperf3 -c 10.76.0.2 -t "$WARM" -R >/dev/null 2>&1
  fi
  iperf $P-d 10.76.0.2 "tsunagu-offload-$1" fwd "$jpid"
  iperf $P-d 10.76.0.2 "tsunagu-offload-$1" rev "$jpid"
  kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=""
  ip netns del $P-d
}
kernel() { # OFFLOAD(on|off)
  ip netns add $P-da; ip netns add $P-db
  ip link add ${P}dv0 netns $P-da type veth peer name ${P}dv1 netns $P-db
  ip -n $P-da addr add 10.75.0.1/24 dev ${P}dv0; ip -n $P-db addr add 10.75.0.2/24 dev ${P}dv1
  ip -n $P-da link set ${P}dv0 up; ip -n $P-db link set ${P}dv1 up; ip -n $P-da link set lo up; ip -n $P-db link set lo up
  if [ "$1" = off ]; then
    ip netns exec $P-da ethtool -K ${P}dv0 tso off gso off gro off >/dev/null 2>&1
    ip netns exec $P-db ethtool -K ${P}dv1 tso off gso off gro off >/dev/null 2>&1
  fi
  ip netns exec $P-db "${T[@]}" iperf3 -s -1 >/dev/null 2>&1 & SPID=$!; sleep 0.5
  iperf $P-da 10.75.0.2 "kernel-veth-offload-$1" fwd; wait "$SPID" 2>/dev/null
  ip netns exec $P-db "${T[@]}" iperf3 -s -1 >/dev/null 2>&1 & SPID=$!; sleep 0.5
  iperf $P-da 10.75.0.2 "kernel-veth-offload-$1" rev; wait "$SPID" 2>/dev/null; SPID=""
  ip netns del $P-da; ip netns del $P-db
}
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); REPS=$REPS SECS=$SECS WARM=$WARM; everything under taskset -c 0"
for ((r = 1; r <= REPS; r++)); do
  tsunagu on; tsunagu off; kernel off; kernel on
done
echo "# done $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
