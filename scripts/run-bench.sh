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
# line protocol ingest (wire/bench/bench_lp): Strata (--wal-fsync always, and
# once with --wal-fsync 1s for reference), Debian's victoria-metrics and
# Debian's influxd 1.6, one at a time on free loopback ports, get the same
# bytes: TSBS-like cpu-only lines (10 tags, 10 fields: a line is 10 samples)
# for 1,000 hosts x 500 rounds and 100,000 hosts x 5 rounds, 5,000 lines a
# request, 2 connections, each host always on the same one; and Telegraf-like
# gzip bodies of 1,000 lines with Telegraf's headers to /write?db=telegraf
# (1,000 hosts x 300 rounds). Per server and workload: ingest rate of the
# first round (every series new) and of the following ones, server CPU
# seconds per sample, RSS growth per series, a check through each server's
# query API that it holds every sample it acknowledged, and bytes per sample
# on disk after a flush (not for the Telegraf bodies: the same kind of
# samples as the 1,000-host set). InfluxDB 1.6 is capped at 2,000,000
# samples at 100,000 hosts (and 60 s of load anywhere); its rate is then
# over what it took, and the table says so. Then a table with ratios.
#
# PromQL (wire/bench/bench_query): Strata, Debian's victoria-metrics and
# Debian's prometheus run side by side, each with its own data directory,
# and get the same generated data by remote_write (hosts of 20 series:
# x_requests_total, x_bytes_total and x_gauge, a classic histogram h_bucket/
# h_sum/h_count; labels env, host, instance, job, region), in time order.
# Per data set (series x span at an interval): Strata's memory is written to
# blocks (/api/v1/admin/flush) when the span is over its 2 h memory window,
# VictoriaMetrics is flushed (/internal/force_flush) and its merges awaited,
# Prometheus (out_of_order_time_window 25h) compacts its head into blocks
# as the data arrives and is waited for. Then six queries of the PromQL
# issue, each as a range query over the whole span and as an instant query
# at its end: answers compared (Strata with Prometheus exactly; with
# VictoriaMetrics, whose rate() does not extrapolate, the series sets),
# then median and p90 of repeated requests, interleaved over the servers
# (VictoriaMetrics with nocache=1 and -search.disableCache), and each
# server's peak RSS over the query's requests (VmHWM reset through
# /proc/PID/clear_refs). Then /api/v1/series, /api/v1/labels and label
# values over 200,000 series on all three, and Strata's SHOW MEASUREMENTS.
#
# InfluxQL (wire/bench/bench_influxql.py): Strata and Debian's InfluxDB 1.6
# get the same TSBS-like cpu data by line protocol, then TSBS's query shapes
# as InfluxQL (single-groupby-1-1-1, single-groupby-5-8-1, double-groupby-1,
# cpu-max-all-1, groupby-orderby-limit, high-cpu-1, lastpoint): answers
# compared, then median and p90 of repeated requests, side by side.
#
# SQL (wire/bench/bench_sql.py): TSBS's query shapes (single-groupby-1-1-1,
# single-groupby-5-1-12, double-groupby-1, cpu-max-all-1,
# groupby-orderby-limit, high-cpu-1, lastpoint) in Strata's SQL
# (/api/v3/query_sql), in Debian's PostgreSQL 15 (initdb on a temporary
# directory, indexes (hostname, time) and (time), psycopg2 over TCP) and in
# DuckDB (npm @duckdb/node-api under Debian's nodejs, installed into
# BUILD_DIR/bench-cache/duckdb when absent, timed inside one persistent node
# process), and the same questions in Strata's InfluxQL and PromQL, on the
# same TSBS-like cpu data: answers compared, then medians, side by side with
# the issue's goal (<= 0.1 x PostgreSQL, < DuckDB, <= InfluxQL/PromQL).
#
# Security (issue 12 §6): the same Strata plain, and with TLS (HTTPS,
# --tls-cert-file), users (--auth true, every request with Basic
# credentials, checked through the verified-credential cache) and
# encryption at rest (--encryption-key-file: WAL and blocks sealed), gets the
# same loads in alternating runs: remote_write (bench_prw, 10,000 series x
# 200 scrapes), line protocol (bench_lp, 1,000 TSBS hosts x 200 rounds),
# then query_range latency of two raw selectors (bench_prw query). The goal:
# at least 90% of the plain throughput, query latency within 10%.
#
# Timestream's API (issue 13 §5, wire/bench/bench_ts): WriteRecords of
# 100-record batches (single- and multi-measure, SigV4-signed as the SDKs
# sign) from 2 connections against Strata's own line protocol on the same
# points, and unsigned on a server with auth off (the signature's share);
# then Query against /api/v3/query_sql on the same SQL. Goals: at least
# half the line protocol's rate; Query within 10% of query_sql.
#
# usage: run-bench.sh [BUILD_DIR]
#   STRATA_BENCH_SECTION=engine|prw|lp|query|influxql|sql|security|timestream   run one section only (default: all, in that order)
#   STRATA_BENCH_TS_HOSTS=1000 STRATA_BENCH_TS_ROUNDS=100 STRATA_BENCH_TS_RUNS=2   the Timestream section's load
#   STRATA_BENCH_SEC_RUNS=3   alternating plain/secured runs of the security section (rates: best; latency: median)
#   STRATA_BENCH_INFLUXQL_HOSTS="1000 10000"   host counts of the InfluxQL data sets
#   STRATA_BENCH_INFLUXQL_SPAN_H=2   hours of data (10 s apart; 60 s past 1,000 hosts)
#   STRATA_BENCH_SQL_SIZES="1000:12:10 10000:12:60"   hosts:hours:interval-seconds of the SQL data sets
#   STRATA_BENCH_SQL_REPS=5   timed runs per query and system (fewer when one run takes seconds)
#   STRATA_BENCH_PRW_SIZES="10000:200 100000:20"   series:scrapes per size
#   STRATA_BENCH_PRW_RUNS=N   ingest rates as the best of N runs on fresh servers
#                             (default 2, for every server alike: the machine's other load moves them)
#   STRATA_BENCH_LP_SIZES="1000:500 100000:5:2000000"   hosts:rounds[:InfluxDB's sample cap]
#   STRATA_BENCH_LP_TELEGRAF="1000:300"   hosts:rounds of the gzip bodies ("" skips them)
#   STRATA_BENCH_LP_SERVERS="strata strata1s vm influx"   which servers
#   STRATA_BENCH_LP_INFLUX_MAX_SECONDS=60   InfluxDB's load stops after this
#   STRATA_BENCH_LP_RUNS=N    ingest rates as the best of N runs (default 1)
#   STRATA_BENCH_LP_PROFILE=1  perf record -g of Strata (--wal-fsync always) during
#                             each load, perf report --no-children printed after it
#   STRATA_BENCH_QUERY_SETS="10000:1h:15 10000:24h:60 100000:1h:15 100000:24h:300"
#                             series:span:interval-seconds per PromQL data set
#   STRATA_BENCH_QUERY_REPS=5   timed requests per query and server
#   STRATA_BENCH_QUERY_VERBOSE=1  also print every difference from VictoriaMetrics's answers
#   STRATA_BENCH_QUERY_POINTS=240   range queries: step = span / this
#   STRATA_BENCH_QUERY_META_SERIES=200000   series of the /api/v1/series set (0 skips it)
#   STRATA_BENCH_QUERY_QUICK=1  one small set (10000:1h:15, 3 runs, metadata over 20,000 series)
#   STRATA_BENCH_STRATA=PATH    the strata binary of the query section (default BUILD_DIR/strata)
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh --bench
section=${STRATA_BENCH_SECTION:-all}
case "$section" in all|engine|prw|lp|query|influxql|sql|security|timestream) ;; *) echo "STRATA_BENCH_SECTION: engine, prw, lp, query, influxql, sql, security, timestream or unset" >&2; exit 2 ;; esac
work=$(mktemp -d /tmp/strata-bench-XXXXXX)
vm_pid=""
srv_pid=""
perf_pid=""
q_pids="" # the query section's servers (several run at once)
stop_pid() { # stop_pid PID: SIGTERM, up to 30 s for a clean stop, then SIGKILL
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  [ -n "$perf_pid" ] && stop_pid "$perf_pid"
  [ -n "$vm_pid" ] && stop_pid "$vm_pid"
  [ -n "$srv_pid" ] && stop_pid "$srv_pid"
  for p in $q_pids; do stop_pid "$p"; done
  rm -rf "$work"
}
trap cleanup EXIT
# a signal must end the script through exit, or bash skips the EXIT trap and
# leaves the servers running (background jobs of a script ignore SIGINT)
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

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
  # the previous server's dirty pages (InfluxDB leaves hundreds of MB) must
  # not be written back under this one's fsyncs
  sync
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
    influx)
      # InfluxDB 1.6 with its defaults (inmem index, wal-fsync-delay 0: an
      # fsync per write) except: its own directories and loopback ports, no
      # usage reporting (Debian's key is reporting-enabled), no _internal
      # monitor database, no access or query log (Strata and
      # VictoriaMetrics keep none), no limit on series or tag values
      # (100,000 hosts are 1M series), and a cache snapshot 5 s after the
      # last write instead of 10 min, so that its data is in TSM files, not
      # its WAL, when the disk is measured (the load writes continuously:
      # this changes nothing while it runs)
      cat >"$dir.conf" <<EOF
