"""SQL over the PostgreSQL wire protocol (--pg-listen), end to end.

- psql (Debian postgresql-client 15): \\l, \\dt, \\d cpu, \\dn, a query, an
  unknown column read back with its SQLSTATE and position, an unknown
  database refused with FATAL 3D000;
- psycopg2 (Debian python3-psycopg2; it interpolates parameters on the
  client, so it exercises the simple protocol): values and their Python
  types, parameters, errors by SQLSTATE class, the failed-transaction state
  and rollback, SHOW and the session functions;
- a raw protocol client written here (the extended protocol psycopg2 does
  not use): SSLRequest, start-up parameters, Parse/Bind/Describe/Execute/
  Sync with $n parameters in text and binary, text and binary results,
  a portal suspended by a row limit and resumed, named statements, an error
  in the middle of a pipeline skipping to Sync, transaction status bytes,
  multi-statement and empty queries, a CancelRequest stopping a running
  query, the message size limit, --pg-max-connections;
- Grafana's PostgreSQL data source: its table picker, column picker,
  version and TimescaleDB probes (postgresMetaQuery.ts) through the
  extended protocol as pgx sends them, and time-series queries as its
  macros expand them (macros.go: $__timeFilter -> time BETWEEN '<RFC3339>'
  AND '<RFC3339>', $__timeGroup -> floor(extract(epoch from time)/60)*60,
  to_timestamp(n)). Idioms the engine rejects are listed as KNOWN GAP with
  their error, and must fail cleanly (an ErrorResponse, the connection
  still serving);
- sessions at once, and a stop with sessions open: SIGTERM ends them and
  the server exits 0 (under ASan a leak makes that fail).

STRATA_SMOKE: runs under ASan too (make test-asan).
"""
import datetime
import hashlib
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, free_port, report_crash  # noqa: E402

try:
    import psycopg2  # noqa: F401
except ImportError:  # Debian's python3-psycopg2 lives outside a pyenv interpreter's path
    sys.path.append("/usr/lib/python3/dist-packages")
try:
    import psycopg2
    import psycopg2.errors
except ImportError:
    psycopg2 = None

R = Results("test_pgwire")
DB = "pgdb"
BASE = (int(time.time()) // 3600 - 1) * 3600  # an hour ago, on the hour: inside retention


def ts(sec, ns=0):
    return (BASE + sec) * 10**9 + ns


def dt(sec, us=0):
    return datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=BASE + sec, microseconds=us)


def pgtext(sec, us=0):
    s = dt(sec, us).strftime("%Y-%m-%d %H:%M:%S")
    if us:
        s += ("." + "%06d" % us).rstrip("0")
    return s


LP = "\n".join([
    f'cpu,host=a,region=eu usage_user=10.5,usage_idle=80i,ok=true,note="hi" {ts(10, 500000000)}',
    f'cpu,host=b,region=us usage_user=20.25,usage_idle=70i,ok=false,note="x y" {ts(11, 123456789)}',
    f'cpu,host=a,region=eu usage_user=30,usage_idle=60i,ok=true,note="z" {ts(70)}',
    f'mem,host=a used=1.5 {ts(10)}',
    f'odd\\ name.x{{1}},host=a v=1 {ts(10)}',
] + [f"big,host=h{i % 10} v={i} {ts(i)}" for i in range(400)])


def pg_args(port, extra=()):
    return ["--pg-listen", f"127.0.0.1:{port}"] + list(extra)


def load(srv):
    st, body, _ = srv.request("POST", f"/write?db={DB}", LP.encode())
    if st != 204:
        raise RuntimeError(f"write: {st} {body[:200]}")


# ------------------------------------------------------------ a raw client

class Raw:
    """The protocol's messages, byte for byte (PostgreSQL's "Message
    Formats"), so the test sees exactly what the server sends."""

    def __init__(self, port, timeout=30):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.params = {}
        self.key = None

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    def raw(self, b):
        self.s.sendall(b)

    def _read(self, n):
        while len(self.buf) < n:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        t = self._read(1).decode()
        n = struct.unpack("!i", self._read(4))[0]
        return t, self._read(n - 4)

    def until(self, stop="Z"):
        msgs = []
        while True:
            t, b = self.recv()
            msgs.append((t, b))
            if t in stop:
                return msgs

    def startup(self, db=DB, user="tester", **extra):
        kv = {"user": user, "database": db, **extra}
        body = struct.pack("!i", 196608) + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in kv.items()) + b"\0"
        self.raw(struct.pack("!i", len(body) + 4) + body)
        msgs = self.until("ZE")
        for t, b in msgs:
            if t == "S":
                k, v, _ = b.split(b"\0")
                self.params[k.decode()] = v.decode()
            if t == "K":
                self.key = struct.unpack("!ii", b)
        return msgs

    def send(self, t, body=b""):
        self.raw(t.encode() + struct.pack("!i", len(body) + 4) + body)

    def query(self, q):
        self.send("Q", q.encode() + b"\0")
        return self.until("Z")

    def parse(self, name, q, oids=()):
        self.send("P", name.encode() + b"\0" + q.encode() + b"\0" + struct.pack("!h", len(oids)) +
                  b"".join(struct.pack("!I", o) for o in oids))

    def bind(self, portal, stmt, params=(), pfmts=(), rfmts=()):
        b = portal.encode() + b"\0" + stmt.encode() + b"\0"
        b += struct.pack("!h", len(pfmts)) + b"".join(struct.pack("!h", f) for f in pfmts)
        b += struct.pack("!h", len(params))
        for p in params:
            if p is None:
                b += struct.pack("!i", -1)
            else:
                p = p if isinstance(p, bytes) else str(p).encode()
                b += struct.pack("!i", len(p)) + p
        b += struct.pack("!h", len(rfmts)) + b"".join(struct.pack("!h", f) for f in rfmts)
        self.send("B", b)

    def describe(self, kind, name):
        self.send("D", kind.encode() + name.encode() + b"\0")

    def execute(self, portal, maxrows=0):
        self.send("E", portal.encode() + b"\0" + struct.pack("!i", maxrows))

    def close_(self, kind, name):
        self.send("C", kind.encode() + name.encode() + b"\0")

    def run(self, q):
        """Parse, Bind and Execute of the unnamed statement and portal (no
        Sync: several may be queued before one)."""
        self.parse("", q)
        self.bind("", "")
        self.execute("")

    def sync(self):
        self.send("S")
        return self.until("Z")

    def flush(self):
        self.send("H")


