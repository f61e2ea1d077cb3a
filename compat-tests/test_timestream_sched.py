#!/usr/bin/env python3
"""Timestream's scheduled queries against Strata, with Debian's boto3
(python3-boto3: boto3 1.26 / botocore 1.29), the timestream-query client an
application that used Amazon Timestream has, pointed at Strata by
endpoint_url alone.

The scenario:
  - a rollup (bin(time, 1m), avg, max over @scheduled_runtime - 10m ..
    @scheduled_runtime) into a MULTI record per host and minute
    (MultiMeasureMappings): ExecuteScheduledQuery, every value read back
    from the target and compared with what this script computes from the
    records it wrote; the same invocation again (no duplicates, the same
    values); a later invocation over an overlapping window after more data
    (its records replace the earlier ones: a higher Version);
  - MixedMeasureMappings: single-measure DOUBLE and BIGINT records and a
    MULTI record from one row; with a MeasureNameColumn, a row whose
    measure no mapping names fails (FailureReason, RecentlyFailedRuns)
    while the others are written;
  - a rate(1 minute) schedule fires by itself within a minute; one
    DISABLED at once never fires; cron expressions' NextInvocationTime
    equals what this script computes (lists, ranges, steps, names, L, W,
    #);
  - Describe, List (paged), Update, Delete; errors: bad schedule
    expressions, unknown and ill-typed columns in the mappings, a missing
    target table, a duplicate name (and the same ClientToken: the same
    ARN), an unknown ARN, an unknown parameter;
  - a restart: Describe still shows every query with its LastRunSummary;
  - --auth on: a user with READ but no WRITE on the target database cannot
    create, execute or delete one, and can describe it.
"""
import datetime
import json
import os
import random
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, "/usr/lib/python3/dist-packages")  # Debian's boto3 and botocore, from any interpreter
from strata import Server, Results, report_crash  # noqa: E402

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

R = Results("test_timestream_sched")
REGION = "eu-central-1"
DB = "schedDB"
ADMIN = ("admin", "Adm1n-pw!")
HOSTS = ["host-a", "host-b", "host-c"]
COMMON = dict(NotificationConfiguration={"SnsConfiguration": {"TopicArn": "arn:aws:sns:eu-central-1:000000000000:t"}},
              ErrorReportConfiguration={"S3Configuration": {"BucketName": "strata-reports"}},
              ScheduledQueryExecutionRoleArn="arn:aws:iam::000000000000:role/sq")
ROLLUP = ('SELECT hostname, bin(time, 1m) AS binned_time, avg(measure_value::double) AS avg_cpu, '
          'max(measure_value::double) AS max_cpu FROM "schedDB"."src" '
          "WHERE time BETWEEN @scheduled_runtime - 10m AND @scheduled_runtime "
          "AND measure_name = 'cpu_utilization' GROUP BY hostname, bin(time, 1m)")


def clients(endpoint, key="anyone", secret="anything"):
    kw = dict(region_name=REGION, aws_access_key_id=key, aws_secret_access_key=secret,
              config=Config(retries={"max_attempts": 1}), endpoint_url=endpoint)
    s = boto3.session.Session()
    return s.client("timestream-write", **kw), s.client("timestream-query", **kw)


def error_of(fn, *a, **kw):
    """(code, status, message) of a call that must fail; (None, 200, resp) when it did not."""
    try:
        return None, 200, fn(*a, **kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], \
            e.response["Error"].get("Message", "")


def rows(q, sql):
    out, token = [], None
    while True:
        args = {"QueryString": sql}
        if token:
            args["NextToken"] = token
        r = q.query(**args)
        out += [[d.get("ScalarValue") for d in row["Data"]] for row in r["Rows"]]
        token = r.get("NextToken")
        if not token:
            return out


def ts_text(sec):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec)) + ".000000000"


def epoch(dt):
    return dt.timestamp()


def multi_target(table, **extra):
    cfg = {"DatabaseName": DB, "TableName": table, "TimeColumn": "binned_time",
           "DimensionMappings": [{"Name": "hostname", "DimensionValueType": "VARCHAR"}],
           "MultiMeasureMappings": {"TargetMultiMeasureName": "cpu_stats", "MultiMeasureAttributeMappings": [
               {"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"},
               {"SourceColumn": "max_cpu", "MeasureValueType": "DOUBLE", "TargetMultiMeasureAttributeName": "peak_cpu"}]}}
    cfg.update(extra)
    return {"TimestreamConfiguration": cfg}