reporting-enabled = false
bind-address = "127.0.0.1:$(free_port)"
[meta]
  dir = "$dir/meta"
  logging-enabled = false
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
  max-series-per-database = 0
  max-values-per-tag = 0
  cache-snapshot-write-cold-duration = "5s"
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$port"
  log-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
EOF
      influxd run -config "$dir.conf" >"$dir.log" 2>&1 &
      ready=/ping ;;
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
  local sizes=${STRATA_BENCH_PRW_SIZES:-"10000:200 100000:20"} sz runs=${STRATA_BENCH_PRW_RUNS:-2} run
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
    # the remote storage issue's goal, judged on this run's figures
    s, v = g("strata", "steady"), g("vm", "steady")
    rs, rv, rp = g("strata", "rss_per_series"), g("vm", "rss_per_series"), g("prom", "rss_per_series")
    if None not in (s, v, rs, rv, rp) and v:
        met = s >= 2 * v and rs < rv and rs < rp
        print(f"  goal (series known, --wal-fsync always): >= 2x VictoriaMetrics' rate and less RSS per series "
              f"than both: {s / v:.2f}x, {rs:,.0f} vs {rv:,.0f} / {rp:,.0f} bytes, {'met' if met else 'NOT met'}")
for n in sizes:
    t = tags.get(n, f"prw{n}")
    for name, short in (("strata", "strata"), ("strata1s", "strata_fsync1s"), ("vm", "vm"), ("prom", "prom")):
        for key in ("steady", "create", "rss_per_series", "bps", "query_narrow_p50", "query_wide_p50"):
            v = res.get((n, name, key))
            if v is not None:
                print(f"BENCH {t} {short}_{key} {v:.0f}" if v >= 1000 else f"BENCH {t} {short}_{key} {v:g}")
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

# ---------------------------------------------------------------- line protocol ingest

lpkv() { sed -n "s/^BENCHLP $1.* $2=\([^ ]*\).*/\1/p" "$3" | head -1; } # lpkv LINE-PREFIX KEY FILE