def rowdesc(body):
    n = struct.unpack("!h", body[:2])[0]
    i, cols = 2, []
    for _ in range(n):
        z = body.index(b"\0", i)
        name = body[i:z].decode()
        i = z + 1
        _tab, _att, oid, size, _mod, fmt = struct.unpack("!ihihih", body[i:i + 18])
        i += 18
        cols.append((name, oid, fmt, size))
    return cols


def datarow(body):
    n = struct.unpack("!h", body[:2])[0]
    i, vals = 2, []
    for _ in range(n):
        ln = struct.unpack("!i", body[i:i + 4])[0]
        i += 4
        if ln < 0:
            vals.append(None)
        else:
            vals.append(body[i:i + ln])
            i += ln
    return vals


def errfields(body):
    out = {}
    for f in body.split(b"\0"):
        if f:
            out[chr(f[0])] = f[1:].decode()
    return out


def kinds(msgs):
    return "".join(t for t, _ in msgs)


def rows_of(msgs):
    return [[None if v is None else v.decode() for v in datarow(b)] for t, b in msgs if t == "D"]


def first(msgs, t):
    for k, b in msgs:
        if k == t:
            return b
    return None


# ------------------------------------------------------------ psql

def psql(port, *args, db=DB, stdin=None):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10", PGAPPNAME="test_pgwire")
    cmd = ["psql", "-X", "-h", "127.0.0.1", "-p", str(port), "-U", "tester", "-d", db,
           "-v", "VERBOSITY=verbose", "-P", "pager=off"] + list(args)
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60, env=env)
    return p.returncode, p.stdout, p.stderr


def test_psql(port):
    if not shutil.which("psql"):
        R.check(False, "psql is installed (Debian postgresql-client)")
        return
    rc, out, err = psql(port, "-c", r"\l")
    R.check(rc == 0 and "List of databases" in out and any(
        ln.split("|")[0].strip() == DB and "UTF8" in ln for ln in out.splitlines()),
        "psql \\l lists the Strata databases", out + err)
    rc, out, err = psql(port, "-c", r"\dt")
    names = [ln.split("|")[1].strip() for ln in out.splitlines() if ln.count("|") == 3 and "public" in ln]
    R.check(rc == 0 and names == ["big", "cpu", "mem", "odd name.x{1}"], "psql \\dt lists the measurements as tables",
            out + err)
    rc, out, err = psql(port, "-c", r'\d "odd name.x{1}"')
    R.check(rc == 0 and 'Table "public.odd name.x{1}"' in out and " v " in out,
            "psql \\d of a table whose name needs quotes (E'...' pattern with escapes)", out + err)
    rc, out, err = psql(port, "-c", r"\d cpu")
    cols = {ln.split("|")[0].strip(): ln.split("|")[1].strip() for ln in out.splitlines() if ln.count("|") >= 4}
    R.check(rc == 0 and 'Table "public.cpu"' in out and cols.get("usage_user") == "double precision" and
            cols.get("usage_idle") == "bigint" and cols.get("ok") == "boolean" and
            cols.get("host") == "character varying" and cols.get("time") == "timestamp without time zone" and
            list(cols)[1:] == ["host", "region", "measure_name", "time", "note", "ok", "usage_idle", "usage_user"],
            "psql \\d cpu describes its columns in SELECT * order with PostgreSQL's type names", out + err)
    rc, out, err = psql(port, "-c", r"\d nosuch")
    R.check("Did not find any relation named" in err, "psql \\d of an unknown table says so", out + err)
    rc, out, err = psql(port, "-c", r"\d+ cpu")
    R.check(rc == 0 and "Storage" in out and "Access method: heap" in out and "usage_user" in out,
            "psql \d+ cpu (the verbose column set)", out + err)
    rc, out, err = psql(port, "-c", r"\dv")
    R.check(rc == 0 and "Did not find any relations." in err + out, "psql \dv: no views", out + err)
    rc, out, err = psql(port, "-c", r"\df")
    R.check(rc == 0 and "(0 rows)" in out, "psql \df: no functions listed", out + err)
    rc, out, err = psql(port, "-c", r"\dn")
    R.check(rc == 0 and "public" in out and "List of schemas" in out, "psql \\dn shows the public schema", out + err)
    rc, out, err = psql(port, "-A", "-t", "-c", "SELECT host, usage_user, ok, time FROM cpu ORDER BY time")
    want = [f"a|10.5|t|{pgtext(10, 500000)}", f"b|20.25|f|{pgtext(11, 123456)}", f"a|30|t|{pgtext(70)}"]
    R.check(rc == 0 and out.splitlines() == want,
            "psql runs a query: doubles, booleans t/f, timestamps with microseconds (nanoseconds truncated)",
            repr(out) + err + " want " + repr(want))
    rc, out, err = psql(port, "-A", "-t", "-v", "FETCH_COUNT=7", "-c", "SELECT v FROM big ORDER BY v")
    R.check(rc == 0 and out.split() == [str(i) for i in range(400)],
            "psql FETCH_COUNT (DECLARE ... NO SCROLL CURSOR, FETCH FORWARD 7, CLOSE)", err + out[:200])
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"pgwire-copy-{os.getpid()}.csv")
    rc, out, err = psql(port, "-c", f"\\copy (SELECT host, note, usage_user, time FROM cpu ORDER BY time) "
                                    f"TO '{path}' CSV HEADER")
    try:
        with open(path) as f:
            got = f.read().splitlines()
        os.unlink(path)
    except OSError:
        got = None
    R.check(rc == 0 and got == ["host,note,usage_user,time", f"a,hi,10.5,{pgtext(10, 500000)}",
                                f"b,x y,20.25,{pgtext(11, 123456)}", f"a,z,30,{pgtext(70)}"],
            "psql \\copy (query) TO file CSV HEADER (COPY ... TO STDOUT)", (got, err))
    rc, out, err = psql(port, "-c", "SELECT nope FROM cpu")
    R.check(rc == 1 and "ERROR:  42703: line 1:8: Column 'nope' does not exist" in err and
            "LINE 1: SELECT nope FROM cpu\n               ^" in err,
            "psql reads an unknown column's error with SQLSTATE 42703 and its position", err)
    rc, out, err = psql(port, "-c", "SELECT 1", db="nosuchdb")
    R.check(rc != 0 and 'database "nosuchdb" does not exist' in err, "psql: an unknown database is refused", err)
    # several statements in one Query message, with ; inside quotes and comments
    rc, out, err = psql(port, "-A", "-t", stdin="SELECT 'a;b' AS x /* ; */ ; SELECT 2 -- ;\n;\n")
    R.check(rc == 0 and out.split() == ["a;b", "2"], "psql: statements split at ; outside quotes and comments",
            repr(out) + err)


# ------------------------------------------------------------ psycopg2

