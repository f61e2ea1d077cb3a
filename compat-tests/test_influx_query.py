"""InfluxQL schema and administration statements on /query, differential
against Debian's InfluxDB 1.6: the same line protocol is written to both
servers (/write), then the same statements (SHOW DATABASES, MEASUREMENTS,
TAG KEYS, TAG VALUES, FIELD KEYS, SERIES, RETENTION POLICIES, with FROM,
WHERE, WITH, LIMIT and OFFSET; CREATE/DROP DATABASE, retention policies,
DROP SERIES, DROP MEASUREMENT, DELETE) go to both and the JSON answers
must be equal. Where Strata differs on purpose, the difference is asserted
by name below:
  - one retention policy per database (autogen = the database's
    retention): CREATE RETENTION POLICY without DEFAULT is refused;
  - SELECT is not run yet: a per-statement error naming it.
STRATA_SMOKE: fast enough to run under ASan too (make test-asan).
Python 3 stdlib only, plus strata.py."""
import json
import re
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, InfluxDB, Results, report_crash  # noqa: E402

R = Results("test_influx_query")

# timestamps inside the default retention: an hour ago, a second apart
T0 = (int(time.time()) - 3600) * 10**9
DATA_LINES = [
    r"""cpu,host=a,region=us-west usage_user=1.5,usage_system=2i,ok=true {t0}""",
    r"""cpu,host=b,region=us-east usage_user=3,usage_system=4i,ok=false {t1}""",
    r"""cpu,host=c usage_user=5 {t2}""",
    r"""mem,host=a free=5i,used=7.25,note="x y" {t0}""",
    r"""mem,host=b,dc=eu free=6i {t3}""",
    r"""disk value=1 {t4}""",
    r"""disk,path=/var value=2 {t5}""",
    r"""weird\ name,tag\ key=tag\,value,k\=x=v\=y field\ one=1 {t6}""",
    r"""net,iface=eth0,host=a rx=10i,tx=20i {t7}""",
    r"""net,iface=eth1,host=a rx=11i,tx=21i {t8}""",
    r"""net,iface=eth0,host=b rx=12i,tx=22i {t9}""",
    r"""café,hôte=été v=1 {t10}""",
]
DATA = "\n".join(l.format(**{f"t{k}": T0 + k * 10**9 for k in range(20)}) for l in DATA_LINES) + "\n"

def http(port, method, path, params=None, form=None, body=None):
    url = f"http://127.0.0.1:{port}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    data = None
    headers = {}
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = body
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def query(port, q, db=None, method="POST", extra=None):
    params = dict(extra or {})
    if db is not None:
        params["db"] = db
    if method == "POST":
        return http(port, "POST", "/query", params=params, form={"q": q})
    params["q"] = q
    return http(port, "GET", "/query", params=params)


def rfc(ns):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns // 10**9))


def norm(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def mask_sgd(r):
    """Blanks the shardGroupDuration column of SHOW RETENTION POLICIES."""
    for res in r.get("results", []) if isinstance(r, dict) else []:
        for ser in res.get("series", []):
            if "shardGroupDuration" in ser.get("columns", []):
                k = ser["columns"].index("shardGroupDuration")
                for row in ser.get("values", []):
                    row[k] = "-"
    return r


def same(what, q, db, influx, strata, method="POST", extra=None, fix=None, mask=None):
    si, bi = query(influx.port, q, db, method, extra)
    ss, bs = query(strata.port, q, db, method, extra)
    ji, js = norm(bi), norm(bs)
    if fix:
        ji = fix(ji)
    if mask:
        js = mask(js)
    R.check(si == ss and ji == js, f"{what}: {q}", f"\n  influx {si} {bi[:600]}\n  strata {ss} {bs[:600]}")
    return js


def drop_default_db(r):
    """Strata's catalog may hold its default database; InfluxDB's has none."""
    return r


def main():
    influx = strata = None
    try:
        influx = InfluxDB().start()
        # difference: Strata's default retention is 30d (--retention);
        # InfluxDB's autogen keeps data forever, so compare with 0 = forever
        strata = Server("--retention", "0").start()
        run(influx, strata)
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, strata)
    finally:
        if strata:
            rc = strata.stop()
            # under ASan (make test-asan) a leak or an error makes this nonzero
            R.check(rc == 0, "strata exits cleanly", f"rc={rc} {strata.tail()[-1500:]}")
            strata.cleanup()
        if influx:
            influx.stop()
    return R.done()


