#!/usr/bin/env bash
# Install the Debian packages that building and testing Strata need, when
# they are missing; do nothing when they are all present. Server packages
# installed for the tests must not leave a daemon running, so a policy-rc.d
# that forbids starting services is in place while apt-get runs. Then the
# npm packages of the tests (below), when absent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(
  build-essential pkg-config
  libmicrohttpd-dev libgnutls28-dev libcrypt-dev libprotobuf-c-dev protobuf-c-compiler libsnappy-dev
  libjemalloc-dev libzstd-dev zlib1g-dev libpcre2-dev
  clang libclang-rt-14-dev
  curl python3 procps bsdutils tzdata openssl
  prometheus victoria-metrics influxdb influxdb-client
  prometheus-node-exporter
  postgresql-15 python3-psycopg2 python3-boto3
  nodejs npm
)

# The peers (prometheus, victoria-metrics, influxdb 1.6) serve the
# compatibility tests (promtool, vmctl, the differential line protocol test)
# and the benchmarks. PostgreSQL 15 and psycopg2 are the reference of the
# differential SQL test (compat-tests/test_sql_pg.py, which runs its own
# private server on a temp dir). Node.js and npm run the AWS SDK for
# JavaScript in compat-tests/test_timestream_js.py; a node and an npm already
# on the PATH (NodeSource's nodejs, which provides npm and conflicts with
# Debian's npm package) are taken as they are. `--bench` adds perf (linux-perf), which the line
# protocol benchmark uses to profile Strata when STRATA_BENCH_LP_PROFILE=1.
if [ "${1:-}" = --bench ]; then pkgs+=(linux-perf); fi

missing=()
for p in "${pkgs[@]}"; do
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    created_policy=1
  fi
  trap '[ $created_policy -eq 1 ] && $SUDO rm -f "$policy"' EXIT
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages, into $root/.node-deps (not committed) when absent or of
# another version than pinned here: the AWS SDK for JavaScript v3's Timestream
# clients (compat-tests/test_timestream_js.py). 3.913 runs on Debian
# bookworm's node 18 as on node 20 (its engines: node >= 18; later 3.x
# releases want node >= 20).
node_dir="$root/.node-deps"
node_pkgs=(@aws-sdk/client-timestream-write@3.913.0 @aws-sdk/client-timestream-query@3.913.0)
node_missing=()
for spec in "${node_pkgs[@]}"; do
  name=${spec%@*} version=${spec##*@}
  grep -qs "\"version\": \"$version\"" "$node_dir/node_modules/$name/package.json" || node_missing+=("$spec")
done
if [ ${#node_missing[@]} -gt 0 ]; then
  echo "deps: npm install --prefix .node-deps ${node_missing[*]}"
  mkdir -p "$node_dir"
  log=$(mktemp)
  if ! timeout 600 npm install --prefix "$node_dir" --no-audit --no-fund --no-update-notifier --loglevel=error \
      "${node_pkgs[@]}" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    echo "deps: npm install of ${node_pkgs[*]} failed" >&2
    exit 1
  fi
  rm -f "$log"
fi