def test_psycopg2(port):
    if psycopg2 is None:
        R.check(False, "psycopg2 is installed (Debian python3-psycopg2)")
        return
    conn = psycopg2.connect(host="127.0.0.1", port=port, dbname=DB, user="tester", application_name="pgtest")
    try:
        R.check(conn.server_version == 150000 and conn.get_parameter_status("integer_datetimes") == "on" and
                conn.get_parameter_status("DateStyle") == "ISO, MDY" and
                conn.get_parameter_status("TimeZone") == "UTC" and
                conn.get_parameter_status("application_name") == "pgtest",
                "psycopg2 reads server_version 15 and the parameter statuses",
                (conn.server_version, conn.get_parameter_status("DateStyle")))
        cur = conn.cursor()
        cur.execute("SELECT host, usage_user, ok, usage_idle, note, time FROM cpu WHERE host = %s AND usage_user > %s "
                    "ORDER BY time", ("a", 5))
        rows = cur.fetchall()
        R.check(rows == [("a", 10.5, True, 80, "hi", dt(10, 500000)), ("a", 30.0, True, 60, "z", dt(70))] and
                [d.type_code for d in cur.description] == [1043, 701, 16, 20, 1043, 1114],
                "psycopg2: parameterised query, Python types from the type OIDs", (rows, cur.description))
        R.check(conn.get_transaction_status() == 2, "psycopg2: its implicit BEGIN leaves the session in a block",
                conn.get_transaction_status())
        try:
            cur.execute("SELECT nope FROM cpu")
            R.check(False, "psycopg2: unknown column raises UndefinedColumn")
        except psycopg2.errors.UndefinedColumn as e:
            R.check(e.pgcode == "42703" and "Column 'nope' does not exist" in str(e),
                    "psycopg2: unknown column raises UndefinedColumn", e.pgcode)
        try:
            cur.execute("SELECT 1")
            R.check(False, "psycopg2: a failed transaction refuses statements until rollback")
        except psycopg2.errors.InFailedSqlTransaction as e:
            R.check(e.pgcode == "25P02", "psycopg2: a failed transaction refuses statements until rollback", e.pgcode)
        conn.rollback()
        cur.execute("SELECT count(*) FROM cpu")
        R.check(cur.fetchone() == (3,), "psycopg2: after rollback the session serves again")
        for q, code in [("SELECT * FROM nosuch", "42P01"), ("SELECT nosuchfn(1)", "42883"), ("SELEC 1", "42601"),
                        ("SELECT 1 / 0", "22012")]:
            try:
                cur.execute(q)
                R.check(False, f"psycopg2: {q} fails with {code}")
            except psycopg2.Error as e:
                R.check(e.pgcode == code, f"psycopg2: {q} fails with {code}", (e.pgcode, str(e)))
            conn.rollback()
        cur.execute("SELECT version(), current_database(), current_user")
        v = cur.fetchone()
        R.check(v[0].startswith("PostgreSQL 15.0") and v[1] == DB and v[2] == "tester",
                "psycopg2: version(), current_database(), current_user", v)
        cur.execute("SHOW TimeZone")
        R.check(cur.fetchone() == ("UTC",) and cur.description[0].name == "TimeZone", "psycopg2: SHOW TimeZone")
        cur.execute("SET application_name = 'other'")
        R.check(conn.get_parameter_status("application_name") == "other",
                "psycopg2: SET of a reported setting sends its ParameterStatus",
                conn.get_parameter_status("application_name"))
        cur.execute("SELECT %s AS s, %s AS i, %s AS d", ("it's", 42, 2.5))
        R.check(cur.fetchone() == ("it's", 42, 2.5), "psycopg2: quoted literals round-trip")
        cur.execute("SELECT 0.1e0 + 0.2e0, 1e0 / 0, 123456789012345678e0, 0.00001e0")
        v = cur.fetchone()
        R.check(v[0] == 0.1 + 0.2 and v[1] == float("inf") and v[2] == 123456789012345678.0 and v[3] == 0.00001,
                "psycopg2: float8 text reads back to the same doubles", v)
        conn.commit()
        R.check(conn.get_transaction_status() == 0, "psycopg2: COMMIT returns the session to idle")
        # a named (server-side) cursor: DECLARE ... CURSOR, FETCH FORWARD n, CLOSE
        named = conn.cursor("pgtest_cursor")
        named.itersize = 7
        named.execute("SELECT v FROM big WHERE v < %s ORDER BY v", (20,))
        got = named.fetchmany(3) + named.fetchmany(3) + list(named)
        named.close()
        conn.commit()
        R.check([r[0] for r in got] == [float(i) for i in range(20)], "psycopg2: a named cursor fetches in batches",
                got[:5])
    finally:
        conn.close()


# ------------------------------------------------------------ raw protocol