class Data:
    """The source records, kept here to compute what the rollups must give."""
    def __init__(self, w, inv):
        self.w, self.inv, self.points = w, inv, []  # (host, measure, t seconds, value)
        rnd = random.Random(7)
        recs = []
        for host in HOSTS:
            for k in range(72):  # inv - 12m .. inv - 10s, every 10 s
                t = inv - 720 + k * 10
                v = rnd.randint(0, 400) / 4  # quarters: sums and means are exact
                recs.append((host, "cpu_utilization", t, v))
            recs.append((host, "mem_free", inv - 100, 1.0))
        self.write(recs)

    def write(self, recs):
        for i in range(0, len(recs), 100):
            self.w.write_records(DatabaseName=DB, TableName="src", Records=[
                {"Dimensions": [{"Name": "hostname", "Value": h}], "MeasureName": m, "MeasureValue": repr(v),
                 "MeasureValueType": "DOUBLE", "Time": str(t * 1000)} for h, m, t, v in recs[i:i + 100]])
        self.points += recs

    def rollup(self, lo, hi, measure="cpu_utilization"):
        """{(host, bin start): [values]} of the points in [lo, hi]."""
        out = {}
        for h, m, t, v in self.points:
            if m == measure and lo <= t <= hi:
                out.setdefault((h, t // 60 * 60), []).append(v)
        return out


def close(a, b):
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))


