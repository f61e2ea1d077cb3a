"""SQL side by side: TSBS's query shapes in Strata's SQL (Timestream's
dialect, /api/v3/query_sql), in PostgreSQL 15 and in DuckDB, on the same
data in the same run; and the same questions asked of Strata in InfluxQL
(/query) and PromQL (/api/v1/query_range, /api/v1/query).

Per size: a TSBS-like `cpu` table (tags hostname, region, datacenter,
rack, os, arch, team, service, service_version, service_environment; the ten
usage_* float fields; one row a host every interval over the size's hours,
ending at a whole hour a few minutes ago) generated once and written to
Strata as line protocol and to a CSV file that PostgreSQL (COPY FROM STDIN)
and DuckDB (COPY FROM the file) load. The values are printed with two
decimals, so every system parses the same doubles.

Peers:
  - PostgreSQL 15 (Debian's /usr/lib/postgresql/15/bin): initdb and postgres
    on a temporary directory and a free loopback port (as the user postgres
    when this runs as root: postgres refuses root), table cpu(hostname text,
    ..., time timestamp, usage_user double precision, ...), indexes
    (hostname, time) and (time), VACUUM ANALYZE. Settings: shared_buffers 1GB,
    work_mem 64MB, jit off (its compile time would count against it),
    fsync/synchronous_commit/full_page_writes off (load speed only); the
    rest is Debian's defaults (2 parallel workers per gather). Asked through
    psycopg2 over TCP; a timed run is execute() + fetchall() on a connection
    whose timestamp and float casters return the text (no Python objects
    built, as no JSON is parsed for Strata): round trip, execution, transfer.
  - DuckDB (npm @duckdb/node-api, installed into --duckdb-dir if absent) in
    one persistent node process that reads one JSON command a line on stdin:
    an in-memory database, the CSV loaded into its own table. A timed run is
    measured inside that process: runAndReadAll() + getRows() (execution and
    every value materialised in JavaScript); no process start, no pipe, no
    serialisation counted.
  - Strata: its own data directory and free port; a timed run is a request
    over one keep-alive HTTP connection until the last byte of the answer
    (format=json for SQL, epoch=ns for InfluxQL): round trip, parse, plan,
    execution, encoding; no JSON parsed.

Per query: one untimed run of each system whose answers are compared
(floats within 1e-9 relative, times as instants, on the columns both
answers have; rows sorted unless the query orders them); a difference is
printed loudly and the query's ratios are marked not comparable. Then
--reps timed runs of each, interleaved (fewer when the untimed run took
seconds), and the median. Queries that fail on Strata are reported with the
error and the run goes on; for those, and for those that miss a part of the
goal, Strata's EXPLAIN is printed.
Strata is also asked through its PostgreSQL wire protocol (--pg-listen)
with psycopg2, set up as for PostgreSQL: the ratio to PostgreSQL compares
the two through the same client and protocol, the others compare HTTP with
HTTP (InfluxQL, PromQL) or with DuckDB's in-process time.
Goal (issue 11): Strata SQL's median at most 0.1 x PostgreSQL's, below
DuckDB's, and no slower than the same question in InfluxQL and PromQL.

usage: bench_sql.py --strata BIN --duckdb-dir DIR
       [--sizes 1000:12:10 10000:12:60] [--reps 5] [--only NAME...]
(a size is hosts:hours:interval-seconds). Run with Debian's /usr/bin/python3,
for which python3-psycopg2 is installed.
Prints a table and BENCH lines (BENCH sql-<hosts> <query> ...)."""
import argparse
import datetime
import http.client
import json
import os
import random
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

FIELDS = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq", "usage_softirq",
          "usage_steal", "usage_guest", "usage_guest_nice"]
TAGS = ["hostname", "region", "datacenter", "rack", "os", "arch", "team", "service", "service_version",
        "service_environment"]
PG_BIN = "/usr/lib/postgresql/15/bin"
TIMEOUT_S = 90  # one request; Strata runs with --query-timeout 60s


class Fail(Exception):
    pass


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_influxql  # noqa: E402  (its server helpers, shared)

free_port = bench_influxql.free_port


def stop(p, sig=None):
    if p.poll() is not None:
        return
    if sig is None:
        p.terminate()
    else:
        p.send_signal(sig)
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


# ------------------------------------------------------------------ data

def tag_values(h):
    r = random.Random(h)
    return [f"host_{h}", r.choice(["us-east-1", "us-west-1", "eu-west-1", "ap-south-1"]), f"dc_{r.randrange(10)}",
            str(r.randrange(100)), "Ubuntu" + r.choice(["15.10", "16.04", "16.10"]), r.choice(["x64", "x86"]),
            r.choice(["SF", "NYC", "LON", "CHI"]), str(r.randrange(20)), str(r.randrange(2)),
            r.choice(["production", "staging", "test"])]