def test_startup(port):
    c = Raw(port)
    c.raw(struct.pack("!ii", 8, 80877103))  # SSLRequest
    R.check(c._read(1) == b"N", "SSLRequest is answered N (no TLS yet)")
    c.raw(struct.pack("!ii", 8, 80877104))  # GSSENCRequest
    R.check(c._read(1) == b"N", "GSSENCRequest is answered N")
    msgs = c.startup(application_name="raw", extra_float_digits="3")
    R.check(kinds(msgs)[0] == "R" and first(msgs, "R") == struct.pack("!i", 0) and kinds(msgs).endswith("KZ") and
            first(msgs, "Z") == b"I", "start-up: AuthenticationOk, ParameterStatus..., BackendKeyData, ReadyForQuery(I)",
            kinds(msgs))
    want = {"server_version": "15.0 (Strata)", "server_encoding": "UTF8", "client_encoding": "UTF8",
            "DateStyle": "ISO, MDY", "TimeZone": "UTC", "integer_datetimes": "on",
            "standard_conforming_strings": "on", "IntervalStyle": "postgres", "application_name": "raw"}
    R.check(all(c.params.get(k) == v for k, v in want.items()), "start-up: the ParameterStatus values clients read",
            c.params)
    m = c.query("")
    R.check(kinds(m) == "IZ", "an empty query answers EmptyQueryResponse", kinds(m))
    m = c.query("-- ping")
    R.check(kinds(m) == "IZ", "a comment alone (pgx's Ping) answers EmptyQueryResponse", kinds(m))
    m = c.query(" ; ;")
    R.check(kinds(m) == "IZ", "semicolons alone answer EmptyQueryResponse", kinds(m))
    m = c.query("SELECT 1 AS a; SELECT 'x' AS b, 2.5e0 AS c")
    R.check(kinds(m) == "TDCTDCZ" and rows_of(m) == [["1"], ["x", "2.5"]] and
            [x[0] for x in rowdesc(first(m, "T"))] == ["a"],
            "a Query with two statements: two RowDescription/DataRow/CommandComplete, one ReadyForQuery", kinds(m))
    m = c.query("SELECT 1; SELECT nope FROM cpu; SELECT 3")
    R.check(kinds(m) == "TDCEZ", "an error ends a multi-statement Query", kinds(m))
    m = c.query("BEGIN")
    R.check(first(m, "C") == b"BEGIN\0" and first(m, "Z") == b"T", "BEGIN: transaction status T")
    m = c.query("SELECT nope FROM cpu")
    R.check(first(m, "Z") == b"E", "an error in a block: transaction status E")
    m = c.query("SELECT 1")
    R.check(errfields(first(m, "E") or b"").get("C") == "25P02" and first(m, "Z") == b"E",
            "a failed block refuses statements with 25P02")
    m = c.query("ROLLBACK")
    R.check(first(m, "C") == b"ROLLBACK\0" and first(m, "Z") == b"I", "ROLLBACK: transaction status I")
    m = c.query("COPY (SELECT 'a\tb\\c' AS x, NULL AS y, 1 AS z) TO STDOUT")
    R.check(kinds(m) == "HdcCZ" and first(m, "d") == b"a\\tb\\\\c\t\\N\t1\n" and first(m, "C") == b"COPY 1\0",
            "COPY (query) TO STDOUT: CopyOutResponse, text escapes, \\N for NULL, CopyDone, COPY 1",
            (kinds(m), first(m, "d")))
    m = c.query("COPY cpu FROM STDIN")
    R.check(errfields(first(m, "E") or b"").get("C") == "0A000", "COPY FROM is refused with 0A000")
    m = c.query("SELECT host AS pg_type, 'pg_class' AS pg_class FROM cpu WHERE host = 'b'")
    R.check(rows_of(m) == [["b", "pg_class"]], "catalog names as aliases or strings do not divert a query", rows_of(m))
    m = c.query("SHOW TRANSACTION ISOLATION LEVEL; SET extra_float_digits = 3; SHOW extra_float_digits")
    R.check(rows_of(m) == [["read committed"], ["3"]], "JDBC's start-up statements: SHOW TRANSACTION ISOLATION LEVEL, "
            "SET extra_float_digits", rows_of(m))
    m = c.query("SHOW server_version; SHOW no_such_setting")
    R.check(rows_of(m) == [["15.0 (Strata)"]] and errfields(first(m, "E")).get("C") == "42704",
            "SHOW of a setting and of an unknown one (42704)")
    m = c.query("SET DateStyle = 'German'")
    R.check(first(m, "E") is not None and errfields(first(m, "E")).get("C") == "22023",
            "SET DateStyle to what Strata cannot write is refused")
    m = c.query("SELECT 0.1e0 + 0.2e0 AS a, 1e0 / 0 AS b, -1e0/0 AS c, nan() AS d, 1e15 AS e, 1e14 AS f, "
                "0.0001e0 AS g, 0.00001e0 AS h, -0e0 AS i, 1.5e-7 AS j, 123456789.125e0 AS k")
    R.check(rows_of(m) == [["0.30000000000000004", "Infinity", "-Infinity", "NaN", "1e+15", "100000000000000",
                            "0.0001", "1e-05", "-0", "1.5e-07", "123456789.125"]],
            "doubles as PostgreSQL 15 prints float8", rows_of(m))
    m = c.query("SELECT INTERVAL '90' MINUTE AS a, INTERVAL '-1' DAY AS b, INTERVAL '13' MONTH AS c, "
                "INTERVAL '1' DAY + INTERVAL '0.5' SECOND AS d, DATE '2024-02-29' AS e")
    R.check(rows_of(m) == [["01:30:00", "-1 days", "1 year 1 mon", "1 day 00:00:00.5", "2024-02-29"]] and
            [x[1] for x in rowdesc(first(m, "T"))] == [1186, 1186, 1186, 1186, 1082],
            "intervals and dates as PostgreSQL prints them", rows_of(m))
    m = c.query("SELECT pg_client_encoding(), current_schema(), pg_catalog.pg_is_in_recovery()")
    R.check(rows_of(m) == [["UTF8", "public", "f"]] and
            [x[0] for x in rowdesc(first(m, "T"))] == ["pg_client_encoding", "current_schema", "pg_is_in_recovery"],
            "session functions ODBC and JDBC tools call", rows_of(m))
    m = c.query("SELECT version() AS v, current_setting('server_version_num')::int/100 AS version")
    R.check(rows_of(m) and rows_of(m)[0][1] == "1500" and rows_of(m)[0][0].startswith("PostgreSQL 15.0"),
            "version() and current_setting('server_version_num')::int/100", rows_of(m))
    c.send("X")
    c.close()


