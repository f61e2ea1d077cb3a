"""Differential SQL suite: Strata's /api/v3/query_sql (Timestream's dialect,
issue 11) against PostgreSQL 15 (Debian's), each query of a corpus written
twice: in Strata's dialect and translated by hand to PostgreSQL.

Data: sqlgen.py (TSBS-like `cpu`: 20 hosts x 3 h at 10 s; IoT-like
`readings`: 30 devices, integer, string and boolean fields, gaps, NULL
tags, times jittered to the microsecond; `up`: a Prometheus metric), written
to Strata with line protocol (/write?precision=ns) and /api/v1/import, and
COPYed into PostgreSQL tables of the same columns (tags text, fields typed,
time timestamp(6), measure_name text = the table's name). PostgreSQL runs
privately: initdb on a temp dir, postgres on a free port (as user
`postgres` when this runs as root), stopped at the end.

The comparison: every corpus query goes as GET /api/v3/query_sql?db=&q=
&format=json to Strata and through psycopg2 to PostgreSQL. Columns are
matched by name (every output column of the corpus is named alike on both
sides; a NULL cell, left out of Strata's JSON object, is NULL) and Strata's
keys must come in PostgreSQL's column order. Rows compare in order when the
query has a top-level ORDER BY (the corpus orders totally: ties would be
free to differ), as multisets otherwise. Values: timestamps as instants
(RFC 3339 text against timestamp), numbers as numbers (bigints exactly;
anything with a double within 1e-9 relative), booleans only as booleans,
strings exactly, dates as text. Columns named X__lo and X__hi on the
PostgreSQL side bound Strata's column X: approx_percentile within a rank
error of 0.02 (percentile_disc at p-0.02 and p+0.02) and approx_distinct
within 10% of count(DISTINCT) (HyperLogLog's standard error is 2.3%).

Where Trino and PostgreSQL differ, the translation says what Trino does:
NULLS LAST for DESC too (PostgreSQL puts them first: DESC NULLS LAST is
written), concat/greatest/least with a NULL argument are NULL (||, CASE),
round(x[, d]) and CAST(double AS bigint) are Java's Math.round of x * 10^d
(floor(x + 0.5) in double arithmetic: the data is positive), regexp_replace replaces every match ('g'), replace(s, x) removes,
count_if(c) is count(*) FILTER (WHERE c), max_by/min_by take the row of
the largest/smallest key (array_agg ORDER BY), bin(t, d) is date_bin(d, t,
epoch), date_diff truncates toward zero, hour() & co. are bigints,
try_cast gives NULL (a CASE on a regex), IF(c, a, b) is a CASE, Trino's
second() and millisecond() are whole numbers, split_part past the last
field is NULL. The corpus checks itself (--pg-only): every translation
runs, every column is named, and every answer is the same over the rows
loaded in reverse order (so no ORDER BY ... LIMIT, max_by or window leaves
ties for an engine to break its own way).

Known differences between Strata and the translation are listed in
KNOWN_DIFFERENCES with their reason: they are reported, never silent, and
do not fail the test; one that matches again is reported too. Anything
else that differs, or any error, fails.

Also: error cases (unknown column, table and function, syntax error:
status 400 and Timestream's/Trino's words, "line 1:N: Column 'x' does not
exist"), the endpoint's shape (formats jsonl, csv, pretty against json; a
JSON and a form POST body; a missing q; an unknown database; a query
qualifying its tables without db) and SHOW/DESCRIBE answers checked
against their expected shapes.

Usage: test_sql_pg.py [--pg-only] [-k TEXT]... [-v] [--max-print N]
  --pg-only     only PostgreSQL: every translation must run without error,
                every corpus entry must name its columns (the corpus's own
                check; needs no Strata binary)
  -k TEXT       only queries containing TEXT (repeatable: any of them)
  -v            print every difference in full
  --max-print N differences printed in detail (default 40)
Environment: STRATA_BIN (default build/strata). Needs PostgreSQL 15's
server (/usr/lib/postgresql/15/bin) and psycopg2 (Debian: postgresql-15,
python3-psycopg2, both in scripts/deps.sh).
The last line is "test_sql_pg: N passed, M failed"."""
import argparse
import concurrent.futures
import datetime
import decimal
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import psycopg2  # noqa: E402
except ImportError:
    # Debian's python3-psycopg2 serves /usr/bin/python3; another python3
    # first in PATH (pyenv, a venv) does not see it: run under Debian's.
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and \
            os.path.exists("/usr/bin/python3") and not os.environ.get("STRATA_SQL_PG_REEXEC"):
        os.environ["STRATA_SQL_PG_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    psycopg2 = None

from strata import Server, Results, free_port, BIN  # noqa: E402
import sqlgen  # noqa: E402

DB = "sqltest"
PG_BIN = "/usr/lib/postgresql/15/bin"

# ============================================================ the corpus
#
# (category, Strata's SQL, PostgreSQL's SQL). Every output column is named
# (an alias or a plain column), the same on both sides, in lower case.

CORPUS = []


def q(cat, s, p=None):
    CORPUS.append((cat, s, p if p is not None else s))


T0 = "TIMESTAMP '2024-03-01 00:00:00'"
T1 = "TIMESTAMP '2024-03-01 01:00:00'"
T2 = "TIMESTAMP '2024-03-01 02:00:00'"
T3 = "TIMESTAMP '2024-03-01 03:00:00'"


def ts(s):
    return f"TIMESTAMP '{s}'"


PGI = {"30s": "30 seconds", "90s": "90 seconds", "1m": "1 minute", "5m": "5 minutes", "7m": "7 minutes",
       "10m": "10 minutes", "15m": "15 minutes", "30m": "30 minutes", "1h": "1 hour", "1d": "1 day"}


def sbin(d, col="time"):
    return f"bin({col}, {d})"


def pbin(d, col="time"):
    return f"date_bin('{PGI[d]}', {col}, TIMESTAMP '1970-01-01')"


def ptry_bigint(x):
    return f"(CASE WHEN {x} ~ '^\\s*[+-]?[0-9]+\\s*$' THEN CAST({x} AS bigint) END)"


# ------------------------------------------------------------ projections
H3 = "hostname = 'host_3'"
q("projection", f"SELECT hostname, time, usage_user FROM cpu WHERE {H3} AND time < {ts('2024-03-01 00:05:00')} ORDER BY time")
q("projection", "SELECT time, usage_user, usage_system, usage_idle FROM cpu WHERE hostname = 'host_0' ORDER BY time LIMIT 20")
q("projection", "SELECT device_id, time, temp, seq, battery, rssi, status, active FROM readings WHERE device_id = 'dev_03' ORDER BY time LIMIT 60")
q("projection", "SELECT measure_name, hostname, time FROM cpu WHERE hostname = 'host_1' ORDER BY time LIMIT 3")
q("projection", "SELECT DISTINCT measure_name FROM readings")
q("projection", "SELECT DISTINCT measure_name FROM cpu")
q("projection", f"SELECT * FROM cpu WHERE hostname = 'host_2' AND time = {T1}")
q("projection", "SELECT * FROM readings WHERE device_id = 'dev_26' ORDER BY time LIMIT 5")
q("projection", "SELECT * FROM readings WHERE device_id = 'dev_07' AND note IS NOT NULL")
q("projection", "SELECT device_id, site, kind, time FROM readings WHERE device_id IN ('dev_00', 'dev_07', 'dev_27') AND time < "
  f"{ts('2024-03-01 00:03:00')} ORDER BY device_id, time")
q("projection", "SELECT time AS t, usage_user AS u FROM cpu WHERE hostname = 'host_5' ORDER BY t DESC LIMIT 7",
  "SELECT time AS t, usage_user AS u FROM cpu WHERE hostname = 'host_5' ORDER BY t DESC NULLS LAST LIMIT 7")
q("projection", "SELECT c.hostname, c.usage_idle FROM cpu AS c WHERE c.hostname = 'host_8' ORDER BY c.time LIMIT 5")
q("projection", "SELECT cpu.hostname, cpu.time FROM cpu WHERE cpu.usage_user > 99.5 ORDER BY cpu.hostname, cpu.time")
q("projection", "SELECT 1 AS one, 'x' AS s, true AS b")
q("projection", "SELECT note FROM readings WHERE note IS NOT NULL")
q("projection", "SELECT device_id, time, note FROM readings WHERE note LIKE '%\"%' ORDER BY device_id, time")
q("projection", "SELECT device_id, time, note FROM readings WHERE note = 'path\\to' ORDER BY device_id, time")
q("projection", "SELECT device_id, time, site FROM readings WHERE site = 'west yard' AND time < "
  f"{ts('2024-03-01 00:02:00')} ORDER BY device_id, time")

# ------------------------------------------------------------ arithmetic
q("arith", "SELECT time, usage_user AS u, usage_user * 2 AS u2, usage_user + usage_system AS us, usage_user - usage_idle AS d, "
  "usage_user / usage_idle AS r, -usage_user AS neg FROM cpu WHERE hostname = 'host_4' ORDER BY time LIMIT 30")
q("arith", "SELECT time, seq, seq + 1 AS a, seq * 2 AS b, seq / 7 AS c, seq % 7 AS m, -seq AS n, battery - rssi AS br "
  "FROM readings WHERE device_id = 'dev_05' ORDER BY time LIMIT 40")
q("arith", "SELECT time, rssi, rssi / 7 AS a, rssi % 7 AS b, rssi * rssi AS sq FROM readings WHERE device_id = 'dev_06' ORDER BY time LIMIT 40")
q("arith", "SELECT time, CAST(seq AS double) / 4 AS a, seq / 4 AS b FROM readings WHERE device_id = 'dev_09' ORDER BY time LIMIT 20",
  "SELECT time, CAST(seq AS double precision) / 4 AS a, seq / 4 AS b FROM readings WHERE device_id = 'dev_09' ORDER BY time LIMIT 20")
q("arith", "SELECT time, temp * 1.8 + 32 AS f FROM readings WHERE device_id = 'dev_10' ORDER BY time LIMIT 30")
q("arith", "SELECT time, abs(rssi) AS a, abs(temp - 20) AS b FROM readings WHERE device_id = 'dev_11' ORDER BY time LIMIT 30")
q("arith", "SELECT time, ceil(usage_user) AS c, floor(usage_user) AS f, sqrt(usage_user) AS s FROM cpu WHERE hostname = 'host_6' ORDER BY time LIMIT 30",
  "SELECT time, ceil(usage_user) AS c, floor(usage_user) AS f, sqrt(usage_user) AS s FROM cpu WHERE hostname = 'host_6' ORDER BY time LIMIT 30")
q("arith", "SELECT time, ln(usage_user) AS l, log10(usage_user) AS l10, exp(usage_user / 50) AS e FROM cpu WHERE hostname = 'host_7' ORDER BY time LIMIT 30")
q("arith", "SELECT time, power(usage_user, 2) AS p2, power(2, 10) AS p FROM cpu WHERE hostname = 'host_7' ORDER BY time LIMIT 10",
  "SELECT time, power(usage_user, 2) AS p2, power(2.0::float8, 10) AS p FROM cpu WHERE hostname = 'host_7' ORDER BY time LIMIT 10")
q("arith", "SELECT time, round(usage_user) AS r0, round(usage_user, 1) AS r1 FROM cpu WHERE hostname = 'host_9' ORDER BY time LIMIT 40",
  "SELECT time, floor(usage_user + 0.5) AS r0, floor(usage_user * 10 + 0.5) / 10 AS r1 FROM cpu WHERE hostname = 'host_9' ORDER BY time LIMIT 40")
q("arith", "SELECT time, sign(rssi + 60) AS s, mod(seq, 5) AS m FROM readings WHERE device_id = 'dev_12' ORDER BY time LIMIT 30")
q("arith", "SELECT time, truncate(usage_user) AS t FROM cpu WHERE hostname = 'host_10' ORDER BY time LIMIT 20",
  "SELECT time, trunc(usage_user) AS t FROM cpu WHERE hostname = 'host_10' ORDER BY time LIMIT 20")
q("arith", "SELECT 7 / 2 AS a, -7 / 2 AS b, 7 % 3 AS c, -7 % 3 AS d, 7 / -2 AS e")
q("arith", "SELECT 1 + 2 * 3 AS a, (1 + 2) * 3 AS b, 10 - 4 - 3 AS c, 2 * 3 % 4 AS d")
q("arith", "SELECT sum(seq) / count(*) AS a FROM readings")
q("arith", "SELECT hostname, max(usage_user) - min(usage_user) AS spread FROM cpu GROUP BY hostname ORDER BY hostname")
q("arith", "SELECT time, usage_user + usage_system + usage_idle + usage_nice + usage_iowait AS s5 FROM cpu WHERE hostname = 'host_11' ORDER BY time LIMIT 25")
q("arith", "SELECT time, battery * 100 / (seq + 1) AS x FROM readings WHERE device_id = 'dev_13' ORDER BY time LIMIT 30")
q("arith", "SELECT time, greatest(usage_user, usage_system) AS g, least(usage_user, usage_system) AS l FROM cpu WHERE hostname = 'host_12' ORDER BY time LIMIT 20")
q("arith", "SELECT time, greatest(temp, 18.0) AS g FROM readings WHERE device_id = 'dev_14' ORDER BY time LIMIT 40",
  "SELECT time, CASE WHEN temp IS NULL THEN NULL ELSE greatest(temp, 18.0) END AS g FROM readings WHERE device_id = 'dev_14' ORDER BY time LIMIT 40")

# ------------------------------------------------------------ CASE, IF, COALESCE, NULLIF, CAST
q("case", "SELECT device_id, time, CASE WHEN temp > 20 THEN 'hot' WHEN temp > 15 THEN 'mild' ELSE 'cold' END AS c FROM readings "
  "WHERE device_id IN ('dev_01', 'dev_02') ORDER BY device_id, time")
q("case", "SELECT time, CASE status WHEN 'ok' THEN 1 WHEN 'warn' THEN 2 ELSE 0 END AS c FROM readings WHERE device_id = 'dev_15' ORDER BY time")
q("case", "SELECT time, CASE WHEN battery IS NULL THEN -1 ELSE battery END AS b FROM readings WHERE device_id = 'dev_03' ORDER BY time")
q("case", "SELECT time, CASE WHEN active THEN 'on' END AS c FROM readings WHERE device_id = 'dev_16' ORDER BY time")
q("case", "SELECT time, IF(temp > 18, 'y', 'n') AS c FROM readings WHERE device_id = 'dev_17' ORDER BY time",
  "SELECT time, CASE WHEN temp > 18 THEN 'y' ELSE 'n' END AS c FROM readings WHERE device_id = 'dev_17' ORDER BY time")
q("case", "SELECT time, IF(active, 1) AS c FROM readings WHERE device_id = 'dev_18' ORDER BY time",
  "SELECT time, CASE WHEN active THEN 1 END AS c FROM readings WHERE device_id = 'dev_18' ORDER BY time")
q("case", "SELECT time, COALESCE(temp, -1.0) AS t FROM readings WHERE device_id = 'dev_19' ORDER BY time")
q("case", "SELECT time, COALESCE(status, note, 'none') AS s FROM readings WHERE device_id = 'dev_20' ORDER BY time")
q("case", "SELECT time, COALESCE(battery, rssi) AS x FROM readings WHERE device_id = 'dev_03' ORDER BY time")
q("case", "SELECT time, NULLIF(status, 'ok') AS s FROM readings WHERE device_id = 'dev_21' ORDER BY time")
q("case", "SELECT time, NULLIF(battery, 92) AS b FROM readings WHERE device_id = 'dev_08' ORDER BY time")
q("case", "SELECT COALESCE(site, 'unknown') AS s, count(*) AS n FROM readings GROUP BY 1 ORDER BY 1")
q("case", "SELECT CASE WHEN usage_user > 50 THEN 'high' ELSE 'low' END AS lvl, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1")
q("case", "SELECT count(CASE WHEN active THEN 1 END) AS a, count(CASE WHEN NOT active THEN 1 END) AS b FROM readings")
q("cast", "SELECT time, CAST(seq AS varchar) AS s FROM readings WHERE device_id = 'dev_22' ORDER BY time LIMIT 30")
q("cast", "SELECT time, CAST(seq AS double) AS d FROM readings WHERE device_id = 'dev_22' ORDER BY time LIMIT 30",
  "SELECT time, CAST(seq AS double precision) AS d FROM readings WHERE device_id = 'dev_22' ORDER BY time LIMIT 30")
q("cast", "SELECT time, CAST(usage_user AS bigint) AS i FROM cpu WHERE hostname = 'host_13' ORDER BY time LIMIT 60",
  "SELECT time, CAST(floor(usage_user + 0.5) AS bigint) AS i FROM cpu WHERE hostname = 'host_13' ORDER BY time LIMIT 60")
q("cast", "SELECT time, CAST(active AS varchar) AS s FROM readings WHERE device_id = 'dev_23' ORDER BY time LIMIT 30")
q("cast", "SELECT CAST('123' AS bigint) AS a, CAST('1.5' AS double) AS b, CAST(42 AS varchar) AS c, CAST('true' AS boolean) AS d",
  "SELECT CAST('123' AS bigint) AS a, CAST('1.5' AS double precision) AS b, CAST(42 AS varchar) AS c, CAST('true' AS boolean) AS d")
q("cast", "SELECT time, TRY_CAST(status AS bigint) AS x FROM readings WHERE device_id = 'dev_24' ORDER BY time LIMIT 20",
  f"SELECT time, {ptry_bigint('status')} AS x FROM readings WHERE device_id = 'dev_24' ORDER BY time LIMIT 20")
q("cast", "SELECT time, TRY_CAST(substr(device_id, 5) AS bigint) AS x FROM readings WHERE device_id = 'dev_24' ORDER BY time LIMIT 5",
  f"SELECT time, {ptry_bigint('substr(device_id, 5)')} AS x FROM readings WHERE device_id = 'dev_24' ORDER BY time LIMIT 5")
q("cast", "SELECT TRY_CAST('abc' AS bigint) AS a, TRY_CAST('12' AS bigint) AS b",
  "SELECT CAST(NULL AS bigint) AS a, CAST(12 AS bigint) AS b")  # PostgreSQL folds constant casts: no CASE guard
q("cast", "SELECT DISTINCT CAST(time AS date) AS d FROM cpu")
q("cast", "SELECT CAST('2024-03-01 01:00:00' AS timestamp) AS t")
q("cast", "SELECT count(*) AS n FROM readings WHERE CAST(substr(device_id, 5) AS bigint) < 10")
q("cast", "SELECT CAST(rack AS bigint) AS r, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1")

# ------------------------------------------------------------ booleans and three-valued logic
q("logic", "SELECT count(*) AS n FROM readings WHERE active")
q("logic", "SELECT count(*) AS n FROM readings WHERE NOT active")
q("logic", "SELECT count(*) AS n FROM readings WHERE active IS NULL")
q("logic", "SELECT count(*) AS n FROM readings WHERE active = true AND temp > 20")
q("logic", "SELECT count(*) AS n FROM readings WHERE active OR temp > 25")
q("logic", "SELECT count(*) AS n FROM readings WHERE NOT (temp > 20)")
q("logic", "SELECT count(*) AS n FROM readings WHERE NOT (temp > 20 AND battery < 90)")
q("logic", "SELECT count(*) AS n FROM readings WHERE temp > 20 OR battery IS NULL")
q("logic", "SELECT time, active AND temp > 20 AS a, active OR temp > 20 AS o, NOT active AS n FROM readings "
  "WHERE device_id = 'dev_04' ORDER BY time LIMIT 50")
q("logic", "SELECT time, temp > 20 AS hot, battery IS NULL AS nob, status = 'ok' AS ok FROM readings WHERE device_id = 'dev_03' ORDER BY time LIMIT 60")
q("logic", "SELECT active, count(*) AS n FROM readings GROUP BY active ORDER BY active",
  "SELECT active, count(*) AS n FROM readings GROUP BY active ORDER BY active NULLS LAST")

# ------------------------------------------------------------ WHERE on time
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time BETWEEN {T0} AND {T1}")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time >= {T1} AND time < {T2}")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time > {ts('2024-03-01 00:30:00')} AND time <= {ts('2024-03-01 00:45:00')}")
q("time-where", f"SELECT hostname, usage_user FROM cpu WHERE time = {ts('2024-03-01 01:30:00')} ORDER BY hostname")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time IN ({T1}, {T2}, {ts('2024-03-01 02:59:50')})")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time < {T0}")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time >= {T3}")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time NOT BETWEEN {T1} AND {T2}")
q("time-where", f"SELECT count(*) AS n FROM readings WHERE time BETWEEN {ts('2024-03-01 00:10:00.123456')} AND {ts('2024-03-01 00:20:00.654321')}")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time + 1h > {T3}",
  f"SELECT count(*) AS n FROM cpu WHERE time + interval '1 hour' > {T3}")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time >= {T1} - 5m AND time < {T1}",
  f"SELECT count(*) AS n FROM cpu WHERE time >= {T1} - interval '5 minutes' AND time < {T1}")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time < {T0} + 30m OR time >= {T3} - 10m",
  f"SELECT count(*) AS n FROM cpu WHERE time < {T0} + interval '30 minutes' OR time >= {T3} - interval '10 minutes'")
