"""Users, grants and credentials on every front (issue 12 §3 and §5).

With --auth true every endpoint but the health checks needs credentials,
in each form Strata's clients send them, and each database a grant:
  - the first admin: --admin-user/--admin-password-file, or (no admin yet)
    CREATE USER ... WITH ALL PRIVILEGES from loopback without credentials,
    and nothing else;
  - every endpoint family refuses missing, wrong, malformed and unknown
    credentials with its protocol's answer (401 + WWW-Authenticate, the
    Prometheus API's JSON, InfluxDB 1's and 2's bodies, SQL's), and a
    refused request changes nothing;
  - READ cannot write or delete, WRITE cannot read; a user of database A
    reaches nothing of B through any path (?db=, /db/B/, B.autogen.m, a
    regex FROM, SELECT INTO, a second statement, duplicated parameters,
    remote_read, export, SQL's db.table, information_schema, SHOW
    DATABASES, the PostgreSQL protocol), and a database that does not
    exist answers as one without a grant;
  - grants, new passwords, dropped users and dropped tokens take effect on
    the next request (the credential cache keeps nothing stale);
  - throttling of repeated failures (429 + Retry-After);
  - SigV4 (CREATE ACCESS KEY): requests signed by botocore, as the AWS SDKs
    sign, accepted; a changed body, a wrong secret, an old date, an
    unknown key, another service refused;
  - real clients over TLS with credentials: Prometheus 2.42 remote_write
    and remote_read with basic_auth and tls_config, promtool (Debian's 2.42
    has no --http.config.file: it takes the user from the URL and the CA
    from SSL_CERT_FILE), vmagent with a bearer token and with SigV4, the
    influx CLI with -ssl -username -password, psql with a password; Telegraf v1 and v2
    requests replayed byte for byte as protocols.md §5 has them (Telegraf
    is not packaged in Debian);
  - /metrics counts failures and denials without naming users; the log
    names failed users but never a password or an Authorization value.

STRATA_SMOKE: the families, privileges and bootstrap run under ASan too;
the real clients only in the full run."""
import base64
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.append("/usr/lib/python3/dist-packages")  # Debian's botocore, from any interpreter
from strata import (Server, Results, Prometheus, basic_auth, free_port, make_ca, make_cert, qs,  # noqa: E402
                    report_crash)
from promwire import f_bytes, f_varint, fbits, series_v1, snappy  # noqa: E402

R = Results("test_auth")
SMOKE = os.environ.get("STRATA_SMOKE") == "1"
ADMIN = ("admin", "Adm1n-pw!")
READER = ("reader", "r3ad-only pw")
WRITER = ("writer", "wr1te:pw")  # a ':' in a password is legal in Basic
T0 = (int(time.time()) - 600) * 10**9


def iql(srv, q, auth=True, db=None, method="POST", extra=None):
    """POST /query (form) or GET; (status, parsed JSON or raw body)."""
    params = dict(extra or {})
    if db:
        params["db"] = db
    if method == "POST":
        st, body, hdr = srv.request("POST", "/query?" + qs(**params), urllib.parse.urlencode({"q": q}).encode(),
                                    {"Content-Type": "application/x-www-form-urlencoded"}, auth=auth)
    else:
        params["q"] = q
        st, body, hdr = srv.request("GET", "/query?" + qs(**params), auth=auth)
    try:
        return st, json.loads(body)
    except ValueError:
        return st, body


def ok_results(res):
    return isinstance(res, dict) and "results" in res and all("error" not in r for r in res["results"])


def count_points(srv, db, m="cpu"):
    st, res = iql(srv, f"SELECT count(v) FROM {m}", auth=ADMIN, db=db)
    try:
        return res["results"][0]["series"][0]["values"][0][1]
    except (KeyError, IndexError, TypeError):
        return 0


def remote_write_body(name, value, ts_ms):
    return snappy(series_v1([("__name__", name), ("job", "t")], [(fbits(value), ts_ms)]))


def remote_read_body(name, start_ms, end_ms):
    matcher = f_varint(1, 0) + f_bytes(2, "__name__") + f_bytes(3, name)
    query = f_varint(1, start_ms) + f_varint(2, end_ms) + f_bytes(3, matcher)
    return snappy(f_bytes(1, query))