# lp_run NAME WL HOSTS ROUNDS CAP [RUN]: one server, one workload (WL: tsbs
# or telegraf), a fresh data directory; appends "TAG NAME KEY VALUE" lines to
# $work/lp.res. CAP (InfluxDB only, 0 = none) caps its samples. Runs after
# the first, strata1s and the Telegraf bodies skip the disk figure.
lp_run() {
  local name=$1 wl=$2 n=$3 rounds=$4 cap=$5 run=${6:-1} bin="./$build/wire/bench/bench_lp"
  local tag dir port out db path
  if [ "$wl" = telegraf ]; then tag="telegraf$((n / 1000))k"; db=telegraf; else tag="lp$((n / 1000))k"; db=bench; fi
  dir="$work/lp-$name-$tag-$run"; out="$dir.out"; path="/write?db=$db"
  port=$(free_port)
  # the last round 2 minutes before now, rounded to the 10 s interval
  local end_ms=$(( ($(date +%s%3N) - 120000) / 10000 * 10000 ))
  local args=(--addr "127.0.0.1:$port" --hosts "$n" --rounds "$rounds" --end-ms "$end_ms")
  local wargs=(--path "$path" --conns 2)
  if [ "$wl" = telegraf ]; then wargs+=(--batch 1000 --telegraf); else wargs+=(--batch 5000); fi
  if [ "$name" = influx ]; then
    if [ "$cap" -gt 0 ]; then wargs+=(--max-samples "$cap"); fi
    wargs+=(--max-seconds "${STRATA_BENCH_LP_INFLUX_MAX_SECONDS:-60}")
  fi
  start_server "$name" "$dir" "$port"
  # InfluxDB 1.x answers 404 to a write into a database it does not have
  # (Telegraf creates it first the same way); Strata creates it on the
  # first write; VictoriaMetrics has no databases (db becomes a label)
  if [ "$name" = influx ]; then
    curl -sf -XPOST "http://127.0.0.1:$port/query" --data-urlencode "q=CREATE DATABASE $db" >/dev/null \
      || { echo "influx: CREATE DATABASE $db failed"; tail -20 "$dir.log"; exit 1; }
  fi
  sleep 1
  local rss0 cpu0 rss1 hwm cpu1
  rss0=$(proc_kb "$srv_pid" VmRSS); cpu0=$(proc_cpu "$srv_pid")
  if [ "$name" = strata ] && [ "${STRATA_BENCH_LP_PROFILE:-0}" = 1 ] && command -v perf >/dev/null; then
    perf record -F 4000 -g -p "$srv_pid" -o "$dir.perf" >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5
  fi
  "$bin" write "${args[@]}" "${wargs[@]}" --server-pid "$srv_pid" >"$out" || { cat "$out"; echo "$name: line protocol load failed"; tail -20 "$dir.log"; exit 1; }
  rss1=$(proc_kb "$srv_pid" VmRSS); hwm=$(proc_kb "$srv_pid" VmHWM); cpu1=$(proc_cpu "$srv_pid")
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; perf_pid=""
  fi
  local fsyncs=""
  if [ "$name" = strata ] || [ "$name" = strata1s ]; then
    fsyncs=$(curl -s "http://127.0.0.1:$port/metrics" | awk '
      /^strata_wal_fsync_duration_seconds_sum / {s = $2} /^strata_wal_fsync_duration_seconds_count / {c = $2}
      /^strata_influx_write_series_cache_lookups_total\{result="hit"\} / {h = $2}
      /^strata_influx_write_series_cache_lookups_total\{result="miss"\} / {m = $2}
      END {if (c) printf "%d WAL fsyncs, mean %.3f ms; series cache %d hits, %d misses", c, s / c * 1000, h, m}')
  fi
  # a capped run is checked against what was acknowledged, a complete one
  # against the whole data set
  local complete acked_lines acked_hosts vargs=(--server "${name%1s}" --db "$db")
  complete=$(lpkv phase=all complete "$out"); acked_lines=$(lpkv phase=all acked_lines "$out"); acked_hosts=$(lpkv phase=all acked_hosts "$out")
  [ "$complete" = 1 ] || vargs+=(--lines "$acked_lines" --new-hosts "$acked_hosts")
  # VictoriaMetrics makes what it took searchable within a second or two; ask for it now
  [ "$name" = vm ] && curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
  "$bin" verify "${args[@]}" "${vargs[@]}" >>"$out" || { cat "$out"; exit 1; }
  local samples=$((acked_lines * 10)) series=$((acked_hosts * 10))
  {
    echo "$tag $name steady $(lpkv phase=steady rate "$out")"
    echo "$tag $name create $(lpkv phase=create rate "$out")"
    echo "$tag $name steady_cpu_us $(lpkv phase=steady server_cpu_us_per_sample "$out")"
    echo "$tag $name create_cpu_us $(lpkv phase=create server_cpu_us_per_sample "$out")"
    echo "$tag $name per_cpu_s $(python3 -c "print(f'{$samples / max($cpu1 - $cpu0, 0.01):.0f}')")"
    echo "$tag $name samples $samples"
    echo "$tag $name want $((n * rounds * 10))"
  } >>"$work/lp.res"
  local disk="" detail="" flush_s=""
  if [ "$name" != strata1s ] && [ "$run" -eq 1 ] && [ "$wl" = tsbs ]; then
    case $name in
      strata)
        local f0; f0=$(date +%s.%N)
        curl -sf -X POST "http://127.0.0.1:$port/api/v1/admin/flush" >/dev/null
        flush_s=$(python3 -c "print(f'{$(date +%s.%N) - $f0:.1f}')")
        stop_pid "$srv_pid"; srv_pid=""
        disk=$(du -sb "$dir" | cut -f1)
        detail="whole data directory after /api/v1/admin/flush (${flush_s} s)" ;;
      vm)
        # as in the remote_write section: merge the partitions, wait for the
        # merges, stop, count data/ and indexdb/ (not the cache/ it writes at shutdown)
        local parts np
        parts=$(for t in $((end_ms / 1000 - rounds * 10)) $((end_ms / 1000)); do date -u -d "@$t" +%Y_%m; done | sort -u)
        for p in $parts; do curl -sf "http://127.0.0.1:$port/internal/force_merge?partition_prefix=$p" >/dev/null; done
        np=$(echo "$parts" | wc -l)
        for _ in $(seq 600); do
          curl -s "http://127.0.0.1:$port/metrics" | awk -v np="$np" '
            /^vm_parts\{type="storage\// {p += $2} /^vm_active_(force_)?merges/ {a += $2}
            END {exit !(p <= np && a == 0)}' && break
          sleep 0.1
        done
        stop_pid "$srv_pid"; srv_pid=""
        disk=$(du -sbc "$dir/data" "$dir/indexdb" | tail -1 | cut -f1)
        detail="data/ + indexdb/ after force_merge and stop" ;;
      influx)
        # its cache goes to TSM 5 s after the last write (the config
        # above), which empties the WAL; wait up to 60 s for it, then stop
        local w=0
        for _ in $(seq 600); do
          w=$(du -sb "$dir/wal" | cut -f1)
          [ "$w" -lt 65536 ] && break
          sleep 0.1
        done
        stop_pid "$srv_pid"; srv_pid=""
        # the series file's segments are preallocated sparse files of 4 MiB:
        # count the blocks they use, the rest by size as everywhere else
        local all sa sb tsm wal
        all=$(du -sbc "$dir/data" "$dir/wal" | tail -1 | cut -f1)
        sa=$(du -sbc "$dir"/data/*/_series | tail -1 | cut -f1)
        sb=$(du -sc --block-size=1 "$dir"/data/*/_series | tail -1 | cut -f1)
        tsm=$(find "$dir/data" -name '*.tsm' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
        wal=$(du -sb "$dir/wal" | cut -f1)
        disk=$((all - sa + sb))
        detail="data/ + wal/ after its cache snapshot and stop: TSM $tsm, WAL $wal, series file $sb of $sa preallocated" ;;
    esac
    echo "$tag $name bps $(python3 -c "print(f'{$disk / $samples:.3f}')")" >>"$work/lp.res"
    [ -n "$flush_s" ] && echo "$tag $name flush_s $flush_s" >>"$work/lp.res"
  else
    stop_pid "$srv_pid"; srv_pid=""
  fi
  if [ "$run" -eq 1 ]; then
    echo "$tag $name rss_per_series $(( (rss1 - rss0) * 1024 / series ))" >>"$work/lp.res"
    echo "$tag $name hwm_per_series $(( (hwm - rss0) * 1024 / series ))" >>"$work/lp.res"
  fi
  rm -rf "$dir"
  printf '  %-8s %-11s %s\n' "$name" "$tag$([ "$run" -gt 1 ] && echo " run $run")" \
    "$(grep '^BENCHLP phase=create' "$out" | sed 's/^BENCHLP //')"
  grep -E '^BENCHLP phase=(steady|all)' "$out" | sed 's/^BENCHLP /                       /'
  echo "                       VmRSS ${rss0} kB -> ${rss1} kB (VmHWM ${hwm} kB), CPU $(python3 -c "print(f'{$cpu1 - $cpu0:.2f}')") s${fsyncs:+; $fsyncs}"
  [ -n "$disk" ] && echo "                       disk $disk bytes: $detail"
  grep -E '^BENCHLP verify' "$out" | sed 's/^BENCHLP /                       /'
  if [ -f "$dir.perf" ]; then
    echo "  perf report --no-children (Strata, $tag), functions over 1%:"
    perf report -i "$dir.perf" --no-children --sort symbol --stdio -g none --percent-limit 1 2>/dev/null \
      | grep '%' | head -30 | sed -e 's/[ -]*$//' -e 's/^/    /'
    rm -f "$dir.perf"
  fi
}