def write(port, db, text):
    return http(port, "POST", "/write", params={"db": db}, body=text.encode())


def run(influx, strata):
    for srv in (influx, strata):
        st, body = query(srv.port, 'CREATE DATABASE "tq"')
        R.check(st == 200, f"create database on {srv.port}", body)
        st, body = write(srv.port, "tq", DATA)
        R.check(st == 204, f"write to {srv.port}", f"{st} {body}")

    def dbs(r):
        return r

    st, body = query(strata.port, "SHOW DATABASES")
    R.check(st == 200 and "tq" in body, "SHOW DATABASES lists tq", body)

    db = "tq"
    for q in [
        "SHOW MEASUREMENTS",
        "show measurements",
        "SHOW MEASUREMENTS LIMIT 2",
        "SHOW MEASUREMENTS LIMIT 2 OFFSET 1",
        "SHOW MEASUREMENTS WITH MEASUREMENT = cpu",
        "SHOW MEASUREMENTS WITH MEASUREMENT =~ /^(cpu|mem)$/",
        "SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)CPU/",
        "SHOW MEASUREMENTS WHERE host = 'a'",
        "SHOW MEASUREMENTS WHERE host = 'b' OR iface = 'eth1'",
        "SHOW MEASUREMENTS WHERE region =~ /us-.*/",
        "SHOW TAG KEYS",
        "SHOW TAG KEYS FROM cpu",
        "SHOW TAG KEYS FROM \"cpu\", mem",
        "SHOW TAG KEYS FROM /^n/",
        "SHOW TAG KEYS WHERE host = 'a'",
        "SHOW TAG VALUES WITH KEY = \"host\"",
        "SHOW TAG VALUES WITH KEY = host",
        "SHOW TAG VALUES FROM cpu WITH KEY = \"host\"",
        "SHOW TAG VALUES FROM cpu WITH KEY IN (\"host\", \"region\")",
        "SHOW TAG VALUES WITH KEY =~ /^(host|iface)$/",
        "SHOW TAG VALUES WITH KEY != host",
        "SHOW TAG VALUES WITH KEY !~ /host/",
        "SHOW TAG VALUES FROM net WITH KEY = iface WHERE host = 'a'",
        "SHOW TAG VALUES FROM cpu WITH KEY = host WHERE region != 'us-west'",
        "SHOW TAG VALUES FROM cpu WITH KEY = host WHERE region = ''",
        "SHOW FIELD KEYS",
        "SHOW FIELD KEYS FROM mem",
        "SHOW FIELD KEYS FROM /cpu|disk/",
        "SHOW SERIES",
        "SHOW SERIES FROM net",
        "SHOW SERIES FROM cpu WHERE host = 'a' OR host = 'c'",
        "SHOW SERIES WHERE host =~ /^[ab]$/ AND iface != 'eth1'",
        "SHOW SERIES LIMIT 3 OFFSET 2",
        "SHOW SERIES FROM \"weird name\"",
        "SHOW TAG KEYS FROM \"weird name\"",
        "SHOW TAG VALUES FROM \"café\" WITH KEY = \"hôte\"",
        "SHOW RETENTION POLICIES",
        "SHOW RETENTION POLICIES ON tq",
        "SHOW MEASUREMENTS; SHOW TAG KEYS FROM disk",
        "SHOW MEASUREMENTS ON tq",
        "SHOW USERS",
        "SHOW SERIES FROM nosuch",
        "SHOW TAG VALUES FROM cpu WITH KEY = nosuch",
    ]:
        same("same answer", q, db, influx, strata)
    # the influx CLI's way: chunked, epoch, empty rp
    same("chunked", "SHOW MEASUREMENTS; SHOW FIELD KEYS FROM cpu", db, influx, strata,
         extra={"chunked": "true", "epoch": "ns", "rp": ""})
    # GET works for reads (Grafana's default may be GET)
    same("GET", "SHOW TAG KEYS FROM mem", db, influx, strata, method="GET")
    # no database
    same("no db", "SHOW MEASUREMENTS", None, influx, strata)
    for q in ["SHOW MEASUREMENTS", "SHOW TAG KEYS", "SHOW SERIES", "SHOW FIELD KEYS",
              "SHOW TAG VALUES WITH KEY = host", "DROP SERIES FROM cpu", "DELETE FROM cpu", "DROP MEASUREMENT cpu"]:
        same("unknown db", q, "nosuchdb", influx, strata)
    same("rp of unknown db", "SHOW RETENTION POLICIES ON nosuchdb", None, influx, strata)
    # parse errors: 400 with InfluxDB's message
    for q in ["SHOW FOO", "SHOW TAG VALUES", "CREATE DATABASE", "SHOW MEASUREMENTS LIMIT x", "DROP SERIES",
              "SHOW TAG VALUES WITH KEY", "FOO", "SHOW SERIES WHERE host = 'a", "DELETE"]:
        same("parse error", q, db, influx, strata)
    st_i, _ = query(influx.port, "", db)
    st_s, b_s = query(strata.port, "", db)
    R.check(st_i == st_s == 400, "empty query: 400", f"{st_i} {st_s} {b_s}")
    si, bi = http(influx.port, "POST", "/query", params={"db": db})
    ss, bs = http(strata.port, "POST", "/query", params={"db": db})
    R.check(si == ss == 400 and norm(bi) == norm(bs), "missing q", f"{si} {bi} / {ss} {bs}")

    # databases and retention
    for q in ["CREATE DATABASE tq2 WITH DURATION 2d", "SHOW RETENTION POLICIES ON tq2",
              "CREATE DATABASE tq2 WITH DURATION 2d", "CREATE DATABASE tq2 WITH DURATION 3d",
              "CREATE DATABASE tq3 WITH DURATION 30m",
              "ALTER RETENTION POLICY autogen ON tq2 DURATION 72h", "SHOW RETENTION POLICIES ON tq2",
              "ALTER RETENTION POLICY autogen ON tq2 DURATION INF", "SHOW RETENTION POLICIES ON tq2",
              "CREATE RETENTION POLICY r1 ON tq2 DURATION 90d REPLICATION 1 DEFAULT",
              "DROP DATABASE tq2", "DROP DATABASE tq2", "SHOW RETENTION POLICIES ON tq2",
 ]:
        if q.startswith("CREATE RETENTION POLICY r1"):
            # Strata has one policy per database: with DEFAULT it becomes the
            # database's retention, but keeps the name autogen
            ss, bs = query(strata.port, q, db)
            R.check(ss == 200 and norm(bs) == {"results": [{"statement_id": 0}]}, "CREATE RP ... DEFAULT", bs)
            ss, bs = query(strata.port, "SHOW RETENTION POLICIES ON tq2", db)
            R.check('"autogen","2160h0m0s","24h0m0s",1,true' in bs, "  ... sets the retention", bs)
            query(influx.port, q, db)
            continue
        # difference: Strata has no shard groups; it shows the shard group
        # duration InfluxDB would choose for the current retention, where
        # InfluxDB keeps the one chosen when the policy was created
        same("admin", q, db, influx, strata, fix=mask_sgd if "SHOW RETENTION" in q else None,
             mask=mask_sgd if "SHOW RETENTION" in q else None)
    ss, bs = query(strata.port, 'CREATE DATABASE "with space"', db)
    R.check(ss == 200 and "outside [A-Za-z0-9_.-]" in bs,
            "difference: database names are directory names, so InfluxDB's free-form names are refused by name", bs)
    ss, bs = query(strata.port, "CREATE RETENTION POLICY r2 ON tq DURATION 1d REPLICATION 1", db)
    R.check(ss == 200 and "one retention policy per database" in bs,
            "difference: a second, non-default policy is refused by name", bs)
    # GET with a writing statement: InfluxDB 1.6 runs it and warns
    same("GET write", "CREATE DATABASE tq4", None, influx, strata, method="GET")
    same("after GET write", "SHOW RETENTION POLICIES ON tq4", None, influx, strata)
    # a SELECT among other statements (SELECT itself: test_influx_select.py)
    same("several statements with a SELECT", "SHOW MEASUREMENTS LIMIT 1; SELECT * FROM cpu; SHOW USERS", db,
         influx, strata)
    # a statement Strata does not run: a per-statement error naming it, the statements around it still run
    ss, bs = query(strata.port, "SHOW MEASUREMENTS LIMIT 1; KILL QUERY 1; SHOW USERS", db)
    js = norm(bs)
    R.check(ss == 200 and len(js.get("results", [])) == 3 and "KILL QUERY 1" in js["results"][1].get("error", "")
            and "series" in js["results"][0] and "series" in js["results"][2],
            "difference: an unsupported statement answers a per-statement error, others still run", bs)

    hostile(influx, strata, db)
    # deletion
    for q in ["DROP SERIES FROM cpu WHERE host = 'c'", "SHOW SERIES FROM cpu",
              "DROP SERIES WHERE iface = 'eth1'", "SHOW SERIES FROM net",
              f"DELETE FROM disk WHERE time < {T0 + 5 * 10**9}",
              "DROP MEASUREMENT mem", "SHOW MEASUREMENTS", "SHOW FIELD KEYS",
              "DELETE FROM net WHERE host = 'b'", "SHOW SERIES FROM net",
              "DELETE WHERE time >= '%s' AND time <= '%s'" % (rfc(T0), rfc(T0 + 10**9)),
              "SHOW SERIES FROM cpu",
              "DROP SERIES FROM cpu WHERE time > 0", "DELETE FROM cpu WHERE usage_user = 1",
              "DROP MEASUREMENT nosuch"]:
        same("delete", q, db, influx, strata)
    # difference: once DELETE has removed every point of a series, InfluxDB
    # 1.6 still lists the series; Strata lists series that have data
    ss, bs = query(strata.port, "SHOW SERIES FROM disk", db)
    R.check(norm(bs) == {"results": [{"statement_id": 0, "series": [{"columns": ["key"], "values": [["disk,path=/var"]]}]}]},
            "difference: a series DELETE emptied is gone from SHOW SERIES", bs)
    # what was deleted is gone from the data too, what was kept is intact
    st, body = http(strata.port, "GET", "/api/v1/export", params={"db": db, "format": "line",
                                                                   "match[]": '{__name__=~"disk.*|net.*"}'})
    lines = sorted(x for x in body.splitlines() if x and not x.startswith("#"))
    R.check(st == 200 and any(l.startswith("disk,path=/var") for l in lines) and
            not any(l.startswith("disk ") for l in lines) and not any("host=b" in l for l in lines) and
            any("iface=eth0" in l for l in lines), "deletes reach the data", repr(lines))
    cli(strata)
    redaction(strata)
    st, _, _ = strata.request("GET", "/-/healthy")
    R.check(st == 200, "healthy at the end")


