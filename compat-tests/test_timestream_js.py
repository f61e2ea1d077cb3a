"""Strata's Timestream API with the real AWS SDK for JavaScript v3
(@aws-sdk/client-timestream-write and -query, installed by `make deps` into
.node-deps/, see scripts/deps.sh).

The runner starts Strata with --auth true and an admin, makes a user with
READ and WRITE on the test database only and a user with READ only, gives
the three of them access keys (CREATE ACCESS KEY: the key id is the user's
name) and runs compat-tests/timestream_sdk.mjs with the endpoint, the region
and the keys. That script drives the SDK through the scenario and prints
every call as a JSON line (request, HTTP status, answer or error as the SDK
parsed it); this file asserts on them, so a failure names the step, the
request and the answer:

  - databases: CreateDatabase (with tags; again: ConflictException; by a user
    without ALL PRIVILEGES: AccessDeniedException), DescribeDatabase,
    UpdateDatabase, ListDatabases whole and in pages of MaxResults 1, and as a
    user who sees only its database;
  - tables: CreateTable with RetentionProperties and
    MagneticStoreWriteProperties (S3 location echoed back), DescribeTable,
    ListTables (pages of 1), UpdateTable, a missing table (404); tags of a
    database and a table: TagResource, ListTagsForResource, UntagResource,
    through both clients;
  - WriteRecords: single-measure DOUBLE, BIGINT, VARCHAR and BOOLEAN with
    CommonAttributes, every TimeUnit, MULTI with DOUBLE, BIGINT, VARCHAR,
    BOOLEAN and TIMESTAMP values, a batch of 100, 101 records
    (ValidationException); rejections (RejectedRecordsException, HTTP 419,
    RejectedRecords with RecordIndex and ExistingVersion): outside the memory
    store, outside the magnetic store (a table with magnetic store writes on
    takes a record older than its memory store), the same version with
    another value, a lower version after Version 3, a measure's type
    changed, and a batch rejected in part whose good records are stored;
  - Query: every type read back (doubles as Java prints them: 35.0,
    1.655487883771E9, -1.0E-5), NULL cells, DESCRIBE, SHOW MEASURES,
    CREATE_TIME_SERIES (a TimeSeriesValue datum), bin() and ago(), paging
    with MaxRows until no NextToken, a syntax error and a missing table
    (ValidationException 400); CancelQuery, then the cancelled query's
    NextToken (ConflictException);
  - auth: a wrong secret (InvalidSignatureException), a READ-only key and a
    key without a grant writing (AccessDeniedException 403, nothing written,
    as the admin's query shows), a query of a database without a grant,
    an unknown database and table (ResourceNotFoundException);
  - endpoint discovery: DescribeEndpoints through both clients answers the
    Address http://HOST:PORT of the request on plain HTTP. The JavaScript
    SDK cannot follow that one (shown with the SDK itself and printed as
    info lines, not asserted, being the SDK's behaviour: a client whose
    endpoint cache holds Strata's Address and whose request handler records
    instead of sending): a client with an endpoint override never discovers
    (and refuses endpointDiscoveryEnabled: true); a discovering client sets
    request.hostname to the Address as it is and keeps the protocol and port
    of the AWS endpoint it resolved (https:, no port), and its node handler
    passes them to https.request as host and port. So "http://127.0.0.1:PORT"
    becomes a host name that does not resolve, and so does a bare
    "HOST:PORT": JS discovery reaches only a server on HTTPS port 443 named
    by a bare host, so on plain HTTP JS clients give an endpoint (as here).
    Then discovery for real, over TLS: a second server whose certificate
    names the AWS hosts, clients without an endpoint and with
    endpointDiscoveryEnabled: true, whose https agent connects those names
    to it (as DNS would): each client calls DescribeEndpoints once, gets the
    bare host it called, and sends every call there (create, write, query);
  - DeleteDatabase with tables left (ValidationException), DeleteTable,
    DeleteDatabase, and both gone.

Without node or the SDK's packages the test fails (make deps installs them).
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import ROOT, Server, Results, make_ca, make_cert, report_crash  # noqa: E402

R = Results("test_timestream_js")
ADMIN = ("admin", "Adm1n-pw!")
REGION = "eu-central-1"
DB, DB2 = "tsjs", "tsjs_other"
T, TMAG = "sensors", "archive"
NODE_DEPS = os.environ.get("STRATA_NODE_DEPS", os.path.join(ROOT, ".node-deps"))
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "timestream_sdk.mjs")

recs = {}  # step -> its records, in order


# ------------------------------------------------------------------ helpers

def iql(srv, q):
    st, body, _ = srv.request("POST", "/query", urllib.parse.urlencode({"q": q}).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    try:
        return st, json.loads(body)
    except ValueError:
        return st, body


def java_double(x):
    """A double as Java's Double.toString writes it (Timestream's rendering)."""
    x = float(x)
    if x == 0:
        return "0.0"
    if 1e-3 <= abs(x) < 1e7:
        return repr(x)
    sign, digits, exp = Decimal(repr(x)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    return ("-" if sign else "") + ds[0] + "." + (ds[1:] or "0") + "E" + str(len(digits) + exp - 1)


def ts(sec, ns=0):
    """Timestream's TIMESTAMP text of an instant."""
    d = datetime.datetime.fromtimestamp(sec, tz=datetime.timezone.utc)
    return d.strftime("%Y-%m-%d %H:%M:%S") + f".{ns:09d}"