# Every endpoint family: (family, method, path, body, headers, privilege)
def endpoints(db):
    lp = f"cpu,host=x v=99 {T0 + 5 * 10**9}\n".encode()
    return [
        ("prom", "GET", f"/api/v1/query?" + qs(query="cpu_v", db=db), None, {}, "read"),
        ("prom", "GET", f"/api/v1/query_range?" + qs(query="cpu_v", start=T0 // 10**9, end=T0 // 10**9 + 60,
                                                     step=15, db=db), None, {}, "read"),
        ("prom", "GET", f"/api/v1/series?" + qs(**{"match[]": "cpu_v", "db": db}), None, {}, "read"),
        ("prom", "GET", f"/api/v1/labels?db={db}", None, {}, "read"),
        ("prom", "GET", f"/api/v1/label/host/values?db={db}", None, {}, "read"),
        ("prom", "GET", f"/api/v1/metadata?db={db}", None, {}, "read"),
        ("prom", "GET", f"/api/v1/status/tsdb?db={db}", None, {}, "read"),
        ("prom", "GET", f"/api/v1/export?" + qs(**{"match[]": '{__name__=~".+"}', "db": db}), None, {}, "read"),
        ("prom", "POST", f"/api/v1/import?db={db}",
         json.dumps({"metric": {"__name__": "cpu_v", "host": "imp"}, "values": [7],
                     "timestamps": [T0 // 10**6 + 7000]}).encode(), {}, "write"),
        ("prom", "POST", f"/api/v1/admin/tsdb/delete_series?" + qs(**{"match[]": 'cpu_v{host="imp"}', "db": db}),
         None, {},
         "write"),
        ("prom", "POST", "/api/v1/admin/flush", None, {}, "admin"),
        ("text", "GET", "/metrics", None, {}, "admin"),
        ("text", "POST", f"/api/v1/write?db={db}", remote_write_body("cpu_v", 5, T0 // 10**6 + 9000),
         {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
          "X-Prometheus-Remote-Write-Version": "0.1.0"}, "write"),
        ("text", "POST", f"/api/v1/read?db={db}", remote_read_body("cpu_v", T0 // 10**6 - 10**6, T0 // 10**6 + 10**6),
         {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
          "X-Prometheus-Remote-Read-Version": "0.1.0"}, "read"),
        ("influx_v1", "POST", f"/write?db={db}", lp, {}, "write"),
        ("influx_v1", "POST", f"/query?db={db}", urllib.parse.urlencode({"q": "SELECT * FROM cpu"}).encode(),
         {"Content-Type": "application/x-www-form-urlencoded"}, "read"),
        ("influx_v2", "POST", f"/api/v2/write?bucket={db}&org=o", lp, {}, "write"),
        ("sql", "GET", "/api/v3/query_sql?" + qs(db=db, q="SELECT count(*) FROM cpu"), None, {}, "read"),
    ]


def check_401(fam, what, st, body, hdr, reason):
    text = body.decode("utf-8", "replace")
    www = hdr.get("WWW-Authenticate", "")
    good = st == 401 and www.startswith("Basic realm=")
    if fam == "prom":
        try:
            j = json.loads(body)
            good = good and j["status"] == "error" and j["errorType"] == "unauthorized"
        except ValueError:
            good = False
    elif fam == "influx_v1":
        want = ("unable to parse authentication credentials" if reason in ("none", "malformed")
                else "authorization failed")
        good = good and json.loads(body) == {"error": want}
    elif fam == "influx_v2":
        good = good and json.loads(body) == {"code": "unauthorized", "message": "unauthorized access"}
    elif fam == "sql":
        good = good and "error" in json.loads(body)
    else:
        good = good and text.endswith("\n") and text.count("\n") == 1
    R.check(good, f"{what}: 401 in its protocol's words ({reason})", (st, text[:200], www))


def test_families(srv):
    """Missing, wrong, unknown, malformed credentials and a bad token, on
    every endpoint family; nothing they sent is stored."""
    before = count_points(srv, "dba")
    creds = [("none", None), ("wrong password", basic_auth("reader", "nope")),
             ("unknown user", basic_auth("mallory", "x")), ("malformed", "Basic !!notbase64"),
             ("no ':'", "Basic " + base64.b64encode(b"reader").decode()), ("bad token", "Bearer strata_00"),
             ("Token user:wrong", "Token reader:nope")]
    for fam, method, path, body, headers, _ in endpoints("dba"):
        for reason, az in creds:
            h = dict(headers)
            if az:
                h["Authorization"] = az
            st, resp, hdr = srv.request(method, path, body, h, auth=None)
            check_401(fam, f"{method} {path.split('?')[0]}",
                      st, resp, hdr, "malformed" if reason in ("malformed", "no ':'") else reason)
    # wrong u/p parameters, as the influx CLI and InfluxDB libraries send them
    st, resp, hdr = srv.request("GET", "/query?" + qs(db="dba", q="SHOW MEASUREMENTS", u="reader", p="nope"), auth=None)
    check_401("influx_v1", "GET /query?u=&p=", st, resp, hdr, "wrong")
    st, resp, hdr = srv.request("GET", "/query?" + qs(db="dba", q="SHOW MEASUREMENTS", u="reader"), auth=None)
    check_401("influx_v1", "GET /query?u= without p", st, resp, hdr, "malformed")
    # two credentials naming different users: refused
    st, resp, hdr = srv.request("GET", "/query?" + qs(db="dba", q="SHOW MEASUREMENTS", u="writer", p=WRITER[1]),
                                headers={"Authorization": basic_auth(*READER)}, auth=None)
    check_401("influx_v1", "Basic for one user and ?u= for another", st, resp, hdr, "malformed")
    R.check(count_points(srv, "dba") == before, "refused requests stored nothing", (before, count_points(srv, "dba")))
    for path, want in (("/health", 200), ("/ping", 204), ("/-/healthy", 200), ("/-/ready", 200)):
        st, _, _ = srv.request("GET", path, auth=None)
        R.check(st == want, f"{path} needs no credentials", st)
    # the right ones, in each form
    for what, h, path in (("Basic", {"Authorization": basic_auth(*READER)}, "/query?" + qs(db="dba", q="SHOW MEASUREMENTS")),
                          ("u/p", {}, "/query?" + qs(db="dba", q="SHOW MEASUREMENTS", u=READER[0], p=READER[1])),
                          ("Token user:password", {"Authorization": f"Token {READER[0]}:{READER[1]}"},
                           "/query?" + qs(db="dba", q="SHOW MEASUREMENTS"))):
        st, body, _ = srv.request("GET", path, headers=h, auth=None)
        R.check(st == 200 and b"cpu" in body, f"{what} credentials accepted", (st, body[:200]))


def test_privileges(srv):
    """READ reads, WRITE writes, neither reaches another database."""
    before_a, before_b = count_points(srv, "dba"), count_points(srv, "dbb")
    for fam, method, path, body, headers, priv in endpoints("dba"):
        for user in (READER, WRITER):
            st, resp, _ = srv.request(method, path, body, headers, auth=user)
            allowed = (priv == "read" and user is READER) or (priv == "write" and user is WRITER)
            what = f"{user[0]}: {method} {path.split('?')[0]}"
            if allowed:
                R.check(st in (200, 204), f"{what} allowed", (st, resp[:200]))
            else:
                R.check(st == 403, f"{what} refused with 403", (st, resp[:200]))
    # the writer's own writes went in; the reader's did not (count moved by
    # the writer's LP, v2, import and remote_write, and its delete_series)
    st, res = iql(srv, "SELECT count(v) FROM cpu WHERE host = 'x'", auth=ADMIN, db="dba")
    R.check(ok_results(res), "the writer's line protocol arrived", res)
    # every path from dba's reader to dbb
    paths = [
        ("?db=dbb", "GET", "/api/v1/query?" + qs(query="cpu_v", db="dbb"), None),
        ("/db/dbb/", "GET", "/db/dbb/api/v1/query?" + qs(query="cpu_v"), None),
        ("/db/dbb/query", "GET", "/db/dbb/query?" + qs(q="SELECT * FROM cpu"), None),
        ("dbb.autogen.cpu", "GET", "/query?" + qs(db="dba", q="SELECT * FROM dbb.autogen.cpu"), None),
        ("regex FROM in dbb", "GET", "/query?" + qs(db="dbb", q="SELECT * FROM /.*/"), None),
        ("subquery", "GET", "/query?" + qs(db="dba", q="SELECT * FROM (SELECT * FROM dbb..cpu)"), None),
        ("SELECT INTO its own db (needs WRITE)", "POST",
         "/query?" + qs(db="dba", q="SELECT v INTO dba.autogen.copy FROM cpu"), b""),
        ("a second statement", "GET", "/query?" + qs(db="dba", q="SELECT * FROM cpu; SELECT * FROM dbb..cpu"), None),
        ("SHOW on dbb", "GET", "/query?" + qs(q="SHOW MEASUREMENTS ON dbb"), None),
        ("DROP SERIES", "POST", "/query?" + qs(db="dba", q="DROP SERIES FROM cpu"), b""),
        ("DELETE", "POST", "/query?" + qs(db="dba", q="DELETE FROM cpu"), b""),
        ("DROP DATABASE", "POST", "/query?" + qs(q="DROP DATABASE dbb"), b""),
        ("CREATE USER", "POST", "/query?" + qs(q="CREATE USER x WITH PASSWORD 'y'"), b""),
        ("SHOW USERS", "GET", "/query?" + qs(q="SHOW USERS"), None),
        ("remote_read of dbb", "POST", "/api/v1/read?db=dbb", remote_read_body("cpu_v", 0, 2**41)),
        ("export of dbb", "GET", "/api/v1/export?" + qs(**{"match[]": '{__name__=~".+"}', "db": "dbb"}), None),
        ("SQL dbb.cpu", "GET", "/api/v3/query_sql?" + qs(db="dba", q="SELECT * FROM dbb.cpu"), None),
        ("SQL db=dbb", "GET", "/api/v3/query_sql?" + qs(db="dbb", q="SELECT 1"), None),
        ("SQL join", "GET", "/api/v3/query_sql?" + qs(db="dba", q="SELECT * FROM cpu a JOIN dbb.cpu b ON a.host = b.host"),
         None),
        ("SQL subquery", "GET", "/api/v3/query_sql?" + qs(db="dba", q="SELECT * FROM (SELECT * FROM dbb.cpu) t"), None),
    ]
    for what, method, path, body in paths:
        h = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"} if "read" in path else {}
        st, resp, _ = srv.request(method, path, body, h, auth=READER)
        R.check(st == 403 and b"cpu\"," not in resp and b"[[" not in resp, f"dba's reader: {what} refused", (st, resp[:300]))
    for what, path in (("db=dba&db=dbb", "/api/v1/query?query=cpu_v&db=dba&db=dbb"),
                       ("db=dba&db=dba&db=dbb", "/api/v1/query?query=cpu_v&db=dba&db=dba&db=dbb"),
                       ("/db/dba/ with ?db=dbb", "/db/dba/api/v1/query?query=cpu_v&db=dbb")):
        st, resp, _ = srv.request("GET", path, auth=READER)
        R.check(st == 400, f"{what}: 400 before anything", (st, resp[:200]))
    # a database that does not exist answers as one without a grant
    for tmpl in ("/api/v1/query?query=cpu_v&db={}", "/query?db={}&q=SELECT+*+FROM+cpu", "/api/v3/query_sql?db={}&q=SELECT+1"):
        st1, b1, _ = srv.request("GET", tmpl.format("dbb"), auth=READER)
        st2, b2, _ = srv.request("GET", tmpl.format("nosuch"), auth=READER)
        R.check(st1 == st2 == 403 and b1.replace(b"dbb", b"X") == b2.replace(b"nosuch", b"X"),
                f"{tmpl.split('?')[0]}: a missing database and one without a grant answer alike", (b1[:200], b2[:200]))
    st, body, _ = srv.request("POST", "/write?db=nosuch", b"cpu v=1\n", auth=WRITER)
    R.check(st == 403, "a write to a database without a grant is refused, not created", (st, body[:200]))
    st, res = iql(srv, "SHOW DATABASES", auth=ADMIN)
    R.check("nosuch" not in json.dumps(res), "...and nothing was created", res)
    iql(srv, "GRANT WRITE ON fresh TO writer", auth=ADMIN)
    st, body, _ = srv.request("POST", "/write?db=fresh", b"cpu v=1\n", auth=WRITER)
    st2, res = iql(srv, "SHOW DATABASES", auth=ADMIN)
    R.check(st == 204 and ["fresh"] in res["results"][0]["series"][0]["values"],
            "a write creates a database its user may write (a grant made before it existed)", (st, body[:200], res))
    # listings show only what the caller may read
    st, res = iql(srv, "SHOW DATABASES", auth=READER)
    R.check(st == 200 and res["results"][0]["series"][0]["values"] == [["dba"]], "SHOW DATABASES: dba only", res)
    st, body, _ = srv.request("GET", "/api/v3/query_sql?" + qs(q="SELECT DISTINCT table_schema FROM information_schema.tables"),
                              auth=READER)
    R.check(st == 200 and json.loads(body) == [{"table_schema": "dba"}], "information_schema: dba only", body[:300])
    st, body, _ = srv.request("GET", "/api/v3/query_sql?" + qs(q="SHOW DATABASES"), auth=READER)
    R.check(st == 200 and json.loads(body) == [{"Database": "dba"}], "SQL SHOW DATABASES: dba only", body[:300])
    after_b = count_points(srv, "dbb")
    R.check(after_b == before_b and before_b > 0, "dbb unchanged by every refusal", (before_b, after_b))
    R.check(count_points(srv, "copy") == 0, "no SELECT INTO ran", count_points(srv, "copy"))
    del before_a


def test_changes_take_effect(srv):
    """Grants, passwords, dropped users and tokens: the next request sees
    them, whatever the credential cache holds."""
    path = "/api/v1/query?" + qs(query="cpu_v", db="dba")
    st, _, _ = srv.request("GET", path, auth=READER)
    R.check(st == 200, "the reader reads (and its password is now cached)", st)
    iql(srv, "REVOKE READ ON dba FROM reader", auth=ADMIN)
    st, _, _ = srv.request("GET", path, auth=READER)
    R.check(st == 403, "REVOKE: the next request is refused", st)
    iql(srv, "GRANT READ ON dba TO reader", auth=ADMIN)
    st, _, _ = srv.request("GET", path, auth=READER)
    R.check(st == 200, "GRANT: the next request passes", st)
    st, res = iql(srv, "SHOW GRANTS FOR reader", auth=ADMIN)
    R.check(res["results"][0]["series"][0]["values"] == [["dba", "READ"]], "SHOW GRANTS FOR reader", res)
    st, res = iql(srv, "SET PASSWORD FOR reader = 'n3w pw'", auth=ADMIN)
    st, _, _ = srv.request("GET", path, auth=READER)
    R.check(st == 401, "SET PASSWORD: the cached old password stops working", st)
    st, _, _ = srv.request("GET", path, auth=("reader", "n3w pw"))
    R.check(st == 200, "...and the new one works", st)
    iql(srv, f"SET PASSWORD FOR reader = '{READER[1]}'", auth=ADMIN)
    # tokens (Telegraf v2, vmagent, Grafana): made once, dropped at once
    st, res = iql(srv, "CREATE TOKEN FOR writer", auth=ADMIN)
    row = res["results"][0]["series"][0]["values"][0]
    tid, tok = row[0], row[2]
    R.check(tok.startswith("strata_") and row[1] == "writer", "CREATE TOKEN shows the secret once", res)
    st, res = iql(srv, "SHOW TOKENS", auth=ADMIN)
    R.check(tok not in json.dumps(res) and tid in json.dumps(res), "SHOW TOKENS lists the id, never the secret", res)
    # Telegraf outputs.influxdb_v2, replayed: gzip, Token, its User-Agent
    lines = "".join(f"tg,host=t{i} v={i} {T0 + i * 10**9}\n" for i in range(50)).encode()
    tg_v2 = {"Authorization": f"Token {tok}", "Content-Type": "text/plain; charset=utf-8",
             "Content-Encoding": "gzip", "User-Agent": "Telegraf/1.30.0 Go/1.22.5"}
    st, body, _ = srv.request("POST", "/api/v2/write?bucket=dba&org=my-org", gzip.compress(lines), tg_v2, auth=None)
    R.check(st == 204, "Telegraf v2 (replayed): Token write accepted", (st, body[:200]))
    R.check(count_points(srv, "dba", "tg") == 50, "...its 50 points stored", count_points(srv, "dba", "tg"))
    st, body, _ = srv.request("POST", "/api/v2/write?bucket=dbb&org=my-org", gzip.compress(lines), tg_v2, auth=None)
    R.check(st == 403 and json.loads(body)["code"] == "forbidden", "...to a bucket without a grant: 403", body[:200])
    bearer = {"Authorization": f"Bearer {tok}"}
    st, _, _ = srv.request("POST", "/api/v1/write?db=dba", remote_write_body("bear_v", 1, T0 // 10**6), dict(
        bearer, **{"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"}), auth=None)
    R.check(st == 204, "Bearer token on remote_write", st)
    iql(srv, f"DROP TOKEN '{tid}'", auth=ADMIN)
    st, body, _ = srv.request("POST", "/api/v2/write?bucket=dba&org=my-org", gzip.compress(lines), tg_v2, auth=None)
    R.check(st == 401, "DROP TOKEN: refused on the next request", (st, body[:200]))
    # Telegraf outputs.influxdb (v1), replayed: CREATE DATABASE at start,
    # then gzip writes with Basic
    tg_v1 = {"Authorization": basic_auth(*WRITER), "User-Agent": "Telegraf/1.30.0 Go/1.22.5"}
    st, body, _ = srv.request("POST", "/query", urllib.parse.urlencode({"q": 'CREATE DATABASE "dba"'}).encode(),
                              dict(tg_v1, **{"Content-Type": "application/x-www-form-urlencoded"}), auth=None)
    R.check(st == 200 and json.loads(body) == {"results": [{"statement_id": 0}]},
            "Telegraf v1 (replayed): CREATE DATABASE of a database it may write", (st, body[:200]))
    st, body, _ = srv.request("POST", "/query", urllib.parse.urlencode({"q": 'CREATE DATABASE "dbz"'}).encode(),
                              dict(tg_v1, **{"Content-Type": "application/x-www-form-urlencoded"}), auth=None)
    R.check(st == 403, "...of one it may not: 403 (Telegraf goes on)", (st, body[:200]))
    st, body, _ = srv.request("POST", "/write?db=dba", gzip.compress(lines.replace(b"tg,", b"tg1,")),
                              dict(tg_v1, **{"Content-Type": "text/plain; charset=utf-8", "Content-Encoding": "gzip"}),
                              auth=None)
    R.check(st == 204 and count_points(srv, "dba", "tg1") == 50, "Telegraf v1 (replayed): gzip write with Basic",
            (st, body[:200]))
    # a dropped user
    iql(srv, "CREATE USER temp WITH PASSWORD 'tmp pw'; GRANT READ ON dba TO temp", auth=ADMIN)
    st, _, _ = srv.request("GET", path, auth=("temp", "tmp pw"))
    R.check(st == 200, "a new user reads", st)
    iql(srv, "DROP USER temp", auth=ADMIN)
    st, _, _ = srv.request("GET", path, auth=("temp", "tmp pw"))
    R.check(st == 401, "DROP USER: refused on the next request", st)
    st, res = iql(srv, "DROP USER admin", auth=ADMIN)
    R.check("last admin" in json.dumps(res), "the last admin cannot be dropped", res)
    st, res = iql(srv, "REVOKE ALL PRIVILEGES FROM admin", auth=ADMIN)
    R.check("last admin" in json.dumps(res), "...nor lose ALL PRIVILEGES", res)


def signed(srv, method, path, body=None, key=("writer", ""), service="aps", when=None, tamper=None):
    """A request signed with SigV4 by botocore (Debian's python3-botocore),
    as the AWS SDKs and Grafana sign; when: a datetime for X-Amz-Date."""
    import datetime
    from unittest import mock
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method=method, url=srv.url(path), data=body,
                     headers={"Content-Type": "application/x-protobuf"} if body else {})
    import botocore.auth
    when = when or datetime.datetime.utcnow()
    if hasattr(botocore.auth, "get_current_datetime"):  # newer botocore than Debian's 1.29
        clock = mock.patch("botocore.auth.get_current_datetime", return_value=when)
    else:
        clock = mock.patch("botocore.auth.datetime")
    with clock as dt:
        if not hasattr(botocore.auth, "get_current_datetime"):
            dt.datetime.utcnow.return_value = when
        SigV4Auth(Credentials(*key), service, "eu-central-1").add_auth(req)
    headers = dict(req.headers)
    if body:
        headers["Content-Encoding"] = "snappy"
    return srv.request(method, path, tamper if tamper is not None else body, headers, auth=None)


def test_sigv4(srv):
    """SigV4 (Timestream's SDKs, vmagent's and Grafana's AWS signing): the
    access key id is the user's name, its secret made by CREATE ACCESS KEY."""
    import datetime
    st, res = iql(srv, "CREATE ACCESS KEY FOR writer; CREATE ACCESS KEY FOR reader", auth=ADMIN)
    wkey = ("writer", res["results"][0]["series"][0]["values"][0][1])
    rkey = ("reader", res["results"][1]["series"][0]["values"][0][1])
    R.check(len(wkey[1]) == 40 and res["results"][0]["series"][0]["values"][0][0] == "writer",
            "CREATE ACCESS KEY shows the key id (the user) and a 40-character secret once", res)
    body = remote_write_body("sig_v", 4, T0 // 10**6 + 1000)
    st, resp, _ = signed(srv, "POST", "/api/v1/write?db=dba", body, wkey)
    R.check(st == 204, "remote_write signed by botocore (service aps) accepted", (st, resp[:300]))
    st, resp, _ = signed(srv, "GET", "/api/v1/query?" + qs(query="sig_v", db="dba", time=T0 // 10**9 + 30), None,
                         rkey)
    R.check(st == 200 and b'"4"' in resp, "a signed PromQL query reads it back", (st, resp[:300]))
    st, resp, _ = signed(srv, "GET", "/db/dba/api/v1/labels", None, rkey)
    R.check(st == 200, "a signed request under /db/NAME/", (st, resp[:300]))
    refusals = [
        ("a body changed after signing", dict(method="POST", path="/api/v1/write?db=dba", body=body, key=wkey,
                                               tamper=remote_write_body("sig_v", 5, T0 // 10**6 + 1000)), 401,
         b"does not match"),
        ("a wrong secret", dict(method="POST", path="/api/v1/write?db=dba", body=body, key=("writer", "x" * 40)),
         401, b"does not match"),
        ("a date 20 minutes old", dict(method="POST", path="/api/v1/write?db=dba", body=body, key=wkey,
                                       when=datetime.datetime.utcnow() - datetime.timedelta(minutes=20)), 401,
         b"expired"),
        ("an unknown key", dict(method="POST", path="/api/v1/write?db=dba", body=body, key=("nobody", "x" * 40)), 401,
         b"does not match"),
        ("another service", dict(method="POST", path="/api/v1/write?db=dba", body=body, key=wkey, service="s3"), 401,
         b"service"),
        ("a database without a grant", dict(method="POST", path="/api/v1/write?db=dbb", body=body, key=wkey), 403,
         b"lacks WRITE"),
        ("READ's key writing", dict(method="POST", path="/api/v1/write?db=dba", body=body, key=rkey), 403,
         b"lacks WRITE"),
    ]
    for what, kw, want, text in refusals:
        st, resp, _ = signed(srv, **kw)
        R.check(st == want and text in resp, f"SigV4: {what} refused with {want}", (st, resp[:300]))
    # an unknown key id is answered as a known one: nothing tells which
    # user names have keys (here: a request without X-Amz-Date)
    bare = {"Authorization": "AWS4-HMAC-SHA256 Credential=%s/20261207/us-east-1/aps/aws4_request, "
                             "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64}
    answers = set()
    for who in ("writer", "nobody", "admin"):
        h = {"Authorization": bare["Authorization"] % who}
        st, resp, _ = srv.request("GET", "/api/v1/labels?db=dba", headers=h, auth=None)
        answers.add((st, resp))
    R.check(len(answers) == 1, "SigV4: a user with a key, one without and one that does not exist answer alike",
            answers)
    iql(srv, "DROP ACCESS KEY FOR writer", auth=ADMIN)
    st, resp, _ = signed(srv, "POST", "/api/v1/write?db=dba", body, wkey)
    R.check(st == 401, "DROP ACCESS KEY: refused on the next request", (st, resp[:200]))
    st, res = iql(srv, "CREATE ACCESS KEY FOR writer", auth=ADMIN)
    return ("writer", res["results"][0]["series"][0]["values"][0][1])


def test_cross_site(srv):
    """A page of another site driving a browser that caches Basic
    credentials for Strata (Sec-Fetch-Site: cross-site) changes nothing."""
    xs = {"Sec-Fetch-Site": "cross-site"}
    st, res = iql(srv, "SHOW USERS", auth=ADMIN)
    before = json.dumps(res)
    st, body, _ = srv.request("POST", "/query?" + qs(q="CREATE USER evil WITH PASSWORD 'x' WITH ALL PRIVILEGES"),
                              b"", xs, auth=ADMIN)
    R.check(st == 403 and b"cross-site" in body, "cross-site CREATE USER refused", (st, body[:200]))
    st, body, _ = srv.request("GET", "/query?" + qs(q="DROP DATABASE dbb"), headers=xs, auth=ADMIN)
    R.check(st == 403, "cross-site GET DROP DATABASE refused", (st, body[:200]))
    for path, body in (("/write?db=dba", b"xs v=1\n"), ("/api/v1/admin/flush", None),
                       ("/api/v2/write?bucket=dba", b"xs v=1\n")):
        st, resp, _ = srv.request("POST", path, body, xs, auth=ADMIN)
        R.check(st == 403, f"cross-site POST {path.split('?')[0]} refused", (st, resp[:200]))
    st, res = iql(srv, "SHOW USERS", auth=ADMIN)
    R.check(json.dumps(res) == before and count_points(srv, "dba", "xs") == 0, "...and nothing changed", res)
    st, body, _ = srv.request("GET", "/query?" + qs(db="dba", q="SELECT count(v) FROM cpu"), headers=xs, auth=ADMIN)
    R.check(st == 200 and b"count" in body, "cross-site reads still answer (a Grafana in the browser)", body[:200])
    st, body, _ = srv.request("POST", "/write?db=dba", b"xs v=1\n", {"Sec-Fetch-Site": "same-origin"}, auth=ADMIN)
    R.check(st == 204, "a same-origin write goes through", (st, body[:200]))


def test_pg_startup_deadline(d):
    """A PostgreSQL client that trickles its password a byte at a time
    does not hold a connection past the start-up deadline."""
    import socket
    import struct
    pg = free_port()
    srv = Server("--auth", "true", "--admin-user", ADMIN[0], "--admin-password-file", f"{d}/adminpw",
                 "--pg-listen", f"127.0.0.1:{pg}", "--pg-idle-timeout", "3")
    try:
        srv.start()
        s = socket.create_connection(("127.0.0.1", pg), timeout=10)
        params = b"user\0admin\0database\0default\0\0"
        s.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
        first = s.recv(9)
        R.check(first[:1] == b"R" and struct.unpack("!i", first[5:9])[0] == 3,
                "PostgreSQL asks for a cleartext password under --auth true", first)
        msg = b"p" + struct.pack("!i", 4 + len(ADMIN[1]) + 1) + ADMIN[1].encode() + b"\0"
        t0, closed = time.time(), False
        try:
            for b in msg:
                s.sendall(bytes([b]))
                time.sleep(0.6)
                if time.time() - t0 > 8:
                    break
        except OSError:
            closed = True
        s.settimeout(2)
        try:
            closed = closed or s.recv(100) == b""
        except (socket.timeout, OSError):
            closed = closed or False
        R.check(closed and time.time() - t0 < 8, "a trickled password is cut off at the start-up deadline (3 s)",
                time.time() - t0)
        s.close()
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()


def test_metrics_and_log(srv):
    st, body, _ = srv.request("GET", "/metrics", auth=ADMIN)
    text = body.decode()
    vals = {}
    for ln in text.splitlines():
        if ln.startswith("strata_auth_"):
            k, v = ln.rsplit(" ", 1)
            vals[k] = float(v)
    R.check(vals.get('strata_auth_failures_total{family="influxdb_v1",reason="bad_password"}', 0) > 0 and
            vals.get('strata_auth_failures_total{family="prometheus",reason="missing"}', 0) > 0 and
            vals.get('strata_auth_failures_total{family="remote",reason="unknown_user"}', 0) > 0 and
            vals.get('strata_auth_failures_total{family="sql",reason="malformed"}', 0) > 0 and
            vals.get('strata_auth_denied_total{family="prometheus",privilege="write"}', 0) > 0 and
            vals.get('strata_auth_denied_total{family="sql",privilege="read"}', 0) > 0 and
            vals.get("strata_auth_cache_hits_total", 0) > 0, "/metrics counts failures and denials",
            {k: v for k, v in vals.items() if v})
    R.check(all(u not in text for u in ("reader", "writer", "mallory")), "/metrics names no user")
    log = open(srv.log_path, encoding="utf-8", errors="replace").read()
    R.check("authentication failed: user \"mallory\"" in log or "authentication failed: user" in log,
            "failed logins are logged", log[-500:])
    for secret in (READER[1], WRITER[1], ADMIN[1], "n3w pw", "tmp pw", basic_auth(*READER)):
        R.check(secret not in log, f"the log never holds a password or an Authorization value ({secret[:4]}...)")
    with open(os.path.join(srv.data_dir, "users"), "rb") as f:
        users = f.read()
    R.check(all(s.encode() not in users for s in (READER[1], WRITER[1], ADMIN[1])) and b"$2b$10$" in users,
            "the users file holds bcrypt hashes, never a password")


def test_bootstrap(d):
    """--auth true with no admin: only CREATE USER ... WITH ALL PRIVILEGES,
    without credentials, from loopback; never an open window."""
    srv = Server("--auth", "true", "--pg-listen", "")
    try:
        srv.start()
        st, body, _ = srv.request("GET", "/api/v1/query?query=1", auth=None)
        R.check(st == 401 and b"no admin user exists yet" in body, "no admin: a query is 401, saying how to begin",
                (st, body[:300]))
        for q in ("SHOW DATABASES", "CREATE USER u WITH PASSWORD 'p'", "CREATE DATABASE x",
                  "CREATE USER root WITH PASSWORD 'root pw' WITH ALL PRIVILEGES; CREATE DATABASE x"):
            st, res = iql(srv, q, auth=None)
            R.check(st == 403 and "create admin user first" in json.dumps(res), f"no admin: {q[:40]} refused", res)
        st, res = iql(srv, "CREATE USER root WITH PASSWORD 'root pw' WITH ALL PRIVILEGES", auth=None)
        R.check(st == 200 and ok_results(res), "no admin: CREATE USER ... WITH ALL PRIVILEGES from loopback", res)
        st, res = iql(srv, "CREATE USER other WITH PASSWORD 'x' WITH ALL PRIVILEGES", auth=None)
        R.check(st == 401, "once an admin exists, credentials are needed for that too", (st, res))
        srv.stop()
        srv.start()
        st, res = iql(srv, "SHOW USERS", auth=("root", "root pw"))
        R.check(st == 200 and res["results"][0]["series"][0]["values"] == [["root", True]],
                "the admin survives a restart (the users file)", res)
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()


def test_throttle(d):
    srv = Server("--auth", "true", "--pg-listen", "", "--auth-max-failures", "3", "--admin-user", "admin",
                 "--admin-password-file", f"{d}/adminpw")
    try:
        srv.start()
        for i in range(3):
            st, _, _ = srv.request("GET", "/api/v1/query?query=1", auth=("admin", "guess"))
            R.check(st == 401, f"failure {i + 1}: 401", st)
        st, body, hdr = srv.request("GET", "/api/v1/query?query=1", auth=("admin", "guess"))
        R.check(st == 429 and hdr.get("Retry-After") == "60", "the 4th failure in a minute: 429, Retry-After 60",
                (st, body[:200], hdr))
        st, _, _ = srv.request("GET", "/api/v1/query?query=1", auth=ADMIN)
        R.check(st == 429, "...and for a minute even the right password (no hash is spent)", st)
        st, _, _ = srv.request("GET", "/health", auth=None)
        R.check(st == 200, "health checks go on", st)
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()


def prometheus_run(srv, d, remote):
    """Prometheus 2.42 with remote (YAML) on Strata over HTTPS; returns it started."""
    prom = Prometheus()
    prom.set_config(f"""
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: self
    static_configs: [{{targets: ['127.0.0.1:{prom.port}']}}]
{remote}
""")
    prom.start()
    return prom


def wait_for(fn, secs=30):
    end = time.time() + secs
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.5)
    return fn()


def test_real_clients(srv, d, wkey):
    ca = f"{d}/ca.pem"
    tls = f"{{ca_file: {ca}}}"
    # Prometheus remote_write with basic_auth: the writer's into dba
    prom = prometheus_run(srv, d, f"""remote_write:
  - url: https://127.0.0.1:{srv.port}/api/v1/write?db=dba
    basic_auth: {{username: writer, password: '{WRITER[1]}'}}
    tls_config: {tls}
    queue_config: {{batch_send_deadline: 1s}}
  - url: https://127.0.0.1:{srv.port}/api/v1/write?db=dbc
    basic_auth: {{username: writer, password: wrong}}
    tls_config: {tls}
    queue_config: {{batch_send_deadline: 1s}}
""")
    try:
        def arrived():
            st, body, _ = srv.request("GET", "/api/v1/query?" + qs(query='up{job="self"}', db="dba"), auth=ADMIN)
            return st == 200 and b'"result":[{' in body
        R.check(wait_for(arrived), "Prometheus remote_write with basic_auth over TLS arrives", prom.tail())
        st, res = iql(srv, "SHOW DATABASES", auth=ADMIN)
        R.check("dbc" not in json.dumps(res), "...and with a wrong password nothing arrives", res)
    finally:
        prom.stop()
    # Prometheus remote_read with basic_auth: reads what only Strata has
    prom = prometheus_run(srv, d, f"""remote_read:
  - url: https://127.0.0.1:{srv.port}/api/v1/read?db=dba
    basic_auth: {{username: reader, password: '{READER[1]}'}}
    tls_config: {tls}
    read_recent: true
""")
    try:
        def read_back():
            try:
                j = prom.get_json("/api/v1/query?" + qs(query='cpu_v{host="a"}', time=T0 // 10**9 + 30))
                return j["data"]["result"]
            except Exception:
                return None
        res = wait_for(read_back, 20)
        R.check(res and res[0]["value"][1] == "1", "Prometheus remote_read with basic_auth over TLS", (res, prom.tail()))
    finally:
        prom.stop()
    # promtool: credentials in the URL, the CA from SSL_CERT_FILE
    env = dict(os.environ, SSL_CERT_FILE=ca)
    p = subprocess.run(["promtool", "query", "instant", "--time", str(T0 // 10**9 + 30),
                        f"https://reader:{urllib.parse.quote(READER[1])}@127.0.0.1:{srv.port}/db/dba",
                        'cpu_v{host="a"}'], capture_output=True, text=True, timeout=60, env=env)
    R.check(p.returncode == 0 and "=> 1 @" in p.stdout, "promtool query instant with the reader's credentials",
            p.stdout + p.stderr)
    p = subprocess.run(["promtool", "query", "instant", f"https://reader:wrong@127.0.0.1:{srv.port}/db/dba", "1"],
                       capture_output=True, text=True, timeout=60, env=env)
    R.check(p.returncode != 0 and "401" in p.stdout + p.stderr, "promtool with a wrong password: 401",
            p.stdout + p.stderr)
    # vmagent with a bearer token
    st, res = iql(srv, "CREATE TOKEN FOR writer", auth=ADMIN)
    tok = res["results"][0]["series"][0]["values"][0][2]
    vport = free_port()
    cfg = f"{d}/vmagent.yml"
    with open(cfg, "w") as f:
        f.write(f"scrape_configs:\n  - job_name: vmagent\n    scrape_interval: 1s\n"
                f"    static_configs: [{{targets: ['127.0.0.1:{vport}']}}]\n")
    vma = subprocess.Popen(["vmagent", f"-httpListenAddr=127.0.0.1:{vport}", f"-promscrape.config={cfg}",
                            f"-remoteWrite.url=https://127.0.0.1:{srv.port}/api/v1/write?db=dba",
                            f"-remoteWrite.bearerToken={tok}", f"-remoteWrite.tlsCAFile={ca}",
                            f"-remoteWrite.tmpDataPath={d}/vmq", "-remoteWrite.flushInterval=200ms"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def vm_arrived():
            st, body, _ = srv.request("GET", "/api/v1/query?" + qs(query='up{job="vmagent"}', db="dba"), auth=ADMIN)
            return st == 200 and b'"result":[{' in body
        R.check(wait_for(vm_arrived), "vmagent remote_write with a bearer token over TLS arrives")
    finally:
        vma.terminate()
        vma.wait(30)
    # vmagent signing with SigV4 (its -remoteWrite.aws.* flags, service aps)
    vport = free_port()
    with open(cfg, "w") as f:
        f.write(f"scrape_configs:\n  - job_name: vmagent_sig\n    scrape_interval: 1s\n"
                f"    static_configs: [{{targets: ['127.0.0.1:{vport}']}}]\n")
    vma = subprocess.Popen(["vmagent", f"-httpListenAddr=127.0.0.1:{vport}", f"-promscrape.config={cfg}",
                            f"-remoteWrite.url=https://127.0.0.1:{srv.port}/api/v1/write?db=dba",
                            "-remoteWrite.aws.useSigv4=true", f"-remoteWrite.aws.accessKey={wkey[0]}",
                            f"-remoteWrite.aws.secretKey={wkey[1]}", "-remoteWrite.aws.region=eu-west-1",
                            f"-remoteWrite.tlsCAFile={ca}", f"-remoteWrite.tmpDataPath={d}/vmq2",
                            "-remoteWrite.flushInterval=200ms"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def sig_arrived():
            st, body, _ = srv.request("GET", "/api/v1/query?" + qs(query='up{job="vmagent_sig"}', db="dba"),
                                      auth=ADMIN)
            return st == 200 and b'"result":[{' in body
        R.check(wait_for(sig_arrived), "vmagent remote_write signed with SigV4 over TLS arrives")
    finally:
        vma.terminate()
        vma.wait(30)
    # the influx CLI (1.6) with -ssl -username -password
    base = ["influx", "-ssl", "-unsafeSsl", "-host", "127.0.0.1", "-port", str(srv.port)]
    p = subprocess.run(base + ["-username", READER[0], "-password", READER[1], "-database", "dba", "-execute",
                               "SELECT count(v) FROM cpu"], capture_output=True, text=True, timeout=60)
    R.check(p.returncode == 0 and "count" in p.stdout, "influx CLI -ssl -username -password reads", p.stdout + p.stderr)
    p = subprocess.run(base + ["-username", READER[0], "-password", "nope", "-execute", "SHOW DATABASES"],
                       capture_output=True, text=True, timeout=60)
    R.check(p.returncode != 0 and "authorization failed" in p.stdout + p.stderr, "influx CLI: a wrong password fails",
            p.stdout + p.stderr)
    p = subprocess.run(base + ["-username", WRITER[0], "-password", WRITER[1], "-database", "dba", "-execute",
                               f"INSERT cli,host=c v=3 {T0}"], capture_output=True, text=True, timeout=60)
    R.check(p.returncode == 0 and count_points(srv, "dba", "cli") == 1, "influx CLI INSERT as the writer",
            p.stdout + p.stderr)
    p = subprocess.run(base + ["-username", READER[0], "-password", READER[1], "-database", "dba", "-execute",
                               f"INSERT cli,host=c v=4 {T0 + 1}"], capture_output=True, text=True, timeout=60)
    R.check(count_points(srv, "dba", "cli") == 1 and "not authorized" in p.stdout + p.stderr,
            "influx CLI INSERT as the reader: refused", p.stdout + p.stderr)
    # psql with a password over TLS
    if shutil.which("psql"):
        env = dict(os.environ, PGSSLMODE="verify-ca", PGSSLROOTCERT=ca)
        def psql(user, pw, db, sql):
            e = dict(env, PGPASSWORD=pw)
            return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(srv.pg_port), "-U", user, "-d", db, "-At",
                                   "-c", sql], capture_output=True, text=True, timeout=60, env=e)
        p = psql(READER[0], READER[1], "dba", "SELECT count(*) FROM cpu WHERE host = 'a'")
        R.check(p.returncode == 0 and p.stdout.strip() == "1", "psql over TLS with the reader's password",
                p.stdout + p.stderr)
        p = psql(READER[0], "nope", "dba", "SELECT 1")
        R.check(p.returncode != 0 and "password authentication failed" in p.stderr, "psql: a wrong password", p.stderr)
        for db in ("dbb", "nosuch"):
            p = psql(READER[0], READER[1], db, "SELECT 1")
            R.check(p.returncode != 0 and "permission denied for database" in p.stderr,
                    f"psql: {db} without a grant refused at connection", p.stderr)
        p = psql(READER[0], READER[1], "dba", "SELECT * FROM dbb.cpu")
        R.check(p.returncode != 0 and "Access denied" in p.stderr, "psql: dbb.cpu from a dba session refused",
                p.stderr)
        p = psql(READER[0], READER[1], "dba", r"\l")
        R.check(p.returncode == 0 and "dba|" in p.stdout and "dbb" not in p.stdout, r"psql \l lists dba only",
                p.stdout + p.stderr)
    else:
        R.check(False, "psql installed (Debian: postgresql-client)")


def main():
    d = tempfile.mkdtemp(prefix="strata-auth-")
    srv = None
    try:
        with open(f"{d}/adminpw", "w") as f:
            f.write(ADMIN[1] + "\n")
        os.chmod(f"{d}/adminpw", 0o600)
        test_bootstrap(d)
        test_throttle(d)
        test_pg_startup_deadline(d)
        tls = []
        if not SMOKE:
            make_ca(d)
            make_cert(d, "srv", "strata")
            tls = ["--tls-cert-file", f"{d}/srv.pem", "--tls-key-file", f"{d}/srv.key"]
        pg = free_port()
        srv = Server("--auth", "true", "--admin-user", ADMIN[0], "--admin-password-file", f"{d}/adminpw",
                     "--pg-listen", f"127.0.0.1:{pg}", "--auth-max-failures", "0", *tls,
                     ca_file=f"{d}/ca.pem" if tls else None, auth=ADMIN).start()
        srv.pg_port = pg
        st, res = iql(srv, f"CREATE USER reader WITH PASSWORD '{READER[1]}'; "
                           f"CREATE USER \"writer\" WITH PASSWORD '{WRITER[1]}'; GRANT READ ON dba TO reader; "
                           "GRANT WRITE ON dba TO writer; CREATE DATABASE dba; CREATE DATABASE dbb")
        R.check(ok_results(res), "users and grants made with InfluxQL", res)
        for db in ("dba", "dbb"):
            lines = "".join(f"cpu,host={h} v={i} {T0 + i * 10**9}\n" for i, h in enumerate("abc", 1))
            st, body, _ = srv.request("POST", f"/write?db={db}", lines.encode())
            R.check(st == 204, f"the admin writes {db}", (st, body[:200]))
        test_families(srv)
        test_privileges(srv)
        test_changes_take_effect(srv)
        wkey = test_sigv4(srv)
        test_cross_site(srv)
        if not SMOKE:
            test_real_clients(srv, d, wkey)
        test_metrics_and_log(srv)
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        if srv:
            srv.cleanup()
        shutil.rmtree(d, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