q("time-where", f"SELECT count(*) AS n FROM readings WHERE time >= {T2} - INTERVAL '90' MINUTE",
  f"SELECT count(*) AS n FROM readings WHERE time >= {T2} - interval '90 minutes'")
q("time-where", f"SELECT hostname, count(*) AS n FROM cpu WHERE time >= {ts('2024-03-01 02:00:00')} GROUP BY hostname ORDER BY hostname")
q("time-where", f"SELECT device_id, min(time) AS first, max(time) AS last FROM readings WHERE time > {T1} GROUP BY device_id ORDER BY device_id")
q("time-where", f"SELECT count(*) AS n FROM readings WHERE time > {ts('2024-03-01 01:00:00.5')}")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE {T1} <= time AND {T2} > time")
q("time-where", "SELECT count(*) AS n FROM cpu WHERE time > ago(1h)",
  "SELECT count(*) AS n FROM cpu WHERE time > (now() AT TIME ZONE 'UTC') - interval '1 hour'")
q("time-where", "SELECT count(*) AS n FROM readings WHERE time <= now()",
  "SELECT count(*) AS n FROM readings WHERE time <= (now() AT TIME ZONE 'UTC')")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time >= from_iso8601_timestamp('2024-03-01T01:00:00Z') AND time < {T2}",
  f"SELECT count(*) AS n FROM cpu WHERE time >= TIMESTAMP '2024-03-01 01:00:00' AND time < {T2}")
q("time-where", f"SELECT count(*) AS n FROM cpu WHERE time BETWEEN {T1} AND {T1}")

# ------------------------------------------------------------ WHERE on tags and fields
for cond, pcond in [
        ("hostname = 'host_1'", None), ("hostname <> 'host_1'", None), ("hostname != 'host_1'", None),
        ("hostname IN ('host_1', 'host_2', 'host_17')", None), ("hostname NOT IN ('host_1', 'host_2')", None),
        ("hostname LIKE 'host_1%'", None), ("hostname LIKE 'host_1_'", None), ("hostname NOT LIKE '%5'", None),
        ("regexp_like(hostname, '^host_1[0-3]$')", "hostname ~ '^host_1[0-3]$'"),
        ("regexp_like(datacenter, 'a$')", "datacenter ~ 'a$'"),
        ("NOT regexp_like(os, '16')", "NOT (os ~ '16')"),
        ("region = 'us-east-1' AND os = 'Ubuntu16.10'", None), ("region = 'eu-west-1' OR rack = '3'", None),
        ("measure_name = 'cpu'", None), ("measure_name = 'readings'", None),
        ("usage_user > 90", None), ("usage_user BETWEEN 40 AND 41", None), ("usage_guest IS NULL", None),
        ("usage_guest IS NOT NULL AND hostname = 'host_19'", None), ("usage_user > usage_system", None)]:
    q("where-cpu", f"SELECT count(*) AS n FROM cpu WHERE {cond}", f"SELECT count(*) AS n FROM cpu WHERE {pcond or cond}")
for cond, pcond in [
        ("site IS NULL", None), ("site IS NOT NULL", None), ("kind IS NULL", None), ("site = 'west yard'", None),
        ("site LIKE '% %'", None), ("NOT (site = 'north')", None), ("site <> 'north'", None),
        ("site IN ('north', 'south')", None), ("site NOT IN ('north', 'south')", None),
        ("temp > 20", None), ("battery IS NULL", None), ("status = 'error'", None), ("note IS NOT NULL", None),
        ("note LIKE '%\"%'", None), ("rssi BETWEEN -50 AND -40", None), ("temp IS NULL AND battery IS NULL", None),
        ("status IN ('warn', 'error')", None), ("status LIKE 'n%'", None),
        ("regexp_like(status, '^(ok|warn)$')", "status ~ '^(ok|warn)$'"),
        ("regexp_like(device_id, '[05]$')", "device_id ~ '[05]$'"),
        ("kind = 'thermo' AND site = 'east'", None), ("seq % 100 = 0", None), ("battery < 75 AND rssi > -40", None)]:
    q("where-readings", f"SELECT count(*) AS n FROM readings WHERE {cond}", f"SELECT count(*) AS n FROM readings WHERE {pcond or cond}")
q("where-readings", "SELECT device_id, count(*) AS n FROM readings WHERE site IS NULL GROUP BY device_id ORDER BY device_id")
q("where-readings", "SELECT device_id, time, status FROM readings WHERE status = 'error' AND temp > 24 ORDER BY device_id, time")