def generate(hosts, start_s, rounds, interval_s, csv_path, lines_per_body=20000):
    """Yields line-protocol bodies and writes the same rows to csv_path, in
    time order, host by host within a round."""
    r = random.Random(7)
    tv = [tag_values(h) for h in range(hosts)]
    lp_tags = ["cpu," + ",".join(f"{k}={v}" for k, v in zip(TAGS, t)) + " " for t in tv]
    csv_tags = [",".join(t) + "," for t in tv]
    state = [[r.uniform(0, 100) for _ in FIELDS] for _ in range(hosts)]
    uni = r.uniform
    buf, n = [], 0
    with open(csv_path, "w") as csv:
        for k in range(rounds):
            t = start_s + k * interval_s
            stamp = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            tns = f" {t * 10**9}"
            rows = []
            for h in range(hosts):
                st = state[h]
                vals = []
                for i in range(10):
                    v = st[i] + uni(-5, 5)
                    v = 0.0 if v < 0 else 100.0 if v > 100 else v
                    st[i] = v
                    vals.append(f"{v:.2f}")
                buf.append(lp_tags[h] + ",".join(f"{f}={v}" for f, v in zip(FIELDS, vals)) + tns)
                rows.append(csv_tags[h] + stamp + "," + ",".join(vals))
                n += 1
                if n == lines_per_body:
                    yield ("\n".join(buf) + "\n").encode()
                    buf, n = [], 0
            csv.write("\n".join(rows) + "\n")
    if buf:
        yield ("\n".join(buf) + "\n").encode()


# ------------------------------------------------------------------ Strata

def wait_http(port, path, want, proc, timeout=60):
    try:
        bench_influxql.wait_http(port, path, want, proc, timeout)
    except RuntimeError as exc:
        raise Fail(f"{exc} (within {timeout} s)") from exc


def start_strata(binary, d):
    port, pgport = free_port(), free_port()
    try:
        p = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}", "--data-dir", os.path.join(d, "strata"),
                              "--retention", "0", "--query-timeout", "60s", "--pg-listen", f"127.0.0.1:{pgport}"],
                             stdout=open(os.path.join(d, "strata.log"), "wb"), stderr=subprocess.STDOUT)
    except OSError as e:
        raise Fail(f"cannot run Strata: {e}")
    try:
        wait_http(port, "/-/ready", 200, p)
    except Fail as e:
        stop(p)
        raise Fail(f"Strata did not start ({e}); its log: {open(os.path.join(d, 'strata.log')).read()[-2000:]}")
    return p, port, pgport


class Strata:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)

    def get(self, path):
        t0 = time.perf_counter()
        try:
            self.conn.request("GET", path)
            r = self.conn.getresponse()
            body = r.read()
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT_S)
            return time.perf_counter() - t0, 0, f"request failed: {e!r}".encode()
        return time.perf_counter() - t0, r.status, body

    def sql(self, q):
        return self.get("/api/v3/query_sql?" + urllib.parse.urlencode({"db": "bench", "q": q, "format": "json"}))

    def influxql(self, q):
        return self.get("/query?" + urllib.parse.urlencode({"db": "bench", "q": q, "epoch": "ns"}))

    def promql(self, p):
        path = "/api/v1/query_range" if "step" in p else "/api/v1/query"
        return self.get(path + "?" + urllib.parse.urlencode(dict(p, db="bench")))


# ------------------------------------------------------------------ PostgreSQL

