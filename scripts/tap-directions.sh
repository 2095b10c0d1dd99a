#!/usr/bin/env bash
# tap-directions.sh - both stream directions with iperf3 (Debian 3.12) from the kernel side, interleaved, one CPU:
# Tsunagu's iperf3-serve on a TAP with offloads on and off, and kernel <-> kernel over a veth
# without and with offloads. Forward = kernel client sends to the target; -R = the target sends.
# Usage, as root: scripts/tap-directions.sh  (REPS=3 SECS=5 by default; needs iperf3, ethtool, a built ./tsunagu)
set -uo pipefail
TS="${TSUNAGU_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"; OUT="${OUT:-$(mktemp -d)}"; REPS="${REPS:-3}"; SECS="${SECS:-5}"; T=(taskset -c 0)
cleanup() { [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; ip netns del ofl-d 2>/dev/null; ip netns del ofl-da 2>/dev/null; ip netns del ofl-db 2>/dev/null; true; }
trap cleanup EXIT
iperf() { # NS HOST TARGET DIR(fwd|rev)
  local flag=(); [ "$4" = rev ] && flag=(-R)
  ip netns exec "$1" "${T[@]}" iperf3 -c "$2" -t "$SECS" -O 1 "${flag[@]}" -J > "$OUT/iperf.json" 2>&1
  python3 - "$3" "$4" "$OUT/iperf.json" <<'PY'
import json, sys
try:
    e = json.load(open(sys.argv[3]))["end"]
    print(f"target={sys.argv[1]} dir={sys.argv[2]} gbps={e['sum_received']['bits_per_second']/1e9:.3f} retrans={e['sum_sent'].get('retransmits', 0)}")
except Exception as x:
    print(f"target={sys.argv[1]} dir={sys.argv[2]} error={x}")
PY
}
tsunagu() { # OFFLOAD(on|off)
  ip netns add ofl-d; ip -n ofl-d link set lo up
  ip netns exec ofl-d ip tuntap add dev ofltapd mode tap
  ip -n ofl-d addr add 10.76.0.1/24 dev ofltapd; ip -n ofl-d link set ofltapd up
  ip netns exec ofl-d "${T[@]}" "$TS/tsunagu" iperf3-serve --driver "tap:ofltapd,offload=$1" --ip 10.76.0.2/24 \
      > "$OUT/iperf3-serve-$1.log" 2>&1 & SPID=$!
  for ((i = 0; i < 300; i++)); do ip netns exec ofl-d bash -c "exec 3<>/dev/tcp/10.76.0.2/5201" 2>/dev/null && break; sleep 0.2; done
  sleep 1
  iperf ofl-d 10.76.0.2 "tsunagu-offload-$1" fwd
  iperf ofl-d 10.76.0.2 "tsunagu-offload-$1" rev
  kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=""
  ip netns del ofl-d
}
kernel() { # OFFLOAD(on|off)
  ip netns add ofl-da; ip netns add ofl-db
  ip link add ofldv0 netns ofl-da type veth peer name ofldv1 netns ofl-db
  ip -n ofl-da addr add 10.75.0.1/24 dev ofldv0; ip -n ofl-db addr add 10.75.0.2/24 dev ofldv1
  ip -n ofl-da link set ofldv0 up; ip -n ofl-db link set ofldv1 up; ip -n ofl-da link set lo up; ip -n ofl-db link set lo up
  if [ "$1" = off ]; then
    ip netns exec ofl-da ethtool -K ofldv0 tso off gso off gro off >/dev/null 2>&1
    ip netns exec ofl-db ethtool -K ofldv1 tso off gso off gro off >/dev/null 2>&1
  fi
  ip netns exec ofl-db "${T[@]}" iperf3 -s -1 >/dev/null 2>&1 & SPID=$!; sleep 0.5
  iperf ofl-da 10.75.0.2 "kernel-veth-offload-$1" fwd; wait "$SPID" 2>/dev/null
  ip netns exec ofl-db "${T[@]}" iperf3 -s -1 >/dev/null 2>&1 & SPID=$!; sleep 0.5
  iperf ofl-da 10.75.0.2 "kernel-veth-offload-$1" rev; wait "$SPID" 2>/dev/null; SPID=""
  ip netns del ofl-da; ip netns del ofl-db
}
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); REPS=$REPS SECS=$SECS; everything under taskset -c 0"
for ((r = 1; r <= REPS; r++)); do
  tsunagu on; tsunagu off; kernel off; kernel on
done
echo "# done $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