def ts_ms(ms):
    return ts(ms // 1000, (ms % 1000) * 1000000)


def short(v, n):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + f"...({len(s)} chars)"


def show(r):
    """A record as the failure's detail: request, status, answer."""
    if r is None:
        return "(the step did not run)"
    ans = r.get("output") if "output" in r else {"error": r.get("error")}
    return (f"[{r.get('op')} as {r.get('as')}] request {short(r.get('input'), 700)} -> HTTP {r.get('status')} "
            f"{short(ans, 1100)}")


def get(step, i=-1):
    rs = recs.get(step)
    return rs[i] if rs else None


def ok(step, what=None):
    """The step succeeded (HTTP 200); its output or None."""
    r = get(step)
    good = r is not None and r.get("status") == 200 and "output" in r
    R.check(good, f"{step}: {what or 'succeeds'} (200)", show(r))
    return r["output"] if good else None


def fails(step, name, status, what):
    """The step failed with the SDK's exception `name` and HTTP `status`; its error."""
    r = get(step)
    e = (r or {}).get("error") or {}
    R.check(r is not None and e.get("name") == name and r.get("status") == status,
            f"{step}: {what} -> {name} {status}", show(r))
    return e


def eq(step, got, want, what):
    R.check(got == want, f"{step}: {what}", f"want {short(want, 600)}, got {short(got, 600)}; " + show(get(step)))


def rows(out):
    """Rows of a Query answer as lists of ScalarValue (None for NULL)."""
    def cell(d):
        if d.get("NullValue"):
            return None
        if "ScalarValue" in d:
            return d["ScalarValue"]
        return d
    return [[cell(d) for d in row["Data"]] for row in (out or {}).get("Rows", [])]


def columns(out):
    return [(c.get("Name"), c.get("Type", {}).get("ScalarType", c.get("Type"))) for c in (out or {}).get("ColumnInfo", [])]


def date_of(v):
    """A Date the SDK parsed ({"$date": ISO}) as epoch seconds, else None."""
    if isinstance(v, dict) and "$date" in v:
        try:
            return datetime.datetime.fromisoformat(v["$date"].replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def rejected(step, want):
    """RejectedRecordsException (419) whose RejectedRecords are `want`:
    [(index, reason text or None, ExistingVersion or None)]."""
    e = fails(step, "RejectedRecordsException", 419, "rejected")
    got = e.get("RejectedRecords") or []
    R.check(len(got) == len(want) and all(
        g.get("RecordIndex") == i and (text is None or text in (g.get("Reason") or "")) and
        g.get("ExistingVersion") == ver for g, (i, text, ver) in zip(got, want)),
        f"{step}: RejectedRecords (RecordIndex, ExistingVersion) {[(i, ver) for i, _, ver in want]}", show(get(step)))


def ingested(step, total, memory=None, magnetic=0):
    out = ok(step, f"{total} record(s) ingested")
    if out is not None:
        eq(step, out.get("RecordsIngested"),
           {"Total": total, "MemoryStore": total if memory is None else memory, "MagneticStore": magnetic},
           "RecordsIngested")


# ------------------------------------------------------------------ checks

def check_databases(t0, t1):
    arn = f"arn:aws:timestream:{REGION}:000000000000:database/{DB}"
    out = ok("db.create")
    if out:
        d = out.get("Database", {})
        eq("db.create", (d.get("DatabaseName"), d.get("Arn"), d.get("TableCount")), (DB, arn, 0),
           "Database name, Arn, TableCount")
        c = date_of(d.get("CreationTime"))
        R.check(c is not None and t0 - 5 <= c <= t1 + 5, "db.create: CreationTime parsed to a Date, now",
                show(get("db.create")))
    ok("db.create2")
    fails("db.create.dup", "ConflictException", 409, "an existing database")
    fails("db.create.denied", "AccessDeniedException", 403, "CreateDatabase by a user without ALL PRIVILEGES")
    out = ok("db.describe", "DescribeDatabase by the user")
    if out:
        d = out.get("Database", {})
        eq("db.describe", (d.get("DatabaseName"), d.get("Arn")), (DB, arn), "name and Arn")
        eq("db.describe", d.get("CreationTime"), ((get("db.create") or {}).get("output") or {}).get(
            "Database", {}).get("CreationTime"), "CreationTime as created")
    out = ok("db.update")
    if out:
        d = out.get("Database", {})
        eq("db.update", d.get("KmsKeyId"), "alias/strata-js", "KmsKeyId")
        c, u = date_of(d.get("CreationTime")), date_of(d.get("LastUpdatedTime"))
        R.check(c is not None and u is not None and u >= c, "db.update: LastUpdatedTime >= CreationTime",
                show(get("db.update")))
    out = ok("db.list.all")
    names = [d.get("DatabaseName") for d in (out or {}).get("Databases", [])]
    R.check(DB in names and DB2 in names, "db.list.all: both databases listed", show(get("db.list.all")))
    pages = recs.get("db.list.page", [])
    paged = []
    good = bool(pages)
    for r in pages:
        o = r.get("output")
        if r.get("status") != 200 or o is None or len(o.get("Databases", [])) > 1:
            good = False
            break
        paged += [d.get("DatabaseName") for d in o["Databases"]]
    R.check(good, "db.list.page: every page (MaxResults 1) succeeds with at most 1 database",
            "; ".join(show(r) for r in pages)[:1800])
    eq("db.list.page", paged, names, "the pages together list what one call lists, once each")
    R.check(len(pages) >= 2 and not (pages[-1].get("output") or {}).get("NextToken"),
            "db.list.page: >= 2 pages, the last without NextToken", f"{len(pages)} pages")
    out = ok("db.list.user")
    eq("db.list.user", [d.get("DatabaseName") for d in (out or {}).get("Databases", [])], [DB],
       "a user sees only the database it has a grant on")


def check_tables():
    arn = f"arn:aws:timestream:{REGION}:000000000000:database/{DB}/table/{T}"
    mag_in = {"EnableMagneticStoreWrites": True, "MagneticStoreRejectedDataLocation": {
        "S3Configuration": {"BucketName": "strata-rejects", "ObjectKeyPrefix": "js/", "EncryptionOption": "SSE_S3"}}}
    for step in ("table.create", "table.describe"):
        out = ok(step)
        if out:
            t = out.get("Table", {})
            eq(step, (t.get("Arn"), t.get("TableName"), t.get("DatabaseName"), t.get("TableStatus")),
               (arn, T, DB, "ACTIVE"), "Arn, names, ACTIVE")
            eq(step, t.get("RetentionProperties"),
               {"MemoryStoreRetentionPeriodInHours": 12, "MagneticStoreRetentionPeriodInDays": 30},
               "RetentionProperties")
            eq(step, t.get("MagneticStoreWriteProperties"), mag_in, "MagneticStoreWriteProperties with S3 location")
            R.check(date_of(t.get("CreationTime")) is not None, f"{step}: CreationTime a Date", show(get(step)))
    ok("table.create.mag")
    ok("table.create2", "CreateTable by the admin in the second database")
    fails("table.create.dup", "ConflictException", 409, "an existing table")
    out = ok("table.count", "DescribeDatabase after CreateTable")
    eq("table.count", ((out or {}).get("Database") or {}).get("TableCount"), 2, "TableCount counts the tables")
    out = ok("table.list")
    eq("table.list", sorted(t.get("TableName") for t in (out or {}).get("Tables", [])), sorted([T, TMAG]),
       "ListTables names the database's tables")
    pages = recs.get("table.list.page", [])
    got = []
    for r in pages:
        o = r.get("output") or {}
        R.check(r.get("status") == 200 and len(o.get("Tables", [])) <= 1,
                f"table.list.page: page {r.get('page')} (MaxResults 1) has at most 1 table", show(r))
        got += [t.get("TableName") for t in o.get("Tables", [])]
    eq("table.list.page", sorted(got), sorted([T, TMAG]), "the pages together list each table once")
    for step in ("table.update", "table.describe.updated"):
        out = ok(step)
        if out:
            t = out.get("Table", {})
            eq(step, t.get("RetentionProperties"),
               {"MemoryStoreRetentionPeriodInHours": 24, "MagneticStoreRetentionPeriodInDays": 60},
               "RetentionProperties updated")
            eq(step, (t.get("MagneticStoreWriteProperties") or {}).get("EnableMagneticStoreWrites"), False,
               "magnetic store writes turned off")
            c, u = date_of(t.get("CreationTime")), date_of(t.get("LastUpdatedTime"))
            R.check(c is not None and u is not None and u >= c, f"{step}: LastUpdatedTime >= CreationTime",
                    show(get(step)))
    fails("table.describe.missing", "ResourceNotFoundException", 404, "DescribeTable of a missing table")


def tags(step):
    out = ok(step)
    return {t.get("Key"): t.get("Value") for t in (out or {}).get("Tags", [])} if out else None


def check_tags():
    eq("tag.db.list", tags("tag.db.list"), {"owner": "js"}, "the database's tags from CreateDatabase")
    eq("tag.table.list0", tags("tag.table.list0"), {"env": "test"}, "the table's tags from CreateTable")
    ok("tag.add")
    eq("tag.table.list1", tags("tag.table.list1"), {"env": "prod", "team": "strata"},
       "TagResource adds a tag and replaces one by key")
    ok("tag.remove")
    eq("tag.table.list2", tags("tag.table.list2"), {"team": "strata"}, "UntagResource removes by key")


def check_writes():
    ingested("write.single", 10)
    ingested("write.common", 2)
    ingested("write.units", 4)
    ingested("write.multi", 2)
    ingested("write.batch100", 100)
    fails("write.toomany", "ValidationException", 400, "101 records")
    rejected("write.window", [(0, "outside the time range", None)])
    ingested("write.mag", 1, memory=0, magnetic=1)
    rejected("write.mag.window", [(0, "outside the time range", None)])
    ingested("write.version.base", 1)
    ingested("write.version.same", 1)
    rejected("write.version.conflict", [(0, "same time, dimensions, measure name, and record version", 1)])
    ingested("write.version.v3", 1)
    rejected("write.version.lower", [(0, "lower than the existing version 3", 3)])
    ingested("write.version.higher", 1)
    rejected("write.type", [(0, None, None)])
    rejected("write.partial", [(1, "outside the time range", None), (3, None, None)])


def query_rows(step, want_cols, want_rows, what):
    out = ok(step)
    if out is None:
        return
    if want_cols is not None:
        eq(step, columns(out), want_cols, "ColumnInfo")
    got = rows(out)
    if len(got) != len(want_rows):
        eq(step, got, want_rows, what)
        return
    for i, (g, w) in enumerate(zip(got, want_rows)):
        eq(step, g, w, f"{what}, row {i}")


def check_queries(S, old_ms):
    DBL = [("d1", "35"), ("d2", "0.1"), ("d3", "1655487883.771"), ("d4", "-0.00001"), ("d5", "123456.789")]
    want = [["b1", "m_bigint", None, "9007199254740993", None, None, ts(S)],
            ["b2", "m_bigint", None, "-42", None, None, ts(S)]]
    want += [[k, "m_double", java_double(v), None, None, None, ts(S)] for k, v in DBL]
    want += [["t1", "m_bool", None, None, None, "true", ts(S)], ["t2", "m_bool", None, None, None, "false", ts(S)],
             ["v1", "m_varchar", None, None, 'héllo "wörld" ✓', None, ts(S)]]
    R.check(java_double(1655487883.771) == "1.655487883771E9" and java_double(-0.00001) == "-1.0E-5"
            and java_double(35) == "35.0", "the test's Java rendering of doubles")
    query_rows("q.single", [("kind", "VARCHAR"), ("measure_name", "VARCHAR"), ("measure_value::double", "DOUBLE"),
                            ("measure_value::bigint", "BIGINT"), ("measure_value::varchar", "VARCHAR"),
                            ("measure_value::boolean", "BOOLEAN"), ("time", "TIMESTAMP")], want,
               "every single-measure type read back (NULL in the other columns)")
    query_rows("q.common", [("time", "TIMESTAMP"), ("measure_value::boolean", "BOOLEAN")],
               [[ts(S), "true"], [ts(S + 60), "false"]], "CommonAttributes (measure, type, TimeUnit SECONDS)")
    query_rows("q.units", [("unit", "VARCHAR"), ("time", "TIMESTAMP"), ("measure_value::double", "DOUBLE")],
               [["SECONDS", ts(S), "1.0"], ["MILLISECONDS", ts(S, 123000000), "2.0"],
                ["MICROSECONDS", ts(S, 123456000), "3.0"], ["NANOSECONDS", ts(S, 123456789), "4.0"]],
               "each TimeUnit's time to the nanosecond")
    query_rows("q.multi", [("time", "TIMESTAMP"), ("cpu", "DOUBLE"), ("mem", "BIGINT"), ("state", "VARCHAR"),
                           ("up", "BOOLEAN"), ("boot", "TIMESTAMP")],
               [[ts(S, 500000000), "12.5", "1024", "ok", "true", ts(S - 86400, 250000000)],
                [ts(S + 1), "99.5", None, None, None, None]],
               "MULTI values of every type (TIMESTAMP in the record's TimeUnit), NULL where absent")
    query_rows("q.count", [("n", "BIGINT"), ("s", "DOUBLE"), ("lo", "TIMESTAMP"), ("hi", "TIMESTAMP")],
               [["100", java_double(sum(i * 0.5 for i in range(100))), ts(S), ts(S + 99)]],
               "the batch of 100 all stored")
    query_rows("q.many", None, [["0"]], "nothing of the 101-record request stored")
    query_rows("q.version", None, [["ver", "1.0"], ["ver2", "40.0"]],
               "versions: the rejected values not stored, Version 4 replaced Version 3")
    query_rows("q.partial", None, [["p0", "1.5"], ["p2", "2.5"]], "the good records of a partly rejected batch stored")
    query_rows("q.rejected", None, [], "no rejected record stored")
    query_rows("q.mag", None, [["old", "1.0", ts_ms(old_ms)]], "the record written to the magnetic store")
    out = ok("q.describe")
    if out:
        eq("q.describe", [c for c, _ in columns(out)], ["Column", "Type", "Timestream attribute type"], "DESCRIBE's columns")
        want = {("host", "varchar", "DIMENSION"), ("kind", "varchar", "DIMENSION"), ("unit", "varchar", "DIMENSION"),
                ("measure_value::double", "double", "MEASURE_VALUE"),
                ("measure_value::bigint", "bigint", "MEASURE_VALUE"),
                ("measure_value::varchar", "varchar", "MEASURE_VALUE"),
                ("measure_value::boolean", "boolean", "MEASURE_VALUE"),
                ("cpu", "double", "MULTI"), ("mem", "bigint", "MULTI"), ("state", "varchar", "MULTI"),
                ("up", "boolean", "MULTI"), ("boot", "timestamp", "MULTI"),
                ("measure_name", "varchar", "MEASURE_NAME"), ("time", "timestamp", "TIMESTAMP")}
        got = {tuple(r) for r in rows(out)}
        eq("q.describe", sorted(got), sorted(want), "DESCRIBE: every column with its type and category")
    out = ok("q.measures")
    if out:
        eq("q.measures", [c for c, _ in columns(out)], ["measure_name", "data_type", "dimensions"],
           "SHOW MEASURES' columns")
        eq("q.measures", (out.get("ColumnInfo") or [None] * 3)[2:], [{"Name": "dimensions", "Type": {
            "ArrayColumnInfo": {"Type": {"RowColumnInfo": [{"Name": "dimension_name", "Type": {"ScalarType": "VARCHAR"}},
                                                            {"Name": "data_type", "Type": {"ScalarType": "VARCHAR"}}]}}}}],
           "SHOW MEASURES: dimensions is ARRAY(ROW(dimension_name VARCHAR, data_type VARCHAR))")
        got = {r[0]: r[1] for r in rows(out)}
        eq("q.measures", got, {"m_bigint": "bigint", "m_bool": "boolean", "m_double": "double", "m_flag": "boolean",
                               "m_load": "double", "m_part": "double", "m_unit": "double", "m_ver": "double",
                               "m_varchar": "varchar", "metrics": "multi"}, "SHOW MEASURES: each measure's type")
        dims = {}
        for row in (out.get("Rows") or []):
            d = row["Data"]
            try:
                dims[d[0]["ScalarValue"]] = sorted(tuple(x["ScalarValue"] for x in e["RowValue"]["Data"])
                                                   for e in d[2]["ArrayValue"])
            except (KeyError, IndexError, TypeError):
                dims[str(d[:1])] = d[2:]
        eq("q.measures", (dims.get("m_double"), dims.get("m_unit")),
           ([("host", "varchar"), ("kind", "varchar")], [("unit", "varchar")]),
           "SHOW MEASURES: dimensions, an array of rows (name, type)")
    out = ok("q.timeseries")
    if out:
        ci = out.get("ColumnInfo", [])
        eq("q.timeseries", ci[1:2], [{"Name": "series", "Type": {"TimeSeriesMeasureValueColumnInfo": {
            "Type": {"ScalarType": "DOUBLE"}}}}], "CREATE_TIME_SERIES' ColumnInfo")
        want = [{"Data": [{"ScalarValue": "batch"}, {"TimeSeriesValue": [
            {"Time": ts(S + i), "Value": {"ScalarValue": java_double(i * 0.5)}} for i in range(100)]}]}]
        eq("q.timeseries", out.get("Rows"), want, "a TimeSeriesValue of the 100 points in time order")
    query_rows("q.bin", [("b", "TIMESTAMP"), ("n", "BIGINT"), ("a", "DOUBLE")],
               [[ts(S + 10 * k), "10", java_double(5 * k + 2.25)] for k in range(10)], "bin(time, 10s) over ago(3h)")
    pages = recs.get("q.page", [])
    got, ids, good = [], set(), bool(pages)
    for r in pages:
        o = r.get("output")
        if r.get("status") != 200 or o is None or len(o.get("Rows", [])) > 7 or \
                columns(o) != [("time", "TIMESTAMP"), ("measure_value::double", "DOUBLE")]:
            good = False
            R.check(False, f"q.page: page {r.get('page')} succeeds with <= 7 rows (MaxRows) and ColumnInfo", show(r))
            break
        got += rows(o)
        ids.add(o.get("QueryId"))
    R.check(good, f"q.page: {len(pages)} pages, each with at most MaxRows rows and ColumnInfo")
    R.check(bool(pages) and not (pages[-1].get("output") or {}).get("NextToken") and len(ids) == 1,
            "q.page: NextToken followed until absent, one QueryId", show(pages[-1] if pages else None))
    eq("q.page", got, [[ts(S + i), java_double(i * 0.5)] for i in range(100)],
       "the pages' rows are the 100 rows in order (the count)")
    fails("q.syntax", "ValidationException", 400, "a syntax error")
    fails("q.missing", "ValidationException", 400, "a missing table")
    out = ok("cancel.open", "a query with MaxRows 1")
    R.check(bool(out and out.get("QueryId") and out.get("NextToken")), "cancel.open: a QueryId and a NextToken",
            show(get("cancel.open")))
    ok("cancel.cancel", "CancelQuery of the paged query")
    fails("cancel.next", "ConflictException", 409, "the cancelled query's NextToken")
    out = ok("cancel.again", "CancelQuery again")
    R.check(bool((out or {}).get("CancellationMessage")), "cancel.again: says it was cancelled already (CancellationMessage)",
            show(get("cancel.again")))


def check_auth():
    fails("auth.badsecret.write", "InvalidSignatureException", 403, "a wrong secret (write client)")
    fails("auth.badsecret.query", "InvalidSignatureException", 403, "a wrong secret (query client)")
    query_rows("auth.reader.query", None, [["100"]], "a READ-only key queries")
    fails("auth.reader.write", "AccessDeniedException", 403, "WriteRecords with a READ-only key")
    query_rows("auth.reader.after", None, [["0"]], "nothing written by the READ-only key (admin's query)")
    ingested("auth.nogrant.seed", 1)
    fails("auth.nogrant.write", "AccessDeniedException", 403, "WriteRecords to a database without a grant")
    query_rows("auth.nogrant.after", None, [["m_seed", "1"]], "nothing written without a grant (admin's query)")
    fails("auth.nogrant.query", "AccessDeniedException", 403, "Query of a database without a grant")
    fails("auth.unknown.write", "ResourceNotFoundException", 404, "WriteRecords to an unknown database")
    fails("auth.unknown.describe", "ResourceNotFoundException", 404, "DescribeDatabase of an unknown database")
    fails("auth.unknown.table", "ResourceNotFoundException", 404, "WriteRecords to an unknown table")


def check_endpoints(port):
    for step in ("endpoints.write", "endpoints.query"):
        out = ok(step)
        eps = (out or {}).get("Endpoints") or [{}]
        R.check(len(eps) == 1 and eps[0].get("Address") == f"http://127.0.0.1:{port}" and
                (eps[0].get("CachePeriodInMinutes") or 0) > 0,
                f"{step}: DescribeEndpoints answers the Address the client used, http://127.0.0.1:{port}",
                show(get(step)))
    d = get("discovery")
    for t in ((d or {}).get("output") or {}).get("tries", []):
        print(f"info: JS endpoint discovery with Address {t.get('address')!r}: the SDK's request "
              f"{t.get('request')}")


def check_deletes():
    fails("delete.db.nonempty", "ValidationException", 400, "DeleteDatabase with tables left")
    for step in ("delete.table", "delete.table.mag", "delete.table2", "delete.db", "delete.db2"):
        ok(step)
    fails("delete.table.gone", "ResourceNotFoundException", 404, "DescribeTable after DeleteTable")
    out = ok("delete.tables.list")
    eq("delete.tables.list", (out or {}).get("Tables"), [], "no table left")
    fails("delete.db.gone", "ResourceNotFoundException", 404, "DescribeDatabase after DeleteDatabase")
    out = ok("delete.list")
    names = [d.get("DatabaseName") for d in (out or {}).get("Databases", [])]
    R.check(out is not None and DB not in names and DB2 not in names, "delete.list: the databases are gone",
            show(get("delete.list")))


# ------------------------------------------------------------------ main

def run_node(endpoint, keys, *args, **env_more):
    """Runs the SDK script; its lines into recs. Whether it ran to its end."""
    env = dict(os.environ, STRATA_NODE_DEPS=NODE_DEPS, STRATA_TS_ENDPOINT=endpoint, STRATA_TS_REGION=REGION,
               STRATA_TS_KEYS=json.dumps(keys), STRATA_TS_DB=DB, STRATA_TS_DB2=DB2, **env_more)
    for k in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
              "AWS_ENDPOINT_URL", "AWS_ENABLE_ENDPOINT_DISCOVERY", "AWS_ENDPOINT_DISCOVERY_ENABLED"):
        env.pop(k, None)
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    p = subprocess.run(["node", SCRIPT, *args], env=env, capture_output=True, text=True, timeout=600)
    recs.pop("end", None)
    for line in p.stdout.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            print("node:", line)
            continue
        recs.setdefault(r.get("step"), []).append(r)
    if os.environ.get("STRATA_VERBOSE"):
        print(p.stdout)
    return R.check(p.returncode == 0 and "end" in recs, "the SDK script" + "".join(" " + a for a in args) + " ran to its end",
                   f"exit {p.returncode}; {short(recs.get('crash'), 1000)}; stderr: {p.stderr[-1500:]}")


def test_discovery_tls(d):
    """JS endpoint discovery for real: Strata over TLS with a certificate
    naming the AWS hosts, clients without an endpoint whose https agent
    connects those names to Strata (timestream_sdk.mjs discoveryTls)."""
    hosts = [f"ingest.timestream.{REGION}.amazonaws.com", f"query.timestream.{REGION}.amazonaws.com"]
    make_ca(d)
    make_cert(d, "srv", "strata", dns=hosts)
    srv = Server("--pg-listen", "", "--tls-cert-file", f"{d}/srv.pem", "--tls-key-file", f"{d}/srv.key",
                 ca_file=f"{d}/ca.pem")
    try:
        srv.start()
        anyone = ["anyone", "anything"]
        run_node(f"https://127.0.0.1:{srv.port}", {"admin": anyone, "user": anyone, "reader": anyone}, "discovery",
                 STRATA_TS_TLS_PORT=str(srv.port), STRATA_TS_CA=f"{d}/ca.pem")
        for step in ("disc.create", "disc.table"):
            ok(step, "through a discovering client")
        ingested("disc.write", 1)
        query_rows("disc.query", None, [["d", "2.5"]], "read back through a discovering query client")
        out = ok("disc.endpoints")
        eq("disc.endpoints", (out or {}).get("Endpoints"), [{"Address": hosts[0], "CachePeriodInMinutes": 1440}],
           "over TLS, DescribeEndpoints answers the bare host the client called")
        sent = ((get("disc.sent") or {}).get("output")) or []
        want = [("write", "DescribeEndpoints", f"https://{hosts[0]}"), ("write", "CreateDatabase", f"https://{hosts[0]}"),
                ("write", "CreateTable", f"https://{hosts[0]}"), ("write", "WriteRecords", f"https://{hosts[0]}"),
                ("query", "DescribeEndpoints", f"https://{hosts[1]}"), ("query", "Query", f"https://{hosts[1]}"),
                ("write", "DescribeEndpoints", f"https://{hosts[0]}")]
        eq("disc.sent", [(x.get("client"), x.get("op"), x.get("url")) for x in sent], want,
           "the SDK discovered once per client, then sent every call to the Address")
    finally:
        srv.cleanup()


def main():
    if shutil.which("node") is None:
        R.check(False, "node installed (make deps: nodejs)")
        return R.done()
    for pkg in ("client-timestream-write", "client-timestream-query"):
        if not os.path.exists(os.path.join(NODE_DEPS, "node_modules", "@aws-sdk", pkg, "package.json")):
            R.check(False, f"@aws-sdk/{pkg} installed in {NODE_DEPS} (make deps: npm install, scripts/deps.sh)")
            return R.done()
    d = tempfile.mkdtemp(prefix="strata-tsjs-")
    srv = None
    try:
        with open(f"{d}/adminpw", "w") as f:
            f.write(ADMIN[1] + "\n")
        os.chmod(f"{d}/adminpw", 0o600)
        srv = Server("--auth", "true", "--admin-user", ADMIN[0], "--admin-password-file", f"{d}/adminpw",
                     "--pg-listen", "", "--auth-max-failures", "0", auth=ADMIN).start()
        st, res = iql(srv, f"CREATE USER tsuser WITH PASSWORD 'ts user pw'; GRANT READ ON {DB} TO tsuser; "
                           f"GRANT WRITE ON {DB} TO tsuser; CREATE USER tsreader WITH PASSWORD 'ts reader pw'; "
                           f"GRANT READ ON {DB} TO tsreader")
        R.check(st == 200 and all("error" not in r for r in res.get("results", [])),
                "users and grants made with InfluxQL", res)
        keys = {}
        for who, name in (("admin", "admin"), ("user", "tsuser"), ("reader", "tsreader")):
            st, res = iql(srv, f"CREATE ACCESS KEY FOR {name}")
            try:
                keys[who] = res["results"][0]["series"][0]["values"][0][:2]
            except (KeyError, IndexError, TypeError):
                R.check(False, f"CREATE ACCESS KEY FOR {name}", res)
                return R.done()
        t0 = time.time()
        run_node(f"http://127.0.0.1:{srv.port}", keys)
        t1 = time.time()
        sdk = (get("sdk") or {}).get("output")
        R.check(sdk is not None, "the SDK loads", show(get("sdk")))
        if sdk:
            print(f"info: node {sdk['node']}, @aws-sdk/client-timestream-write {sdk['write']}, "
                  f"-query {sdk['query']}")
        times = (get("times") or {}).get("output") or {}
        S, old_ms = times.get("S", 0), int(times.get("OLD_MS", 0))
        check_databases(t0, t1)
        check_tables()
        check_tags()
        check_writes()
        check_queries(S, old_ms)
        check_auth()
        check_endpoints(srv.port)
        check_deletes()
        R.check(srv.proc.poll() is None, "the server is still up")
        rc = srv.stop()
        R.check(rc == 0, "the server stops cleanly", rc)
        test_discovery_tls(d)
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        if srv:
            srv.cleanup()
        shutil.rmtree(d, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