# ------------------------------------------------------------ aggregates
CPU_AGGS = [
    ("count(*)", None), ("count(usage_guest)", None), ("count(DISTINCT rack)", None), ("sum(usage_user)", None),
    ("avg(usage_user)", None), ("min(usage_system)", None), ("max(usage_idle)", None), ("stddev(usage_user)", None),
    ("stddev_samp(usage_nice)", None), ("stddev_pop(usage_user)", None), ("variance(usage_iowait)", None),
    ("var_samp(usage_irq)", None), ("var_pop(usage_iowait)", None),
    ("geometric_mean(usage_user)", "exp(avg(ln(usage_user)))"),
    ("max_by(usage_user, time)", "(array_agg(usage_user ORDER BY time DESC))[1]"),
    ("min_by(usage_idle, time)", "(array_agg(usage_idle ORDER BY time))[1]"),
    ("count_if(usage_user > 50)", "count(*) FILTER (WHERE usage_user > 50)"),
    ("sum(usage_guest)", None), ("min(time)", None), ("max(time)", None)]
CPU_GROUPS = [("", "", ""), ("hostname, ", "GROUP BY hostname", "ORDER BY hostname"),
              ("region, os, ", "GROUP BY region, os", "ORDER BY region, os")]
for agg, pagg in CPU_AGGS:
    for sel, grp, order in CPU_GROUPS:
        if agg.startswith(("max_by", "min_by")) and sel != "hostname, ":
            continue  # time is unique within a host only: elsewhere ties
        q("aggregate", f"SELECT {sel}{agg} AS v FROM cpu {grp} {order}".strip(),
          f"SELECT {sel}{pagg or agg} AS v FROM cpu {grp} {order}".strip())
for p in (0.5, 0.9, 0.99):
    q("aggregate", f"SELECT hostname, approx_percentile(usage_user, {p}) AS v FROM cpu GROUP BY hostname ORDER BY hostname",
      f"SELECT hostname, percentile_disc({max(p - 0.02, 0)}) WITHIN GROUP (ORDER BY usage_user) AS v__lo, "
      f"percentile_disc({min(p + 0.02, 1)}) WITHIN GROUP (ORDER BY usage_user) AS v__hi FROM cpu GROUP BY hostname ORDER BY hostname")
q("aggregate", "SELECT approx_percentile(usage_idle, 0.25) AS v FROM cpu",
  "SELECT percentile_disc(0.23) WITHIN GROUP (ORDER BY usage_idle) AS v__lo, percentile_disc(0.27) WITHIN GROUP (ORDER BY usage_idle) AS v__hi FROM cpu")
q("aggregate", "SELECT approx_distinct(hostname) AS v FROM cpu",
  "SELECT floor(count(DISTINCT hostname) * 0.9) AS v__lo, ceil(count(DISTINCT hostname) * 1.1) AS v__hi FROM cpu")
q("aggregate", "SELECT region, approx_distinct(usage_user) AS v FROM cpu GROUP BY region ORDER BY region",
  "SELECT region, floor(count(DISTINCT usage_user) * 0.9) AS v__lo, ceil(count(DISTINCT usage_user) * 1.1) AS v__hi FROM cpu GROUP BY region ORDER BY region")
q("aggregate", "SELECT hostname, arbitrary(region) AS r, arbitrary(os) AS o FROM cpu GROUP BY hostname ORDER BY hostname",
  "SELECT hostname, min(region) AS r, min(os) AS o FROM cpu GROUP BY hostname ORDER BY hostname")

READ_AGGS = [
    ("count(*)", None), ("count(temp)", None), ("count(status)", None), ("count(DISTINCT status)", None),
    ("sum(seq)", None), ("avg(battery)", None), ("min(rssi)", None), ("max(temp)", None), ("sum(battery)", None),
    ("avg(rssi)", None), ("stddev(temp)", None), ("var_pop(temp)", None), ("bool_and(active)", None),
    ("bool_or(active)", None), ("count_if(active)", "count(*) FILTER (WHERE active)"),
    ("count_if(status = 'error')", "count(*) FILTER (WHERE status = 'error')"),
    ("max_by(status, seq)", "(array_agg(status ORDER BY seq DESC) FILTER (WHERE seq IS NOT NULL))[1]"),
    ("min_by(temp, seq)", "(array_agg(temp ORDER BY seq) FILTER (WHERE seq IS NOT NULL))[1]"),
    ("max_by(seq, temp)", "(array_agg(seq ORDER BY temp DESC, seq) FILTER (WHERE temp IS NOT NULL))[1]"),
    ("min(status)", None), ("max(device_id)", None), ("min(time)", None), ("max(time)", None),
    ("count(DISTINCT battery)", None), ("sum(temp)", None)]
READ_GROUPS = [("", "", ""), ("device_id, ", "GROUP BY device_id", "ORDER BY device_id"),
               ("site, ", "GROUP BY site", "ORDER BY site"), ("kind, status, ", "GROUP BY kind, status", "ORDER BY kind, status")]
for i, (agg, pagg) in enumerate(READ_AGGS):
    for j, (sel, grp, order) in enumerate(READ_GROUPS):
        if j >= 2 and (i + j) % 2:
            continue  # every aggregate by device, half of them by the NULL-bearing groups
        if agg.startswith(("max_by", "min_by")) and j != 1:
            continue  # seq is unique within a device only: elsewhere ties
        q("aggregate", f"SELECT {sel}{agg} AS v FROM readings {grp} {order}".strip(),
          f"SELECT {sel}{pagg or agg} AS v FROM readings {grp} {order}".strip())
q("aggregate", "SELECT sum(temp) AS s, count(*) AS n, count_if(active) AS c, max(status) AS m, avg(seq) AS a FROM readings WHERE device_id = 'nope'",
  "SELECT sum(temp) AS s, count(*) AS n, count(*) FILTER (WHERE active) AS c, max(status) AS m, avg(seq) AS a FROM readings WHERE device_id = 'nope'")
q("aggregate", "SELECT device_id, count_if(temp > 1000) AS c FROM readings WHERE device_id IN ('dev_01', 'dev_02') GROUP BY device_id ORDER BY device_id",
  "SELECT device_id, count(*) FILTER (WHERE temp > 1000) AS c FROM readings WHERE device_id IN ('dev_01', 'dev_02') GROUP BY device_id ORDER BY device_id")
q("aggregate", "SELECT device_id, stddev(temp) AS s, variance(temp) AS v FROM readings WHERE device_id = 'dev_01' AND time < "
  f"{ts('2024-03-01 00:00:31')} GROUP BY device_id")
q("aggregate", "SELECT geometric_mean(battery) AS g FROM readings WHERE device_id = 'dev_02'",
  "SELECT exp(avg(ln(battery))) AS g FROM readings WHERE device_id = 'dev_02'")
q("aggregate", "SELECT device_id, approx_percentile(temp, 0.5) AS v FROM readings GROUP BY device_id ORDER BY device_id",
  "SELECT device_id, percentile_disc(0.48) WITHIN GROUP (ORDER BY temp) AS v__lo, percentile_disc(0.52) WITHIN GROUP (ORDER BY temp) AS v__hi "
  "FROM readings GROUP BY device_id ORDER BY device_id")
q("aggregate", "SELECT count(*) AS n, count(DISTINCT hostname) AS h, count(DISTINCT region) AS r, count(DISTINCT os) AS o FROM cpu")
q("aggregate", "SELECT hostname, count(*) AS n, avg(usage_user) AS a, max(usage_user) AS mx, min(usage_user) AS mn FROM cpu "
  f"WHERE time >= {T1} AND time < {T2} GROUP BY hostname ORDER BY hostname")
q("aggregate", "SELECT avg(usage_user + usage_system) AS a, sum(usage_idle * 2) AS s FROM cpu")
q("aggregate", "SELECT max(usage_user) - min(usage_user) AS r, avg(usage_user) * count(*) AS t FROM cpu WHERE hostname = 'host_0'")
q("aggregate", "SELECT kind, bool_and(temp > 10) AS a, bool_or(temp > 30) AS o FROM readings GROUP BY kind ORDER BY kind")
q("aggregate", "SELECT site, kind, count(*) AS n FROM readings GROUP BY site, kind ORDER BY site, kind")

# ------------------------------------------------------------ HAVING
q("having", "SELECT hostname, avg(usage_user) AS a FROM cpu GROUP BY hostname HAVING avg(usage_user) > 50 ORDER BY hostname")
q("having", "SELECT device_id, count(temp) AS n FROM readings GROUP BY device_id HAVING count(temp) > 330 ORDER BY device_id")
q("having", "SELECT device_id, max(temp) - min(temp) AS r FROM readings GROUP BY device_id HAVING max(temp) - min(temp) > 12 ORDER BY device_id")
q("having", "SELECT device_id, count_if(status = 'error') AS e FROM readings GROUP BY device_id HAVING count_if(status = 'error') > 20 ORDER BY device_id",
  "SELECT device_id, count(*) FILTER (WHERE status = 'error') AS e FROM readings GROUP BY device_id "
  "HAVING count(*) FILTER (WHERE status = 'error') > 20 ORDER BY device_id")
q("having", "SELECT region, count(DISTINCT hostname) AS h FROM cpu GROUP BY region HAVING count(*) > 7000 ORDER BY region")
q("having", "SELECT site, sum(battery) AS b FROM readings GROUP BY site HAVING sum(battery) BETWEEN 10000 AND 100000 ORDER BY site")
q("having", "SELECT count(*) AS n FROM cpu HAVING count(*) > 0")
q("having", "SELECT count(*) AS n FROM cpu HAVING count(*) > 1000000")
q("having", "SELECT status, count(*) AS n FROM readings GROUP BY status HAVING status IS NOT NULL ORDER BY status")
q("having", "SELECT os, max(usage_user) AS m FROM cpu GROUP BY os HAVING max(usage_user) > 99 OR min(usage_user) < 0.5 ORDER BY os")

# ------------------------------------------------------------ ORDER BY, NULLS, LIMIT, OFFSET
W3 = f"device_id = 'dev_03' AND time < {T1}"
q("order", f"SELECT time, battery FROM readings WHERE {W3} ORDER BY battery, time",
  f"SELECT time, battery FROM readings WHERE {W3} ORDER BY battery NULLS LAST, time")
q("order", f"SELECT time, battery FROM readings WHERE {W3} ORDER BY battery DESC, time",
  f"SELECT time, battery FROM readings WHERE {W3} ORDER BY battery DESC NULLS LAST, time")
q("order", f"SELECT time, battery FROM readings WHERE {W3} ORDER BY battery DESC NULLS FIRST, time")
q("order", f"SELECT time, battery FROM readings WHERE {W3} ORDER BY battery NULLS FIRST, time")
q("order", f"SELECT time, battery FROM readings WHERE {W3} ORDER BY battery ASC NULLS LAST, time DESC",
  f"SELECT time, battery FROM readings WHERE {W3} ORDER BY battery ASC NULLS LAST, time DESC NULLS LAST")
q("order", "SELECT DISTINCT device_id, site FROM readings ORDER BY site DESC, device_id",
  "SELECT DISTINCT device_id, site FROM readings ORDER BY site DESC NULLS LAST, device_id")
q("order", "SELECT DISTINCT device_id, kind FROM readings ORDER BY kind, device_id DESC",
  "SELECT DISTINCT device_id, kind FROM readings ORDER BY kind NULLS LAST, device_id DESC NULLS LAST")
q("order", "SELECT device_id, time, status FROM readings WHERE device_id = 'dev_10' ORDER BY status DESC, time LIMIT 30",
  "SELECT device_id, time, status FROM readings WHERE device_id = 'dev_10' ORDER BY status DESC NULLS LAST, time LIMIT 30")
q("order", "SELECT hostname, avg(usage_user) AS a FROM cpu GROUP BY hostname ORDER BY 2 DESC, 1",
  "SELECT hostname, avg(usage_user) AS a FROM cpu GROUP BY hostname ORDER BY 2 DESC NULLS LAST, 1")
q("order", "SELECT hostname, max(usage_user) AS m FROM cpu GROUP BY hostname ORDER BY m DESC, hostname LIMIT 5",
  "SELECT hostname, max(usage_user) AS m FROM cpu GROUP BY hostname ORDER BY m DESC NULLS LAST, hostname LIMIT 5")
q("order", "SELECT time, usage_user, usage_system FROM cpu WHERE hostname = 'host_14' ORDER BY usage_user + usage_system DESC, time LIMIT 10",
  "SELECT time, usage_user, usage_system FROM cpu WHERE hostname = 'host_14' ORDER BY usage_user + usage_system DESC NULLS LAST, time LIMIT 10")
q("order", "SELECT hostname, time FROM cpu ORDER BY time, hostname LIMIT 5")
q("order", "SELECT hostname, time FROM cpu ORDER BY time, hostname OFFSET 10 LIMIT 5")
q("order", "SELECT hostname, time FROM cpu WHERE hostname = 'host_15' ORDER BY time OFFSET 1075")
q("order", "SELECT hostname, time FROM cpu ORDER BY time LIMIT 0")
q("order", "SELECT hostname, time FROM cpu ORDER BY time DESC, hostname DESC LIMIT 3",
  "SELECT hostname, time FROM cpu ORDER BY time DESC NULLS LAST, hostname DESC NULLS LAST LIMIT 3")
q("order", "SELECT device_id, time, temp FROM readings WHERE device_id = 'dev_16' ORDER BY temp DESC, time LIMIT 15",
  "SELECT device_id, time, temp FROM readings WHERE device_id = 'dev_16' ORDER BY temp DESC NULLS LAST, time LIMIT 15")