def series_of(port, db):
    _, b = query(port, "SHOW SERIES", db)
    return norm(b)


def hostile(influx, strata, db):
    """What a review found: a time condition under OR, time arithmetic that
    overflows, unbalanced regexes and deep nesting must never widen a
    deletion or take the server down; /db/NAME/query names the database."""
    before = series_of(strata.port, db)
    same("DROP SERIES with time under OR", "DROP SERIES WHERE time > 0 OR host = 'zzz'", db, influx, strata)
    same("DROP SERIES with a bad time", "DROP SERIES FROM cpu WHERE time > 'yesterday'", db, influx, strata)
    for q in ["DELETE FROM cpu WHERE host = 'a' OR time < '2000-01-01T00:00:00Z'",
              "DELETE FROM cpu WHERE time > now() + 9223372036854775807",
              "DELETE FROM cpu WHERE time < now() - 15000w - 15000w - 15000w - 15000w - 15000w - 15000w",
              "DELETE FROM cpu WHERE time < 1e30",
              "DELETE FROM cpu WHERE host =~ /zzz)|(?:.*/",
              "DELETE FROM cpu WHERE time < 'yesterday'"]:
        ss, bs = query(strata.port, q, db)
        js = norm(bs)
        R.check(ss in (200, 400) and isinstance(js, dict) and
                ("error" in js or "error" in js.get("results", [{}])[0]), f"refused: {q}", bs)
    R.check(series_of(strata.port, db) == before, "nothing was deleted by the refused statements",
            f"{before} / {series_of(strata.port, db)}")
    si, bi = query(influx.port, "SHOW MEASUREMENTS WITH MEASUREMENT =~ /zzz)|(?:.*/", db)
    ss, bs = query(strata.port, "SHOW MEASUREMENTS WITH MEASUREMENT =~ /zzz)|(?:.*/", db)
    R.check(si == ss and "error" in bi and "error" in bs and "series" not in bs,
            "an unbalanced regex is an error, as in InfluxDB", f"{bi} / {bs}")
    deep = "SHOW MEASUREMENTS WHERE " + "(" * 50000 + "a='b'" + ")" * 50000
    ss, bs = query(strata.port, deep, db)
    R.check(ss == 400 and "nested deeper" in bs, "50,000 nested parentheses: 400", f"{ss} {bs[:200]}")
    long_and = "SHOW MEASUREMENTS WHERE a='b'" + " AND a='b'" * 30000
    ss, bs = query(strata.port, long_and, db)
    R.check(ss == 400 and "longer than" in bs, "30,000 ANDed terms: 400", f"{ss} {bs[:200]}")
    st, _, _ = strata.request("GET", "/-/healthy")
    R.check(st == 200, "the server is alive after them")
    st, body = http(strata.port, "POST", f"/db/{db}/query", form={"q": "SHOW MEASUREMENTS LIMIT 1"})
    R.check(st == 200 and '"values":[["caf' in body, "/db/NAME/query names the database", body)
    same("math in a skipped SELECT", 'SELECT mean("value") / 100 FROM "cpu"; SHOW MEASUREMENTS LIMIT 1', db,
         influx, strata, fix=lambda r: {"results": [{"statement_id": 0, "error": "-"}] + r["results"][1:]}
         if isinstance(r, dict) else r,
         mask=lambda r: {"results": [{"statement_id": 0, "error": "-"}] + r["results"][1:]}
         if isinstance(r, dict) and len(r.get("results", [])) == 2 else r)