def test_extended(port):
    c = Raw(port)
    c.startup()
    # text parameters and results, unnamed statement and portal
    c.parse("", "SELECT host, usage_user, ok, usage_idle, time FROM cpu WHERE host = $1 AND usage_user > $2 ORDER BY time")
    c.bind("", "", ["a", "5"])
    c.describe("P", "")
    c.execute("", 0)
    m = c.sync()
    R.check(kinds(m) == "12TDDCZ" and rows_of(m) == [["a", "10.5", "t", "80", pgtext(10, 500000)],
                                                   ["a", "30", "t", "60", pgtext(70)]] and
            first(m, "C") == b"SELECT 2\0" and [x[1] for x in rowdesc(first(m, "T"))] == [1043, 701, 16, 20, 1114],
            "extended protocol: $1 $2 text parameters, text results, CommandComplete SELECT 2", (kinds(m), rows_of(m)))
    # Describe statement: ParameterDescription + RowDescription before any Bind
    c.parse("s1", "SELECT usage_user, usage_idle FROM cpu WHERE host = $1 ORDER BY time", [25])
    c.describe("S", "s1")
    m = c.sync()
    pd = first(m, "t")
    R.check(kinds(m) == "1tTZ" and pd == struct.pack("!hI", 1, 25) and
            [x[:2] for x in rowdesc(first(m, "T"))] == [("usage_user", 701), ("usage_idle", 20)],
            "Describe statement: ParameterDescription and RowDescription", kinds(m))
    # binary results: float8, int8, bool, timestamp, text
    c.parse("s2", "SELECT usage_user, usage_idle, ok, time, note FROM cpu WHERE host = $1 ORDER BY time")
    c.bind("p2", "s2", ["b"], rfmts=[1])
    c.execute("p2")
    m = c.sync()
    r = [datarow(b) for t, b in m if t == "D"]
    want_us = (BASE + 11) * 10**6 + 123456 - 946684800 * 10**6
    R.check(len(r) == 1 and struct.unpack("!d", r[0][0])[0] == 20.25 and struct.unpack("!q", r[0][1])[0] == 70 and
            r[0][2] == b"\x00" and struct.unpack("!q", r[0][3])[0] == want_us and r[0][4] == b"x y",
            "binary results: float8, int8, bool, timestamp (microseconds since 2000), text", r)
    c.parse("", "SELECT DATE '2024-02-29' AS d, INTERVAL '1' DAY + INTERVAL '0.5' SECOND AS i, "
                "INTERVAL '14' MONTH AS m, 'héllo' AS t, CAST(NULL AS bigint) AS n")
    c.bind("", "", rfmts=[1])
    c.execute("")
    m = c.sync()
    r = [datarow(b) for t, b in m if t == "D"]
    days = (datetime.date(2024, 2, 29) - datetime.date(2000, 1, 1)).days
    R.check(r == [[struct.pack("!i", days), struct.pack("!qii", 500000, 1, 0), struct.pack("!qii", 0, 0, 14),
                   "héllo".encode(), None]],
            "binary results: date (days since 2000), intervals (microseconds, days, months), UTF-8 text, NULL", r)
    # binary parameters (int8, float8, timestamp) per column formats
    c.parse("s3", "SELECT count(*) AS n FROM cpu WHERE usage_idle < $1 AND usage_user >= $2 AND time >= $3",
            [20, 701, 1114])
    us = (BASE + 11) * 10**6 - 946684800 * 10**6
    c.bind("", "s3", [struct.pack("!q", 75), struct.pack("!d", 20.0), struct.pack("!q", us)], pfmts=[1, 1, 1],
           rfmts=[1])
    c.execute("")
    m = c.sync()
    r = [datarow(b) for t, b in m if t == "D"]
    R.check(r == [[struct.pack("!q", 2)]], "binary parameters: int8, float8, timestamp", (kinds(m), r))
    # an untyped parameter that reads as a number, compared to text: taken as the text it is
    c.parse("", "SELECT count(*) AS n FROM cpu WHERE note = $1 OR usage_idle = $2")
    c.bind("", "", ["12", "80"])
    c.execute("")
    m = c.sync()
    R.check(rows_of(m) == [["1"]], "untyped parameters: a number where a number is wanted, text where text is",
            (kinds(m), rows_of(m), first(m, "E")))
    # the same named statement bound twice
    c.bind("", "s1", ["a"])
    c.execute("")
    c.bind("", "s1", ["b"])
    c.execute("")
    m = c.sync()
    R.check(rows_of(m) == [["10.5", "80"], ["30", "60"], ["20.25", "70"]], "a named statement bound again", rows_of(m))
    # a portal suspended by a row limit, then resumed
    c.parse("", "SELECT v FROM big WHERE v < 5 ORDER BY v")
    c.bind("cur", "")
    c.execute("cur", 2)
    c.execute("cur", 2)
    c.flush()
    m = c.until("s")
    m += c.until("s")
    c.execute("cur", 2)
    c.execute("cur", 2)
    m2 = c.sync()
    R.check(kinds(m) == "12DDsDDs" and kinds(m2) == "DCCZ" and rows_of(m + m2) == [[str(i)] for i in range(5)] and
            first(m2, "C") == b"SELECT 1\0",
            "Execute with a row limit: PortalSuspended, resumed until CommandComplete", kinds(m) + "|" + kinds(m2))
    # an error in the middle of a pipeline: everything up to Sync is skipped
    c.run("SELECT 1 AS a")
    c.run("SELECT nope FROM cpu")
    c.run("SELECT 3")
    m = c.sync()
    e = errfields(first(m, "E") or b"")
    # (the unknown column is found when the statement is planned, at Bind's Execute: PostgreSQL finds it
    # at Parse; either way one ErrorResponse, and nothing after it until Sync)
    R.check(kinds(m) in ("12DCEZ", "12DC12EZ") and e.get("C") == "42703" and e.get("P") == "8" and
            e.get("S") == "ERROR",
            "an error mid-pipeline: ErrorResponse (42703, Position 8), the rest skipped until Sync", (kinds(m), e))
    c.run("SELECT 1 AS a")
    c.run("SELECT FROM WHERE")
    m = c.sync()
    e = errfields(first(m, "E") or b"")
    R.check(kinds(m) == "12DCEZ" and e.get("C") == "42601",
            "a syntax error is reported at Parse, and Bind/Execute after it are skipped", (kinds(m), e))
    m = c.query("SELECT 4")
    R.check(rows_of(m) == [["4"]], "after Sync the connection serves again")
    # wrong parameter count, missing statement, Close
    c.bind("", "s1", [])
    m = c.sync()
    R.check(errfields(first(m, "E") or b"").get("C") == "08P01", "Bind with the wrong parameter count: 08P01")
    c.close_("S", "s1")
    c.bind("", "s1", ["a"])
    m = c.sync()
    R.check(kinds(m) == "3EZ" and errfields(first(m, "E")).get("C") == "26000", "Close statement, then Bind: 26000",
            kinds(m))
    c.parse("", "SELECT 1; SELECT 2")
    m = c.sync()
    R.check(errfields(first(m, "E") or b"").get("C") == "42601", "Parse of two statements is refused")
    # a parse error's position in the extended protocol
    c.run("SELECT host FROM cpu WHERE")
    m = c.sync()
    e = errfields(first(m, "E") or b"")
    R.check(e.get("C") == "42601" and e.get("P") == "27", "a syntax error: 42601 with its Position", e)
    # SET through the extended protocol: NoData, then ParameterStatus after CommandComplete
    c.parse("", "SET application_name TO 'ext'")
    c.bind("", "")
    c.describe("P", "")
    c.execute("")
    m = c.sync()
    R.check(kinds(m) == "12nCSZ" and c.params.get("application_name") != "x" and
            b"application_name\0ext\0" in (first(m, "S") or b""), "SET in the extended protocol", kinds(m))
    # set_config() changes the session when executed, not when parsed
    c.parse("sc", "SELECT set_config('application_name', 'parsed', false)")
    c.sync()
    R.check(rows_of(c.query("SHOW application_name")) == [["ext"]], "a parsed set_config() changes nothing yet")
    c.bind("", "sc")
    c.execute("")
    c.sync()
    R.check(rows_of(c.query("SHOW application_name")) == [["parsed"]], "an executed set_config() changes the setting")
    # SQL cursors over the simple protocol: outside a block only WITH HOLD
    m = c.query("DECLARE c1 CURSOR FOR SELECT v FROM big ORDER BY v")
    R.check(errfields(first(m, "E") or b"").get("C") == "25P01", "DECLARE without HOLD outside a block: 25P01")
    m = c.query("BEGIN; DECLARE c1 BINARY CURSOR FOR SELECT v FROM big WHERE v < 5 ORDER BY v; FETCH 2 FROM c1; "
                "FETCH FORWARD ALL IN c1; FETCH NEXT FROM c1; CLOSE c1; COMMIT")
    vals = [struct.unpack("!d", datarow(b)[0])[0] for t, b in m if t == "D"]
    tags = [b.rstrip(b"\0").decode() for t, b in m if t == "C"]
    R.check(vals == [0.0, 1.0, 2.0, 3.0, 4.0] and
            tags == ["BEGIN", "DECLARE CURSOR", "FETCH 2", "FETCH 3", "FETCH 0", "CLOSE CURSOR", "COMMIT"] and
            [[x[:3] for x in rowdesc(b)] for t, b in m if t == "T"] == [[("v", 701, 1)]] * 3,
            "DECLARE BINARY CURSOR, FETCH n, FETCH FORWARD ALL (and past the end, still described), CLOSE",
            (tags, vals))
    m = c.query("FETCH 1 FROM c1")
    R.check(errfields(first(m, "E") or b"").get("C") == "34000", "FETCH from a closed cursor: 34000")
    m = c.query("BEGIN; DECLARE c2 CURSOR FOR SELECT v FROM big WHERE v < 6 ORDER BY v; MOVE 3 IN c2; "
                "FETCH ALL FROM c2; CLOSE c2; COMMIT")
    tags = [b.rstrip(b"\0").decode() for t, b in m if t == "C"]
    R.check(rows_of(m) == [["3"], ["4"], ["5"]] and "MOVE 3" in tags, "MOVE n skips rows without sending them",
            (tags, rows_of(m)))
    m = c.query("COPY cpu (host, usage_user, note) TO STDOUT (FORMAT csv, HEADER, DELIMITER ';', NULL 'none')")
    got = b"".join(b for t, b in m if t == "d")
    R.check(got == b'host;usage_user;note\na;10.5;hi\na;30;z\nb;20.25;x y\n',
            "COPY table (columns) TO STDOUT as CSV with HEADER, DELIMITER and NULL", got)
    m = c.query('COPY cpu ("no""pe") TO STDOUT')
    R.check(errfields(first(m, "E") or b"").get("C") == "42703", 'COPY of a column named with a quote: no such column '
            '(42703), not a syntax error', errfields(first(m, "E") or b""))
    m = c.query("COPY (SELECT NULL AS a, 'q' AS b) TO STDOUT (FORMAT csv, NULL 'none')")
    R.check(b"".join(b for t, b in m if t == "d") == b"none,q\n", "COPY ... NULL 'none' writes NULL as none",
            b"".join(b for t, b in m if t == "d"))
    # transaction status through Sync
    c.run("BEGIN")
    m = c.sync()
    R.check(first(m, "Z") == b"T", "BEGIN through Execute: Sync reports T")
    c.query("COMMIT")
    c.close()