def pg_user():
    """postgres refuses to run as root: then it runs as the user postgres."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


def start_pg(d):
    import psycopg2
    for b in ("initdb", "postgres"):
        if not os.access(os.path.join(PG_BIN, b), os.X_OK):
            raise Fail(f"PostgreSQL 15 is not installed ({PG_BIN}/{b} missing): apt-get install postgresql-15")
    pgdir = tempfile.mkdtemp(prefix="strata-bench-pg-")
    as_user = pg_user()
    if as_user:
        shutil.chown(pgdir, "postgres", "postgres")
    r = subprocess.run([f"{PG_BIN}/initdb", "-D", f"{pgdir}/data", "-U", "bench", "--auth=trust", "--no-locale",
                        "-E", "UTF8"], capture_output=True, text=True, timeout=120, **as_user)
    if r.returncode != 0:
        raise Fail(f"initdb failed: {r.stdout[-1000:]} {r.stderr[-1000:]}")
    port = free_port()
    log = open(os.path.join(d, "postgres.log"), "wb")
    p = subprocess.Popen([f"{PG_BIN}/postgres", "-D", f"{pgdir}/data", "-p", str(port), "-k", pgdir,
                          "-c", "listen_addresses=127.0.0.1", "-c", "shared_buffers=1GB", "-c", "work_mem=64MB",
                          "-c", "jit=off", "-c", "fsync=off", "-c", "synchronous_commit=off",
                          "-c", "full_page_writes=off", "-c", "max_wal_size=4GB"],
                         stdout=log, stderr=subprocess.STDOUT, **as_user)
    t0 = time.time()
    while True:
        if p.poll() is not None:
            raise Fail(f"postgres exited: {p.returncode}: {open(os.path.join(d, 'postgres.log')).read()[-2000:]}")
        try:
            c = psycopg2.connect(host="127.0.0.1", port=port, user="bench", dbname="postgres", connect_timeout=2)
            c.close()
            break
        except psycopg2.OperationalError:
            if time.time() - t0 > 60:
                stop(p)
                raise Fail(f"postgres did not start within 60 s: {open(os.path.join(d, 'postgres.log')).read()[-2000:]}")
            time.sleep(0.2)
    return p, port, pgdir


class PG:
    """A PostgreSQL wire protocol server through psycopg2: PostgreSQL itself,
    or Strata's --pg-listen (dbname: the Strata database), the same client
    and the same settings for both."""
    def __init__(self, port, dbname="postgres", timeout=True):
        import psycopg2
        import psycopg2.extensions as ext
        self.psycopg2 = psycopg2
        self.check = psycopg2.connect(host="127.0.0.1", port=port, user="bench", dbname=dbname)
        self.check.autocommit = True
        self.timed = psycopg2.connect(host="127.0.0.1", port=port, user="bench", dbname=dbname)
        self.timed.autocommit = True
        # timestamp, timestamptz, float8, numeric, int8 kept as text on the timed connection
        raw = ext.new_type((1114, 1184, 701, 1700, 20), "RAWTEXT", lambda v, cur: v)
        ext.register_type(raw, self.timed)
        for c in (self.check, self.timed) if timeout else ():
            with c.cursor() as cur:
                cur.execute(f"SET statement_timeout = '{TIMEOUT_S}s'")

    def load(self, csv_path):
        cols = ", ".join(f"{t} text" for t in TAGS) + ", time timestamp, " + \
               ", ".join(f"{f} double precision" for f in FIELDS)
        t0 = time.time()
        with self.check.cursor() as cur:
            cur.execute(f"CREATE TABLE cpu ({cols})")
            with open(csv_path) as f:
                cur.copy_expert("COPY cpu FROM STDIN WITH (FORMAT csv)", f)
            t1 = time.time()
            cur.execute("CREATE INDEX cpu_hostname_time ON cpu (hostname, time)")
            cur.execute("CREATE INDEX cpu_time ON cpu (time)")
            t2 = time.time()
            cur.execute("VACUUM ANALYZE cpu")
        return t1 - t0, time.time() - t1, t2 - t1

    def run(self, q, timed):
        c = self.timed if timed else self.check
        t0 = time.perf_counter()
        try:
            with c.cursor() as cur:
                cur.execute(q)
                rows = cur.fetchall()
                cols = [d[0] for d in cur.description]
        except self.psycopg2.Error as e:
            return time.perf_counter() - t0, None, str(e).strip()
        return time.perf_counter() - t0, cols, rows

    def close(self):
        self.check.close()
        self.timed.close()


# ------------------------------------------------------------------ DuckDB

DUCK_JS = r"""
// one JSON command a line on stdin, one JSON answer a line on stdout
const { createRequire } = require('module');
const req = createRequire(process.argv[2] + '/');
const { DuckDBInstance } = req('@duckdb/node-api');
const readline = require('readline');
(async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  const rl = readline.createInterface({ input: process.stdin });
  const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
  out({ ready: true, version: (await conn.runAndReadAll('SELECT version()')).getRowsJson()[0][0] });
  for await (const line of rl) {
    const cmd = JSON.parse(line);
    try {
      const t0 = process.hrtime.bigint();
      const reader = await conn.runAndReadAll(cmd.sql);
      const rows = reader.getRows();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (cmd.rows) out({ ms, cols: reader.columnNames(), rows: reader.getRowsJson() });
      else out({ ms, n: rows.length });
    } catch (e) {
      out({ error: String(e && e.message || e) });
    }
  }
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
"""


class Duck:
    def __init__(self, moddir, d):
        if not os.path.isdir(os.path.join(moddir, "node_modules", "@duckdb", "node-api")):
            raise Fail(f"@duckdb/node-api is not installed in {moddir} (npm install --prefix {moddir} @duckdb/node-api)")
        js = os.path.join(d, "duck.cjs")
        with open(js, "w") as f:
            f.write(DUCK_JS)
        self.err = open(os.path.join(d, "duck.log"), "wb")
        try:
            self.p = subprocess.Popen(["node", js, os.path.abspath(moddir)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=self.err, text=True, bufsize=1)
        except OSError as e:
            raise Fail(f"cannot run node (Debian's nodejs): {e}")
        hello = self.read(60)
        if not hello or not hello.get("ready"):
            raise Fail(f"DuckDB's node process did not start: {hello}")
        self.version = hello["version"]

    def read(self, timeout):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            raise Fail(f"DuckDB's node process gave no answer within {timeout} s")
        line = self.p.stdout.readline()
        if not line:
            raise Fail(f"DuckDB's node process exited: {open(self.err.name).read()[-2000:]}")
        return json.loads(line)

    def ask(self, sql, rows):
        self.p.stdin.write(json.dumps({"sql": sql, "rows": rows}) + "\n")
        self.p.stdin.flush()
        return self.read(TIMEOUT_S)

    def load(self, csv_path):
        cols = ", ".join(f"{t} VARCHAR" for t in TAGS) + ", time TIMESTAMP, " + \
               ", ".join(f"{f} DOUBLE" for f in FIELDS)
        t0 = time.time()
        for q in (f"CREATE TABLE cpu ({cols})", f"COPY cpu FROM '{csv_path}' (FORMAT csv, HEADER false)"):
            a = self.ask(q, False)
            if "error" in a:
                raise Fail(f"DuckDB load: {a['error']}")
        return time.time() - t0

    def run(self, q, timed):
        t0 = time.perf_counter()
        a = self.ask(q, not timed)
        if "error" in a:
            return time.perf_counter() - t0, None, a["error"]
        return a["ms"] / 1000, a.get("cols"), a.get("rows")

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        stop(self.p)


# ------------------------------------------------------------------ queries

def ts_sql(s):
    return "TIMESTAMP '" + datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S") + "'"


def queries(hosts, start_s, end_s, interval_s, rng):
    """Each query: name, the SQL per dialect ('strata', 'pg', 'duck'),
    InfluxQL, PromQL (parameters, how its answer maps to rows), whether the
    SQL orders its rows, and what it asks in words."""
    def host():
        return f"host_{rng.randrange(hosts)}"

    def window(hours):
        """A window of that many hours inside the data (hour-aligned), or the
        last that many hours when the data is shorter."""
        span_h = (end_s - start_s) // 3600
        if span_h <= hours:
            return end_s - hours * 3600, end_s
        t0 = start_s + rng.randrange(span_h - hours + 1) * 3600
        return t0, t0 + hours * 3600

    qs = []

    def add(name, words, strata, pg, duck, iql, prom, ordered=False):
        qs.append({"name": name, "words": words, "strata": strata, "pg": pg, "duck": duck, "influxql": iql,
                   "promql": prom, "ordered": ordered})

    def bins(fields, agg_sql, agg_iql, agg_prom, h, hours, unit, where_host=True):
        t0, t1 = window(hours)
        sec = 60 if unit == "minute" else 3600
        sel = ", ".join(f"{agg_sql}({f}) AS {f}" for f in fields)
        w = f"time >= {ts_sql(t0)} AND time < {ts_sql(t1)}"
        hw = f"hostname = '{h}' AND " if where_host else ""
        gb = "" if where_host else ", hostname"
        strata = (f"SELECT bin(time, {'1m' if unit == 'minute' else '1h'}) AS bucket{gb}, {sel} FROM cpu "
                  f"WHERE {hw}{w} GROUP BY 1{', 2' if gb else ''} ORDER BY 1{', 2' if gb else ''}")
        pgq = (f"SELECT date_trunc('{unit}', time) AS bucket{gb}, {sel} FROM cpu "
               f"WHERE {hw}{w} GROUP BY 1{', 2' if gb else ''} ORDER BY 1{', 2' if gb else ''}")
        isel = ", ".join(f"{agg_iql}({f}) AS {f}" for f in fields)
        iql = (f"SELECT {isel} FROM cpu WHERE {hw}"
               f"time >= {t0}s AND time < {t1}s GROUP BY time({'1m' if unit == 'minute' else '1h'}){gb} fill(none)")
        hsel = f'hostname="{h}"' if where_host else ""
        if len(fields) == 1:
            pq = f"{agg_prom}(cpu_{fields[0]}{{{hsel}}}[{'1m' if unit == 'minute' else '1h'}])"
        else:
            pq = " or ".join(f'label_replace({agg_prom}(cpu_{f}{{{hsel}}}[{"1m" if unit == "minute" else "1h"}]), '
                             f'"field", "{f}", "", "")' for f in fields)
        # evaluated 1 ms before each bucket's end: the window (end - w, end]
        # is then the bucket [start, start + w) of whole-millisecond data
        prom = {"params": {"query": pq, "start": f"{t0 + sec - 0.001:.3f}", "end": f"{t1 - 0.001:.3f}",
                           "step": str(sec)},
                "shift_ms": 1 - sec * 1000, "keys": ["time"] + ([] if where_host else ["hostname"])}
        return strata, pgq, iql, prom

    h = host()
    s, p, i, pr = bins(["usage_user"], "max", "max", "max_over_time", h, 1, "minute")
    add("single-groupby-1-1-1", "max(usage_user) per minute, 1 host, 1 h", s, p, p, i, pr, ordered=True)
    h = host()
    s, p, i, pr = bins(FIELDS[:5], "max", "max", "max_over_time", h, 12, "minute")
    add("single-groupby-5-1-12", "max of 5 fields per minute, 1 host, 12 h", s, p, p, i, pr, ordered=True)
    s, p, i, pr = bins(["usage_user"], "avg", "mean", "avg_over_time", None, 12, "hour", where_host=False)
    add("double-groupby-1", "avg(usage_user) per host per hour, all hosts, 12 h", s, p, p, i, pr, ordered=True)
    h = host()
    s, p, i, pr = bins(FIELDS, "max", "max", "max_over_time", h, 8, "hour")
    add("cpu-max-all-1", "max of 10 fields per hour, 1 host, 8 h", s, p, p, i, pr, ordered=True)

    # groupby-orderby-limit: TSBS's shape, only an upper time bound
    tl = end_s - rng.randrange(max(1, (end_s - start_s) // 120)) * 60
    s = (f"SELECT bin(time, 1m) AS bucket, max(usage_user) AS usage_user FROM cpu WHERE time < {ts_sql(tl)} "
         f"GROUP BY 1 ORDER BY 1 DESC LIMIT 5")
    p = (f"SELECT date_trunc('minute', time) AS bucket, max(usage_user) AS usage_user FROM cpu "
         f"WHERE time < {ts_sql(tl)} GROUP BY 1 ORDER BY 1 DESC LIMIT 5")
    i = (f"SELECT max(usage_user) AS usage_user FROM cpu WHERE time < {tl}s GROUP BY time(1m) fill(none) "
         f"ORDER BY time DESC LIMIT 5")
    pr = {"params": {"query": "max(max_over_time(cpu_usage_user[1m]))", "start": f"{tl - 240 - 0.001:.3f}",
                     "end": f"{tl - 0.001:.3f}", "step": "60"}, "shift_ms": 1 - 60000, "keys": ["time"]}
    add("groupby-orderby-limit", "max(usage_user) per minute, last 5 minutes before a time, all hosts", s, p, p, i,
        pr, ordered=True)

    h = host()
    t0, t1 = window(12)
    s = f"SELECT * FROM cpu WHERE usage_user > 90.0 AND time >= {ts_sql(t0)} AND time < {ts_sql(t1)} AND hostname = '{h}'"
    i = f"SELECT * FROM cpu WHERE usage_user > 90.0 AND time >= {t0}s AND time < {t1}s AND hostname = '{h}'"
    # every field at the times usage_user > 90: `and` keeps the left side's
    # series (all ten) where the right side has a sample
    pr = {"params": {"query": f'{{__name__=~"cpu_usage_.+",hostname="{h}"}} and on(hostname) '
                              f'(cpu_usage_user{{hostname="{h}"}} > 90)', "start": str(t0),
                     "end": str(t1 - interval_s), "step": str(interval_s)}, "shift_ms": 0, "keys": ["time"]}
    add("high-cpu-1", "rows with usage_user > 90, 1 host, 12 h", s, s, s, i, pr)

    # lastpoint: max_by(x, time) per host is how Timestream's documentation
    # takes a series' latest value; PostgreSQL users write DISTINCT ON
    # (TSBS's form), DuckDB's write arg_max (same as max_by)
    s = ("SELECT hostname, max(time) AS time, " + ", ".join(f"max_by({f}, time) AS {f}" for f in FIELDS) +
         " FROM cpu GROUP BY hostname")
    p = "SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC"
    dq = ("SELECT hostname, max(time) AS time, " + ", ".join(f"arg_max({f}, time) AS {f}" for f in FIELDS) +
          " FROM cpu GROUP BY hostname")
    i = "SELECT last(*) FROM cpu GROUP BY hostname"
    pr = {"params": {"query": '{__name__=~"cpu_usage_.+"}', "time": str(end_s - interval_s)}, "shift_ms": None,
          "keys": ["hostname"]}
    add("lastpoint", "the last row of every host", s, p, dq, i, pr)
    return qs


# ------------------------------------------------------------------ answers

def parse_time(v):
    """ns since the epoch of an RFC 3339 or 'YYYY-MM-DD HH:MM:SS[.f]' text
    (UTC), a datetime, or an integer (already ns)."""
    if isinstance(v, int):
        return v
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return int(v.timestamp()) * 10**9 + v.microsecond * 1000
    s = str(v).strip().rstrip("Z").replace("T", " ")
    if s.endswith("+00:00") or s.endswith("+00"):
        s = s.rsplit("+", 1)[0]
    frac = 0
    if "." in s:
        s, f = s.split(".", 1)
        frac = int((f + "000000000")[:9])
    d = datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 10**9 + frac


def cell(col, v):
    if col == "time":
        return parse_time(v)
    if col in FIELDS:
        return None if v is None else float(v)
    return None if v is None else str(v)


def rows_sql(cols, rows):
    cols = ["time" if c == "bucket" else c for c in cols]
    return [{c: cell(c, v) for c, v in zip(cols, r)} for r in rows]


def rows_strata_sql(body):
    data = json.loads(body)
    if not isinstance(data, list):
        raise ValueError(f"not an array of rows: {body[:200]!r}")
    out = []
    for r in data:
        out.append({("time" if k == "bucket" else k): cell("time" if k == "bucket" else k, v) for k, v in r.items()})
    return out


def rows_influxql(body):
    data = json.loads(body)
    res = data["results"][0]
    if "error" in res:
        raise ValueError(res["error"])
    out = []
    for s in res.get("series", []):
        for v in s["values"]:
            r = {k: str(x) for k, x in s.get("tags", {}).items()}
            for c, x in zip(s["columns"], v):
                if c.startswith("last_"):
                    c = c[5:]
                if c == "time" and x == 0:
                    continue  # last(*) of several fields: InfluxQL's time 0
                r[c] = cell(c, x)
            out.append(r)
    return out


def rows_promql(body, spec):
    data = json.loads(body)
    if data.get("status") != "success":
        raise ValueError(data.get("error", body[:200]))
    res = data["data"]["result"]
    if data["data"]["resultType"] == "vector":
        res = [{"metric": s["metric"], "values": [s["value"]]} for s in res]
    by = {}
    for s in res:
        m = s["metric"]
        f = m.get("field") or (m.get("__name__", "cpu_usage_user")[4:])
        for ts, v in s["values"]:
            key = {}
            for k in spec["keys"]:
                if k == "time":
                    key["time"] = (round(float(ts) * 1000) + spec["shift_ms"]) * 10**6
                else:
                    key[k] = m.get(k)
            r = by.setdefault(tuple(key.items()), dict(key))
            r[f] = float(v)
    return list(by.values())


def same_rows(ref, got, ordered):
    """'' when equal on the columns both have, else why not."""
    if not ref and not got:
        return ""
    common = [c for c in ref[0] if c in got[0]] if ref and got else []
    if len(ref) != len(got):
        return f"{len(got)} rows, expected {len(ref)}"
    if not common:
        return "no column in common"

    def key(r):
        return tuple((0, v) if v is not None else (1, 0) for v in (r.get(c) for c in common))
    a = [tuple(r.get(c) for c in common) for r in (ref if ordered else sorted(ref, key=key))]
    b = [tuple(r.get(c) for c in common) for r in (got if ordered else sorted(got, key=key))]
    for n, (x, y) in enumerate(zip(a, b)):
        for c, u, v in zip(common, x, y):
            if isinstance(u, float) and isinstance(v, float):
                if u == v or abs(u - v) <= 1e-9 * max(abs(u), abs(v)):
                    continue
            elif u == v:
                continue
            return f"row {n}: {c} = {v!r}, expected {u!r} (row {dict(zip(common, y))} vs {dict(zip(common, x))})"[:400]
    return ""


# ------------------------------------------------------------------ main

def fmt_ms(v):
    if v is None:
        return "-"
    return f"{v:.2f}" if v < 100 else f"{v:.0f}"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}" if a / b < 100 else f"{a / b:.0f}"


def run_size(args, hosts, span_h, interval_s, duck_dir, totals, notes):
    d = tempfile.mkdtemp(prefix="strata-bench-sql-")
    procs, pgdir, pg, spg, duck = [], None, None, None, None
    try:
        rounds = int(span_h * 3600 / interval_s)
        end_s = (int(time.time()) - 300) // 3600 * 3600
        start_s = end_s - rounds * interval_s
        sp, sport, spgport = start_strata(args.strata, d)
        procs.append((sp, None))
        pgp, pgport, pgdir = start_pg(d)
        procs.append((pgp, 2))  # SIGINT: postgres's fast shutdown
        pg = PG(pgport)
        duck = Duck(duck_dir, d)
        st = Strata(sport)
        csv_path = os.path.join(d, "cpu.csv")
        t0 = time.time()
        took_strata = 0.0
        for body in generate(hosts, start_s, rounds, interval_s, csv_path):
            t1 = time.time()
            st.conn.request("POST", "/write?db=bench&precision=ns", body)
            r = st.conn.getresponse()
            msg = r.read()
            took_strata += time.time() - t1
            if r.status != 204:
                raise Fail(f"Strata: write answered {r.status}: {msg[:300]!r}")
        gen = time.time() - t0 - took_strata
        flushed = ""
        if span_h > 2:
            t1 = time.time()
            st.conn.request("POST", "/api/v1/admin/flush")
            r = st.conn.getresponse()
            r.read()
            flushed = f" + /api/v1/admin/flush {time.time() - t1:.1f} s ({r.status})"
        spg = PG(spgport, dbname="bench", timeout=False)  # the flag's timeout holds there
        pg_copy, pg_index_vacuum, pg_index = pg.load(csv_path)
        duck_load = duck.load(csv_path)
        mb = os.path.getsize(csv_path) / 1e6
        print(f"\n== {hosts} hosts, {span_h:g} h at {interval_s} s: {hosts * rounds} rows of 10 fields "
              f"({datetime.datetime.fromtimestamp(start_s, datetime.timezone.utc):%Y-%m-%d %H:%M} to "
              f"{datetime.datetime.fromtimestamp(end_s, datetime.timezone.utc):%H:%M} UTC, CSV {mb:.0f} MB, "
              f"generated in {gen:.1f} s)")
        print(f"  load: Strata {took_strata:.1f} s (line protocol, 20,000 lines a request){flushed}; PostgreSQL COPY "
              f"{pg_copy:.1f} s + 2 indexes {pg_index:.1f} s + VACUUM ANALYZE {pg_index_vacuum - pg_index:.1f} s; "
              f"DuckDB COPY {duck_load:.1f} s")
        # floors: what a request that reads nothing costs
        floor = {
            "strata": statistics.median(st.sql("SELECT 1")[0] * 1000 for _ in range(21)),
            "strata_pg": statistics.median(spg.run("SELECT 1", True)[0] * 1000 for _ in range(21)),
            "influxql": statistics.median(st.influxql("SHOW DATABASES")[0] * 1000 for _ in range(21)),
            "pg": statistics.median(pg.run("SELECT 1", True)[0] * 1000 for _ in range(21)),
            "duck": statistics.median(duck.run("SELECT 1", True)[0] * 1000 for _ in range(21)),
        }
        ok1 = st.sql("SELECT 1")
        print(f"  round trip of an empty request: Strata SQL (SELECT 1) {floor['strata']:.2f} ms over HTTP, "
              f"{floor['strata_pg']:.2f} ms over its PostgreSQL protocol"
              f"{'' if ok1[1] == 200 else ' [answered ' + str(ok1[1]) + ': ' + ok1[2][:100].decode(errors='replace') + ']'}, "
              f"Strata InfluxQL (SHOW DATABASES) {floor['influxql']:.2f} ms, PostgreSQL (SELECT 1) {floor['pg']:.2f} ms, "
              f"DuckDB (SELECT 1, in process) {floor['duck']:.3f} ms")
        print(f"BENCH sql-{hosts} floor strata_ms {floor['strata']:.3f} strata_pgwire_ms {floor['strata_pg']:.3f} "
              f"influxql_ms {floor['influxql']:.3f} "
              f"pg_ms {floor['pg']:.3f} duckdb_ms {floor['duck']:.3f}")

        systems = ["strata", "strata_pg", "pg", "duck", "influxql", "promql"]
        runners = {
            "strata": lambda q, timed: st.sql(q["strata"]),
            "strata_pg": lambda q, timed: spg.run(q["strata"], timed),
            "influxql": lambda q, timed: st.influxql(q["influxql"]),
            "promql": lambda q, timed: st.promql(q["promql"]["params"]),
            "pg": lambda q, timed: pg.run(q["pg"], timed),
            "duck": lambda q, timed: duck.run(q["duck"], timed),
        }
        lines = []
        for q in queries(hosts, start_s, end_s, interval_s, random.Random(hosts)):
            if args.only and q["name"] not in args.only:
                continue
            name = q["name"]
            rows, errs, first = {}, {}, {}
            for sysn in systems:
                t, a, b = runners[sysn](q, False)
                first[sysn] = t
                try:
                    if sysn in ("pg", "duck", "strata_pg"):
                        if a is None:
                            raise ValueError(b)
                        rows[sysn] = rows_sql(a, b)
                    else:
                        if a != 200:
                            raise ValueError(f"HTTP {a}: {b[:600].decode(errors='replace')}")
                        rows[sysn] = (rows_strata_sql(b) if sysn == "strata" else rows_influxql(b)
                                      if sysn == "influxql" else rows_promql(b, q["promql"]))
                except (ValueError, KeyError, TypeError, IndexError) as e:
                    errs[sysn] = str(e).strip()[:600]
            ref = "pg" if "pg" in rows else "duck" if "duck" in rows else None
            diff = {}
            for sysn in systems:
                if sysn in errs or sysn == ref or ref is None:
                    continue
                why = same_rows(rows[ref], rows[sysn], q["ordered"] and sysn in ("strata", "strata_pg", "pg", "duck"))
                if why:
                    diff[sysn] = why
            for sysn, e in errs.items():
                print(f"  !! {name}: {sysn} FAILED: {e}")
            for sysn, why in diff.items():
                print(f"  !! ANSWERS DIFFER {name}: {sysn} vs {ref}: {why}")
            # timed runs, interleaved; fewer when a run takes seconds
            ok = [s for s in systems if s not in errs]
            reps = {s: args.reps if first[s] < 2 else 3 if first[s] < 10 else 1 for s in ok}
            times = {s: [] for s in ok}
            for k in range(max(reps.values(), default=0)):
                for s in ok:
                    if k < reps[s]:
                        times[s].append(runners[s](q, True)[0] * 1000)
            med = {s: statistics.median(times[s]) for s in ok}
            m = {s: med.get(s) for s in systems}
            verdict = "same" if not errs and not diff else \
                ("Strata FAILED" if "strata" in errs else "") + \
                ("Strata over pgwire FAILED " if "strata_pg" in errs else "") + \
                ("DIFF " + ",".join(sorted(diff)) if diff else "") + \
                (" (" + ",".join(f"{s} failed" for s in sorted(errs) if s not in ("strata", "strata_pg")) + ")"
                 if any(s not in ("strata", "strata_pg") for s in errs) else "")
            verdict = verdict.strip() or "same"
            comparable = lambda s: s in m and m[s] is not None and s not in diff and "strata" not in diff  # noqa: E731
            s_ms = m["strata"]
            # PostgreSQL against Strata through the same client and protocol
            # (psycopg2, the PostgreSQL wire protocol); the others over HTTP
            p_ms = m["strata_pg"] if m["strata_pg"] is not None and "strata_pg" not in diff else None
            g_pg = p_ms is not None and comparable("pg") and p_ms <= 0.1 * m["pg"]
            g_duck = s_ms is not None and comparable("duck") and s_ms < m["duck"]
            other = [x for x in ("influxql", "promql") if m[x] is not None]
            g_ql = s_ms is not None and all(comparable(x) and s_ms <= m[x] for x in other)
            totals["n"] += 1
            totals["pg"] += g_pg
            totals["duck"] += g_duck
            totals["ql"] += g_ql
            totals["all"] += g_pg and g_duck and g_ql
            # a tenth of PostgreSQL's median below Strata's own empty round trip
            totals["floor"] += (not g_pg and m["pg"] is not None and 0.1 * m["pg"] < floor["strata_pg"])
            if "strata" in errs:
                totals["failed"] += 1
            nc = lambda s: "" if comparable(s) or m[s] is None else "*"  # noqa: E731
            lines.append(f"  {name:<22} {fmt_ms(s_ms):>8} {fmt_ms(m['strata_pg']):>8} {fmt_ms(m['pg']):>8} "
                         f"{fmt_ms(m['duck']):>8} {fmt_ms(m['influxql']):>8} {fmt_ms(m['promql']):>8} | "
                         f"{fmt_ratio(p_ms, m['pg']) + nc('pg'):>6} {fmt_ratio(s_ms, m['duck']) + nc('duck'):>6} "
                         f"{fmt_ratio(s_ms, m['influxql']) + nc('influxql'):>6} "
                         f"{fmt_ratio(s_ms, m['promql']) + nc('promql'):>6} | "
                         f"{'y' if g_pg else 'n'}{'y' if g_duck else 'n'}{'y' if g_ql else 'n'} | {verdict}")
            print(f"BENCH sql-{hosts} {name} " + " ".join(
                f"{k}_ms {m[s]:.3f}" for s, k in (("strata", "strata"), ("strata_pg", "strata_pgwire"), ("pg", "pg"),
                                                  ("duck", "duckdb"),
                                                  ("influxql", "influxql"), ("promql", "promql")) if m[s] is not None)
                + f" goal_pg {int(g_pg)} goal_duckdb {int(g_duck)} goal_ql {int(g_ql)} {verdict.replace(' ', '_')}")
            if "strata" in errs or not (g_pg and g_duck and g_ql):
                _, es, eb = st.sql("EXPLAIN " + q["strata"])
                why = eb.decode(errors="replace")
                try:
                    j = json.loads(eb)
                    if isinstance(j, list):
                        why = "\n".join(" | ".join(str(v) for v in r.values()) for r in j)
                except ValueError:
                    pass
                notes.append((hosts, name, q["strata"], errs.get("strata"), s_ms, m, es, why))
        print(f"  {'query (median ms)':<22} {'S.SQL':>8} {'S.PGw':>8} {'PG':>8} {'DuckDB':>8} {'S.IQL':>8} "
              f"{'S.PromQL':>8} | {'Sw/PG':>6} {'S/Duck':>6} {'S/IQL':>6} {'S/Prom':>6} | goal | answers")
        for ln in lines:
            print(ln)
    finally:
        if pg:
            pg.close()
        if spg:
            spg.close()
        if duck:
            duck.close()
        for p, sig in procs:
            stop(p, sig)
        shutil.rmtree(d, ignore_errors=True)
        if pgdir:
            shutil.rmtree(pgdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", required=True)
    ap.add_argument("--duckdb-dir", required=True, help="where npm installed @duckdb/node-api (--prefix)")
    ap.add_argument("--sizes", nargs="+", default=["1000:12:10", "10000:12:60"], help="hosts:span-hours:interval-s")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", nargs="*", help="only these queries")
    args = ap.parse_args()
    try:
        import psycopg2
    except ImportError:
        print(f"bench_sql: psycopg2 is missing for {sys.executable} (Debian: apt-get install python3-psycopg2, "
              f"run with /usr/bin/python3)", file=sys.stderr)
        return 2
    # a signal ends the run through SystemExit, so that the finally blocks
    # stop the servers and remove the temporary directories
    def on_signal(sig, frame):
        raise SystemExit(128 + sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    t_start = time.time()
    pgv = subprocess.run([f"{PG_BIN}/postgres", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"== SQL: Strata ({args.strata}), {pgv or 'PostgreSQL 15 (missing)'}, DuckDB (npm @duckdb/node-api under "
          f"node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}), "
          f"psycopg2 {psycopg2.__version__.split()[0]}; side by side")
    print("  Strata: SQL over HTTP (/api/v3/query_sql, format=json) and over its PostgreSQL protocol (psycopg2, as")
    print("  PostgreSQL is asked), and the same question in InfluxQL (/query) and")
    print("  PromQL (/api/v1/query_range; lastpoint: /api/v1/query), one keep-alive connection, time to the last")
    print("  byte. PostgreSQL: psycopg2 over TCP, execute + fetchall (values kept as text). DuckDB: in its node")
    print("  process, runAndReadAll + getRows (no process start, no pipe). Medians of the timed runs.")
    print("  Dialects: buckets are bin(time, 1m|1h) in Strata, date_trunc('minute'|'hour', time) in PostgreSQL and")
    print("  DuckDB; lastpoint is max_by(field, time) per host in Strata (Timestream's idiom), DISTINCT ON (hostname)")
    print("  ... ORDER BY hostname, time DESC in PostgreSQL (TSBS's), arg_max in DuckDB. InfluxQL: GROUP BY time()")
    print("  fill(none), last(*). PromQL: max_over_time/avg_over_time range queries evaluated 1 ms before each")
    print("  bucket's end (so the window is the bucket), several fields joined with `or` and label_replace;")
    print("  groupby-orderby-limit as max(max_over_time(...[1m])) over the 5 minutes only (a range query is")
    print("  bounded both ways); high-cpu-1 as every field of the host `and on(hostname)` its usage_user > 90; lastpoint")
    print("  as an instant query of every host's 10 series at the last sample (values, not times). Answers are")
    print("  compared on the columns both sides have, against PostgreSQL's.")
    totals = {"n": 0, "pg": 0, "duck": 0, "ql": 0, "all": 0, "failed": 0, "floor": 0}
    notes = []
    for size in args.sizes:
        hosts, span_h, interval_s = size.split(":")
        try:
            run_size(args, int(hosts), float(span_h), int(interval_s), args.duckdb_dir, totals, notes)
        except Fail as e:
            print(f"\nbench_sql: {hosts} hosts: {e}", file=sys.stderr)
            print(f"BENCH sql-{hosts} error {str(e)[:200]!r}")
            return 1
    n = totals["n"]
    print(f"\n  goal (issue 11): Strata SQL's median <= 0.1 x PostgreSQL's, < DuckDB's, <= Strata InfluxQL's and "
          f"PromQL's (where the question can be asked there), answers equal")
    print(f"    <= 0.1 x PostgreSQL: {totals['pg']} of {n}; below DuckDB: {totals['duck']} of {n}; no slower than "
          f"InfluxQL/PromQL: {totals['ql']} of {n}; all three: {totals['all']} of {n}; Strata SQL failed: "
          f"{totals['failed']} of {n}")
    print(f"    of those not at a tenth of PostgreSQL's, {totals['floor']} ask for less than Strata SQL's round trip of "
          f"an empty request (SELECT 1 over the PostgreSQL protocol)")
    print(f"  S.SQL, S.IQL, S.PromQL: Strata's SQL, InfluxQL, PromQL over HTTP; S.PGw: Strata's SQL over its PostgreSQL")
    print(f"  protocol through psycopg2, as PostgreSQL is asked; ratio columns: Strata SQL / the other, Sw/PG the")
    print(f"  PostgreSQL protocol's (same client, same protocol), the others HTTP's;")
    print(f"  '*' marks a ratio whose answers differ (not comparable); '-': failed or not asked.")
    print(f"  goal column: y/n for PostgreSQL, DuckDB, InfluxQL+PromQL.")
    print(f"BENCH sql goal_pg {totals['pg']} goal_duckdb {totals['duck']} goal_ql {totals['ql']} "
          f"goal_all {totals['all']} failed {totals['failed']} of {n}")
    if notes:
        print("\n== Strata SQL: queries that failed or missed a part of the goal, with EXPLAIN")
        for hosts, name, q, err, s_ms, m, es, why in notes:
            print(f"\n  -- {hosts} hosts, {name}: " + (f"FAILED: {err}" if err else
                  f"{fmt_ms(s_ms)} ms (PostgreSQL {fmt_ms(m['pg'])}, DuckDB {fmt_ms(m['duck'])}, "
                  f"InfluxQL {fmt_ms(m['influxql'])}, PromQL {fmt_ms(m['promql'])})"))
            print(f"     {q}")
            print(f"     EXPLAIN ({es}):")
            for ln in why.splitlines()[:30]:
                print(f"       {ln}")
    print(f"\n  section time: {time.time() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