lp_section() {
  echo
  echo "== line protocol ingest: Strata $(cat VERSION) (--wal-fsync always), VictoriaMetrics $(vm_version), InfluxDB $(influxd version 2>/dev/null | awk '{print $2}')"
  echo "  load: wire/bench/bench_lp, TSBS-like cpu-only lines (10 tags, 10 fields = 10 samples a line, 10 s"
  echo "  apart), 2 connections (a host always on the same one), one request in flight on each, all"
  echo "  bodies built before timing; tsbs: 5,000 lines a request, plain text; telegraf: 1,000 lines, gzip,"
  echo "  Telegraf 1.28's headers. The same bytes to every server; one server at a time."
  : >"$work/lp.res"
  local sizes=${STRATA_BENCH_LP_SIZES:-"1000:500 100000:5:2000000"} telegraf=${STRATA_BENCH_LP_TELEGRAF-"1000:300"}
  local servers=${STRATA_BENCH_LP_SERVERS:-"strata strata1s vm influx"} runs=${STRATA_BENCH_LP_RUNS:-1}
  local sz run name h r c
  [ "$runs" -gt 1 ] && echo "  ingest rates: the best of $runs runs, each on a fresh server; the rest from the first run"
  local wl spec jobs=()
  for sz in $sizes; do jobs+=("tsbs:$sz"); done
  for sz in $telegraf; do jobs+=("telegraf:$sz"); done
  for spec in "${jobs[@]}"; do
    IFS=: read -r wl h r c <<<"$spec"
    for run in $(seq "$runs"); do
      for name in $servers; do lp_run "$name" "$wl" "$h" "$r" "${c:-0}" "$run"; done
    done
  done
  python3 - "$work/lp.res" <<'PY'
import sys
res, first = {}, {}
for line in open(sys.argv[1]):
    tag, name, key, val = line.split()
    k, v = (tag, name, key), float(val)
    # repeated runs: the best ingest rate and CPU per sample; the rest from the first run
    if key in ("steady", "create"):
        res[k] = max(res[k], v) if k in res else v
    elif key.endswith("_cpu_us"):
        res[k] = min(res[k], v) if k in res else v
    elif k not in res:
        res[k] = v
tags = list(dict.fromkeys(l.split()[0] for l in open(sys.argv[1])))
rows = [  # key, label, format, better
    ("steady", "ingest, series known (samples/s)", "{:,.0f}", "higher"),
    ("create", "ingest, first round: all series new (samples/s)", "{:,.0f}", "higher"),
    ("steady_cpu_us", "server CPU per sample, series known (us)", "{:.3f}", "lower"),
    ("create_cpu_us", "server CPU per sample, all series new (us)", "{:.3f}", "lower"),
    ("per_cpu_s", "samples per server CPU-second (whole load)", "{:,.0f}", "higher"),
    ("rss_per_series", "RSS growth per series (bytes)", "{:,.0f}", "lower"),
    ("hwm_per_series", "peak RSS growth per series (bytes)", "{:,.0f}", "lower"),
    ("bps", "disk after flush (bytes/sample)", "{:.3f}", "lower"),
]
def f(fmt, v):
    return "-" if v is None else fmt.format(v)
def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"
for t in tags:
    g = lambda name, key: res.get((t, name, key))
    print()
    print(f"== side by side, line protocol, {t}")
    print(f"  {'figure':<50} {'Strata':>12} {'VM':>12} {'InfluxDB':>12} {'S/VM':>6} {'S/Infl':>6}  better")
    for key, label, fmt, better in rows:
        s, v, i = g("strata", key), g("vm", key), g("influx", key)
        if s is None and v is None and i is None:
            continue
        print(f"  {label:<50} {f(fmt, s):>12} {f(fmt, v):>12} {f(fmt, i):>12} {ratio(s, v):>6} {ratio(s, i):>6}  {better}")
    s1 = g("strata1s", "steady")
    if s1 is not None:
        print(f"  {'  Strata with --wal-fsync 1s, series known':<50} {f('{:,.0f}', s1):>12} {'':>12} {'':>12} "
              f"{ratio(s1, g('vm', 'steady')):>6} {ratio(s1, g('influx', 'steady')):>6}  higher")
    fl = g("strata", "flush_s")
    if fl is not None:
        print(f"  {'  Strata: time of /api/v1/admin/flush (s)':<50} {fl:>12.1f}")
    isamp, iwant = g("influx", "samples"), g("influx", "want")
    if isamp is not None and iwant and isamp < iwant:
        print(f"  InfluxDB was capped: it took {isamp:,.0f} of the {iwant:,.0f} samples; its figures are over those")
    s, v, i = g("strata", "steady"), g("vm", "steady"), g("influx", "steady")
    sc, vc, ic = g("strata", "steady_cpu_us"), g("vm", "steady_cpu_us"), g("influx", "steady_cpu_us")
    if s is not None and v and i:
        ok = s >= 2 * v and s >= 5 * i
        print(f"  goal (series known, --wal-fsync always): >= 2x VictoriaMetrics and >= 5x InfluxDB: "
              f"{s / v:.2f}x and {s / i:.2f}x, {'met' if ok else 'NOT met'}"
              + (f"; per server CPU-second {vc / sc:.2f}x and {ic / sc:.2f}x" if sc and vc and ic else ""))
for t in tags:
    for name, short in (("strata", "strata"), ("strata1s", "strata_fsync1s"), ("vm", "vm"), ("influx", "influx")):
        for key in ("steady", "create", "steady_cpu_us", "per_cpu_s", "rss_per_series", "bps"):
            v = res.get((t, name, key))
            if v is not None:
                print(f"BENCH {t} {short}_{key} {v:.0f}" if v >= 1000 else f"BENCH {t} {short}_{key} {v:g}")
    for key in ("steady", "steady_cpu_us", "per_cpu_s", "rss_per_series", "bps"):
        s, v, i = (res.get((t, x, key)) for x in ("strata", "vm", "influx"))
        if s is not None and v: print(f"BENCH {t} {key}_strata_over_vm {s / v:.2f}")
        if s is not None and i: print(f"BENCH {t} {key}_strata_over_influx {s / i:.2f}")
PY
  echo "  Rates: samples acknowledged / wall seconds of the phase, both connections together. CPU: utime +"
  echo "  stime of the server process (/proc/PID/stat, 10 ms ticks) over the phase, or the whole load;"
  echo "  steadier than the rates when the machine is shared (background compaction and Go's garbage"
  echo "  collection count where they fall). RSS growth: VmRSS right after the last acknowledgement minus VmRSS 1 s"
  echo "  after start-up, per series (hosts x 10 fields); it includes the samples held in memory and, for"
  echo "  the Go servers, garbage not yet collected. Disk (du -sb once the server has stopped): Strata's"
  echo "  whole data directory after /api/v1/admin/flush; VictoriaMetrics' data/ and indexdb/ after"
  echo "  /internal/force_merge (cache/ apart); InfluxDB's data/ and wal/ once its cache is snapshotted to"
  echo "  TSM (level files, not fully compacted: that waits 4 h of no writes), its sparse preallocated"
  echo "  series file counted by the blocks it uses. Durability differs: Strata (always) and InfluxDB"
  echo "  (wal-fsync-delay 0) acknowledge after an fsync; VictoriaMetrics before its data reaches the disk."
}