q("order", "SELECT device_id, time, temp FROM readings WHERE device_id = 'dev_16' ORDER BY temp, time LIMIT 15")
q("order", "SELECT device_id, time, temp FROM readings WHERE device_id = 'dev_16' ORDER BY temp NULLS FIRST, time LIMIT 15")
q("order", "SELECT site, count(*) AS n FROM readings GROUP BY site ORDER BY site DESC",
  "SELECT site, count(*) AS n FROM readings GROUP BY site ORDER BY site DESC NULLS LAST")
q("order", "SELECT site, count(*) AS n FROM readings GROUP BY site ORDER BY site NULLS FIRST")
q("order", "SELECT status, count(*) AS n FROM readings GROUP BY status ORDER BY n DESC, status",
  "SELECT status, count(*) AS n FROM readings GROUP BY status ORDER BY n DESC NULLS LAST, status NULLS LAST")
q("order", "SELECT device_id, max(time) AS last FROM readings GROUP BY device_id ORDER BY last DESC, device_id LIMIT 4",
  "SELECT device_id, max(time) AS last FROM readings GROUP BY device_id ORDER BY last DESC NULLS LAST, device_id LIMIT 4")
q("order", "SELECT hostname, usage_user FROM cpu WHERE time = " + T2 + " ORDER BY hostname DESC",
  "SELECT hostname, usage_user FROM cpu WHERE time = " + T2 + " ORDER BY hostname DESC NULLS LAST")
q("order", "SELECT time, usage_guest FROM cpu WHERE hostname = 'host_19' AND time >= " + ts("2024-03-01 00:59:00") +
  " AND time < " + ts("2024-03-01 02:01:00") + " ORDER BY usage_guest DESC, time LIMIT 20",
  "SELECT time, usage_guest FROM cpu WHERE hostname = 'host_19' AND time >= " + ts("2024-03-01 00:59:00") +
  " AND time < " + ts("2024-03-01 02:01:00") + " ORDER BY usage_guest DESC NULLS LAST, time LIMIT 20")

# ------------------------------------------------------------ DISTINCT
q("distinct", "SELECT DISTINCT hostname FROM cpu ORDER BY hostname")
q("distinct", "SELECT DISTINCT region, datacenter FROM cpu ORDER BY 1, 2")
q("distinct", "SELECT DISTINCT status FROM readings")
q("distinct", "SELECT DISTINCT site, kind FROM readings")
q("distinct", "SELECT DISTINCT active FROM readings")
q("distinct", f"SELECT DISTINCT {sbin('1h')} AS t FROM cpu ORDER BY t", f"SELECT DISTINCT {pbin('1h')} AS t FROM cpu ORDER BY t")
q("distinct", "SELECT DISTINCT rssi / 10 AS r FROM readings ORDER BY r")
q("distinct", "SELECT DISTINCT note FROM readings")
q("distinct", "SELECT DISTINCT rack, os FROM cpu WHERE region = 'us-west-1'")
q("distinct", "SELECT count(*) AS n FROM (SELECT DISTINCT hostname, rack FROM cpu) AS t")
q("distinct", "SELECT DISTINCT battery FROM readings WHERE device_id = 'dev_03'")

# ------------------------------------------------------------ bin() and date_trunc buckets
for d in ("5m", "30m", "1h", "7m", "90s", "1d"):
    q("bucket", f"SELECT {sbin(d)} AS t, avg(usage_user) AS a, count(*) AS n FROM cpu WHERE hostname = 'host_0' GROUP BY 1 ORDER BY 1",
      f"SELECT {pbin(d)} AS t, avg(usage_user) AS a, count(*) AS n FROM cpu WHERE hostname = 'host_0' GROUP BY 1 ORDER BY 1")
q("bucket", f"SELECT hostname, {sbin('1h')} AS t, max(usage_user) AS m FROM cpu GROUP BY 1, 2 ORDER BY 1, 2",
  f"SELECT hostname, {pbin('1h')} AS t, max(usage_user) AS m FROM cpu GROUP BY 1, 2 ORDER BY 1, 2")
q("bucket", f"SELECT {sbin('30s')} AS t, count(*) AS n FROM readings WHERE device_id = 'dev_04' AND time < {T1} GROUP BY 1 ORDER BY 1",
  f"SELECT {pbin('30s')} AS t, count(*) AS n FROM readings WHERE device_id = 'dev_04' AND time < {T1} GROUP BY 1 ORDER BY 1")
q("bucket", f"SELECT {sbin('10m')} AS t, max(temp) AS m, min(temp) AS mn FROM readings WHERE device_id = 'dev_01' GROUP BY 1 ORDER BY 1",
  f"SELECT {pbin('10m')} AS t, max(temp) AS m, min(temp) AS mn FROM readings WHERE device_id = 'dev_01' GROUP BY 1 ORDER BY 1")
q("bucket", "SELECT date_trunc('hour', time) AS t, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1")
q("bucket", f"SELECT date_trunc('minute', time) AS t, count(*) AS n FROM readings WHERE device_id = 'dev_02' AND time < {ts('2024-03-01 00:30:00')} GROUP BY 1 ORDER BY 1")
q("bucket", "SELECT date_trunc('day', time) AS t, count(*) AS n FROM readings GROUP BY 1")
q("bucket", "SELECT date_trunc('second', time) AS t FROM readings WHERE device_id = 'dev_05' ORDER BY time LIMIT 10")
q("bucket", "SELECT date_trunc('month', time) AS t, count(*) AS n FROM cpu GROUP BY 1")
q("bucket", f"SELECT {sbin('1h')} AS t, count(DISTINCT hostname) AS h FROM cpu GROUP BY 1 ORDER BY 1",
  f"SELECT {pbin('1h')} AS t, count(DISTINCT hostname) AS h FROM cpu GROUP BY 1 ORDER BY 1")
q("bucket", f"SELECT {sbin('15m')} AS t, region, avg(usage_system) AS a FROM cpu GROUP BY 1, 2 ORDER BY 1, 2",
  f"SELECT {pbin('15m')} AS t, region, avg(usage_system) AS a FROM cpu GROUP BY 1, 2 ORDER BY 1, 2")
q("bucket", f"SELECT count(*) AS n FROM cpu WHERE {sbin('1h')} = {T1}", f"SELECT count(*) AS n FROM cpu WHERE {pbin('1h')} = {T1}")
q("bucket", f"SELECT site, {sbin('1h')} AS t, count_if(status = 'error') AS e FROM readings GROUP BY 1, 2 ORDER BY 1, 2",
  f"SELECT site, {pbin('1h')} AS t, count(*) FILTER (WHERE status = 'error') AS e FROM readings GROUP BY 1, 2 ORDER BY 1, 2")
q("bucket", f"SELECT {sbin('5m')} AS t, sum(battery) AS b FROM readings WHERE device_id = 'dev_03' GROUP BY 1 ORDER BY 1",
  f"SELECT {pbin('5m')} AS t, sum(battery) AS b FROM readings WHERE device_id = 'dev_03' GROUP BY 1 ORDER BY 1")
q("bucket", f"SELECT {sbin('1m')} AS t, max(usage_user) AS m FROM cpu WHERE hostname IN ('host_1', 'host_2') AND time < {ts('2024-03-01 00:20:00')} GROUP BY 1 ORDER BY 1",
  f"SELECT {pbin('1m')} AS t, max(usage_user) AS m FROM cpu WHERE hostname IN ('host_1', 'host_2') AND time < {ts('2024-03-01 00:20:00')} GROUP BY 1 ORDER BY 1")
q("bucket", f"SELECT {sbin('1h')} + 30m AS mid, count(*) AS n FROM up GROUP BY 1 ORDER BY 1",
  f"SELECT {pbin('1h')} + interval '30 minutes' AS mid, count(*) AS n FROM up GROUP BY 1 ORDER BY 1")
q("bucket", "SELECT date_trunc('hour', time) AS h, hostname, avg(usage_idle) AS a FROM cpu WHERE region = 'eu-west-1' GROUP BY 1, 2 ORDER BY 1, 2")

# ------------------------------------------------------------ time functions
D7 = "FROM readings WHERE device_id = 'dev_07' ORDER BY time LIMIT 25"
for s, p in [
        ("hour(time)", "CAST(extract(hour FROM time) AS bigint)"),
        ("minute(time)", "CAST(extract(minute FROM time) AS bigint)"),
        ("second(time)", "CAST(floor(extract(second FROM time)) AS bigint)"),
        ("millisecond(time)", "CAST(floor(extract(milliseconds FROM time)) AS bigint) % 1000"),
        ("day(time)", "CAST(extract(day FROM time) AS bigint)"),
        ("day_of_month(time)", "CAST(extract(day FROM time) AS bigint)"),
        ("month(time)", "CAST(extract(month FROM time) AS bigint)"),
        ("year(time)", "CAST(extract(year FROM time) AS bigint)"),
        ("quarter(time)", "CAST(extract(quarter FROM time) AS bigint)"),
        ("day_of_week(time)", "CAST(extract(isodow FROM time) AS bigint)"),
        ("day_of_year(time)", "CAST(extract(doy FROM time) AS bigint)"),
        ("week(time)", "CAST(extract(week FROM time) AS bigint)"),
        ("extract(minute FROM time)", "CAST(extract(minute FROM time) AS bigint)"),
        ("extract(hour FROM time)", "CAST(extract(hour FROM time) AS bigint)"),
        ("to_unixtime(time)", "CAST(extract(epoch FROM time) AS double precision)"),
        ("to_milliseconds(time)", "CAST(floor(extract(epoch FROM time) * 1000) AS bigint)"),
        ("to_nanoseconds(time)", "CAST(extract(epoch FROM time) * 1000000000 AS bigint)"),
        ("date_add('minute', 90, time)", "time + interval '90 minutes'"),
        ("date_add('hour', -1, time)", "time - interval '1 hour'"),
        ("date_add('day', 1, time)", "time + interval '1 day'"),
        ("date_add('second', 30, time)", "time + interval '30 seconds'"),
        ("date_add('millisecond', 1500, time)", "time + interval '1500 milliseconds'"),
        (f"date_diff('second', {T0}, time)", f"CAST(trunc(extract(epoch FROM time - {T0})) AS bigint)"),
        (f"date_diff('millisecond', {T0}, time)", f"CAST(trunc(extract(epoch FROM time - {T0}) * 1000) AS bigint)"),
        (f"date_diff('minute', time, {T3})", f"CAST(trunc(extract(epoch FROM {T3} - time) / 60) AS bigint)"),
        (f"date_diff('hour', {T0}, time)", f"CAST(trunc(extract(epoch FROM time - {T0}) / 3600) AS bigint)"),
        ("time + 1h", "time + interval '1 hour'"),
        ("time - 10m", "time - interval '10 minutes'"),
        ("time + INTERVAL '2' DAY", "time + interval '2 days'"),
        ("time + 1d", "time + interval '1 day'"),
        ("time - 500ms", "time - interval '500 milliseconds'"),
        ("date_format(time, '%Y-%m-%d %H:%i:%s')", "to_char(time, 'YYYY-MM-DD HH24:MI:SS')"),
        ("date_format(time, '%H')", "to_char(time, 'HH24')"),
        ("CAST(time AS date)", "CAST(time AS date)"),
        ("date_trunc('minute', time)", None),
        (f"to_milliseconds(time) - to_milliseconds({T0})", "CAST(floor(extract(epoch FROM time) * 1000) AS bigint) - 1709251200000"),
]:
    q("time-fn", f"SELECT time, {s} AS v {D7}", f"SELECT time, {p or s} AS v {D7}")
q("time-fn", "SELECT from_milliseconds(1709254800000) AS t", "SELECT TIMESTAMP '1970-01-01' + 1709254800000 * interval '1 millisecond' AS t")
q("time-fn", "SELECT from_unixtime(1709254800) AS t", "SELECT to_timestamp(1709254800) AT TIME ZONE 'UTC' AS t")
q("time-fn", "SELECT from_nanoseconds(1709254800123456000) AS t", "SELECT TIMESTAMP '2024-03-01 01:00:00.123456' AS t")
q("time-fn", "SELECT from_iso8601_timestamp('2024-03-01T01:02:03.5Z') = TIMESTAMP '2024-03-01 01:02:03.5' AS e", "SELECT true AS e")
q("time-fn", f"SELECT {T1} + 1h AS a, {T1} - INTERVAL '30' MINUTE AS b", f"SELECT {T1} + interval '1 hour' AS a, {T1} - interval '30 minutes' AS b")
q("time-fn", "SELECT device_id, date_diff('second', min(time), max(time)) AS span FROM readings GROUP BY device_id ORDER BY device_id",
  "SELECT device_id, CAST(trunc(extract(epoch FROM max(time) - min(time))) AS bigint) AS span FROM readings GROUP BY device_id ORDER BY device_id")
q("time-fn", "SELECT hour(time) AS h, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1",
  "SELECT CAST(extract(hour FROM time) AS bigint) AS h, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1")