def redaction(strata):
    """Passwords inside InfluxQL never come back: not in an error, a
    warning, a parse error or the server's log, over POST or GET, from a
    client library or the influx CLI."""
    secret = "hunter2-s3cr3t"
    stmts = [f"CREATE USER u WITH PASSWORD '{secret}'",
             f"CREATE USER \"u\" WITH PASSWORD '{secret}' WITH ALL PRIVILEGES",
             f"SET PASSWORD FOR u = '{secret}'",
             f"create user u with password {secret}",
             f"SHOW DATABASES; CREATE USER x WITH PASSWORD '{secret}'",
             f"CREATE USER u WITH PASSWORD '{secret}' garbage ((",
             f"SELECT * FROM cpu WHERE password = '{secret}' AND ((("]
    for q in stmts:
        for method in ("POST", "GET"):
            st, body = query(strata.port, q, method=method)
            # statements that run answer without an error; those that do
            # not say so without the password
            R.check(secret not in body and ('"error"' not in body or "REDACTED" in body or "not repeated" in body
                                            or "already exists" in body),
                    f"{method} {q[:40]}...: the password is not echoed", body[:300])
    rc = subprocess.run(["influx", "-host", "127.0.0.1", "-port", str(strata.port), "-execute", stmts[0]],
                        capture_output=True, text=True, timeout=60)
    R.check(secret not in rc.stdout + rc.stderr, "influx CLI: the password is not echoed", rc.stdout + rc.stderr)
    R.check(secret not in strata.tail(), "...nor logged")
    with open(os.path.join(strata.data_dir, "users"), "rb") as f:
        users = f.read()
    R.check(b"$2b$10$" in users and secret.encode() not in users, "...nor stored: a bcrypt hash is", users[:200])