# ---------------------------------------------------------------- PromQL

# q_start NAME DIR PORT: one of the query section's servers, in the
# background (its pid in q_pid and q_pids), ready when this returns
q_start() {
  local name=$1 dir=$2 port=$3 ready
  mkdir -p "$dir"
  case $name in
    strata)
      "$q_strata" --listen "127.0.0.1:$port" --data-dir "$dir" >"$dir.log" 2>&1 &
      ready=/-/ready ;;
    vm)
      # no rollup result cache (and nocache=1 on every query); limits raised
      # above the data sets: /api/v1/series answers at most 30,000 series by default
      victoria-metrics -storageDataPath="$dir" -httpListenAddr="127.0.0.1:$port" -retentionPeriod=100y \
        -search.disableCache -search.maxSeries=10000000 -search.maxUniqueTimeseries=10000000 \
        -search.maxQueryDuration=5m >"$dir.log" 2>&1 &
      ready=/health ;;
    prom)
      # samples older than the head's window are taken into its
      # out-of-order head; in-order ones (the load is in time order) go to
      # the head, which is compacted into 2 h blocks as it passes 3 h
      printf 'scrape_configs: []\nstorage:\n  tsdb:\n    out_of_order_time_window: 25h\n' >"$dir.yml"
      prometheus --config.file="$dir.yml" --storage.tsdb.path="$dir" --web.listen-address="127.0.0.1:$port" \
        --web.enable-remote-write-receiver --web.enable-admin-api --storage.tsdb.retention.time=100y \
        --query.timeout=5m >"$dir.log" 2>&1 &
      ready=/-/ready ;;
  esac
  q_pid=$!
  q_pids="$q_pids $q_pid"
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$port$ready" >/dev/null && return 0
    kill -0 "$q_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not start:"; tail -20 "$dir.log"; exit 1
}

q_stop_all() {
  local p
  for p in $q_pids; do stop_pid "$p"; done
  q_pids=""
}