def test_cancel(port):
    c = Raw(port, timeout=120)
    c.startup()
    pid, secret = c.key
    c.send("Q", b"SELECT count(*) FROM big a CROSS JOIN big b CROSS JOIN big c CROSS JOIN big d\0")
    time.sleep(0.5)
    x = Raw(port)
    x.raw(struct.pack("!iiii", 16, 80877102, pid, secret + 1))  # a wrong secret cancels nothing
    x.close()
    c.s.settimeout(0.5)
    try:
        early = c.s.recv(1, socket.MSG_PEEK)
    except socket.timeout:
        early = b""
    c.s.settimeout(120)
    R.check(early == b"", "a CancelRequest with a wrong secret leaves the query running", repr(early))
    x = Raw(port)
    x.raw(struct.pack("!iiii", 16, 80877102, pid, secret))
    t0 = time.time()
    try:
        R.check(x.s.recv(10) == b"", "a CancelRequest connection is closed without an answer")
    except OSError as e:
        R.check(False, "a CancelRequest connection is closed without an answer", repr(e))
    x.close()
    m = c.until("Z")
    e = errfields(first(m, "E") or b"")
    R.check(e.get("C") == "57014" and "canceling statement due to user request" in e.get("M", "") and
            time.time() - t0 < 10, "CancelRequest stops the running query with 57014", (kinds(m), e))
    m = c.query("SELECT 5")
    R.check(rows_of(m) == [["5"]], "the cancelled connection serves again")
    t0 = time.time()
    m = c.query("SET statement_timeout = '300ms'; "
                "SELECT count(*) FROM big a CROSS JOIN big b CROSS JOIN big c CROSS JOIN big d")
    e = errfields(first(m, "E") or b"")
    R.check(e.get("C") == "57014" and time.time() - t0 < 10, "SET statement_timeout stops a long query with 57014",
            (e, time.time() - t0))
    m = c.query("RESET statement_timeout; SHOW statement_timeout")
    R.check(rows_of(m) == [["0"]], "RESET statement_timeout", rows_of(m))
    c.close()


def test_concurrent(port):
    """16 sessions at once, each a pipeline of its own parameters."""
    errors = []

    def worker(k):
        try:
            c = Raw(port)
            c.startup()
            for i in range(20):
                c.parse("", "SELECT count(*) AS n, sum(v) AS s FROM big WHERE v < $1")
                c.bind("", "", [str(k * 10 + i)])
                c.execute("")
                m = c.sync()
                n = k * 10 + i
                if rows_of(m) != [[str(n), str(sum(range(n))) if n else None]]:
                    errors.append((k, i, rows_of(m), first(m, "E")))
            c.close()
        except Exception as e:  # noqa: BLE001
            errors.append((k, repr(e)))

    ts_ = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for t in ts_:
        t.start()
    for t in ts_:
        t.join(120)
    R.check(not errors, "16 sessions at once, 20 parameterised statements each, all answered right", errors[:3])


def test_limits(port):
    c = Raw(port)
    c.startup()
    c.raw(b"Q" + struct.pack("!I", 65 * 1024 * 1024))  # only the header: the body is never sent
    try:
        m = c.until("E")
        e = errfields(m[-1][1])
        R.check(e.get("S") == "FATAL" and e.get("C") == "54000", "a message over 64 MiB: FATAL 54000", e)
        R.check(c.s.recv(10) == b"", "...and the connection is closed")
    except (EOFError, OSError) as e:
        R.check(False, "a message over 64 MiB: FATAL 54000", repr(e))
    c.close()
    c = Raw(port)
    c.startup()
    m = c.query("BEGIN; " + "DECLARE a CURSOR FOR " * 100000 + "SELECT 1")
    R.check(errfields(first(m, "E") or b"").get("C") == "42601", "100,000 nested DECLAREs: a clean 42601")
    m = c.query("ROLLBACK; SELECT " + "(" * 100000 + "1" + ")" * 100000)
    R.check(errfields(first(m, "E") or b"").get("C") in ("42601", "54000"), "100,000 nested parentheses: a clean error",
            errfields(first(m, "E") or b""))
    m = c.query("SELECT 1 AS one")
    R.check(rows_of(m) == [["1"]], "...and the session serves again")
    c.close()
    c = Raw(port)
    c.raw(struct.pack("!ii", 8, 1234 << 16))
    m = c.until("E")
    R.check(errfields(m[-1][1]).get("C") == "0A000", "an unsupported protocol version is refused")
    c.close()