def cli(strata):
    """Debian's influx CLI (1.6) against Strata: it pings, then posts its
    statements with chunked=true; -import writes through /write."""
    base = ["influx", "-host", "127.0.0.1", "-port", str(strata.port)]

    def run_cli(*args, stdin=None):
        p = subprocess.run(base + list(args), capture_output=True, text=True, timeout=60, input=stdin)
        return p.returncode, p.stdout + p.stderr

    rc, out = run_cli("-execute", "CREATE DATABASE cli1")
    R.check(rc == 0, "influx CLI: CREATE DATABASE", out)
    rc, out = run_cli("-execute", "SHOW DATABASES")
    R.check(rc == 0 and "\ncli1\n" in out and out.startswith("name: databases"), "influx CLI: SHOW DATABASES lists it", out)
    rc, out = run_cli("-database", "cli1", "-format", "json", "-execute", "SHOW RETENTION POLICIES")
    R.check(rc == 0 and json.loads(out)["results"][0]["series"][0]["values"][0][0] == "autogen",
            "influx CLI: SHOW RETENTION POLICIES as JSON", out)
    rc, out = run_cli("-execute", "SHOW NONSENSE")
    R.check(rc == 1 and "error parsing query: found NONSENSE" in out, "influx CLI: a parse error is shown, exit 1", out)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "import.txt")
        with open(path, "w") as f:
            f.write("# DDL\nCREATE DATABASE cli2\n# DML\n# CONTEXT-DATABASE: cli2\n")
            for i in range(2500):
                f.write(f"imp,host=h{i % 7} v={i},n={i}i {(T0 // 10**9 + i)}\n")
        rc, out = run_cli("-import", "-path", path, "-precision", "s")
        R.check(rc == 0 and "Processed 2500 inserts" in out and "Failed 0 inserts" in out,
                "influx CLI: -import of 2,500 points", out[-500:])
    rc, out = run_cli("-database", "cli2", "-execute", "SHOW FIELD KEYS; SHOW TAG VALUES WITH KEY = host")
    rows = [ln.split() for ln in out.splitlines()]
    R.check(rc == 0 and ["n", "integer"] in rows and ["v", "float"] in rows and ["host", "h6"] in rows
            and ["host", "h7"] not in rows, "influx CLI: the imported schema", out)
    st, body = http(strata.port, "GET", "/api/v1/export", params={"db": "cli2", "format": "line",
                                                                   "match[]": '{__name__=~"imp_.*"}'})
    want = {(f"host=h{i % 7}", i, T0 + i * 10**9) for i in range(2500)}
    got_v, got_n = set(), set()
    for ln in body.splitlines():
        m = re.match(r"^imp,(host=h\d) (v|n)=(-?\d+)(i?) (\d+)$", ln)
        if m:
            (got_v if m.group(2) == "v" else got_n).add((m.group(1), int(m.group(3)), int(m.group(5))))
    R.check(st == 200 and got_v == want and got_n == want, "influx CLI: every imported value readable, typed",
            f"{len(got_v)} {len(got_n)} {body[:300]}")


if __name__ == "__main__":
    sys.exit(main())
