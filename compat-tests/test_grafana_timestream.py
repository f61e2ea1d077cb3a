#!/usr/bin/env python3
"""Grafana's Amazon Timestream data source against Strata.

Grafana is not packaged in Debian, so its requests are replayed: the data
source (grafana/timestream-datasource 2.13, aws-sdk-go-v2's timestreamquery
client with a custom endpoint, hence endpoint discovery off) sends only
Query and CancelQuery, POST / with X-Amz-Target
Timestream_20181101.<Op>, Content-Type application/x-amz-json-1.0, its
User-Agent, Amz-Sdk-Invocation-Id and Amz-Sdk-Request headers, SigV4
(service "timestream"), and bodies {"ClientToken": <uuid>, "QueryString":
...[, "NextToken": ...]} (never MaxRows). Each request here is built that
way and signed by botocore (Debian's) with a Strata access key.

What is replayed, and checked the way the data source reads the answers:
  - the health check SELECT 1 (Rows[0].Data[0].ScalarValue must be "1");
  - the editor's SHOW DATABASES, SHOW TABLES FROM "db", SHOW MEASURES
    FROM "db"."table" (the first column of each row; the dimensions of
    the first measure from Data[2].ArrayValue[*].RowValue.Data[0], only
    when the row has exactly 3 cells);
  - macro-expanded panel queries ($__timeFilter, $__interval_ms,
    $__database.$__table with the quotes the editor keeps, and bare
    provisioned names), their values compared with what was written;
    every TIMESTAMP in Go's layout "2006-01-02 15:04:05.999999999", every
    column named, no UNKNOWN column, time ascending where ORDER BY asks;
  - CREATE_TIME_SERIES panels (one frame per row: every point has Time
    and Value);
  - paging as the data source does it: the backend's "wait for all" loop
    (the first page's ClientToken reused, ColumnInfo taken from page 1
    only) and the browser's loop (a new ClientToken each page, the same
    expanded SQL); QueryStatus with CumulativeBytesMetered on every page;
    the loop ends;
  - CancelQuery from an aborted paged query.

Also run under ASan and UBSan by `make test-asan` (STRATA_SMOKE=1).
"""
import json
import os
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, "/usr/lib/python3/dist-packages")  # Debian's boto3 and botocore
from strata import Server, Results, report_crash  # noqa: E402

import boto3  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

R = Results("test_grafana_timestream")
ADMIN = ("admin", "Adm1n-pw!")
REGION = "us-west-2"
UA = ("aws-sdk-go-v2/1.42.1 ua/2.1 os/linux lang/go#1.24.6 md/GOOS#linux md/GOARCH#amd64 "
      "api/timestreamquery#1.38.0 Timestream/2.13.0 Grafana/12.1.0 AMG/false")
GO_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})?$")
NOW_MS = int(time.time() * 1000)
HOSTS = [f"host-{i}" for i in range(6)]


class Grafana:
    """The data source's client: its headers, its bodies, its signature."""

    def __init__(self, srv, key, secret):
        self.srv, self.creds = srv, Credentials(key, secret)

    def call(self, op, body):
        data = json.dumps(body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"Timestream_20181101.{op}",
                   "User-Agent": UA, "Amz-Sdk-Invocation-Id": str(uuid.uuid4()),
                   "Amz-Sdk-Request": "attempt=1; max=3", "Content-Length": str(len(data)),
                   "Accept-Encoding": "gzip"}
        req = AWSRequest(method="POST", url=self.srv.url("/"), data=data, headers=headers)
        SigV4Auth(self.creds, "timestream", REGION).add_auth(req)
        st, raw, hdr = self.srv.request("POST", "/", data, dict(req.headers.items()), auth=None)
        try:
            out = json.loads(raw)
        except ValueError:
            out = {"raw": raw[:300]}
        return st, out, hdr

    def query(self, sql, token=None, client_token=None):
        body = {"ClientToken": client_token or str(uuid.uuid4())}
        if token:
            body["NextToken"] = token
        body["QueryString"] = sql
        return self.call("Query", body)