q("time-fn", "SELECT minute(time) AS m, avg(usage_user) AS a FROM cpu WHERE hostname = 'host_1' GROUP BY 1 ORDER BY 1",
  "SELECT CAST(extract(minute FROM time) AS bigint) AS m, avg(usage_user) AS a FROM cpu WHERE hostname = 'host_1' GROUP BY 1 ORDER BY 1")
q("time-fn", "SELECT count(*) AS n FROM readings WHERE second(time) < 10",
  "SELECT count(*) AS n FROM readings WHERE floor(extract(second FROM time)) < 10")
q("time-fn", "SELECT max(time) - min(time) < 3h AS x FROM cpu", "SELECT max(time) - min(time) < interval '3 hours' AS x FROM cpu")
q("time-fn", "SELECT to_milliseconds(max(time) - min(time)) AS ms FROM cpu",
  "SELECT CAST(extract(epoch FROM max(time) - min(time)) * 1000 AS bigint) AS ms FROM cpu")

# ------------------------------------------------------------ string functions
D9 = "FROM readings WHERE device_id IN ('dev_09', 'dev_25', 'dev_28') AND time < TIMESTAMP '2024-03-01 00:10:00' ORDER BY device_id, time"
for s, p in [
        ("upper(status)", None), ("lower(upper(device_id))", None), ("length(device_id)", None),
        ("length(site)", None), ("substr(device_id, 5)", None), ("substr(device_id, 1, 3)", None),
        ("substring(device_id, 2, 2)", "substr(device_id, 2, 2)"),
        ("strpos(device_id, '_')", None), ("replace(device_id, 'dev', 'd')", None),
        ("replace(status, 'o')", "replace(status, 'o', '')"),
        ("concat(device_id, '-', status)", "device_id || '-' || status"),
        ("device_id || ':' || site", None), ("lpad(CAST(seq AS varchar), 6, '0')", None), ("rpad(status, 6, '.')", None),
        ("reverse(device_id)", None), ("split_part(site, ' ', 1)", None),
        # Trino: NULL past the last field (PostgreSQL: '')
        ("split_part(site, ' ', 2)", "CASE WHEN cardinality(string_to_array(site, ' ')) >= 2 THEN split_part(site, ' ', 2) END"),
        ("starts_with(device_id, 'dev_2')", None),
        ("regexp_extract(device_id, '[0-9]+')", "substring(device_id from '[0-9]+')"),
        ("regexp_replace(device_id, '[0-9]', '#')", "regexp_replace(device_id, '[0-9]', '#', 'g')"),
        ("regexp_replace(device_id, '(\\w+)_(\\d+)', '$2-$1')", "regexp_replace(device_id, '(\\w+)_(\\d+)', '\\2-\\1', 'g')"),
        ("regexp_like(status, '^(ok|warn)$')", "status ~ '^(ok|warn)$'"),
        ("position('_' IN device_id)", None), ("trim('  ' || status || '  ')", None),
        ("ltrim('  ' || status)", None), ("rtrim(status || '  ')", None),
        ("upper(substr(kind, 1, 1)) || substr(kind, 2)", None),
        ("lower(site) = site", None), ("length(concat(device_id, kind))", "length(device_id || kind)"),
        ("status LIKE '%o%'", None),
]:
    q("string", f"SELECT device_id, time, {s} AS v {D9}", f"SELECT device_id, time, {p or s} AS v {D9}")
q("string", "SELECT chr(65) AS a, codepoint('A') AS b, length('') AS c, upper('abc') AS d, lower('AbC') AS e, length('héllo') AS f",
  "SELECT chr(65) AS a, ascii('A') AS b, length('') AS c, upper('abc') AS d, lower('AbC') AS e, length('héllo') AS f")
q("string", "SELECT note, count(*) AS n FROM readings GROUP BY note ORDER BY note")
q("string", "SELECT device_id, length(note) AS l FROM readings WHERE note IS NOT NULL ORDER BY device_id, time")
q("string", "SELECT site, max(length(status)) AS m FROM readings GROUP BY site ORDER BY site")
q("string", "SELECT count(*) AS n FROM readings WHERE upper(status) = 'OK'")
q("string", "SELECT count(*) AS n FROM readings WHERE strpos(note, ',') > 0")
q("string", "SELECT 'it''s' AS a, 'x' || 'y' AS b, 'a' < 'b' AS c, 'B' < 'a' AS d")

# ------------------------------------------------------------ UNION / INTERSECT / EXCEPT
q("setop", "SELECT hostname FROM cpu WHERE region = 'us-east-1' UNION SELECT hostname FROM cpu WHERE os = 'Ubuntu16.10'")
q("setop", "SELECT hostname FROM cpu WHERE region = 'us-east-1' UNION SELECT hostname FROM cpu WHERE os = 'Ubuntu16.10' ORDER BY 1")
q("setop", "SELECT hostname FROM cpu WHERE region = 'us-east-1' INTERSECT SELECT hostname FROM cpu WHERE os = 'Ubuntu16.10'")
q("setop", "SELECT hostname FROM cpu WHERE region = 'us-east-1' EXCEPT SELECT hostname FROM cpu WHERE os = 'Ubuntu16.10'")
q("setop", "SELECT 'cpu' AS t, count(*) AS n FROM cpu UNION ALL SELECT 'readings', count(*) FROM readings UNION ALL SELECT 'up', count(*) FROM up")
q("setop", "SELECT device_id FROM readings WHERE site IS NULL UNION SELECT device_id FROM readings WHERE kind IS NULL")
q("setop", "SELECT status FROM readings EXCEPT SELECT status FROM readings WHERE device_id = 'dev_00'")
q("setop", "SELECT site FROM readings INTERSECT SELECT site FROM readings WHERE device_id > 'dev_20'")
q("setop", "(SELECT hostname FROM cpu WHERE rack = '1' UNION SELECT hostname FROM cpu WHERE rack = '2') EXCEPT SELECT hostname FROM cpu WHERE region = 'eu-west-1'")
q("setop", "SELECT rack AS r FROM cpu UNION ALL SELECT rack FROM cpu WHERE hostname = 'host_0' AND time < TIMESTAMP '2024-03-01 00:00:30'")
q("setop", "SELECT max(usage_user) AS m FROM cpu WHERE region = 'us-east-1' UNION SELECT max(usage_user) FROM cpu WHERE region = 'us-west-1'")
q("setop", "SELECT active FROM readings UNION SELECT NULL")
q("setop", "SELECT device_id, site FROM readings WHERE device_id IN ('dev_25', 'dev_26') UNION SELECT device_id, site FROM readings WHERE device_id = 'dev_26'")

# ------------------------------------------------------------ subqueries
q("subquery", "SELECT avg(m) AS a FROM (SELECT hostname, max(usage_user) AS m FROM cpu GROUP BY hostname) AS t")
q("subquery", "SELECT hostname, count(*) AS n FROM cpu WHERE hostname IN (SELECT hostname FROM cpu WHERE usage_user > 99) GROUP BY hostname ORDER BY 1")
q("subquery", "SELECT count(*) AS n FROM readings WHERE device_id NOT IN (SELECT device_id FROM readings WHERE site IS NULL)")
q("subquery", "SELECT count(*) AS n FROM readings WHERE site NOT IN (SELECT site FROM readings WHERE device_id IN ('dev_26', 'dev_01'))")
q("subquery", "SELECT count(*) AS n FROM readings WHERE site IN (SELECT site FROM readings WHERE device_id IN ('dev_26', 'dev_01'))")
q("subquery", "SELECT DISTINCT r.device_id FROM readings AS r WHERE EXISTS (SELECT 1 FROM readings AS x WHERE x.device_id = r.device_id "
  "AND x.status = 'error' AND x.temp > 25) ORDER BY 1")
q("subquery", "SELECT DISTINCT r.device_id FROM readings AS r WHERE NOT EXISTS (SELECT 1 FROM readings AS x WHERE x.device_id = r.device_id "
  "AND x.temp > 22) ORDER BY 1")
q("subquery", "SELECT hostname, max(usage_user) - (SELECT avg(usage_user) FROM cpu) AS d FROM cpu GROUP BY hostname ORDER BY hostname")
q("subquery", "SELECT count(*) AS n FROM cpu WHERE usage_user > (SELECT avg(usage_user) + 2 * stddev(usage_user) FROM cpu)")
q("subquery", "SELECT d.device_id, (SELECT max(x.temp) FROM readings AS x WHERE x.device_id = d.device_id) AS m "
  "FROM (SELECT DISTINCT device_id FROM readings) AS d ORDER BY d.device_id")
q("subquery", "SELECT avg(u) AS a FROM (SELECT usage_user AS u FROM cpu WHERE hostname = 'host_1' ORDER BY time DESC LIMIT 10) AS t")
q("subquery", "SELECT count(*) AS n FROM cpu WHERE hostname = 'host_2' AND usage_user > ALL (SELECT usage_user FROM cpu WHERE hostname = 'host_3' AND time < TIMESTAMP '2024-03-01 00:01:00')")
q("subquery", "SELECT count(*) AS n FROM cpu WHERE hostname = 'host_2' AND usage_user < ANY (SELECT usage_user FROM cpu WHERE hostname = 'host_3' AND time < TIMESTAMP '2024-03-01 00:01:00')")
q("subquery", "SELECT t.hostname, t.n FROM (SELECT hostname, count(*) AS n FROM cpu WHERE usage_user > 80 GROUP BY hostname) AS t WHERE t.n > 100 ORDER BY t.hostname")
q("subquery", "SELECT (SELECT count(*) FROM cpu) AS c, (SELECT count(*) FROM readings) AS r, (SELECT max(time) FROM up) AS m")
q("subquery", "SELECT hostname, time, usage_user FROM cpu WHERE (hostname, time) IN (SELECT hostname, max(time) FROM cpu GROUP BY hostname) ORDER BY hostname")
q("subquery", "SELECT x.s, x.n FROM (SELECT site AS s, count(*) AS n FROM readings GROUP BY site) AS x WHERE x.s IS NULL")
q("subquery", "SELECT count(*) AS n FROM (SELECT * FROM readings WHERE temp IS NULL) AS t WHERE t.battery IS NULL")
q("subquery", "SELECT max(a) AS m FROM (SELECT avg(temp) AS a FROM readings GROUP BY device_id) AS t")

# ------------------------------------------------------------ WITH
q("with", "WITH h AS (SELECT hostname, avg(usage_user) AS a FROM cpu GROUP BY hostname) SELECT count(*) AS n FROM h WHERE a > 50")
q("with", "WITH c AS (SELECT hostname, region FROM cpu WHERE time = TIMESTAMP '2024-03-01 00:00:00'), "
  "r AS (SELECT region, count(*) AS n FROM c GROUP BY region) SELECT c.hostname, r.n FROM c JOIN r ON c.region = r.region ORDER BY c.hostname")
q("with", "WITH m AS (SELECT device_id, max(temp) AS mx FROM readings GROUP BY device_id) "
  "SELECT a.device_id, a.mx FROM m AS a WHERE a.mx = (SELECT max(mx) FROM m)")
q("with", f"WITH b AS (SELECT {sbin('10m')} AS t, avg(usage_user) AS a FROM cpu GROUP BY 1) SELECT t, a FROM b WHERE a > (SELECT avg(a) FROM b) ORDER BY t",
  f"WITH b AS (SELECT {pbin('10m')} AS t, avg(usage_user) AS a FROM cpu GROUP BY 1) SELECT t, a FROM b WHERE a > (SELECT avg(a) FROM b) ORDER BY t")
q("with", "WITH last AS (SELECT hostname, max(time) AS t FROM cpu GROUP BY hostname) "
  "SELECT c.hostname, c.usage_user FROM cpu AS c JOIN last AS l ON c.hostname = l.hostname AND c.time = l.t ORDER BY c.hostname")
q("with", "WITH e AS (SELECT device_id, count(*) AS n FROM readings WHERE status = 'error' GROUP BY device_id), "
  "w AS (SELECT device_id, count(*) AS n FROM readings WHERE status = 'warn' GROUP BY device_id) "
  "SELECT e.device_id, e.n AS errors, w.n AS warns FROM e JOIN w ON e.device_id = w.device_id WHERE e.n > w.n ORDER BY e.device_id")
q("with", "WITH x AS (SELECT 1 AS a UNION ALL SELECT 2) SELECT sum(a) AS s FROM x")

# ------------------------------------------------------------ JOINs
q("join", "SELECT a.time, a.usage_user AS u0, b.usage_user AS u1 FROM cpu AS a JOIN cpu AS b ON a.time = b.time "
  "WHERE a.hostname = 'host_0' AND b.hostname = 'host_1' AND a.time < TIMESTAMP '2024-03-01 00:10:00' ORDER BY a.time")
q("join", f"WITH c AS (SELECT {sbin('10m')} AS t, avg(usage_user) AS u FROM cpu GROUP BY 1), "
  f"r AS (SELECT {sbin('10m')} AS t, avg(temp) AS tt FROM readings GROUP BY 1) SELECT c.t, c.u, r.tt FROM c JOIN r ON c.t = r.t ORDER BY c.t",
  f"WITH c AS (SELECT {pbin('10m')} AS t, avg(usage_user) AS u FROM cpu GROUP BY 1), "
  f"r AS (SELECT {pbin('10m')} AS t, avg(temp) AS tt FROM readings GROUP BY 1) SELECT c.t, c.u, r.tt FROM c JOIN r ON c.t = r.t ORDER BY c.t")