def test_max_connections(port):
    held = []
    try:
        for _ in range(2):
            c = Raw(port)
            c.startup()
            held.append(c)
        c = Raw(port)
        m = c.startup()
        e = errfields(first(m, "E") or b"")
        R.check(e.get("C") == "53300" and e.get("S") == "FATAL", "--pg-max-connections 2: a third session is refused",
                e)
        c.close()
        held[0].send("X")
        held[0].close()
        held.pop(0)
        ok = False
        for _ in range(50):  # the first session's thread lets go of its slot
            c = Raw(port)
            m = c.startup()
            c.close()
            if first(m, "Z"):
                ok = True
                break
            time.sleep(0.05)
        R.check(ok, "a session that ended frees its place")
        m = held[0].query("SELECT 6")
        R.check(rows_of(m) == [["6"]], "held sessions keep serving")
    finally:
        for c in held:
            c.close()


def test_timeout(port):
    # the sessions test_limits held may still be ending (2 places): retry a refused start-up a while
    for _ in range(100):
        c = Raw(port, timeout=120)
        if first(c.startup(), "Z"):
            break
        c.close()
        time.sleep(0.05)
    t0 = time.time()
    m = c.query("SELECT count(*) FROM big a CROSS JOIN big b CROSS JOIN big c CROSS JOIN big d")
    e = errfields(first(m, "E") or b"")
    R.check(e.get("C") == "57014" and time.time() - t0 < 15, "--query-timeout: a long query ends with 57014",
            (e, time.time() - t0))
    R.check(rows_of(c.query("SELECT 9")) == [["9"]], "...and the connection serves again")
    c.close()


# ------------------------------------------------------------ Grafana

SEARCH_PATH = """
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )"""

GRAFANA_TABLES = f"""SELECT
    CASE WHEN {SEARCH_PATH}
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
    ORDER BY CASE WHEN {SEARCH_PATH} THEN 0 ELSE 1 END, 1"""


def grafana_columns(table):
    t = "'" + table.replace("'", "''") + "'"
    return f"""SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident({t}),1) = 2
        THEN quote_ident(table_schema) = (parse_ident({t}))[1]
          AND quote_ident(table_name) = (parse_ident({t}))[2]
        ELSE quote_ident(table_name) = {t}
          AND {SEARCH_PATH}
      END"""


def pgx(c, q, binary_oids=(20, 701, 16, 1114, 23)):
    """As pgx runs a query: Parse, Describe statement, Sync; then Bind with
    binary results for the types it decodes in binary, Execute, Sync."""
    name = "stmtcache_" + hashlib.sha1(q.encode()).hexdigest()[:16]  # pgx names statements by their SQL
    c.parse(name, q)
    c.describe("S", name)
    m = c.sync()
    if first(m, "E"):
        c.close_("S", name)
        c.sync()
        return None, errfields(first(m, "E"))
    cols = rowdesc(first(m, "T")) if first(m, "T") else []
    fmts = [1 if oid in binary_oids else 0 for _, oid, _, _ in cols]
    c.bind("", name, [], rfmts=fmts)
    c.execute("")
    m = c.sync()
    c.close_("S", name)
    c.sync()
    if first(m, "E"):
        return None, errfields(first(m, "E"))
    out = []
    for t, b in m:
        if t != "D":
            continue
        row = []
        for (name, oid, _, _), f, v in zip(cols, fmts, datarow(b)):
            if v is None:
                row.append(None)
            elif f == 0:
                row.append(v.decode())
            elif oid == 20:
                row.append(struct.unpack("!q", v)[0])
            elif oid == 23:
                row.append(struct.unpack("!i", v)[0])
            elif oid == 701:
                row.append(struct.unpack("!d", v)[0])
            elif oid == 16:
                row.append(v == b"\x01")
            elif oid == 1114:
                row.append(datetime.datetime(2000, 1, 1) + datetime.timedelta(microseconds=struct.unpack("!q", v)[0]))
        out.append(row)
    return ([c[0] for c in cols], out), None


GAPS = []