def same_rows(got, want):
    """Rows of strings against rows of expected values (floats compared closely)."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        for x, y in zip(g, w):
            if isinstance(y, float):
                if x is None or not close(x, y):
                    return False
            elif x != y:
                return False
    return True


# ------------------------------------------------------------------ scenario

def create_rollup(q, name, table, schedule="cron(0 0 1 1 ? 2190)", **kw):
    return q.create_scheduled_query(Name=name, QueryString=kw.pop("query", ROLLUP),
                                    ScheduleConfiguration={"ScheduleExpression": schedule},
                                    TargetConfiguration=kw.pop("target", None) or multi_target(table), **COMMON, **kw)["Arn"]


def test_multi(w, q, data):
    inv = data.inv
    arn = create_rollup(q, "rollup", "dst")
    R.check(arn.startswith(f"arn:aws:timestream:{REGION}:000000000000:scheduled-query/rollup-"),
            "CreateScheduledQuery answers the ARN (region of the call, Name-<hex id>)", arn)
    q.execute_scheduled_query(ScheduledQueryArn=arn, InvocationTime=datetime.datetime.fromtimestamp(inv, datetime.timezone.utc))
    d = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
    s = d.get("LastRunSummary", {})
    groups = data.rollup(inv - 600, inv)
    st = s.get("ExecutionStats", {})
    R.check(s.get("RunStatus") == "MANUAL_TRIGGER_SUCCESS" and epoch(s["InvocationTime"]) == inv
            and st.get("RecordsIngested") == len(groups) and st.get("QueryResultRows") == len(groups)
            and "FailureReason" not in s,
            "ExecuteScheduledQuery: LastRunSummary MANUAL_TRIGGER_SUCCESS, the invocation time, a record per row", s)
    sql = f'SELECT hostname, time, avg_cpu, peak_cpu, measure_name FROM "{DB}"."dst" ORDER BY hostname, time'

    def expected():
        g = data.rollup(inv - 600, inv + 60)
        return [[h, ts_text(t), sum(v) / len(v), max(v), "cpu_stats"] for (h, t), v in sorted(g.items())]
    got = rows(q, sql)
    R.check(same_rows(got, expected()), "the target holds every host and minute with avg and max as computed here",
            (got[:3], expected()[:3]))
    q.execute_scheduled_query(ScheduledQueryArn=arn, InvocationTime=datetime.datetime.fromtimestamp(inv, datetime.timezone.utc))
    again = rows(q, sql)
    s = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]["LastRunSummary"]
    R.check(again == got and s["RunStatus"] == "MANUAL_TRIGGER_SUCCESS",
            "the same invocation again: no duplicates, the same values (same Version: a no-op)", (len(again), s))
    # late data in the last minute, then the next invocation over an overlapping window
    data.write([("host-a", "cpu_utilization", inv - 25, 99.75), ("host-b", "cpu_utilization", inv - 3, 0.25)])
    q.execute_scheduled_query(ScheduledQueryArn=arn, InvocationTime=datetime.datetime.fromtimestamp(inv + 60, datetime.timezone.utc))
    got = rows(q, sql)
    R.check(same_rows(got, expected()),
            "a later invocation over an overlapping window replaces its minutes (higher Version), keeps the older ones",
            (len(got), len(expected())))
    versions = rows(q, f'SELECT count(*) FROM "{DB}"."dst"')
    R.check(versions == [[str(len(expected()))]], "one record per host and minute in the target", versions)
    # tags on a scheduled query, through the query client's tag operations
    q.tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "ops"}, {"Key": "tier", "Value": "1"}])
    q.untag_resource(ResourceARN=arn, TagKeys=["tier"])
    tags = q.list_tags_for_resource(ResourceARN=arn)["Tags"]
    R.check(tags == [{"Key": "team", "Value": "ops"}], "TagResource, UntagResource and ListTagsForResource on a "
            "scheduled query's ARN", tags)
    d = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
    R.check(d["State"] == "ENABLED" and d["QueryString"] == ROLLUP, "tagging leaves the query as it was", d["State"])
    return arn


def test_mixed(w, q, data):
    inv = data.inv
    query = ('SELECT hostname, bin(time, 1m) AS t, avg(measure_value::double) AS avg_cpu, count(*) AS n '
             f'FROM "{DB}"."src" WHERE time BETWEEN @scheduled_runtime - 10m AND @scheduled_runtime '
             "AND measure_name = 'cpu_utilization' GROUP BY hostname, bin(time, 1m)")
    target = {"TimestreamConfiguration": {
        "DatabaseName": DB, "TableName": "mixed", "TimeColumn": "t",
        "DimensionMappings": [{"Name": "hostname", "DimensionValueType": "VARCHAR"}],
        "MixedMeasureMappings": [
            {"SourceColumn": "avg_cpu", "TargetMeasureName": "cpu_avg", "MeasureValueType": "DOUBLE"},
            {"SourceColumn": "n", "MeasureValueType": "BIGINT"},
            {"TargetMeasureName": "both", "MeasureValueType": "MULTI", "MultiMeasureAttributeMappings": [
                {"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE", "TargetMultiMeasureAttributeName": "a"},
                {"SourceColumn": "n", "MeasureValueType": "BIGINT", "TargetMultiMeasureAttributeName": "c"}]}]}}
    arn = create_rollup(q, "mixed_rollup", "mixed", query=query, target=target)
    q.execute_scheduled_query(ScheduledQueryArn=arn, InvocationTime=datetime.datetime.fromtimestamp(inv, datetime.timezone.utc))
    g = data.rollup(inv - 600, inv)
    want = []
    for (h, t), v in sorted(g.items()):
        want += [[h, "both", ts_text(t), None, None, sum(v) / len(v), str(len(v))],
                 [h, "cpu_avg", ts_text(t), sum(v) / len(v), None, None, None],
                 [h, "n", ts_text(t), None, str(len(v)), None, None]]
    got = rows(q, f'SELECT hostname, measure_name, time, measure_value::double, measure_value::bigint, a, c '
                  f'FROM "{DB}"."mixed" ORDER BY hostname, time, measure_name')
    R.check(same_rows(got, want), "MixedMeasureMappings: DOUBLE, BIGINT and MULTI records of each row, as computed here",
            (got[:3], want[:3]))
    s = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]["LastRunSummary"]
    R.check(s["RunStatus"] == "MANUAL_TRIGGER_SUCCESS" and s["ExecutionStats"]["RecordsIngested"] == 3 * len(g),
            "MixedMeasureMappings: three records ingested a row", s)
    # by measure name: the rows of mem_free have no mapping
    query = ('SELECT hostname, measure_name, bin(time, 1m) AS t, avg(measure_value::double) AS v '
             f'FROM "{DB}"."src" WHERE time BETWEEN @scheduled_runtime - 10m AND @scheduled_runtime '
             "GROUP BY hostname, measure_name, bin(time, 1m)")
    target = {"TimestreamConfiguration": {
        "DatabaseName": DB, "TableName": "byname", "TimeColumn": "t", "MeasureNameColumn": "measure_name",
        "DimensionMappings": [{"Name": "hostname", "DimensionValueType": "VARCHAR"}],
        "MixedMeasureMappings": [{"MeasureName": "cpu_utilization", "SourceColumn": "v", "MeasureValueType": "DOUBLE"}]}}
    arn = create_rollup(q, "by_name", "byname", query=query, target=target)
    q.execute_scheduled_query(ScheduledQueryArn=arn, InvocationTime=datetime.datetime.fromtimestamp(inv, datetime.timezone.utc))
    d = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
    s = d["LastRunSummary"]
    R.check(s["RunStatus"] == "MANUAL_TRIGGER_FAILURE" and "mem_free" in s.get("FailureReason", "")
            and s["ExecutionStats"]["RecordsIngested"] == len(g)
            and [f["RunStatus"] for f in d.get("RecentlyFailedRuns", [])] == ["MANUAL_TRIGGER_FAILURE"],
            "MeasureNameColumn: a measure no mapping names fails the run (named), the others are written",
            (s, d.get("RecentlyFailedRuns")))
    got = rows(q, f'SELECT DISTINCT measure_name FROM "{DB}"."byname"')
    R.check(got == [["cpu_utilization"]], "MeasureNameColumn: the row's value names the record", got)


def start_rate(q):
    """A rate(1 minute) query, and one disabled at once: checked at the end."""
    arn = create_rollup(q, "every_minute", "rated", schedule="rate(1 minute)")
    off = create_rollup(q, "disabled_one", "rated2", schedule="rate(1 minute)")
    q.update_scheduled_query(ScheduledQueryArn=off, State="DISABLED")
    d = q.describe_scheduled_query(ScheduledQueryArn=off)["ScheduledQuery"]
    R.check(d["State"] == "DISABLED" and "NextInvocationTime" not in d,
            "UpdateScheduledQuery DISABLED: no NextInvocationTime", d.get("State"))
    d = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
    created = epoch(d["CreationTime"])
    R.check(epoch(d["NextInvocationTime"]) == created // 60 * 60 + 60,
            "rate(1 minute): the next invocation is the next minute", (created, d["NextInvocationTime"]))
    return arn, off


def check_rate(q, data, arn, off):
    deadline = time.time() + 75
    s = {}
    while time.time() < deadline:
        s = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"].get("LastRunSummary", {})
        if s:
            break
        time.sleep(1)
    d = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
    inv = epoch(s["InvocationTime"]) if s else None
    R.check(s.get("RunStatus") == "AUTO_TRIGGER_SUCCESS" and inv % 60 == 0
            and epoch(d["PreviousInvocationTime"]) == inv and epoch(d["NextInvocationTime"]) == inv + 60,
            "rate(1 minute) fires by itself: AUTO_TRIGGER_SUCCESS at a whole minute, the next one a minute on", s)
    got = rows(q, f'SELECT count(*) FROM "{DB}"."rated"')
    want = len(data.rollup(inv - 600, inv)) if inv else -1
    R.check(got == [[str(want)]], "the scheduled run wrote its rollup", (got, want))
    d = q.describe_scheduled_query(ScheduledQueryArn=off)["ScheduledQuery"]
    R.check("LastRunSummary" not in d and "PreviousInvocationTime" not in d, "a DISABLED query does not run",
            d.get("LastRunSummary"))
    q.update_scheduled_query(ScheduledQueryArn=off, State="ENABLED")
    d = q.describe_scheduled_query(ScheduledQueryArn=off)["ScheduledQuery"]
    R.check(d["State"] == "ENABLED" and epoch(d["NextInvocationTime"]) > time.time() - 1,
            "enabled again: a next invocation to come", d.get("NextInvocationTime"))
    q.update_scheduled_query(ScheduledQueryArn=arn, State="DISABLED")


def cron_expected(after, match):
    """The first whole minute after `after` (epoch s) that match(datetime) accepts."""
    t = after // 60 * 60 + 60
    for _ in range(60 * 24 * 400):
        dt = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
        if match(dt):
            return t
        t += 60
    return None


def last_day(dt):
    return (dt + datetime.timedelta(days=1)).month != dt.month


def nearest_weekday(dt, n):
    first = dt.replace(day=n)
    if first.weekday() == 5:
        target = first - datetime.timedelta(days=1) if n > 1 else first + datetime.timedelta(days=2)
    elif first.weekday() == 6:
        target = first + datetime.timedelta(days=1) if not last_day(first) else first - datetime.timedelta(days=2)
    else:
        target = first
    return dt.day == target.day


def test_cron(q):
    cases = [
        ("cron(0/15 * * * ? *)", lambda d: d.minute % 15 == 0),
        ("cron(30 2 ? * MON-FRI *)", lambda d: (d.minute, d.hour) == (30, 2) and d.weekday() < 5),
        ("cron(10,40 */6 1-10 * ? 2020-2199)", lambda d: d.minute in (10, 40) and d.hour % 6 == 0 and d.day <= 10),
        ("cron(0 0 L * ? *)", lambda d: (d.minute, d.hour) == (0, 0) and last_day(d)),
        ("cron(5 10 ? * 6#3 *)", lambda d: (d.minute, d.hour) == (5, 10) and d.weekday() == 4 and (d.day - 1) // 7 == 2),
        ("cron(0 18 ? * 2L *)", lambda d: (d.minute, d.hour) == (0, 18) and d.weekday() == 0
         and (d + datetime.timedelta(days=7)).month != d.month),
        ("cron(0 8 15W * ? *)", lambda d: (d.minute, d.hour) == (0, 8) and nearest_weekday(d, 15)),
        ("cron(45 23 ? JAN,JUL SAT-SUN *)", lambda d: (d.minute, d.hour) == (45, 23) and d.month in (1, 7)
         and d.weekday() >= 5),
    ]
    for i, (expr, match) in enumerate(cases):
        arn = create_rollup(q, f"cron_{i}", "dst", schedule=expr)
        d = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
        want = cron_expected(int(epoch(d["CreationTime"])), match)
        R.check(epoch(d["NextInvocationTime"]) == want, f"{expr}: NextInvocationTime as computed here",
                (d["NextInvocationTime"], datetime.datetime.fromtimestamp(want, datetime.timezone.utc)))
        q.delete_scheduled_query(ScheduledQueryArn=arn)


def test_errors(q, rollup_arn):
    bad = ["rate(5 minute)", "rate(1 minutes)", "rate(0 minutes)", "rate(5 weeks)", "cron(0 12 * * * *)",
           "cron(0 12 ? * ? *)", "cron(61 * * * ? *)", "cron(0 * * * ?)", "cron(0 0 ? * 8 *)", "every 5 minutes"]
    for expr in bad:
        code, st, msg = error_of(create_rollup, q, "bad_schedule", "dst", schedule=expr)
        R.check((code, st) == ("ValidationException", 400) and "ScheduleExpression" in msg,
                f"ScheduleExpression {expr!r}: ValidationException", (code, st, msg))
    t = multi_target("dst")
    t["TimestreamConfiguration"]["MultiMeasureMappings"]["MultiMeasureAttributeMappings"][0]["SourceColumn"] = "nope"
    code, st, msg = error_of(create_rollup, q, "bad_column", "dst", target=t)
    R.check((code, st) == ("ValidationException", 400) and "nope" in msg,
            "a mapping naming no column of the query: ValidationException naming it", (code, msg))
    t = multi_target("dst")
    t["TimestreamConfiguration"]["MultiMeasureMappings"]["MultiMeasureAttributeMappings"][0]["MeasureValueType"] = "BIGINT"
    code, st, msg = error_of(create_rollup, q, "bad_type", "dst", target=t)
    R.check((code, st) == ("ValidationException", 400) and "avg_cpu" in msg,
            "a double column mapped as BIGINT: ValidationException", (code, msg))
    code, st, msg = error_of(create_rollup, q, "bad_time", "dst", target=multi_target("dst", TimeColumn="hostname"))
    R.check((code, st) == ("ValidationException", 400) and "TimeColumn" in msg,
            "a TimeColumn that is no timestamp: ValidationException", (code, msg))
    code, st, msg = error_of(create_rollup, q, "no_table", "nosuchtable")
    R.check((code, st) == ("ValidationException", 400) and "nosuchtable" in msg,
            "a target table that does not exist: ValidationException", (code, msg))
    code, st, msg = error_of(create_rollup, q, "bad_param", "dst", query=ROLLUP.replace("@scheduled_runtime -", "@other -"))
    R.check((code, st) == ("ValidationException", 400) and "@other" in msg,
            "a parameter other than @scheduled_runtime: ValidationException", (code, msg))
    code, st, msg = error_of(create_rollup, q, "bad_sql", "dst", query="SELEC 1")
    R.check((code, st) == ("ValidationException", 400), "a query that does not parse: ValidationException", (code, msg))
    code, st, msg = error_of(create_rollup, q, "rollup", "dst")
    R.check((code, st) == ("ConflictException", 409), "a name taken: ConflictException 409", (code, msg))
    token = "t" * 40
    a1 = create_rollup(q, "idem", "dst", ClientToken=token)
    a2 = create_rollup(q, "idem", "dst", ClientToken=token)
    R.check(a1 == a2, "the same ClientToken again: the same scheduled query", (a1, a2))
    q.delete_scheduled_query(ScheduledQueryArn=a1)
    unknown = rollup_arn.rsplit("-", 1)[0] + "-00000000000000000000000000000000"
    for op, kw in (("describe_scheduled_query", {}), ("delete_scheduled_query", {}),
                   ("update_scheduled_query", {"State": "DISABLED"}),
                   ("execute_scheduled_query", {"InvocationTime": datetime.datetime.now(datetime.timezone.utc)})):
        code, st, _ = error_of(getattr(q, op), ScheduledQueryArn=unknown, **kw)
        R.check((code, st) == ("ResourceNotFoundException", 404), f"{op} of an unknown ARN: ResourceNotFoundException 404",
                (code, st))


def test_list_delete(q):
    names, token, pages = [], None, 0
    while True:
        kw = {"MaxResults": 2}
        if token:
            kw["NextToken"] = token
        r = q.list_scheduled_queries(**kw)
        pages += 1
        names += [s["Name"] for s in r["ScheduledQueries"]]
        token = r.get("NextToken")
        if not token:
            break
    want = sorted(["by_name", "disabled_one", "every_minute", "mixed_rollup", "rollup"])
    R.check(names == want and pages == 3, "ListScheduledQueries pages through NextToken", (names, pages))
    s = [x for x in q.list_scheduled_queries()["ScheduledQueries"] if x["Name"] == "rollup"][0]
    R.check(s["TargetDestination"] == {"TimestreamDestination": {"DatabaseName": DB, "TableName": "dst"}}
            and s["LastRunStatus"] == "MANUAL_TRIGGER_SUCCESS" and s["State"] == "ENABLED",
            "a listed query: its target, state and last run's status", s)
    arn = s["Arn"]
    return arn


def test_restart(srv, q_old, descs):
    rc = srv.stop()
    R.check(rc == 0, "the server stops cleanly (the scheduler's thread joined)", rc)
    srv.start()
    _, q = clients(srv.url(""))
    for arn, before in descs.items():
        after = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
        keep = ("Name", "QueryString", "State", "LastRunSummary", "TargetConfiguration", "ScheduleConfiguration",
                "CreationTime", "RecentlyFailedRuns", "PreviousInvocationTime")
        R.check(all(after.get(k) == before.get(k) for k in keep),
                f"after a restart {before['Name']} is described as before, LastRunSummary included",
                {k: (before.get(k), after.get(k)) for k in keep if before.get(k) != after.get(k)})
    arn = next(iter(descs))
    q.delete_scheduled_query(ScheduledQueryArn=arn)
    code, st, _ = error_of(q.describe_scheduled_query, ScheduledQueryArn=arn)
    R.check((code, st) == ("ResourceNotFoundException", 404), "DeleteScheduledQuery: gone", (code, st))
    names = [s["Name"] for s in q.list_scheduled_queries()["ScheduledQueries"]]
    R.check("rollup" not in names and "mixed_rollup" in names, "a deleted query is no longer listed", names)


def iql(srv, text):
    st, body, _ = srv.request("POST", "/query", urllib.parse.urlencode({"q": text}).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    return st, json.loads(body)


def test_auth(tmp):
    with open(f"{tmp}/adminpw", "w") as f:
        f.write(ADMIN[1])
    srv = Server("--auth", "true", "--pg-listen", "", "--admin-user", ADMIN[0], "--admin-password-file",
                 f"{tmp}/adminpw", auth=ADMIN)
    try:
        srv.start()
        _, res = iql(srv, "CREATE ACCESS KEY FOR admin")
        akey = res["results"][0]["series"][0]["values"][0][1]
        iql(srv, "CREATE USER reader WITH PASSWORD 'r3ader-pw'")
        w, q = clients(srv.url(""), "admin", akey)
        w.create_database(DatabaseName=DB)
        for t in ("src", "dst"):
            w.create_table(DatabaseName=DB, TableName=t)
        Data(w, int(time.time()) // 60 * 60)
        iql(srv, f'GRANT READ ON "{DB}" TO reader')
        _, res = iql(srv, "CREATE ACCESS KEY FOR reader")
        rkey = res["results"][0]["series"][0]["values"][0][1]
        _, rq = clients(srv.url(""), "reader", rkey)
        code, st, msg = error_of(create_rollup, rq, "sneaky", "dst")
        R.check((code, st) == ("AccessDeniedException", 403),
                "--auth: a user without WRITE on the target database cannot create one", (code, st, msg))
        arn = create_rollup(q, "owned", "dst")
        code, st, _ = error_of(rq.execute_scheduled_query, ScheduledQueryArn=arn,
                               InvocationTime=datetime.datetime.now(datetime.timezone.utc))
        code2, st2, _ = error_of(rq.delete_scheduled_query, ScheduledQueryArn=arn)
        d = rq.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]
        R.check((code, st, code2, st2) == ("AccessDeniedException", 403, "AccessDeniedException", 403)
                and d["Name"] == "owned",
                "--auth: READ describes it, neither executes nor deletes it", (code, code2))
        # a user with WRITE on the target, not the creator: cannot drive a run
        # that reads with the creator's grants
        iql(srv, f'GRANT WRITE ON "{DB}" TO reader')
        code, st, _ = error_of(rq.execute_scheduled_query, ScheduledQueryArn=arn,
                               InvocationTime=datetime.datetime.now(datetime.timezone.utc))
        code2, st2, _ = error_of(rq.update_scheduled_query, ScheduledQueryArn=arn, State="DISABLED")
        R.check((code, st, code2, st2) == ("AccessDeniedException", 403, "AccessDeniedException", 403),
                "--auth: another writer of the target neither executes nor changes the creator's query", (code, code2))
        q.execute_scheduled_query(ScheduledQueryArn=arn, InvocationTime=datetime.datetime.now(datetime.timezone.utc))
        s = q.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]["LastRunSummary"]
        R.check(s["RunStatus"] == "MANUAL_TRIGGER_SUCCESS" and s["ExecutionStats"]["RecordsIngested"] > 0,
                "--auth: the creator's run reads and writes with the creator's grants", s)
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, srv)
    finally:
        srv.cleanup()


def main():
    tmp = tempfile.mkdtemp(prefix="strata-tssched-")
    srv = Server("--pg-listen", "")
    try:
        srv.start()
        w, q = clients(srv.url(""))
        w.create_database(DatabaseName=DB)
        for t in ("src", "dst", "mixed", "byname", "rated", "rated2"):
            w.create_table(DatabaseName=DB, TableName=t)
        data = Data(w, int(time.time()) // 60 * 60)
        rate_arn, off_arn = start_rate(q)
        rollup = test_multi(w, q, data)
        test_mixed(w, q, data)
        test_cron(q)
        test_errors(q, rollup)
        check_rate(q, data, rate_arn, off_arn)
        test_list_delete(q)
        descs = {a: q.describe_scheduled_query(ScheduledQueryArn=a)["ScheduledQuery"] for a in (rollup, rate_arn)}
        descs.update({s["Arn"]: q.describe_scheduled_query(ScheduledQueryArn=s["Arn"])["ScheduledQuery"]
                      for s in q.list_scheduled_queries()["ScheduledQueries"] if s["Name"] == "by_name"})
        test_restart(srv, q, descs)
        test_auth(tmp)
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, srv)
    finally:
        srv.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
