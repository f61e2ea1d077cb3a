#!/usr/bin/env bash
# make bench: Strata's benchmarks, with peers on the same data in the same run.
#
# Engine (in process, engine/bench/bench_engine): head append rate, write
# rate through the WAL, head memory per series, WAL replay, bytes per sample
# on disk after a flush. The TSBS-like data set is also written as line
# protocol and loaded into VictoriaMetrics (Debian's victoria-metrics), which
# is then flushed, so that bytes per sample on disk compare on the very same
# samples: du -sb of Strata's whole data directory and of VictoriaMetrics's
# data/ and indexdb/ (its shutdown cache/ apart).
#
# remote_write ingest (wire/bench/bench_prw): Strata (build/strata, --wal-fsync
# always), Debian's victoria-metrics and Debian's prometheus (remote-write
# receiver on), started one at a time on a free loopback port with their own
# data directories, get the same node_exporter-like remote_write 1.0 load
# (2,000 samples a request, one sample per TimeSeries with its full label set,
# 2 connections) for 10,000 series x 200 scrapes and 100,000 series x 20
# scrapes. Per server and size: ingest rate of the first scrape (every series
# new) and of the following ones (series known); server CPU seconds; RSS
# growth per series; a check through the query API that every series and
# sample is stored; query_range latency of two raw selectors; bytes per
# sample on disk after a flush. Then a side-by-side table with ratios.
#
# usage: run-bench.sh [BUILD_DIR]
#   STRATA_BENCH_SECTION=engine|prw   run one section only (default: both)
#   STRATA_BENCH_PRW_SIZES="10000:200 100000:20"   series:scrapes per size
#   STRATA_BENCH_PRW_RUNS=N   ingest rates as the best of N runs on fresh servers
#                             (default 1; the machine's other load moves them)
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh --bench
section=${STRATA_BENCH_SECTION:-all}
case "$section" in all|engine|prw) ;; *) echo "STRATA_BENCH_SECTION: engine, prw or unset" >&2; exit 2 ;; esac
work=$(mktemp -d /tmp/strata-bench-XXXXXX)
vm_pid=""
srv_pid=""
stop_pid() { # stop_pid PID: SIGTERM, up to 30 s for a clean stop, then SIGKILL
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  [ -n "$vm_pid" ] && stop_pid "$vm_pid"
  [ -n "$srv_pid" ] && stop_pid "$srv_pid"
  rm -rf "$work"
}
trap cleanup EXIT

# Debian's victoria-metrics prints an empty -version: ask dpkg
vm_version() { dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null || victoria-metrics -version 2>&1 | head -1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

engine_section() {
echo "== engine (in process)"
STRATA_BENCH_DIR="$work/strata" "./$build/engine/bench/bench_engine" | tee "$work/engine.txt"
strata_bps=$(awk '/^BENCH tsbs bytes_per_sample/ {print $4}' "$work/engine.txt")

echo
echo "== VictoriaMetrics $(vm_version) on the same TSBS-like samples"
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
# merge its parts as the remote_write section does, then stop it so that
# everything is written, and count its data and index: the cache/ it writes
# at shutdown is not part of what it stores (see that section)
curl -sf "http://127.0.0.1:$port/internal/force_merge" >/dev/null || true
for _ in $(seq 600); do
  curl -s "http://127.0.0.1:$port/metrics" | awk '/^vm_active_(force_)?merges/ {a += $2} END {exit !(a == 0)}' && break
  sleep 0.1
done
kill "$vm_pid"; wait "$vm_pid" 2>/dev/null || true; vm_pid=""
vm_bytes=$(du -sbc "$work/vm/data" "$work/vm/indexdb" | tail -1 | cut -f1)
samples=3600000
vm_bps=$(python3 -c "print(f'{$vm_bytes/$samples:.3f}')")
echo "  VictoriaMetrics holds $rows samples; data/ + indexdb/ after force_merge and stop (du -sb): $vm_bytes bytes = $vm_bps bytes/sample"
echo "  whole directory: $(cd "$work/vm" && du -sb -- * | awk '{printf "%s %s bytes; ", $2, $1}')"
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
echo "== side by side (tsbs, bytes/sample on disk after flush, Strata: whole data directory; VM: data + index; Prometheus: blocks)"
python3 - "$strata_bps" "$vm_bps" "$prom_bps" <<'PY'
import sys
s, v, p = (float(x) for x in sys.argv[1:4])
print(f"  Strata {s:.3f}   VictoriaMetrics {v:.3f}   Prometheus {p:.3f}")
print(f"  Strata/VictoriaMetrics = {s/v:.2f}   Strata/Prometheus = {s/p:.2f}   (lower is better)")
PY
}

# ---------------------------------------------------------------- remote_write ingest

clk_tck=$(getconf CLK_TCK)
proc_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }     # proc_kb PID VmRSS
proc_cpu() { awk -v t="$clk_tck" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; } # user+system s
kv() { sed -n "s/^BENCHPRW $1.* $2=\([^ ]*\).*/\1/p" "$3" | head -1; } # kv LINE-PREFIX KEY FILE