q("join", "SELECT d.device_id, s.n FROM (SELECT DISTINCT device_id, site FROM readings) AS d LEFT JOIN "
  "(SELECT site, count(*) AS n FROM readings WHERE status = 'error' GROUP BY site) AS s ON d.site = s.site ORDER BY d.device_id")
q("join", "SELECT s.site, d.device_id FROM (SELECT DISTINCT device_id, site FROM readings WHERE device_id < 'dev_05') AS d RIGHT JOIN "
  "(SELECT DISTINCT site FROM readings) AS s ON d.site = s.site ORDER BY s.site, d.device_id")
q("join", "SELECT a.k AS ak, b.k AS bk FROM (SELECT DISTINCT kind AS k FROM readings) AS a FULL OUTER JOIN "
  "(SELECT DISTINCT status AS k FROM readings) AS b ON a.k = b.k")
q("join", "SELECT a.region, b.os FROM (SELECT DISTINCT region FROM cpu) AS a CROSS JOIN (SELECT DISTINCT os FROM cpu) AS b ORDER BY 1, 2")
q("join", "SELECT hostname, a.n, b.m FROM (SELECT hostname, count(*) AS n FROM cpu GROUP BY hostname) AS a "
  "JOIN (SELECT hostname, max(usage_user) AS m FROM cpu GROUP BY hostname) AS b USING (hostname) ORDER BY hostname")
q("join", "SELECT count(*) AS n FROM cpu AS c JOIN up AS u ON c.time = u.time WHERE c.hostname = 'host_0' AND u.job = 'node' AND u.instance = 'i1'")
q("join", "SELECT a.hostname, b.hostname AS other FROM (SELECT DISTINCT hostname, rack FROM cpu) AS a, (SELECT DISTINCT hostname, rack FROM cpu) AS b "
  "WHERE a.rack = b.rack AND a.hostname < b.hostname ORDER BY 1, 2")
q("join", "SELECT r.device_id, r.time, r.temp, c.usage_user FROM readings AS r JOIN cpu AS c ON c.time = date_trunc('minute', r.time) "
  "WHERE r.device_id = 'dev_00' AND c.hostname = 'host_0' AND r.time < TIMESTAMP '2024-03-01 00:30:00' ORDER BY r.time")
q("join", f"SELECT w.t0, count(r.seq) AS n FROM (SELECT DISTINCT {sbin('1h')} AS t0 FROM cpu) AS w LEFT JOIN readings AS r "
  "ON r.time >= w.t0 AND r.time < w.t0 + 1h AND r.device_id = 'dev_01' GROUP BY w.t0 ORDER BY w.t0",
  f"SELECT w.t0, count(r.seq) AS n FROM (SELECT DISTINCT {pbin('1h')} AS t0 FROM cpu) AS w LEFT JOIN readings AS r "
  "ON r.time >= w.t0 AND r.time < w.t0 + interval '1 hour' AND r.device_id = 'dev_01' GROUP BY w.t0 ORDER BY w.t0")
q("join", "SELECT a.device_id, a.time, a.seq, b.seq AS next_seq FROM readings AS a LEFT JOIN readings AS b "
  "ON b.device_id = a.device_id AND b.seq = a.seq + 30 WHERE a.device_id = 'dev_00' ORDER BY a.time DESC LIMIT 5",
  "SELECT a.device_id, a.time, a.seq, b.seq AS next_seq FROM readings AS a LEFT JOIN readings AS b "
  "ON b.device_id = a.device_id AND b.seq = a.seq + 30 WHERE a.device_id = 'dev_00' ORDER BY a.time DESC NULLS LAST LIMIT 5")
q("join", "SELECT u.job, u.instance, avg(u.value) AS a FROM up AS u JOIN (SELECT DISTINCT job FROM up WHERE instance = 'i2') AS j "
  "ON u.job = j.job GROUP BY u.job, u.instance ORDER BY 1, 2")

# ------------------------------------------------------------ window functions
EARLY = "time < TIMESTAMP '2024-03-01 00:02:00'"
q("window", f"SELECT hostname, time, row_number() OVER (PARTITION BY hostname ORDER BY time) AS rn FROM cpu WHERE {EARLY} ORDER BY hostname, time")
q("window", "SELECT region, hostname, m, rank() OVER (PARTITION BY region ORDER BY m DESC) AS rk FROM "
  "(SELECT region, hostname, max(usage_user) AS m FROM cpu GROUP BY region, hostname) AS t ORDER BY region, rk, hostname")
q("window", "SELECT status, n, dense_rank() OVER (ORDER BY n DESC) AS dr, rank() OVER (ORDER BY n) AS r FROM "
  "(SELECT status, count(*) / 100 AS n FROM readings GROUP BY status) AS t ORDER BY status",
  "SELECT status, n, dense_rank() OVER (ORDER BY n DESC) AS dr, rank() OVER (ORDER BY n) AS r FROM "
  "(SELECT status, count(*) / 100 AS n FROM readings GROUP BY status) AS t ORDER BY status NULLS LAST")
q("window", f"SELECT hostname, time, usage_user, lag(usage_user) OVER (PARTITION BY hostname ORDER BY time) AS prev, "
  f"usage_user - lag(usage_user) OVER (PARTITION BY hostname ORDER BY time) AS delta FROM cpu WHERE {EARLY} ORDER BY hostname, time")
q("window", "SELECT time, temp, lead(temp, 2) OVER (ORDER BY time) AS l2 FROM readings WHERE device_id = 'dev_05' ORDER BY time")
q("window", "SELECT time, battery, lag(battery, 1, -1) OVER (ORDER BY time) AS pb FROM readings WHERE device_id = 'dev_03' ORDER BY time")
q("window", f"SELECT hostname, time, sum(usage_user) OVER (PARTITION BY hostname ORDER BY time ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s3 "
  f"FROM cpu WHERE {EARLY} ORDER BY hostname, time")
q("window", "SELECT time, avg(usage_user) OVER (ORDER BY time ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING) AS a FROM cpu WHERE hostname = 'host_3' ORDER BY time")
q("window", "SELECT device_id, time, sum(seq) OVER (PARTITION BY device_id ORDER BY time ROWS UNBOUNDED PRECEDING) AS s FROM readings "
  "WHERE device_id IN ('dev_01', 'dev_02') ORDER BY device_id, time")
q("window", "SELECT device_id, time, count(*) OVER (PARTITION BY device_id) AS n FROM readings WHERE time < TIMESTAMP '2024-03-01 00:01:00' ORDER BY device_id, time")
q("window", "SELECT time, temp, first_value(temp) OVER (ORDER BY time) AS f FROM readings WHERE device_id = 'dev_06' ORDER BY time")
q("window", "SELECT time, temp, last_value(temp) OVER (ORDER BY time ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS l "
  "FROM readings WHERE device_id = 'dev_06' ORDER BY time")
q("window", "SELECT device_id, site, time, max(temp) OVER (PARTITION BY site) AS m FROM readings WHERE time < TIMESTAMP '2024-03-01 00:01:00' "
  "ORDER BY device_id, time")
q("window", f"SELECT t, n, sum(n) OVER (ORDER BY b) AS run FROM (SELECT {sbin('10m')} AS t, {sbin('1h')} AS b, count(*) AS n FROM readings GROUP BY 1, 2) AS x ORDER BY t",
  f"SELECT t, n, sum(n) OVER (ORDER BY b) AS run FROM (SELECT {pbin('10m')} AS t, {pbin('1h')} AS b, count(*) AS n FROM readings GROUP BY 1, 2) AS x ORDER BY t")
q("window", f"SELECT t, a, a - lag(a) OVER (ORDER BY t) AS d FROM (SELECT {sbin('10m')} AS t, avg(usage_user) AS a FROM cpu GROUP BY 1) AS x ORDER BY t",
  f"SELECT t, a, a - lag(a) OVER (ORDER BY t) AS d FROM (SELECT {pbin('10m')} AS t, avg(usage_user) AS a FROM cpu GROUP BY 1) AS x ORDER BY t")
q("window", "SELECT hostname, m, rank() OVER (ORDER BY m) AS r, dense_rank() OVER (ORDER BY m DESC) AS d, count(*) OVER () AS n "
  "FROM (SELECT hostname, avg(usage_user) AS m FROM cpu GROUP BY hostname) AS t ORDER BY hostname")
NTILE = ("SELECT hostname, m, ntile(4) OVER (ORDER BY m) AS q4, percent_rank() OVER (ORDER BY m) AS pr, cume_dist() OVER (ORDER BY m) AS cd "
         "FROM (SELECT hostname, avg(usage_user) AS m FROM cpu GROUP BY hostname) AS t ORDER BY hostname")
q("window", NTILE)
q("window", "SELECT hostname, time, usage_user FROM (SELECT hostname, time, usage_user, row_number() OVER (PARTITION BY hostname ORDER BY time DESC) AS rn "
  "FROM cpu) AS t WHERE rn = 1 ORDER BY hostname")
q("window", "SELECT device_id, time, temp, avg(temp) OVER (PARTITION BY device_id ORDER BY time ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS a "
  "FROM readings WHERE device_id = 'dev_08' ORDER BY time LIMIT 50")
q("window", "SELECT device_id, time, min(rssi) OVER (PARTITION BY device_id ORDER BY time ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING) AS m "
  "FROM readings WHERE device_id = 'dev_09' ORDER BY time LIMIT 50")
q("window", "SELECT hostname, avg(usage_user) AS a, rank() OVER (ORDER BY avg(usage_user) DESC) AS r FROM cpu GROUP BY hostname ORDER BY r, hostname")
q("window", "SELECT device_id, time, row_number() OVER (PARTITION BY device_id ORDER BY temp DESC, time) AS rn FROM readings "
  "WHERE device_id = 'dev_10' AND time < TIMESTAMP '2024-03-01 00:20:00' ORDER BY time",
  "SELECT device_id, time, row_number() OVER (PARTITION BY device_id ORDER BY temp DESC NULLS LAST, time) AS rn FROM readings "
  "WHERE device_id = 'dev_10' AND time < TIMESTAMP '2024-03-01 00:20:00' ORDER BY time")
q("window", "SELECT time, status, count(status) OVER (ORDER BY time ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS c "
  "FROM readings WHERE device_id = 'dev_11' ORDER BY time LIMIT 40")

# ------------------------------------------------------------ the remote_write shape (table up, column value)
q("up", "SELECT job, instance, count(*) AS n, sum(value) AS s FROM up GROUP BY job, instance ORDER BY 1, 2")
q("up", "SELECT avg(value) AS a FROM up WHERE job = 'node'")
q("up", f"SELECT {sbin('5m')} AS t, avg(value) AS a FROM up GROUP BY 1 ORDER BY 1", f"SELECT {pbin('5m')} AS t, avg(value) AS a FROM up GROUP BY 1 ORDER BY 1")
q("up", "SELECT DISTINCT measure_name FROM up")
q("up", "SELECT job, instance, time FROM up WHERE value = 0 ORDER BY job, instance, time")
q("up", "SELECT * FROM up WHERE instance = 'i3' AND job = 'prom' ORDER BY time LIMIT 3")
q("up", "SELECT job, instance, max_by(value, time) AS last FROM up GROUP BY job, instance ORDER BY job, instance",
  "SELECT job, instance, (array_agg(value ORDER BY time DESC))[1] AS last FROM up GROUP BY job, instance ORDER BY job, instance")

# Strata's answers known to differ from the translation: {Strata query: reason}.
# Reported on every run (and when they match again); they do not fail.
KNOWN_DIFFERENCES = {
}

# Errors: (query, status, regex the "error" text must match).
ERRORS = [
    ("SELECT nosuch FROM cpu", 400, r"^line 1:8: Column 'nosuch' does not exist$"),
    ("SELECT hostname, usage_user FROM cpu WHERE nosuch > 1", 400, r"^line 1:44: Column 'nosuch' does not exist$"),
    ("SELECT count(*) FROM nosuch", 400, r"^line 1:22: Table '(.*\.)?nosuch' does not exist$"),
    ("SELECT nosuchfn(usage_user) FROM cpu", 400, r"^line 1:8: Function '?nosuchfn'? not registered"),
    ("SELECT FROM cpu WHERE", 400, r"^line 1:\d+: mismatched input"),
    ("SELECT hostname FROM cpu GROUP BY", 400, r"^line 1:\d+: "),
    ("SELECT hostname, count(*) FROM cpu", 400, r"^line 1:8: .*'hostname' must be an aggregate expression or appear in GROUP BY clause"),
    ("SELECT 1 / 0", 400, r"Division by zero"),
]


# ============================================================ PostgreSQL

