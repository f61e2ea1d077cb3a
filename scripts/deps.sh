#!/usr/bin/env bash
# Install the Debian packages that building and testing Strata need, when
# they are missing; do nothing when they are all present. Server packages
# installed for the tests must not leave a daemon running, so a policy-rc.d
# that forbids starting services is in place while apt-get runs.
set -euo pipefail

pkgs=(
  build-essential pkg-config
  libmicrohttpd-dev libgnutls28-dev libcrypt-dev libprotobuf-c-dev protobuf-c-compiler libsnappy-dev
  libjemalloc-dev libzstd-dev zlib1g-dev libpcre2-dev
  clang libclang-rt-14-dev
  curl python3 procps bsdutils tzdata openssl
  prometheus victoria-metrics influxdb influxdb-client
  prometheus-node-exporter
  postgresql-15 python3-psycopg2 python3-boto3
)

# The peers (prometheus, victoria-metrics, influxdb 1.6) serve the
# compatibility tests (promtool, vmctl, the differential line protocol test)
# and the benchmarks. PostgreSQL 15 and psycopg2 are the reference of the
# differential SQL test (compat-tests/test_sql_pg.py, which runs its own
# private server on a temp dir). `--bench` adds perf (linux-perf), which the line
# protocol benchmark uses to profile Strata when STRATA_BENCH_LP_PROFILE=1.
if [ "${1:-}" = --bench ]; then pkgs+=(linux-perf); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

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