# start_server NAME DIR PORT: starts it in the background (srv_pid) and
# waits until it answers its readiness endpoint.
start_server() {
  local name=$1 dir=$2 port=$3 ready
  mkdir -p "$dir"
  case $name in
    strata|strata1s)
      local fs=always; [ "$name" = strata1s ] && fs=1s
      "./$build/strata" --listen "127.0.0.1:$port" --data-dir "$dir" --wal-fsync "$fs" >"$dir.log" 2>&1 &
      ready=/-/ready ;;
    vm)
      # no rollup result cache: the latency test must read data, not a cached answer
      victoria-metrics -storageDataPath="$dir" -httpListenAddr="127.0.0.1:$port" -retentionPeriod=100y \
        -search.disableCache >"$dir.log" 2>&1 &
      ready=/health ;;
    prom)
      # an empty scrape configuration: Prometheus holds only what is written to it
      printf 'scrape_configs: []\n' >"$dir.yml"
      prometheus --config.file="$dir.yml" --storage.tsdb.path="$dir" --web.listen-address="127.0.0.1:$port" \
        --web.enable-remote-write-receiver --web.enable-admin-api --storage.tsdb.retention.time=100y \
        >"$dir.log" 2>&1 &
      ready=/-/ready ;;
  esac
  srv_pid=$!
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port$ready" >/dev/null && return 0
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not start:"; tail -20 "$dir.log"; exit 1
}