# q_load NAME PORT ARGS...: the data set into one server, then what makes it
# queryable as stored data; prints a line about it
q_load() {
  local name=$1 port=$2; shift 2
  local out="$work/q-load-$name.out" t0 extra=""
  "./$build/wire/bench/bench_query" load --addr "127.0.0.1:$port" "$@" >"$out" \
    || { cat "$out"; echo "$name: remote_write load failed"; exit 1; }
  case $name in
    strata)
      if [ "$q_span_s" -gt 7200 ]; then
        t0=$(date +%s.%N)
        curl -sf -X POST "http://127.0.0.1:$port/api/v1/admin/flush" >/dev/null
        extra="/api/v1/admin/flush $(python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')") s; "
      fi
      extra+=$(curl -s "http://127.0.0.1:$port/metrics" | awk '
        /^strata_blocks[ {]/ {b += $NF} /^strata_block_samples[ {]/ {s += $NF}
        END {printf "%d blocks holding %d samples", b, s}') ;;
    vm)
      curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
      for _ in $(seq 1200); do
        curl -s "http://127.0.0.1:$port/metrics" | awk '/^vm_active_(force_)?merges/ {a += $2} END {exit !(a == 0)}' && break
        sleep 0.1
      done
      extra=$(curl -s "http://127.0.0.1:$port/metrics" | awk '
        /^vm_parts\{type="storage\/(small|big)"/ {p += $2} /^vm_rows\{type="storage\/(small|big)"/ {r += $2}
        END {printf "force_flush, merges done: %d parts holding %d rows", p, r}') ;;
    prom)
      # its head is compacted (2 h blocks) once it spans more than 3 h; wait for that
      local m span_h=0
      for _ in $(seq 1200); do
        m=$(curl -s "http://127.0.0.1:$port/metrics")
        span_h=$(awk '/^prometheus_tsdb_head_min_time / {a = $2} /^prometheus_tsdb_head_max_time / {b = $2}
          END {printf "%.2f", (b - a) / 3600000}' <<<"$m")
        awk -v s="$span_h" 'BEGIN {exit !(s <= 3.01)}' && break
        sleep 0.5
      done
      extra=$(awk -v s="$span_h" '
        /^prometheus_tsdb_blocks_loaded / {b = $2} /^prometheus_tsdb_head_series / {n = $2}
        /^prometheus_tsdb_head_chunks / {c = $2} /^prometheus_tsdb_out_of_order_samples_total / {o += $2}
        /^prometheus_tsdb_head_out_of_order_samples_appended_total / {oa += $2}
        END {printf "%d blocks; head spans %.2f h (%d series, %d chunks); out-of-order samples appended %d, rejected %d",
          b, s, n, c, oa, o}' <<<"$m") ;;
  esac
  printf '  %-7s %s; %s\n' "$name" "$(sed -n 's/^BENCHQ load //p' "$out")" "$extra"
}

# q_servers TAG ARGS...: fresh servers, the data set loaded into each; sets
# q_rargs (the servers' options for bench_query run and meta)
q_servers() {
  local tag=$1 name port; shift
  local ports=()
  q_rargs=()
  for name in strata vm prom; do
    port=$(free_port)
    q_start "$name" "$work/q-$name-$tag" "$port"
    ports+=("$port")
    q_rargs+=(--"$name" "127.0.0.1:$port" --"$name"-pid "$q_pid")
  done
  sync
  local i=0
  for name in strata vm prom; do q_load "$name" "${ports[$i]}" "$@"; i=$((i + 1)); done
  i=1
  for name in strata vm prom; do
    echo "  $name VmRSS after the load: $(proc_kb "${q_rargs[$((i + 2))]}" VmRSS) kB"
    i=$((i + 4))
  done
}

# q_set SERIES SPAN INTERVAL_S: one data set on fresh servers, then its queries
q_set() {
  local n=$1 span=$2 ival=$3
  [ "${span%h}" = "$span" ] && { echo "STRATA_BENCH_QUERY_SETS: spans in hours (1h, 24h), got $span" >&2; exit 2; }
  local tag="$((n / 1000))k-$span"
  q_span_s=$(( ${span%h} * 3600 ))
  local end_ms=$(( ($(date +%s%3N) - 120000) / (ival * 1000) * (ival * 1000) ))
  local args=(--series "$n" --span-s "$q_span_s" --interval-s "$ival" --end-ms "$end_ms")
  echo
  echo "== PromQL data set $tag: $n series, $span at $ival s ($(( q_span_s / ival )) samples a series, $(( n * (q_span_s / ival) )) samples)"
  q_servers "$tag" "${args[@]}"
  "./$build/wire/bench/bench_query" run "${q_rargs[@]}" "${args[@]}" --set "$tag" --reps "$q_reps" --points "$q_points" \
    >"$work/q-$tag.out" || { cat "$work/q-$tag.out"; echo "bench_query run failed"; exit 1; }
  # Strata's answers that differ from Prometheus's, and errors, in full
  # (VictoriaMetrics's differences too with STRATA_BENCH_QUERY_VERBOSE=1);
  # the rest is summed up in the table
  awk -v all="${STRATA_BENCH_QUERY_VERBOSE:-0}" '
    /^BENCHQ (check|error|note)/ {show = /^BENCHQ (error|note)/ || (/strata_vs_prom=DIFF/) || (all == 1 && !/=(exact|1e-6) /)}
    /^BENCHQ (check|error|note|  e\.g\.)/ && show' "$work/q-$tag.out" | sed 's/^BENCHQ /  /'
  sed -n '/^== side by side/,$p' "$work/q-$tag.out" | grep -v '^BENCH '
  grep '^BENCH ' "$work/q-$tag.out" >>"$work/q.bench" || true
  q_stop_all
  rm -rf "$work"/q-*-"$tag"
}

query_section() {
  q_strata=${STRATA_BENCH_STRATA:-./$build/strata}
  local sets=${STRATA_BENCH_QUERY_SETS:-"10000:1h:15 10000:24h:60 100000:1h:15 100000:24h:300"}
  local meta=${STRATA_BENCH_QUERY_META_SERIES:-200000}
  q_reps=${STRATA_BENCH_QUERY_REPS:-5}
  q_points=${STRATA_BENCH_QUERY_POINTS:-240}
  if [ "${STRATA_BENCH_QUERY_QUICK:-0}" = 1 ]; then
    sets=${STRATA_BENCH_QUERY_SETS:-"10000:1h:15"}
    meta=${STRATA_BENCH_QUERY_META_SERIES:-20000}
    q_reps=${STRATA_BENCH_QUERY_REPS:-3}
  fi
  local t0 sz n span ival
  t0=$(date +%s)
  : >"$work/q.bench"
  echo
  echo "== PromQL: Strata $(cat VERSION) ($q_strata), VictoriaMetrics $(vm_version), Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}'), side by side"
  echo "  data: wire/bench/bench_query, hosts of 20 series (x_requests_total{method,code} x 6, x_bytes_total x 2,"
  echo "  x_gauge{core} x 2, h_bucket{le} x 8, h_sum, h_count), labels env, host, instance, job, region (5 values);"
  echo "  every 50th host's counters reset half way. Loaded by remote_write 1.0 in time order, 10 samples of"
  echo "  a series per TimeSeries, 2,000 samples a request, 2 connections. All three servers run at once;"
  echo "  queries go to one server at a time, one request in flight, $q_reps timed runs per query and server"
  echo "  after one untimed run whose answers are compared. Range queries: the whole span, step span/$q_points."
  echo "  Windows: rate [max(5m, 4 x interval)], max_over_time [max(10m, 2 x interval)]."
  for sz in $sets; do
    IFS=: read -r n span ival <<<"$sz"
    q_set "$n" "$span" "$ival"
  done
  if [ "$meta" -gt 0 ]; then
    local tag="meta$((meta / 1000))k"
    local end_ms=$(( ($(date +%s%3N) - 120000) / 15000 * 15000 ))
    local args=(--series "$meta" --span-s 60 --interval-s 15 --end-ms "$end_ms")
    echo
    echo "== series metadata: $meta series x 4 samples (15 s apart)"
    q_span_s=60
    q_servers "$tag" "${args[@]}"
    "./$build/wire/bench/bench_query" meta "${q_rargs[@]}" "${args[@]}" --set "$tag" --reps "$q_reps" \
      >"$work/q-$tag.out" || { cat "$work/q-$tag.out"; echo "bench_query meta failed"; exit 1; }
    grep -E '^BENCHQ (check|error|note|  e\.g\.)' "$work/q-$tag.out" | sed 's/^BENCHQ /  /' || true
    sed -n '/^== side by side/,$p' "$work/q-$tag.out"
    q_stop_all
    rm -rf "$work"/q-*-"$tag"
  fi
  echo
  echo "  Latency: client-side wall time from sending the request to the last byte of the answer (no"
  echo "  compression asked), median (p90: nearest rank) of the timed runs. MB: the server's peak RSS over"
  echo "  the query's runs (VmHWM, reset through /proc/PID/clear_refs before them) minus its VmRSS before"
  echo "  them; for the Go servers it includes garbage not yet collected. S=Prom: Strata's answer against"
  echo "  Prometheus's, same series and timestamps and values bit for bit (exact) or within 1e-6 relative"
  echo "  (then shown as the largest relative difference, e.g. 2e-16 for sums taken in another order);"
  echo "  DIFF is a bug. S vs VM: VictoriaMetrics's own semantics differ by design (rate() without"
  echo "  extrapolation, its lookback and staleness), so only the series set is expected to match."
  echo "  Where the data is: Prometheus keeps the last 2-3 h in its head (memory) and the rest in blocks"
  echo "  it cuts and compacts while the data arrives (the load is in time order, so its out-of-order head"
  echo "  stays empty: see the load lines); Strata's 1 h sets are in its head (memory), the 24 h sets all"
  echo "  in blocks after the flush; VictoriaMetrics's data is in its parts on disk (and the page cache)."
  awk '$3 == "goal_met" {m += $4} $3 == "goal_queries" {n += $4} $3 == "answers_differing" {d += $4}
    END {if (n) printf "  all sets: goal (median <= 0.5 x VictoriaMetrics) met for %d of %d queries; %d answers of Strata differ from Prometheus'"'"'s\n", m, n, d}' \
    "$work/q.bench"
  echo "  section time: $(( $(date +%s) - t0 )) s"
  cat "$work/q.bench"
}

# ---------------------------------------------------------------- SQL

# sql_deps: the SQL section's peers. PostgreSQL 15, psycopg2 (for Debian's
# python3, which the section runs) and nodejs/npm from Debian when missing;
# DuckDB's npm package into the build directory's cache when absent.
sql_deps() {
  local missing=() p
  for p in postgresql-15 python3-psycopg2; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "sql: installing ${missing[*]}"
    local sudo="" policy=/usr/sbin/policy-rc.d created=0
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    # no PostgreSQL cluster service started by the package
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null; $sudo chmod +x "$policy"; created=1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" || {
      [ $created -eq 1 ] && $sudo rm -f "$policy"; echo "sql: could not install ${missing[*]}" >&2; exit 1; }
    [ $created -eq 1 ] && $sudo rm -f "$policy"
  fi
  sql_duck="$root/$build/bench-cache/duckdb"
  if [ ! -d "$sql_duck/node_modules/@duckdb/node-api" ]; then
    echo "sql: npm install --prefix $sql_duck @duckdb/node-api"
    mkdir -p "$sql_duck"
    timeout 600 npm install --prefix "$sql_duck" --no-audit --no-fund @duckdb/node-api >"$work/npm.log" 2>&1 \
      || { tail -20 "$work/npm.log"; echo "sql: npm install @duckdb/node-api failed" >&2; exit 1; }
  fi
}

sql_section() {
  sql_deps
  echo
  # Debian's python3: the one python3-psycopg2 is installed for
  # shellcheck disable=SC2086
  /usr/bin/python3 wire/bench/bench_sql.py --strata "${STRATA_BENCH_STRATA:-./$build/strata}" \
    --duckdb-dir "$sql_duck" --sizes ${STRATA_BENCH_SQL_SIZES:-1000:12:10 10000:12:60} \
    --reps "${STRATA_BENCH_SQL_REPS:-5}"
}

# sec_run MODE RUN: one Strata (plain or secured), the three loads; appends
# "MODE KEY VALUE" lines to $work/sec.res
sec_run() {
  local mode=$1 run=$2 d="$work/sec" port dir out scheme=http
  port=$(free_port); dir="$d/$mode-$run"; out="$dir.out"
  local args=(--listen "127.0.0.1:$port" --data-dir "$dir" --wal-fsync always --pg-listen "")
  if [ "$mode" = secured ]; then
    args+=(--auth true --admin-user bench --admin-password-file "$d/pw" --tls-cert-file "$d/cert.pem"
           --tls-key-file "$d/key.pem" --encryption-key-file "$d/master.keys")
    scheme=https
  fi
  sync
  "./$build/strata" "${args[@]}" >"$dir.log" 2>&1 &
  srv_pid=$!
  for _ in $(seq 300); do curl -skf "$scheme://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
  local tls="" az=""
  [ "$mode" = secured ] && { tls=1; az="Basic $(printf 'bench:%s' "$(cat "$d/pw")" | base64)"; }
  local end_ms=$(( ($(date +%s%3N) - 120000) / 15000 * 15000 ))
  local pargs=(--addr "127.0.0.1:$port" --series 10000 --rounds 200 --end-ms "$end_ms")
  local largs=(--addr "127.0.0.1:$port" --hosts 1000 --rounds 200 --end-ms "$(( ($(date +%s%3N) - 120000) / 10000 * 10000 ))")
  {
    STRATA_BENCH_TLS=$tls STRATA_BENCH_AUTH=$az "./$build/wire/bench/bench_prw" write "${pargs[@]}" --conns 2 --batch 2000
    STRATA_BENCH_TLS=$tls STRATA_BENCH_AUTH=$az "./$build/wire/bench/bench_prw" verify "${pargs[@]}"
    STRATA_BENCH_TLS=$tls STRATA_BENCH_AUTH=$az "./$build/wire/bench/bench_lp" write "${largs[@]}" --path "/write?db=bench" \
      --conns 2 --batch 5000 --server-pid "$srv_pid"
    STRATA_BENCH_TLS=$tls STRATA_BENCH_AUTH=$az "./$build/wire/bench/bench_lp" verify "${largs[@]}" --server strata --db bench
    STRATA_BENCH_TLS=$tls STRATA_BENCH_AUTH=$az "./$build/wire/bench/bench_prw" query "${pargs[@]}" --count 100
    # the same queries once the data is in blocks (sealed ones, read through the segment cache)
    curl -skf -X POST ${az:+-H "Authorization: $az"} "$scheme://127.0.0.1:$port/api/v1/admin/flush" >/dev/null
    STRATA_BENCH_TLS=$tls STRATA_BENCH_AUTH=$az "./$build/wire/bench/bench_prw" query "${pargs[@]}" --count 100 |
      sed 's/^BENCHPRW query /BENCHPRW blockquery /'
  } >"$out" 2>&1 || { cat "$out"; echo "security: $mode load failed"; tail -20 "$dir.log"; exit 1; }
  local cache=""
  [ "$mode" = secured ] && cache=$(curl -sk -u "bench:$(cat "$d/pw")" "https://127.0.0.1:$port/metrics" | awk '
    /^strata_auth_cache_hits_total / {h = $2} /^strata_auth_cache_misses_total / {m = $2}
    END {printf "credential cache %d hits, %d bcrypt checks", h, m}')
  stop_pid "$srv_pid"; srv_pid=""
  rm -rf "$dir"
  {
    echo "$mode prw $(kv phase=steady rate "$out")"
    echo "$mode lp $(lpkv phase=steady rate "$out")"
    echo "$mode narrow $(kv "query kind=narrow" p50_ms "$out")"
    echo "$mode wide $(kv "query kind=wide" p50_ms "$out")"
    echo "$mode bnarrow $(kv "blockquery kind=narrow" p50_ms "$out")"
    echo "$mode bwide $(kv "blockquery kind=wide" p50_ms "$out")"
  } >>"$work/sec.res"
  printf '  %-8s run %d: remote_write %s samples/s, line protocol %s samples/s, query_range p50 %s / %s ms, from blocks %s / %s ms%s\n' \
    "$mode" "$run" "$(kv phase=steady rate "$out")" "$(lpkv phase=steady rate "$out")" \
    "$(kv "query kind=narrow" p50_ms "$out")" "$(kv "query kind=wide" p50_ms "$out")" \
    "$(kv "blockquery kind=narrow" p50_ms "$out")" "$(kv "blockquery kind=wide" p50_ms "$out")" "${cache:+; $cache}"
}

security_section() {
  echo
  echo "== security: Strata $(cat VERSION) plain against Strata with TLS, users (--auth true) and encryption at"
  echo "  rest (--encryption-key-file), same loads"
  echo "  remote_write: bench_prw 10,000 series x 200 scrapes, 2,000 samples a request; line protocol: bench_lp"
  echo "  1,000 TSBS hosts x 200 rounds, 5,000 lines a request; 2 connections each, keep-alive; secured: HTTPS"
  echo "  (TLS 1.3, AES-GCM) and Basic credentials on every request; then query_range p50 of a narrow and a"
  echo "  wide raw selector (bench_prw query). --wal-fsync always in both."
  local d="$work/sec" runs=${STRATA_BENCH_SEC_RUNS:-3}
  mkdir -p "$d"
  : >"$work/sec.res"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/key.pem" -out "$d/cert.pem" \
    -days 2 -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
  echo "bench-$(date +%s)" >"$d/pw"
  (umask 077; echo "bench $(openssl rand -base64 32)" >"$d/master.keys")
  for run in $(seq "$runs"); do
    sec_run plain "$run"
    sec_run secured "$run"
  done
  python3 - "$work/sec.res" <<'PY'
import statistics, sys
vals = {}
for line in open(sys.argv[1]):
    mode, key, v = line.split()
    vals.setdefault((mode, key), []).append(float(v))
def get(mode, key):
    v = vals[(mode, key)]
    return max(v) if key in ("prw", "lp") else statistics.median(v)
print()
print("| | plain | TLS + auth + encryption | ratio | goal |")
print("|---|---|---|---|---|")
for key, what in (("prw", "remote_write, samples/s (best)"), ("lp", "line protocol, samples/s (best)")):
    p, s = get("plain", key), get("secured", key)
    print(f"| {what} | {p:,.0f} | {s:,.0f} | {s / p:.2f} | {'met' if s >= 0.9 * p else 'missed'} (>= 0.90) |")
for key, what in (("narrow", "query_range p50, 32 series (median), ms"), ("wide", "query_range p50, 100 series (median), ms"),
                  ("bnarrow", "...from blocks, 32 series, ms"), ("bwide", "...from blocks, 100 series, ms")):
    p, s = get("plain", key), get("secured", key)
    print(f"| {what} | {p:.2f} | {s:.2f} | {s / p:.2f} | {'met' if s <= 1.1 * p else 'missed'} (<= 1.10) |")
PY
}

# Timestream's API (issue 13 §5): one Strata with --auth true (SigV4 keys
# for WriteRecords and Query, Basic for line protocol and query_sql, as
# their clients send), --wal-fsync always; a second one with auth off for
# unsigned WriteRecords (the signature's share). Fresh tables and databases
# per run; rates are the best of STRATA_BENCH_TS_RUNS runs.
ts_section() {
  echo
  local hosts=${STRATA_BENCH_TS_HOSTS:-1000} rounds=${STRATA_BENCH_TS_ROUNDS:-100} runs=${STRATA_BENCH_TS_RUNS:-2}
  echo "== Timestream's API: WriteRecords (100 records a request, SigV4-signed, 2 connections) against line"
  echo "  protocol on the same points ($hosts TSBS-like hosts x $rounds rounds x 10 measures; the same points a"
  echo "  request), then Query against /api/v3/query_sql on the same SQL (median of 30, every page read)"
  local d="$work/ts" port bin="./$build/wire/bench/bench_ts"
  mkdir -p "$d"
  echo "bench-$(date +%s)" >"$d/pw"
  port=$(free_port)
  "./$build/strata" --listen "127.0.0.1:$port" --data-dir "$d/data" --pg-listen "" --auth true --admin-user admin \
    --admin-password-file "$d/pw" >"$d/log" 2>&1 &
  srv_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
  local basic key
  basic="Basic $(printf 'admin:%s' "$(cat "$d/pw")" | base64 -w0)"
  key=$(curl -sf -H "Authorization: $basic" --data-urlencode "q=CREATE ACCESS KEY FOR admin" "http://127.0.0.1:$port/query" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["series"][0]["values"][0][1])')
  : >"$d/res"
  for run in $(seq "$runs"); do
    for shape in single multi; do
      "$bin" setup "127.0.0.1:$port" admin "$key" "ts$run" "$shape" >/dev/null
      "$bin" write "127.0.0.1:$port" admin "$key" "ts$run" "$shape" "$shape" "$hosts" "$rounds" | tee -a "$d/res"
      curl -sf -H "Authorization: $basic" --data-urlencode "q=CREATE DATABASE lp${run}_$shape" "http://127.0.0.1:$port/query" >/dev/null
      STRATA_BENCH_AUTH="$basic" "$bin" lp "127.0.0.1:$port" "lp${run}_$shape" "$shape" "$hosts" "$rounds" | tee -a "$d/res"
    done
  done
  for q in "SELECT hostname, max(usage_user) FROM ts1.multi WHERE time > ago(1d) GROUP BY hostname ORDER BY hostname LIMIT 10" \
           "SELECT bin(time, 1m) AS b, avg(usage_user) FROM ts1.multi WHERE hostname = 'host_7' GROUP BY bin(time, 1m) ORDER BY b" \
           "SELECT * FROM ts1.multi WHERE hostname = 'host_3' ORDER BY time DESC LIMIT 100" \
           "SELECT hostname, measure_name, avg(measure_value::double) FROM ts1.single GROUP BY hostname, measure_name"; do
    STRATA_BENCH_SQL_AUTH="$basic" "$bin" query "127.0.0.1:$port" admin "$key" ts1 30 "$q" | tee -a "$d/res"
  done
  stop_pid "$srv_pid"; srv_pid=""
  # unsigned, auth off: what the signature costs
  port=$(free_port)
  "./$build/strata" --listen "127.0.0.1:$port" --data-dir "$d/data2" --pg-listen "" >"$d/log2" 2>&1 &
  srv_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
  for run in $(seq "$runs"); do
    for shape in single multi; do
      "$bin" setup "127.0.0.1:$port" - - "uns$run" "$shape" >/dev/null
      "$bin" write "127.0.0.1:$port" - - "uns$run" "$shape" "$shape" "$hosts" "$rounds" | tee -a "$d/res"
    done
  done
  stop_pid "$srv_pid"; srv_pid=""
  python3 - "$d/res" <<'PY'
import sys
best, queries = {}, []
for line in open(sys.argv[1]):
    if not line.startswith("BENCHTS "):
        continue
    kv = dict(p.split("=", 1) for p in line.split()[2:] if "=" in p and not p.startswith("sql="))
    if line.split()[1] == "query":
        queries.append((line.split(" sql=", 1)[1].strip(), float(kv["timestream_ms"]), float(kv["sql_ms"])))
        continue
    key = (line.split()[1], kv["shape"])
    best[key] = max(best.get(key, 0), float(kv["points_per_s"]))
print()
print("| points/s (best) | line protocol | WriteRecords SigV4 | ratio | goal | WriteRecords unsigned (auth off) |")
print("|---|---|---|---|---|---|")
for shape in ("single", "multi"):
    lp, ts = best[("line_protocol", shape)], best[("writerecords_sigv4", shape)]
    un = best.get(("writerecords_unsigned", shape), 0)
    print(f"| {shape}-measure | {lp:,.0f} | {ts:,.0f} | {ts / lp:.2f} | {'met' if ts >= 0.5 * lp else 'missed'} (>= 0.50) | {un:,.0f} |")
print()
print("| query | query_sql ms | Timestream Query ms | ratio | goal |")
print("|---|---|---|---|---|")
for sql, t, s in queries:
    print(f"| {sql[:70]} | {s:.3f} | {t:.3f} | {t / s:.2f} | {'met' if t <= 1.1 * s else 'missed'} (<= 1.10) |")
PY
}

if [ "$section" = all ] || [ "$section" = engine ]; then engine_section; fi
if [ "$section" = all ] || [ "$section" = prw ]; then prw_section; fi
if [ "$section" = all ] || [ "$section" = lp ]; then lp_section; fi
if [ "$section" = all ] || [ "$section" = query ]; then query_section; fi
if [ "$section" = all ] || [ "$section" = influxql ]; then
  echo
  # shellcheck disable=SC2086
  python3 wire/bench/bench_influxql.py --strata "${STRATA_BENCH_STRATA:-./$build/strata}" \
    --hosts ${STRATA_BENCH_INFLUXQL_HOSTS:-1000 10000} --span-h "${STRATA_BENCH_INFLUXQL_SPAN_H:-2}"
fi
if [ "$section" = all ] || [ "$section" = sql ]; then sql_section; fi
if [ "$section" = all ] || [ "$section" = security ]; then security_section; fi
if [ "$section" = all ] || [ "$section" = timestream ]; then ts_section; fi