class Postgres:
    def __init__(self):
        self.dir = None
        self.proc = None
        self.port = None
        self.conn = None

    def start(self):
        for b in ("initdb", "postgres"):
            if not os.access(os.path.join(PG_BIN, b), os.X_OK):
                raise RuntimeError(f"{PG_BIN}/{b} missing: install Debian's postgresql-15 (scripts/deps.sh)")
        if psycopg2 is None:
            raise RuntimeError("psycopg2 missing: install Debian's python3-psycopg2 (scripts/deps.sh)")
        self.dir = tempfile.mkdtemp(prefix="strata-pg-")
        prefix = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            import pwd
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no user 'postgres' to run PostgreSQL as")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            prefix = ["runuser", "-u", "postgres", "--"]
        data = os.path.join(self.dir, "data")
        r = subprocess.run(prefix + [os.path.join(PG_BIN, "initdb"), "-D", data, "-U", "strata", "--auth=trust",
                                     "-E", "UTF8", "--locale=C", "--no-sync"], capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("initdb failed: " + r.stdout[-1500:] + r.stderr[-1500:])
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "postgres.log"), "ab")
        self.proc = subprocess.Popen(prefix + [os.path.join(PG_BIN, "postgres"), "-D", data, "-p", str(self.port),
                                               "-k", self.dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                                               "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                                               "-c", "TimeZone=UTC", "-c", "shared_buffers=128MB"],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while True:
            try:
                self.conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="strata", dbname="postgres")
                break
            except psycopg2.OperationalError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("postgres did not start: " + self.tail())
                time.sleep(0.1)
        self.conn.autocommit = True
        with self.conn.cursor() as c:
            c.execute("SET TimeZone = 'UTC'")
            c.execute("SET statement_timeout = '60s'")
        return self

    def tail(self):
        try:
            with open(os.path.join(self.dir, "postgres.log"), "rb") as f:
                return f.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def load(self, sets, schema="public", reverse=False):
        with self.conn.cursor() as c:
            c.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            c.execute(f"SET search_path = {schema}")
            for stmt in sqlgen.pg_schema():
                c.execute(stmt)
            for table, rows, tags, fields in sets:
                rows = rows[::-1] if reverse else rows
                c.copy_expert(f"COPY {table} FROM STDIN", io.StringIO(sqlgen.pg_copy(table, rows, tags, fields)))
                c.execute(f"ANALYZE {table}")
            c.execute("SET search_path = public")

    def use(self, schema):
        with self.conn.cursor() as c:
            c.execute(f"SET search_path = {schema}")

    def query(self, sql):
        """(column names, column type oids, rows) or raises."""
        with self.conn.cursor() as c:
            c.execute(sql)
            cols = [d.name for d in c.description]
            types = [d.type_code for d in c.description]
            return cols, types, c.fetchall()

    def stop(self):
        if self.conn:
            self.conn.close()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)


# ============================================================ Strata

def strata_load(srv, sets):
    for table, rows, _tags, _fields in sets:
        if table == "up":
            body = sqlgen.vm_import("up", rows).encode()
            st, b, _ = srv.request("POST", f"/db/{DB}/api/v1/import", body)
            if st != 204:
                raise RuntimeError(f"import up: {st} {b[:300]}")
            continue
        lines = sqlgen.line_protocol(table, rows)
        for i in range(0, len(lines), 5000):
            body = ("\n".join(lines[i:i + 5000]) + "\n").encode()
            st, b, _ = srv.request("POST", f"/write?db={DB}&precision=ns", body)
            if st != 204:
                raise RuntimeError(f"write {table}: {st} {b[:300]}")


def sql_request(srv, sql, fmt="json", db=DB, method="GET", body=None, headers=None):
    params = {"q": sql, "format": fmt}
    if db is not None:
        params["db"] = db
    if method == "GET":
        return srv.request("GET", "/api/v3/query_sql?" + urllib.parse.urlencode(params), timeout=120)
    return srv.request("POST", "/api/v3/query_sql", body, headers or {}, timeout=120)


def strata_query(srv, sql):
    """(status, rows as lists of (key, value) pairs, or the error text)."""
    try:
        st, body, _ = sql_request(srv, sql)
    except Exception as e:  # a cut transfer, a closed connection
        return 0, f"request failed: {e!r}"
    text = body.decode("utf-8", "replace")
    if st != 200:
        try:
            return st, json.loads(text).get("error", text)
        except ValueError:
            return st, text[:500]
    try:
        return st, json.loads(text, object_pairs_hook=lambda pairs: pairs)
    except ValueError as e:
        return -1, f"not JSON ({e}): {text[:300]}"


# ============================================================ comparison

OID_BOOL, OID_DATE, OID_TS, OID_TSTZ, OID_INTERVAL = 16, 1082, 1114, 1184, 1186
EPOCH = datetime.datetime(1970, 1, 1)
RFC = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$")


def kind_of(oid):
    if oid == OID_BOOL:
        return "bool"
    if oid == OID_DATE:
        return "date"
    if oid in (OID_TS, OID_TSTZ):
        return "ts"
    if oid == OID_INTERVAL:
        return "interval"
    if oid in (20, 21, 23, 26, 700, 701, 1700):
        return "num"
    return "str"


class Bad:
    """A value of the wrong shape: never equal to anything."""
    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return f"<unexpected {self.v!r}>"


def canon_pg(kind, v):
    if v is None:
        return None
    if kind == "ts":
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        d = v - EPOCH
        return (d.days * 86400 + d.seconds) * 10**9 + d.microseconds * 1000
    if kind == "date":
        return v.isoformat()
    if kind == "interval":
        return (v.days * 86400 + v.seconds) * 10**9 + v.microseconds * 1000
    if kind == "num":
        if isinstance(v, decimal.Decimal):
            return int(v) if v == v.to_integral_value() and abs(v) < 2**63 else float(v)
        return v
    return v


def parse_rfc3339(s):
    m = RFC.match(s) if isinstance(s, str) else None
    if not m:
        return None
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    frac = int((m.group(7) or "0").ljust(9, "0"))
    days = (datetime.date(y, mo, d) - datetime.date(1970, 1, 1)).days
    return ((days * 24 + h) * 60 + mi) * 60 * 10**9 + se * 10**9 + frac


def parse_interval(s):
    m = re.match(r"^(-)?(\d+) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$", s) if isinstance(s, str) else None
    if not m:
        return None
    ns = ((int(m.group(2)) * 24 + int(m.group(3))) * 60 + int(m.group(4))) * 60 * 10**9 + int(m.group(5)) * 10**9 + \
        int((m.group(6) or "0").ljust(9, "0"))
    return -ns if m.group(1) else ns


def canon_strata(kind, v):
    if v is None:
        return None
    if kind == "ts":
        r = parse_rfc3339(v)
        return Bad(v) if r is None else r
    if kind == "interval":
        r = parse_interval(v)
        return Bad(v) if r is None else r
    if kind == "num":
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else Bad(v)
    if kind == "bool":
        return v if isinstance(v, bool) else Bad(v)
    return v if isinstance(v, str) else Bad(v)


def value_equal(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, Bad) or isinstance(b, Bad):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def in_range(v, lo, hi):
    if v is None:
        return lo is None and hi is None
    if isinstance(v, (Bad, bool)) or not isinstance(v, (int, float)) or lo is None or hi is None:
        return False
    return lo - 1e-9 * abs(lo) <= v <= hi + 1e-9 * abs(hi)


def columns_of(cols, types):
    """[(name, kind, (lo index, hi index) or index)] merging X__lo/X__hi."""
    out = []
    i = 0
    while i < len(cols):
        c = cols[i]
        if c.endswith("__lo") and i + 1 < len(cols) and cols[i + 1] == c[:-4] + "__hi":
            out.append((c[:-4], kind_of(types[i]), (i, i + 1)))
            i += 2
            continue
        out.append((c, kind_of(types[i]), i))
        i += 1
    return out


def sort_key(row):
    def one(v):
        if v is None:
            return (0, "")
        if isinstance(v, tuple):
            return (1, repr(v))
        if isinstance(v, bool):
            return (2, str(v))
        if isinstance(v, (int, float)):
            return (3, float(f"{float(v):.6g}"))
        return (4, str(v))
    return tuple(one(v) for v in row)


def has_top_order_by(sql):
    depth = 0
    flat = []
    for ch in sql:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            flat.append(ch)
    return re.search(r"\border\s+by\b", "".join(flat), re.I) is not None


def compare(sql, pg, strata_rows, select_star=False):
    """None when equal, else a description of the first difference."""
    cols, types, pg_rows = pg
    spec = columns_of(cols, types)
    names = [n for n, _, _ in spec]
    # Strata's keys: known names only, in the PostgreSQL column order
    # (SELECT *: in any order)
    s_rows = []
    for r in strata_rows:
        if not isinstance(r, list):
            return f"row is not a JSON object: {r!r}"
        keys = [k for k, _ in r]
        extra = [k for k in keys if k not in names]
        if extra:
            return f"unexpected column(s) {extra} (expected {names})"
        if len(set(keys)) != len(keys):
            return f"duplicate keys in {keys}"
        if not select_star:
            pos = [names.index(k) for k in keys]
            if pos != sorted(pos):
                return f"columns out of order: {keys} (expected the order of {names})"
        d = dict(r)
        s_rows.append(tuple(canon_strata(kind, d.get(n)) for n, kind, _ in spec))
    p_rows = []
    for r in pg_rows:
        row = []
        for _n, kind, idx in spec:
            if isinstance(idx, tuple):
                row.append((canon_pg(kind, r[idx[0]]), canon_pg(kind, r[idx[1]])))
            else:
                row.append(canon_pg(kind, r[idx]))
        p_rows.append(tuple(row))
    if len(s_rows) != len(p_rows):
        return f"{len(s_rows)} rows, PostgreSQL {len(p_rows)}"

    def row_equal(srow, prow):
        for sv, pv in zip(srow, prow):
            if isinstance(pv, tuple):
                if not in_range(sv, pv[0], pv[1]):
                    return False
            elif not value_equal(sv, pv):
                return False
        return True

    ordered = has_top_order_by(sql)
    if not ordered:
        s_rows.sort(key=sort_key)
        p_rows.sort(key=sort_key)
    for i, (a, b) in enumerate(zip(s_rows, p_rows)):
        if not row_equal(a, b):
            if not ordered and len(s_rows) <= 3000:
                # sorting by rounded values may pair rows differently: match greedily
                left = list(p_rows)
                for srow in s_rows:
                    for j, prow in enumerate(left):
                        if row_equal(srow, prow):
                            del left[j]
                            break
                    else:
                        return f"no PostgreSQL row equals Strata's {srow!r} (columns {names})"
                return None
            return f"row {i}: Strata {a!r}, PostgreSQL {b!r} (columns {names})"
    return None


def pg_as_strata(ans):
    """PostgreSQL's answer as Strata would write it in JSON (the comparator's
    own check): NULLs left out, timestamps RFC 3339, X__lo/X__hi as X."""
    cols, types, rows = ans
    spec = columns_of(cols, types)
    out = []
    for r in rows:
        obj = []
        for name, kind, idx in spec:
            v = r[idx[0] if isinstance(idx, tuple) else idx]
            if v is None:
                continue
            if kind == "ts":
                ns = canon_pg("ts", v)
                d = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=ns // 1000)
                v = d.strftime("%Y-%m-%dT%H:%M:%S") + f".{ns % 10**9:09d}Z"
            elif kind == "interval":
                ns = canon_pg("interval", v)
                a = abs(ns)
                v = ("-" if ns < 0 else "") + f"{a // 86400_000_000_000} {a // 3600_000_000_000 % 24:02d}:" \
                    f"{a // 60_000_000_000 % 60:02d}:{a // 10**9 % 60:02d}.{a % 10**9:09d}"
            else:
                v = canon_pg(kind, v)
            obj.append((name, v))
        out.append(obj)
    return out


def show_rows(rows, n=5):
    return repr(rows[:n])[:1200] + (f" ... ({len(rows)} rows)" if len(rows) > n else "")


# ============================================================ shape checks

def check_data(res, srv, sets):
    """Strata holds what was written, counted through InfluxQL (independent
    of the SQL executor): a failure here is the data's, not SQL's."""
    for table, rows, _tags, fields in sets:
        for f in fields:
            want = sum(1 for _t, _g, fs in rows if f in fs)
            st, body, _ = srv.request("GET", "/query?" + urllib.parse.urlencode(
                {"db": DB, "q": f'SELECT count("{f}") FROM "{table}"', "epoch": "ns"}))
            got = None
            try:
                got = json.loads(body)["results"][0]["series"][0]["values"][0][1]
            except (ValueError, KeyError, IndexError, TypeError):
                pass
            res.check(st == 200 and got == want, f"Strata holds {table}.{f}: {want} values", f"{st} {got} {body[:200]!r}")