def test_grafana(port):
    c = Raw(port)
    c.startup(user="grafana")
    res, err = pgx(c, GRAFANA_TABLES)
    R.check(res and res[0] == ["table"] and [r[0] for r in res[1]] == ["big", "cpu", "mem", '"odd name.x{1}"'],
            "Grafana table picker (information_schema.tables, search_path constraint)", (res, err))
    res, err = pgx(c, grafana_columns("cpu"))
    R.check(res and res[0] == ["column", "type"] and
            ["usage_user", "double precision"] in res[1] and ["time", "timestamp without time zone"] in res[1] and
            ["host", "character varying"] in res[1] and len(res[1]) == 8,
            "Grafana column picker (information_schema.columns with parse_ident)", (res, err))
    res, err = pgx(c, grafana_columns("public.cpu"))
    R.check(res and len(res[1]) == 8, "Grafana column picker with a schema-qualified table", (res, err))
    # the older query editor's time-column picker: columns of time-like and numeric types
    res, err = pgx(c, "SELECT quote_ident(column_name) AS column_name, data_type FROM information_schema.columns "
                      "WHERE quote_ident(table_name) = 'cpu' AND data_type IN ('timestamp without time zone', "
                      "'timestamp with time zone', 'bigint', 'integer', 'double precision', 'real')")
    R.check(res and sorted(r[0] for r in res[1]) == ["time", "usage_idle", "usage_user"],
            "Grafana's older column picker filtered by data_type", (res, err))
    res, err = pgx(c, "SELECT current_setting('server_version_num')::int/100 as version")
    R.check(res and res[1] == [[1500]], "Grafana version probe answers 1500 as an integer", (res, err))
    res, err = pgx(c, "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
    R.check(res is not None and res[1] == [], "Grafana TimescaleDB probe: no rows", (res, err))
    res, err = pgx(c, "SELECT 1")
    R.check(res and res[1] == [[1]], "Grafana health check query")

    frm = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=BASE)
    to = frm + datetime.timedelta(hours=1)
    f3339 = frm.strftime("%Y-%m-%dT%H:%M:%SZ")
    t3339 = to.strftime("%Y-%m-%dT%H:%M:%SZ")
    minute = BASE // 60 * 60
    # what the macros expand to (macros.go), each a query a Grafana panel sends
    idioms = [
        ("$__timeFilter(time) (time BETWEEN '<RFC3339>' AND '<RFC3339>')",
         f"SELECT count(*) FROM cpu WHERE time BETWEEN '{f3339}' AND '{t3339}'", [[3]]),
        ("$__timeGroup(time, 1m) (floor(extract(epoch from time)/60)*60)",
         f"SELECT floor(extract(epoch from time)/60)*60 AS \"time\", avg(usage_user) AS usage_user FROM cpu "
         f"WHERE time BETWEEN '{f3339}' AND '{t3339}' GROUP BY 1 ORDER BY 1",
         [[float(minute), (10.5 + 20.25) / 2], [float(minute + 60), 30.0]]),
        ("$__timeEpoch(time) (extract(epoch from time) as \"time\")",
         "SELECT extract(epoch from time) as \"time\", usage_user FROM cpu ORDER BY 1 LIMIT 1",
         [[BASE + 10.5, 10.5]]),
        ("to_timestamp(n)", f"SELECT to_timestamp({BASE + 70}) AS t", [[dt(70)]]),
        ("$__unixEpochFilter on extract(epoch from time)",
         f"SELECT count(*) FROM cpu WHERE extract(epoch from time) >= {BASE} AND extract(epoch from time) <= {BASE + 3600}",
         [[3]]),
        ("x::bigint cast", "SELECT usage_user::bigint AS u FROM cpu ORDER BY time LIMIT 1", [[11]]),
        ("timestamp compared to a string literal",
         f"SELECT count(*) FROM cpu WHERE time > '{pgtext(60)}'", [[1]]),
        ("$__timeGroupAlias(time, 1m) with fill: GROUP BY 1 over a ::timestamp",
         f"SELECT to_timestamp(floor(extract(epoch from time)/60)*60) AS \"time\", max(usage_user) FROM cpu "
         f"WHERE time BETWEEN '{f3339}' AND '{t3339}' GROUP BY 1 ORDER BY 1",
         [[dt(0), 20.25], [dt(60), 30.0]]),
        # what people write in the panels of a PostgreSQL data source
        ("PostgreSQL interval string: now() - interval '2 hours'",
         "SELECT count(*) FROM cpu WHERE time > now() - interval '2 hours'", [[3]]),
        ("interval cast: now() - '2h'::interval", "SELECT count(*) FROM cpu WHERE time > now() - '2h'::interval",
         [[3]]),
        ("ILIKE", "SELECT count(*) FROM cpu WHERE host ILIKE 'A%'", [[2]]),
        ("date_bin (PostgreSQL 14)",
         "SELECT date_bin('1 minute', time, TIMESTAMP '1970-01-01') AS t, count(*) FROM cpu GROUP BY 1 ORDER BY 1",
         [[dt(0), 2], [dt(60), 1]]),
        ("timestamptz cast", "SELECT CAST(time AS timestamptz) AS t FROM cpu ORDER BY time LIMIT 1",
         [[dt(10, 500000)]]),
        ("boolean compared to 't'", "SELECT count(*) FROM cpu WHERE ok = 't'", [[2]]),
    ]
    for name, q, want in idioms:
        res, err = pgx(c, q)
        if err:
            GAPS.append(f"{name}: {q!r} -> {err.get('C')} {err.get('M')}")
            print(f"KNOWN GAP {name}: {err.get('C')} {err.get('M')}")
            R.check(err.get("C", "") in ("42601", "42703", "42883", "42704", "0A000", "22P02", "22007", "42000") and
                    err.get("S") == "ERROR",
                    f"Grafana idiom not accepted yet fails cleanly: {name}", err)
            continue
        R.check(res[1] == want, f"Grafana idiom: {name}", (res, want))
    m = c.query("SELECT 7")
    R.check(rows_of(m) == [["7"]], "the Grafana connection still serves")
    c.close()


def test_idle_timeout(port):
    """--pg-idle-timeout: a silent session is told why and closed; one that
    speaks in time is not."""
    busy, idle = Raw(port, timeout=30), Raw(port, timeout=30)
    busy.startup()
    idle.startup()
    for _ in range(3):
        time.sleep(1.5)
        R.check(rows_of(busy.query("SELECT 1")) == [["1"]], "a session that speaks within the idle timeout is served")
    m = idle.until("E")
    e = errfields(first(m, "E") or b"")
    R.check(e.get("C") == "57P05" and e.get("S") == "FATAL", "a silent session: FATAL 57P05", e)
    try:
        gone = idle.s.recv(100)
    except OSError:
        gone = b""
    R.check(gone == b"", "...and its connection is closed", gone)
    busy.close()
    idle.close()


def main():
    srv = small = None
    try:
        pg = free_port()
        srv = Server(*pg_args(pg, ["--query-timeout", "60s"]))
        srv.start()
        load(srv)
        test_psql(pg)
        test_psycopg2(pg)
        test_startup(pg)
        test_extended(pg)
        test_cancel(pg)
        test_concurrent(pg)
        test_limits(pg)
        test_grafana(pg)
        pg2 = free_port()
        small = Server(*pg_args(pg2, ["--pg-max-connections", "2", "--query-timeout", "2s", "--pg-idle-timeout", "3"]),
                       data_dir=srv.data_dir + "-small")
        small.own_dir = True
        small.start()
        load(small)
        test_max_connections(pg2)
        test_timeout(pg2)
        test_idle_timeout(pg2)
        c = Raw(pg)
        c.startup()
        R.check(rows_of(c.query("SELECT 8")) == [["8"]], "the server serves after every test above")
        # stopping with a session open inside a block, a cursor half read
        c.query("BEGIN; DECLARE held CURSOR FOR SELECT v FROM big; FETCH 1 FROM held")
        t0 = time.time()
        rc = srv.stop()
        R.check(rc == 0 and time.time() - t0 < 15, "SIGTERM with a session and a cursor open: a clean stop",
                (rc, time.time() - t0, srv.tail()[-500:]))
        try:
            gone = c.s.recv(100)
        except OSError:
            gone = b""
        R.check(gone == b"" or gone[:1] == b"E", "...and the session's connection is closed", gone)
        c.close()
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        for s in (srv, small):
            if s:
                s.cleanup()
    if GAPS:
        print("PostgreSQL idioms the SQL engine does not accept yet:")
        for g in GAPS:
            print("  " + g)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
