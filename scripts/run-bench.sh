#!/usr/bin/env bash
# make bench: Strata's benchmarks, with peers on the same data in the same run.
#
# Engine (in process, engine/bench/bench_engine): head append rate, write
# rate through the WAL, head memory per series, WAL replay, bytes per sample
# on disk after a flush. The TSBS-like data set is also written as line
# protocol and loaded into VictoriaMetrics (Debian's victoria-metrics), which
# is then flushed, so that bytes per sample on disk compare on the very same
# samples: du -sb of each whole data directory.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh --bench
work=$(mktemp -d /tmp/strata-bench-XXXXXX)
vm_pid=""
cleanup() {
  [ -n "$vm_pid" ] && kill "$vm_pid" 2>/dev/null && wait "$vm_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== engine (in process)"
STRATA_BENCH_DIR="$work/strata" "./$build/engine/bench/bench_engine" | tee "$work/engine.txt"
strata_bps=$(awk '/^BENCH tsbs bytes_per_sample/ {print $4}' "$work/engine.txt")

echo
echo "== VictoriaMetrics $(victoria-metrics -version 2>&1 | head -1) on the same TSBS-like samples"
"./$build/engine/bench/bench_engine" --emit-lp "$work/tsbs.lp"
port=$(free_port)
victoria-metrics -storageDataPath="$work/vm" -httpListenAddr="127.0.0.1:$port" \
  -retentionPeriod=100y -search.disableCache >"$work/vm.log" 2>&1 &
vm_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
split -l 5000 "$work/tsbs.lp" "$work/chunk."
start=$(date +%s.%N)
for f in "$work"/chunk.*; do
  curl -sf --data-binary @"$f" "http://127.0.0.1:$port/write" >/dev/null
done
end=$(date +%s.%N)
curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
sleep 3
curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
rows=$(curl -s "http://127.0.0.1:$port/api/v1/export" --data-urlencode 'match[]={__name__=~"cpu_.*"}' | python3 -c '
import sys, json
print(sum(len(json.loads(l)["values"]) for l in sys.stdin if l.strip()))')
kill "$vm_pid"; wait "$vm_pid" 2>/dev/null || true; vm_pid=""
vm_bytes=$(du -sb "$work/vm" | cut -f1)
samples=3600000
vm_bps=$(python3 -c "print(f'{$vm_bytes/$samples:.3f}')")
echo "  VictoriaMetrics holds $rows samples; disk after flush (du -sb): $vm_bytes bytes = $vm_bps bytes/sample"
echo "  of which: $(cd "$work/vm" && du -sb -- * | awk '{printf "%s %s bytes; ", $2, $1}')"
echo "  (single-connection curl load, one 5,000-line request at a time: $(python3 -c "print(f'{$samples/($end-$start):.0f}')") samples/s, not a peer ingest figure)"
echo
echo "== Prometheus $(promtool --version 2>&1 | head -1 | awk '{print $3}') blocks of the same samples (promtool tsdb create-blocks-from openmetrics)"
"./$build/engine/bench/bench_engine" --emit-om "$work/tsbs.om"
promtool tsdb create-blocks-from openmetrics "$work/tsbs.om" "$work/prom" >"$work/promtool.log" 2>&1 \
  || { cat "$work/promtool.log"; exit 1; }
prom_bytes=$(du -sb "$work/prom" | cut -f1)
prom_bps=$(python3 -c "print(f'{$prom_bytes/$samples:.3f}')")
echo "  disk (du -sb of the blocks): $prom_bytes bytes = $prom_bps bytes/sample"
echo
echo "== side by side (tsbs, bytes/sample on disk after flush, whole data directory)"
python3 - "$strata_bps" "$vm_bps" "$prom_bps" <<'PY'
import sys
s, v, p = (float(x) for x in sys.argv[1:4])
print(f"  Strata {s:.3f}   VictoriaMetrics {v:.3f}   Prometheus {p:.3f}")
print(f"  Strata/VictoriaMetrics = {s/v:.2f}   Strata/Prometheus = {s/p:.2f}   (lower is better)")
PY