def check_shapes(res, srv, pg):
    """The endpoint itself: formats, bodies, errors, SHOW/DESCRIBE."""
    base = "SELECT hostname, count(*) AS n, max(time) AS last FROM cpu WHERE region = 'us-west-1' GROUP BY hostname ORDER BY hostname"
    st, body, hdr = sql_request(srv, base)
    ok = st == 200
    res.check(ok, "format=json answers 200", f"{st} {body[:300]!r}")
    ref = json.loads(body) if ok else None
    if ok:
        res.check(len(ref) == 7 and all(r["n"] == 1080 for r in ref), "format=json rows", show_rows(ref))
    st, body, hdr = sql_request(srv, base, fmt="jsonl")
    res.check(st == 200 and ref is not None and [json.loads(x) for x in body.decode().splitlines()] == ref,
              "format=jsonl: one object a line, the same rows", f"{st} {body[:300]!r}")
    st, body, hdr = sql_request(srv, base, fmt="csv")
    lines = body.decode().splitlines()
    res.check(st == 200 and ref is not None and lines[0] == "hostname,n,last" and len(lines) == 8 and
              lines[1] == f"{ref[0]['hostname']},{ref[0]['n']},{ref[0]['last']}",
              "format=csv: a header line, then the rows", f"{st} {body[:300]!r}")
    st, body, hdr = sql_request(srv, base, fmt="pretty")
    text = body.decode()
    res.check(st == 200 and text.startswith("+") and "| hostname" in text and "host_1 " in text and
              len(text.splitlines()) == 7 + 4, "format=pretty: an ASCII table", f"{st} {text[:300]!r}")
    st, body, _ = sql_request(srv, base, fmt="xml")
    res.check(st == 400 and b"format" in body, "an unknown format is 400", f"{st} {body[:200]!r}")
    st, body, _ = sql_request(srv, None, method="POST", body=json.dumps({"db": DB, "q": base}).encode(),
                              headers={"Content-Type": "application/json"})
    res.check(st == 200 and ref is not None and json.loads(body) == ref, "a JSON POST body", f"{st} {body[:300]!r}")
    st, body, _ = sql_request(srv, None, method="POST", body=urllib.parse.urlencode({"db": DB, "q": base}).encode(),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    res.check(st == 200 and ref is not None and json.loads(body) == ref, "a form POST body", f"{st} {body[:300]!r}")
    st, body, _ = srv.request("GET", f"/api/v3/query_sql?db={DB}")
    res.check(st == 400 and b'"error"' in body, "a missing q is 400 with a JSON error", f"{st} {body[:200]!r}")
    st, body, _ = sql_request(srv, "SELECT 1 AS x", db="nosuchdb")
    res.check(st == 404 and b"nosuchdb" in body, "an unknown database is 404 naming it", f"{st} {body[:200]!r}")
    st, body, _ = sql_request(srv, f"SELECT count(*) AS n FROM {DB}.cpu", db=None)
    res.check(st == 200 and json.loads(body) == [{"n": 21600}], "no db, a qualified table", f"{st} {body[:200]!r}")
    st, body, _ = sql_request(srv, None, method="POST", db=None,
                              body=json.dumps({"db": DB, "q": "SELECT count(*) AS n FROM cpu WHERE hostname = ?",
                                               "params": ["host_0"]}).encode(),
                              headers={"Content-Type": "application/json"})
    res.check(st == 200 and json.loads(body) == [{"n": 1080}], "params bind ? placeholders", f"{st} {body[:200]!r}")
    # a large answer streams whole
    st, body, _ = sql_request(srv, "SELECT hostname, time, usage_user FROM cpu", fmt="jsonl")
    res.check(st == 200 and len(body.splitlines()) == 21600, "a 21,600-row answer streams whole (jsonl)",
              f"{st} {len(body.splitlines())} lines")
    # SHOW / DESCRIBE shapes (Timestream's)
    st, body, _ = sql_request(srv, "SHOW DATABASES")
    res.check(st == 200 and {"Database": DB} in json.loads(body), "SHOW DATABASES lists the database", f"{st} {body[:300]!r}")
    st, body, _ = sql_request(srv, "SHOW TABLES")
    res.check(st == 200 and sorted(r.get("Table") for r in json.loads(body)) == ["cpu", "readings", "up"],
              "SHOW TABLES: column Table, the three tables", f"{st} {body[:300]!r}")
    st, body, _ = sql_request(srv, f"SHOW TABLES FROM {DB} LIKE 'r%'")
    res.check(st == 200 and [r.get("Table") for r in json.loads(body)] == ["readings"], "SHOW TABLES FROM db LIKE",
              f"{st} {body[:300]!r}")
    st, body, _ = sql_request(srv, f"DESCRIBE {DB}.readings")
    want = {"device_id": "varchar", "site": "varchar", "kind": "varchar", "measure_name": "varchar", "time": "timestamp",
            "temp": "double", "seq": "bigint", "battery": "bigint", "rssi": "bigint", "status": "varchar", "note": "varchar",
            "active": "boolean"}
    got = {}
    if st == 200:
        for r in json.loads(body):
            got[r.get("Column")] = r.get("Type")
    res.check(st == 200 and got == want, "DESCRIBE: Column and Type of every column", f"{st} {got or body[:300]!r}")
    st, body, _ = sql_request(srv, f"SHOW MEASURES FROM {DB}.cpu")
    rows = json.loads(body) if st == 200 else []
    res.check(st == 200 and rows and all({"measure_name", "data_type"} <= set(r) and
                                         ("dimensions" in r or "Dimensions" in r) for r in rows),
              "SHOW MEASURES FROM db.t: measure_name, data_type, dimensions", f"{st} {body[:300]!r}")
    st, body, _ = sql_request(srv, "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + DB + "' ORDER BY 1")
    res.check(st == 200 and [r.get("table_name") for r in json.loads(body)] == ["cpu", "readings", "up"],
              "information_schema.tables", f"{st} {body[:300]!r}")
    # errors
    for sql, status, rx in ERRORS:
        st, body, _ = sql_request(srv, sql)
        try:
            msg = json.loads(body).get("error", "")
        except ValueError:
            msg = body[:200]
        res.check(st == status and isinstance(msg, str) and re.search(rx, msg) is not None,
                  f"error: {sql}", f"{st} {msg!r} (want {status}, /{rx}/)")
    st, body, _ = srv.request("GET", "/metrics")
    m = re.search(rb'strata_sql_queries_total\{result="bad_data"\} (\d+)', body)
    res.check(st == 200 and m is not None and int(m.group(1)) >= len(ERRORS) // 2,
              "/metrics counts the refused SQL queries", m.group(0) if m else body[:200])


def check_limits(res, data_dir):
    """A server with small SQL budgets over the same data: the errors before
    the first byte and the cut stream after it."""
    import http.client
    srv = Server("--retention", "0", "--sql-max-rows", "1000", "--sql-max-result-rows", "5000", data_dir=data_dir).start()
    try:
        st, body, _ = sql_request(srv, "SELECT hostname, time FROM cpu ORDER BY usage_user")
        res.check(st == 422 and b'"error"' in body, "a sort over --sql-max-rows is 422", f"{st} {body[:200]!r}")
        st, body, _ = sql_request(srv, "SELECT seq FROM readings LIMIT 5001")
        res.check(st == 422 and b'"error"' in body, "past --sql-max-result-rows in the first chunk: 422",
                  f"{st} {body[:200]!r}")
        st, body, _ = sql_request(srv, "SELECT seq FROM readings LIMIT 5000")
        res.check(st == 200 and len(json.loads(body)) == 5000, "--sql-max-result-rows rows exactly: 200", f"{st}")
        st, body, _ = sql_request(srv, "SELECT seq FROM readings", fmt="pretty")
        res.check(st == 422, "format=pretty over --sql-max-rows is 422", f"{st} {body[:200]!r}")
        # past the limit after the first 64 KB went out: a last error line, then the transfer is cut
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
        c.request("GET", "/api/v3/query_sql?" + urllib.parse.urlencode(
            {"db": DB, "q": "SELECT hostname, time, usage_user, usage_system FROM cpu", "format": "jsonl"}))
        r = c.getresponse()
        try:
            data, cut = r.read(), False
        except http.client.IncompleteRead as e:
            data, cut = e.partial, True
        c.close()
        lines = data.decode("utf-8", "replace").rstrip("\n").split("\n")
        res.check(r.status == 200 and cut and lines[-1].startswith('{"error":') and 1000 < len(lines) <= 5002,
                  "an error after the first rows: a last {\"error\"} line and a cut transfer",
                  f"{r.status} cut={cut} {len(lines)} lines, last {lines[-1][:200]!r}")
    finally:
        srv.stop()


# ============================================================ main

def corpus_hygiene(res):
    res.check(len(CORPUS) >= 300, f"corpus has at least 300 queries ({len(CORPUS)})")
    seen = set()
    dup = [s for _, s, _ in CORPUS if s in seen or seen.add(s)]
    res.check(not dup, "corpus queries are distinct", repr(dup[:3]))
    missing = [s for s in KNOWN_DIFFERENCES if s not in seen]
    res.check(not missing, "every known difference names a corpus query", repr(missing[:3]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg-only", action="store_true")
    ap.add_argument("-k", action="append", default=[])
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--max-print", type=int, default=40)
    args = ap.parse_args()
    res = Results("test_sql_pg")
    corpus_hygiene(res)
    jobs = [c for c in CORPUS if not args.k or any(k in c[1] or k in c[2] for k in args.k)]
    pg = Postgres()
    srv = None
    t0 = time.time()
    try:
        pg.start()
        sets = sqlgen.datasets()
        pg.load(sets)
        print(f"# PostgreSQL loaded in {time.time() - t0:.1f}s")
        pg_answers = {}
        for cat, s, p in jobs:
            try:
                ans = pg.query(p)
            except Exception as e:
                pg_answers[s] = e
                res.check(False, f"[{cat}] PostgreSQL runs the translation: {p}", repr(e).strip()[:400])
                continue
            pg_answers[s] = ans
            cols = ans[0]
            bad = [c for c in cols if c == "?column?" or c.startswith("?")]
            dup = len(set(cols)) != len(cols)
            if args.pg_only:
                res.check(not bad and not dup, f"[{cat}] {p}", f"columns {cols}" if bad or dup else f"{len(ans[2])} rows")
            elif bad or dup:
                res.check(False, f"[{cat}] corpus: name every column: {p}", f"columns {cols}")
        if args.pg_only:
            # the corpus's determinism and the comparator: the same queries
            # over the same rows loaded in reverse order must compare equal
            pg.load(sets, schema="rev", reverse=True)
            pg.use("rev")
            for cat, s, p in jobs:
                a = pg_answers.get(s)
                if isinstance(a, Exception):
                    continue
                if s in KNOWN_DIFFERENCES:
                    continue
                try:
                    b = pg.query(p)
                except Exception as e:
                    res.check(False, f"[{cat}] reversed rows: {p}", repr(e)[:300])
                    continue
                diff = compare(s, a, pg_as_strata(b), select_star=bool(re.search(r"SELECT \*", s)))
                if diff is not None or args.v:
                    res.check(diff is None, f"[{cat}] deterministic over reversed rows: {p}", diff or "")
                else:
                    res.passed += 1
            pg.use("public")
            by = {}
            for cat, _, _ in jobs:
                by[cat] = by.get(cat, 0) + 1
            print("# corpus: " + ", ".join(f"{k} {v}" for k, v in by.items()) + f"; {len(jobs)} queries")
            return res.done()
        if not os.path.exists(BIN):
            res.check(False, "Strata binary exists", f"{BIN} missing: run make")
            return res.done()
        srv = Server("--retention", "0").start()
        strata_load(srv, sets)
        print(f"# Strata loaded in {time.time() - t0:.1f}s")
        check_data(res, srv, sets)
        check_shapes(res, srv, pg)

        def run(job):
            return job, strata_query(srv, job[1])
        printed = 0
        known_seen = []
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            for (cat, s, p), (st, ans) in ex.map(run, [j for j in jobs if not isinstance(pg_answers.get(j[1]), Exception)]):
                pa = pg_answers[s]
                if st != 200:
                    diff = f"Strata {st}: {ans}"
                else:
                    diff = compare(s, pa, ans, select_star=bool(re.search(r"SELECT \*", s)))
                if s in KNOWN_DIFFERENCES:
                    known_seen.append((s, diff))
                    res.check(True, f"[{cat}] known difference: {s}", KNOWN_DIFFERENCES[s])
                    continue
                if diff is None:
                    res.check(True, f"[{cat}] {s}")
                    continue
                detail = diff
                if printed < args.max_print or args.v:
                    printed += 1
                    detail += f"\n   | PostgreSQL: {p}\n   | PostgreSQL rows: {show_rows(pa[2])}"
                    if st == 200:
                        detail += f"\n   | Strata rows: {show_rows(ans)}"
                res.check(False, f"[{cat}] {s}", detail)
        for s, diff in known_seen:
            print(f"# known difference {'still differs' if diff else 'now MATCHES (remove it)'}: {s}: {KNOWN_DIFFERENCES[s]}"
                  + (f" [{diff[:200]}]" if diff else ""))
        srv.stop()
        check_limits(res, srv.data_dir)
    except Exception as e:
        import traceback
        traceback.print_exc()
        res.check(False, "test ran to the end", repr(e))
        if srv is not None:
            print(srv.tail())
    finally:
        if srv is not None:
            srv.stop()
            srv.cleanup()
        pg.stop()
        print(f"# {time.time() - t0:.1f}s")
    return res.done()


if __name__ == "__main__":
    sys.exit(main())