def check_shape(r, what):
    """What the data source dereferences on every page."""
    cols = r.get("ColumnInfo", [])
    ok = all("Name" in c and c["Name"] for c in cols)
    ok = ok and all(c["Type"].get("ScalarType") != "UNKNOWN" for c in cols)
    st = r.get("QueryStatus", {})
    ok = ok and "CumulativeBytesMetered" in st and "ProgressPercentage" in st and "QueryId" in r
    for row in r.get("Rows", []):
        for i, d in enumerate(row["Data"]):
            t = cols[i]["Type"]
            if t.get("ScalarType") == "TIMESTAMP" and "ScalarValue" in d:
                ok = ok and bool(GO_TIME.match(d["ScalarValue"]))
            if "TimeSeriesMeasureValueColumnInfo" in t and "TimeSeriesValue" in d:
                ok = ok and all("Time" in p and "Value" in p and GO_TIME.match(p["Time"])
                                for p in d["TimeSeriesValue"])
    R.check(ok, f"{what}: every column named and typed, QueryStatus present, times in Go's layout",
            json.dumps(r)[:600])


def macros(sql, frm, to, interval_ms, database, table):
    """pkg/timestream/macros.go: plain replacements, longest key first."""
    rep = {"$__timeFilter": f"time BETWEEN from_milliseconds({frm}) AND from_milliseconds({to})",
           "$__timeFrom": str(frm), "$__timeTo": str(to), "$__interval_raw_ms": str(interval_ms),
           "$__interval_ms": f"{interval_ms}ms", "$__interval": f"{interval_ms}ms", "$__now_ms": str(NOW_MS),
           "$__database": database, "$__table": table, "$__measure": "cpu"}
    for k in sorted(rep, key=len, reverse=True):
        sql = sql.replace(k, rep[k])
    return sql


def setup(srv, key):
    kw = dict(region_name=REGION, aws_access_key_id="admin", aws_secret_access_key=key,
              endpoint_url=srv.url(""), config=Config(retries={"max_attempts": 1}))
    w = boto3.session.Session().client("timestream-write", **kw)
    w.create_database(DatabaseName="grafanaDB")
    w.create_table(DatabaseName="grafanaDB", TableName="DevOps")
    expect = {}
    start = NOW_MS - 30 * 60_000
    for h, host in enumerate(HOSTS):
        recs = []
        for k in range(30):  # one point a minute for 30 minutes
            t = start + k * 60_000
            v = round(h * 10 + k * 0.5, 2)
            expect.setdefault(host, []).append((t, v))
            recs.append({"Dimensions": [{"Name": "hostname", "Value": host}, {"Name": "region", "Value": "us-west-2"},
                                        {"Name": "az", "Value": f"az{h % 2}"}],
                         "MeasureName": "cpu", "MeasureValue": repr(v), "Time": str(t)})
        recs.append({"Dimensions": [{"Name": "hostname", "Value": host}], "MeasureName": "status",
                     "MeasureValueType": "VARCHAR", "MeasureValue": "OK", "Time": str(start)})
        w.write_records(DatabaseName="grafanaDB", TableName="DevOps", Records=recs)
    # a bigger table for paging: line protocol, 40,000 rows
    lines = []
    for i in range(40_000):
        lines.append(f"big,host=h{i % 50} v={i}i,s=\"row {i:06d} padding padding padding\" "
                     f"{(NOW_MS - 3_600_000 + i * 50) * 1_000_000}")
    st, body, _ = srv.request("POST", "/write?db=grafanaDB", "\n".join(lines).encode())
    R.check(st == 204, "40,000 rows of line protocol for the paging tests", (st, body[:200]))
    return expect, start


def test_editor(g):
    st, r, hdr = g.query("SELECT 1")
    R.check(st == 200 and r["Rows"][0]["Data"][0].get("ScalarValue") == "1" and "x-amzn-RequestId" in hdr,
            "health check: SELECT 1 answers one row with \"1\"", (st, r))
    check_shape(r, "SELECT 1")
    st, r, _ = g.query("SHOW DATABASES")
    dbs = [row["Data"][0]["ScalarValue"] for row in r["Rows"] if "ScalarValue" in row["Data"][0]]
    R.check(st == 200 and "grafanaDB" in dbs, "SHOW DATABASES: the first column lists the database", dbs)
    st, r, _ = g.query('SHOW TABLES FROM "grafanaDB"')
    tables = [row["Data"][0]["ScalarValue"] for row in r["Rows"]]
    R.check(st == 200 and tables == ["DevOps", "big"], "SHOW TABLES FROM \"db\" (quoted as the editor sends it)",
            tables)
    st, r, _ = g.query('SHOW MEASURES FROM "grafanaDB"."DevOps"')
    check_shape(r, "SHOW MEASURES")
    measures = [row["Data"][0]["ScalarValue"] for row in r["Rows"]]
    row0 = r["Rows"][0]["Data"] if r.get("Rows") else []
    dims = []
    if len(row0) == 3:  # dimensionsFromRows
        dims = [e["RowValue"]["Data"][0]["ScalarValue"] for e in row0[2].get("ArrayValue", [])]
    R.check(st == 200 and measures == ["cpu", "status"] and dims == ["az", "hostname", "region"],
            "SHOW MEASURES: measures from the first column, the first measure's dimensions as rows", (measures, dims))
    R.check(r["ColumnInfo"][2]["Type"].get("ArrayColumnInfo", {}).get("Type", {}).get("RowColumnInfo", [{}])[0]
            .get("Name") == "dimension_name", "SHOW MEASURES: dimensions typed array(row(...)) with named members",
            r["ColumnInfo"])