# prw_run NAME SERIES ROUNDS [RUN]: one server, one size, a fresh data
# directory; appends "SIZE NAME KEY VALUE" lines to $work/prw.res. Runs
# after the first (RUN > 1), and strata1s, measure ingest only.
prw_run() {
  local name=$1 n=$2 rounds=$3 run=${4:-1} bin="./$build/wire/bench/bench_prw"
  local dir="$work/prw-$name-$n-$run" port out="$work/prw-$name-$n-$run.out"
  port=$(free_port)
  # samples end 2 minutes before now, so that every server takes all of them
  # (Strata's --future-limit, VictoriaMetrics' 30 s search latency offset,
  # Prometheus's head window of 1 h behind its newest sample)
  local end_ms=$(( ($(date +%s%3N) - 120000) / 15000 * 15000 ))
  local args=(--addr "127.0.0.1:$port" --series "$n" --rounds "$rounds" --end-ms "$end_ms")
  start_server "$name" "$dir" "$port"
  sleep 1
  local rss0 cpu0 rss1 hwm cpu1
  rss0=$(proc_kb "$srv_pid" VmRSS); cpu0=$(proc_cpu "$srv_pid")
  "$bin" write "${args[@]}" --conns 2 --batch 2000 >"$out" || { cat "$out"; echo "$name: remote_write load failed"; tail -20 "$dir.log"; exit 1; }
  rss1=$(proc_kb "$srv_pid" VmRSS); hwm=$(proc_kb "$srv_pid" VmHWM); cpu1=$(proc_cpu "$srv_pid")
  local fsyncs=""
  if [ "$name" = strata ] || [ "$name" = strata1s ]; then
    # how long the WAL's fsyncs took during the load (an ack waits for one)
    fsyncs=$(curl -s "http://127.0.0.1:$port/metrics" | awk '
      /^strata_wal_fsync_duration_seconds_sum / {s = $2} /^strata_wal_fsync_duration_seconds_count / {c = $2}
      END {if (c) printf "%d WAL fsyncs, %.2f s in all, mean %.3f ms", c, s, s / c * 1000}')
  fi
  if [ "$name" = strata1s ] || [ "$run" -gt 1 ]; then
    # strata1s: the same load without an fsync per acknowledgement
    [ "$name" = vm ] && curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
    "$bin" verify "${args[@]}" >>"$out" || { cat "$out"; exit 1; }
    stop_pid "$srv_pid"; srv_pid=""
    rm -rf "$dir"
    echo "$n $name steady $(kv phase=steady rate "$out")" >>"$work/prw.res"
    echo "$n $name create $(kv phase=create rate "$out")" >>"$work/prw.res"
    printf '  %-8s %7d series x %3d%s: %s%s\n' "$name" "$n" "$rounds" "$([ "$run" -gt 1 ] && echo ", run $run")" \
      "$(grep '^BENCHPRW phase=steady' "$out" | sed 's/^BENCHPRW //')" "${fsyncs:+; $fsyncs}"
    return 0
  fi
  # VictoriaMetrics makes what it took searchable within a second or two; ask for it now
  [ "$name" = vm ] && curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
  "$bin" verify "${args[@]}" >>"$out" || { cat "$out"; exit 1; }
  "$bin" query "${args[@]}" --count 100 >>"$out" || { cat "$out"; exit 1; }
  local disk snap="" cache=""
  case $name in
    strata)
      curl -sf -X POST "http://127.0.0.1:$port/api/v1/admin/flush" >/dev/null
      # the same queries once the data is in blocks
      "$bin" query "${args[@]}" --count 100 | sed 's/^BENCHPRW query /BENCHPRW blockquery /' >>"$out"
      stop_pid "$srv_pid"; srv_pid=""
      disk=$(du -sb "$dir" | cut -f1) ;;
    vm)
      # VictoriaMetrics 1.79 answers queries from small parts it has not
      # written yet (force_flush makes data searchable, not durable), and
      # merges them later. Merge every partition of the data set, wait for
      # the merges, stop it so that everything is on disk, then count its
      # data and index (its cache/ directory, written at shutdown, apart).
      local parts; parts=$(for t in $((end_ms / 1000 - rounds * 15)) $((end_ms / 1000)); do date -u -d "@$t" +%Y_%m; done | sort -u)
      for p in $parts; do curl -sf "http://127.0.0.1:$port/internal/force_merge?partition_prefix=$p" >/dev/null; done
      local np; np=$(echo "$parts" | wc -l)
      for _ in $(seq 600); do
        curl -s "http://127.0.0.1:$port/metrics" | awk -v np="$np" '
          /^vm_parts\{type="storage\// {p += $2} /^vm_active_(force_)?merges/ {a += $2}
          END {exit !(p <= np && a == 0)}' && break
        sleep 0.1
      done
      stop_pid "$srv_pid"; srv_pid=""
      disk=$(du -sbc "$dir/data" "$dir/indexdb" | tail -1 | cut -f1)
      cache=$(du -sb "$dir/cache" 2>/dev/null | cut -f1) ;;
    prom)
      # for reference, the head written as a block by the snapshot API
      curl -sf -X POST "http://127.0.0.1:$port/api/v1/admin/tsdb/snapshot" >/dev/null
      snap=$(du -sb "$dir"/snapshots/* | cut -f1)
      stop_pid "$srv_pid"; srv_pid=""
      # no block before the head spans 3 h: what is on disk is the WAL and the head chunks
      disk=$(du -sbc "$dir/wal" "$dir/chunks_head" | tail -1 | cut -f1) ;;
  esac
  local samples=$((n * rounds))
  {
    echo "$n $name create $(kv phase=create rate "$out")"
    echo "$n $name steady $(kv phase=steady rate "$out")"
    echo "$n $name cpu_s $(python3 -c "print(f'{$cpu1 - $cpu0:.2f}')")"
    echo "$n $name per_cpu_s $(python3 -c "print(f'{$samples / max($cpu1 - $cpu0, 0.01):.0f}')")"
    echo "$n $name rss_per_series $(( (rss1 - rss0) * 1024 / n ))"
    echo "$n $name hwm_per_series $(( (hwm - rss0) * 1024 / n ))"
    echo "$n $name bps $(python3 -c "print(f'{$disk / $samples:.3f}')")"
    [ -n "$snap" ] && echo "$n $name snap_bps $(python3 -c "print(f'{$snap / $samples:.3f}')")"
    for k in query blockquery; do
      for q in narrow wide; do
        grep -q "^BENCHPRW $k kind=$q " "$out" || continue
        echo "$n $name ${k}_${q}_p50 $(kv "$k kind=$q" p50_ms "$out")"
        echo "$n $name ${k}_${q}_p99 $(kv "$k kind=$q" p99_ms "$out")"
      done
    done
  } >>"$work/prw.res"
  printf '  %-8s %7d series x %3d: ' "$name" "$n" "$rounds"
  grep '^BENCHPRW phase=' "$out" | sed 's/^BENCHPRW //' | awk '{printf "%s ", $0} END {print ""}' | sed 's/ phase=/\n                               phase=/g'
  echo "                               VmRSS ${rss0} kB -> ${rss1} kB after the load (VmHWM ${hwm} kB), CPU $(python3 -c "print(f'{$cpu1 - $cpu0:.2f}')") s, disk $disk bytes${snap:+, head snapshot block $snap bytes}${cache:+ (+ cache/ $cache bytes)}${fsyncs:+, $fsyncs}"
  grep -E '^BENCHPRW (verify|query|blockquery)' "$out" | sed 's/^BENCHPRW /                               /'
}

prw_section() {
  echo
  echo "== remote_write ingest: Strata $(cat VERSION) (--wal-fsync always), VictoriaMetrics $(vm_version), Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}')"
  echo "  load: wire/bench/bench_prw, node_exporter-like series (100 per host, 7-9 labels), remote_write 1.0,"
  echo "  2,000 samples a request (one per TimeSeries, full label set), snappy, 2 connections, one request"
  echo "  in flight on each; all bodies built before timing. One server at a time."
  : >"$work/prw.res"
  local sizes=${STRATA_BENCH_PRW_SIZES:-"10000:200 100000:20"} sz runs=${STRATA_BENCH_PRW_RUNS:-1} run
  [ "$runs" -gt 1 ] && echo "  ingest rates: the best of $runs runs, each on a fresh server; the rest from the first run"
  for sz in $sizes; do
    for run in $(seq "$runs"); do
      for name in strata strata1s vm prom; do prw_run "$name" "${sz%%:*}" "${sz##*:}" "$run"; done
    done
  done
  python3 - "$work/prw.res" <<'PY'
import sys
res = {}
for line in open(sys.argv[1]):
    n, name, key, val = line.split()
    k, v = (int(n), name, key), float(val)
    # repeated runs report ingest rates only: keep the best
    res[k] = max(res[k], v) if k in res else v
sizes = sorted({k[0] for k in res})
rows = [  # key, label, unit, better
    ("steady", "ingest, series known (samples/s)", "{:,.0f}", "higher"),
    ("create", "ingest, first scrape: all series new (samples/s)", "{:,.0f}", "higher"),
    ("per_cpu_s", "samples per server CPU-second (whole load)", "{:,.0f}", "higher"),
    ("rss_per_series", "RSS growth per active series (bytes)", "{:,.0f}", "lower"),
    ("hwm_per_series", "peak RSS growth per active series (bytes)", "{:,.0f}", "lower"),
    ("bps", "disk after flush (bytes/sample)", "{:.3f}", "lower"),
    ("query_narrow_p50", "query_range narrow p50 (ms)", "{:.2f}", "lower"),
    ("query_narrow_p99", "query_range narrow p99 (ms)", "{:.2f}", "lower"),
    ("query_wide_p50", "query_range wide p50 (ms)", "{:.2f}", "lower"),
    ("query_wide_p99", "query_range wide p99 (ms)", "{:.2f}", "lower"),
]
def f(fmt, v):
    return "-" if v is None else fmt.format(v)
def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"
tags = {10000: "prw10k", 100000: "prw100k"}
for n in sizes:
    g = lambda name, key: res.get((n, name, key))
    print()
    print(f"== side by side, remote_write, {n:,} series")
    print(f"  {'figure':<50} {'Strata':>12} {'VM':>12} {'Prometheus':>12} {'S/VM':>6} {'S/Prom':>6}  better")
    for key, label, fmt, better in rows:
        s, v, p = g("strata", key), g("vm", key), g("prom", key)
        print(f"  {label:<50} {f(fmt, s):>12} {f(fmt, v):>12} {f(fmt, p):>12} {ratio(s, v):>6} {ratio(s, p):>6}  {better}")
    s1 = g("strata1s", "steady")
    print(f"  {'  Strata with --wal-fsync 1s, series known':<50} {f('{:,.0f}', s1):>12} {'':>12} {'':>12} {ratio(s1, g('vm', 'steady')):>6} {ratio(s1, g('prom', 'steady')):>6}  higher")
    sp = g("prom", "snap_bps")
    s = g("strata", "bps")
    print(f"  {'  Prometheus: WAL + head chunks (no block yet)':<50} {'':>12} {'':>12} {f('{:.3f}', g('prom', 'bps')):>12}")
    print(f"  {'  Prometheus: head as a block (snapshot API)':<50} {'':>12} {'':>12} {f('{:.3f}', sp):>12} {'':>6} {ratio(s, sp):>6}  lower")
    for q in ("narrow", "wide"):
        b = g("strata", f"blockquery_{q}_p50")
        print(f"  {'  Strata ' + q + ' p50 after the flush, from blocks':<50} {f('{:.2f}', b):>12}")
for n in sizes:
    t = tags.get(n, f"prw{n}")
    for name, short in (("strata", "strata"), ("strata1s", "strata_fsync1s"), ("vm", "vm"), ("prom", "prom")):
        for key in ("steady", "create", "rss_per_series", "bps", "query_narrow_p50", "query_wide_p50"):
            v = res.get((n, name, key))
            if v is not None:
                print(f"BENCH {t} {short}_{key} {v:g}")
    for key in ("steady", "rss_per_series", "bps"):
        s, v, p = (res.get((n, x, key)) for x in ("strata", "vm", "prom"))
        if s is not None and v: print(f"BENCH {t} {key}_strata_over_vm {s / v:.2f}")
        if s is not None and p: print(f"BENCH {t} {key}_strata_over_prom {s / p:.2f}")
PY
  echo "  RSS growth: VmRSS from /proc/PID/status right after the last write was acknowledged, minus VmRSS"
  echo "  1 s after start-up, divided by the series; it includes the samples each server holds in memory"
  echo "  and, for the Go servers, garbage not yet collected. Disk, du -sb once the server has stopped:"
  echo "  Strata's whole data directory after /api/v1/admin/flush; VictoriaMetrics' data/ and indexdb/"
  echo "  after /internal/force_merge of the partitions (cache/ apart); Prometheus cuts blocks only once"
  echo "  its head spans 3 h, so its figure is its wal/ plus chunks_head/."
  echo "  Durability differs: Strata acknowledges after an fsync; VictoriaMetrics and Prometheus"
  echo "  acknowledge before their data reaches the disk."
}

if [ "$section" = all ] || [ "$section" = engine ]; then engine_section; fi
if [ "$section" = all ] || [ "$section" = prw ]; then prw_section; fi