def test_panels(g, expect, start):
    frm, to = start - 60_000, NOW_MS
    for database, table in (('"grafanaDB"', '"DevOps"'), ("grafanaDB", "DevOps")):
        sql = macros("SELECT hostname, BIN(time, $__interval_ms) AS t, AVG(measure_value::double) AS v "
                     "FROM $__database.$__table WHERE $__timeFilter AND measure_name = '$__measure' "
                     "GROUP BY hostname, BIN(time, $__interval_ms) ORDER BY t ASC",
                     frm, to, 300_000, database, table)
        st, r, _ = g.query(sql)
        check_shape(r, f"panel over {database}.{table}")
        got = {}
        times = []
        for row in r.get("Rows", []):
            host, t, v = (d.get("ScalarValue") for d in row["Data"])
            got[(host, t)] = float(v)
            times.append(t)
        want = {}
        for host, pts in expect.items():
            buckets = {}
            for t, v in pts:
                b = t - t % 300_000
                buckets.setdefault(b, []).append(v)
            for b, vs in buckets.items():
                key = (host, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(b // 1000)) + ".000000000")
                want[key] = sum(vs) / len(vs)
        same = set(got) == set(want) and all(abs(got[k] - want[k]) < 1e-9 for k in want)
        R.check(st == 200 and same and times == sorted(times),
                f"$__timeFilter / $__interval_ms panel over {database}.{table}: every 5-minute average, time ascending",
                (st, len(got), len(want), sql))
    sql = macros("SELECT hostname, az, CREATE_TIME_SERIES(time, measure_value::double) AS cpu FROM $__database.$__table "
                 "WHERE $__timeFilter AND measure_name = 'cpu' GROUP BY hostname, az ORDER BY hostname",
                 frm, to, 60_000, '"grafanaDB"', '"DevOps"')
    st, r, _ = g.query(sql)
    check_shape(r, "CREATE_TIME_SERIES panel")
    frames = {row["Data"][0]["ScalarValue"]: [float(p["Value"]["ScalarValue"]) for p in row["Data"][2]["TimeSeriesValue"]]
              for row in r.get("Rows", [])}
    R.check(st == 200 and frames == {h: [v for _, v in expect[h]] for h in HOSTS},
            "CREATE_TIME_SERIES: one series a host with every point written", (st, list(frames)[:3]))
    # Explore's sample queries
    st, r, _ = g.query(macros("DESCRIBE $__database.$__table", frm, to, 1000, '"grafanaDB"', '"DevOps"'))
    cats = {row["Data"][0]["ScalarValue"]: row["Data"][2]["ScalarValue"] for row in r.get("Rows", [])}
    R.check(st == 200 and cats.get("hostname") == "DIMENSION" and cats.get("time") == "TIMESTAMP"
            and [c["Name"] for c in r["ColumnInfo"]] == ["Column", "Type", "Timestream attribute type"],
            "DESCRIBE $__database.$__table: the recorded response's columns and categories", (cats, r.get("ColumnInfo")))
    st, r, _ = g.query(macros("SELECT * FROM $__database.$__table LIMIT 10", frm, to, 1000, '"grafanaDB"',
                              '"DevOps"'))
    check_shape(r, "SELECT * LIMIT 10")
    R.check(st == 200 and len(r["Rows"]) == 10, "SELECT * FROM $__database.$__table LIMIT 10", (st, len(r["Rows"])))
    names = [c["Name"] for c in r.get("ColumnInfo", [])]
    R.check(names == ["az", "hostname", "region", "measure_name", "time", "measure_value::double",
                      "measure_value::varchar"],
            "SELECT *: dimensions, measure_name, time, then the measure values (the recorded response's order)", names)


def test_paging(g):
    sql = 'SELECT * FROM "grafanaDB"."big" ORDER BY time'
    # the backend's "wait for all queries" loop: ClientToken of page 1 reused
    ct = str(uuid.uuid4())
    st, r, _ = g.query(sql, client_token=ct)
    cols = r.get("ColumnInfo")
    rows, pages, same_cols, token = list(r.get("Rows", [])), 1, True, r.get("NextToken")
    check_shape(r, "paged query, page 1")
    sizes = []
    while token and pages < 1000:
        st, r, hdr = g.query(sql, token=token, client_token=ct)
        if st != 200:
            break
        sizes.append(int(hdr.get("Content-Length", 0)))
        pages += 1
        same_cols &= r.get("ColumnInfo") == cols and "QueryStatus" in r
        rows += r.get("Rows", [])
        token = r.get("NextToken")
    vals = [next(d["ScalarValue"] for d, c in zip(row["Data"], cols) if c["Name"] == "v") for row in rows]
    R.check(st == 200 and pages > 1 and not token and vals == [str(i) for i in range(40_000)] and same_cols,
            "the backend's loop: pages until no NextToken, every row once in order, the same ColumnInfo",
            (st, pages, len(vals)))
    R.check(sizes and all(0 < n <= (1 << 20) + 4096 for n in sizes),
            "pages of about 1 MB at most (rows, plus ColumnInfo and QueryStatus)", sizes)
    # the browser's loop: a fresh ClientToken each page, the same expanded SQL
    st, r, _ = g.query(sql)
    n, pages, token = len(r.get("Rows", [])), 1, r.get("NextToken")
    while token and pages < 1000:
        st, r, _ = g.query(sql, token=token)
        pages += 1
        n += len(r.get("Rows", []))
        token = r.get("NextToken")
    R.check(st == 200 and n == 40_000 and not token, "the browser's loop: every row, then no token", (st, n, pages))
    # an aborted panel: the browser posts resources/cancel, the backend CancelQuery
    st, r, _ = g.query(sql)
    qid = r.get("QueryId")
    st2, c, _ = g.call("CancelQuery", {"QueryId": qid})
    st3, r3, _ = g.query(sql, token=r.get("NextToken"))
    R.check(st2 == 200 and st3 == 409 and r3.get("__type", "").endswith("ConflictException"),
            "CancelQuery of a paged query: its next page is a ConflictException", (st2, c, st3, r3))
    st4, c4, _ = g.call("CancelQuery", {"QueryId": qid})
    R.check(st4 == 200 and "CancellationMessage" in c4, "CancelQuery again: the CancellationMessage the UI shows",
            (st4, c4))


def test_errors(g):
    st, r, _ = g.query('SELECT nope FROM "grafanaDB"."DevOps"')
    R.check(st == 400 and r.get("__type", "").endswith("ValidationException") and "nope" in r.get("message", ""),
            "a query error reaches the panel as a ValidationException naming the column", (st, r))
    bad = Grafana(g.srv, "admin", "wrong-secret-wrong-secret-wrong-secret00")
    st, r, _ = bad.query("SELECT 1")
    R.check(st == 403 and r.get("__type", "").endswith("InvalidSignatureException"),
            "a data source configured with a wrong secret: InvalidSignatureException", (st, r))


def main():
    tmp = tempfile.mkdtemp(prefix="strata-gts-")
    with open(f"{tmp}/adminpw", "w") as f:
        f.write(ADMIN[1])
    srv = Server("--auth", "true", "--pg-listen", "", "--admin-user", ADMIN[0], "--admin-password-file",
                 f"{tmp}/adminpw", auth=ADMIN)
    try:
        srv.start()
        st, body, _ = srv.request("POST", "/query", urllib.parse.urlencode({"q": "CREATE ACCESS KEY FOR admin"}).encode(),
                                  {"Content-Type": "application/x-www-form-urlencoded"})
        key = json.loads(body)["results"][0]["series"][0]["values"][0][1]
        expect, start = setup(srv, key)
        g = Grafana(srv, "admin", key)
        test_editor(g)
        test_panels(g, expect, start)
        test_paging(g)
        test_errors(g)
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, srv)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
