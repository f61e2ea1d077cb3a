#!/usr/bin/env python3
"""Timestream's own API against Strata, with the real AWS SDK for Python:
Debian's python3-boto3 (boto3 1.26 / botocore 1.29), the clients an
application that used Amazon Timestream has, pointed at Strata by
endpoint_url alone.

With --auth on, every call is SigV4-signed by botocore with a Strata access
key (CREATE ACCESS KEY FOR user). The scenario:
  - databases and tables: create, describe, list with paging, update,
    tags, delete, and their errors (conflict, not found, validation);
  - WriteRecords of every type and shape: single-measure DOUBLE, BIGINT,
    VARCHAR, BOOLEAN; MULTI with TIMESTAMP; every TimeUnit;
    CommonAttributes merged; 100-record batches; rejections in
    Timestream's words (419, RecordIndex, ExistingVersion) with the good
    records of the batch stored; upserts by Version in memory, after a
    flush to disk and after a restart, and after a SIGKILL (acknowledged
    records come back);
  - Query: every value read back typed and rendered as Timestream renders
    it, aggregations with bin/ago compared with sums computed here,
    CREATE_TIME_SERIES, DESCRIBE / SHOW, paging by MaxRows through
    botocore's paginator, pagination token misuse, CancelQuery,
    PrepareQuery;
  - access: a wrong secret, an unknown key, an expired signature, a key
    without the grant: each refused with Timestream's error, nothing
    written;
  - endpoint discovery: a client with no endpoint_url and discovery on
    reaches Strata (over TLS, with the AWS host names resolved to it).

Also run under ASan and UBSan by `make test-asan` (STRATA_SMOKE=1).
"""
import datetime
import json
import os
import socket
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, "/usr/lib/python3/dist-packages")  # Debian's boto3 and botocore, from any interpreter
from strata import Server, Results, make_ca, make_cert, qs, report_crash  # noqa: E402

import boto3  # noqa: E402
import botocore  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

R = Results("test_timestream")
ADMIN = ("admin", "Adm1n-pw!")
REGION = "eu-central-1"
DB = "sampleDB"
NOW_MS = int(time.time() * 1000)


def iql(srv, q):
    st, body, _ = srv.request("POST", "/query", urllib.parse.urlencode({"q": q}).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    return st, json.loads(body)


def access_key(srv, user):
    st, res = iql(srv, f"CREATE ACCESS KEY FOR {user}")
    return res["results"][0]["series"][0]["values"][0][1]


def clients(endpoint, key, secret, verify=None, **cfg):
    conf = Config(retries={"max_attempts": 1}, **cfg)
    kw = dict(region_name=REGION, aws_access_key_id=key, aws_secret_access_key=secret, config=conf)
    if endpoint:
        kw["endpoint_url"] = endpoint
    if verify:
        kw["verify"] = verify
    s = boto3.session.Session()
    return s.client("timestream-write", **kw), s.client("timestream-query", **kw)


def error_of(fn, *a, **kw):
    """(code, status, response) of a call that must fail; (None, 200, resp) when it did not."""
    try:
        return None, 200, fn(*a, **kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response


def rows(q, sql, **kw):
    """Every row of a query (following NextToken), as lists of Datum dicts, and the ColumnInfo."""
    out, cols, token = [], None, None
    while True:
        args = dict(QueryString=sql, **kw)
        if token:
            args["NextToken"] = token
        r = q.query(**args)
        cols = r["ColumnInfo"]
        out += [row["Data"] for row in r["Rows"]]
        token = r.get("NextToken")
        if not token:
            return out, cols


def scalars(data):
    return [d.get("ScalarValue") if "ScalarValue" in d else None for d in data]


def rec(host, name, value, t, typ="DOUBLE", **kw):
    r = {"Dimensions": [{"Name": "hostname", "Value": host}], "MeasureName": name, "MeasureValue": str(value),
         "MeasureValueType": typ, "Time": str(t)}
    r.update(kw)
    return r


# ------------------------------------------------------------------ management

def test_management(w, q):
    r = w.create_database(DatabaseName=DB, Tags=[{"Key": "team", "Value": "ops"}])["Database"]
    R.check(r["DatabaseName"] == DB and r["Arn"] == f"arn:aws:timestream:{REGION}:000000000000:database/{DB}"
            and isinstance(r["CreationTime"], datetime.datetime) and r["TableCount"] == 0,
            "CreateDatabase: Database with its ARN (the signature's region), CreationTime as a date", r)
    code, st, _ = error_of(w.create_database, DatabaseName=DB)
    R.check((code, st) == ("ConflictException", 409), "CreateDatabase again: ConflictException 409", (code, st))
    code, st, _ = error_of(w.create_database, DatabaseName="a b")
    R.check((code, st) == ("ValidationException", 400), "CreateDatabase with a bad name: ValidationException",
            (code, st))
    for extra in ("otherDB", "thirdDB"):
        w.create_database(DatabaseName=extra)
    seen, token, pages = [], None, 0
    while True:
        kw = {"MaxResults": 1}
        if token:
            kw["NextToken"] = token
        r = w.list_databases(**kw)
        pages += 1
        seen += [d["DatabaseName"] for d in r["Databases"]]
        token = r.get("NextToken")
        if not token:
            break
    R.check(sorted(seen) == sorted([DB, "default", "otherDB", "thirdDB"]) and pages == 4,
            "ListDatabases pages one database a call through NextToken", (seen, pages))
    t = w.create_table(DatabaseName=DB, TableName="DevOps",
                       RetentionProperties={"MemoryStoreRetentionPeriodInHours": 24,
                                            "MagneticStoreRetentionPeriodInDays": 7},
                       Tags=[{"Key": "k1", "Value": "v1"}])["Table"]
    R.check(t["TableName"] == "DevOps" and t["TableStatus"] == "ACTIVE"
            and t["RetentionProperties"] == {"MemoryStoreRetentionPeriodInHours": 24,
                                             "MagneticStoreRetentionPeriodInDays": 7}
            and t["Arn"].endswith(f":database/{DB}/table/DevOps")
            and t["MagneticStoreWriteProperties"]["EnableMagneticStoreWrites"] is False,
            "CreateTable: retention as given, ACTIVE, magnetic writes off by default", t)
    w.create_table(DatabaseName=DB, TableName="IoT",
                   MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True})
    w.create_table(DatabaseName=DB, TableName="Spare")
    code, st, _ = error_of(w.create_table, DatabaseName=DB, TableName="DevOps")
    R.check((code, st) == ("ConflictException", 409), "CreateTable again: ConflictException", (code, st))
    code, st, _ = error_of(w.create_table, DatabaseName="nodb", TableName="x1")
    R.check((code, st) == ("ResourceNotFoundException", 404), "CreateTable in a missing database: 404", (code, st))
    code, st, _ = error_of(w.create_table, DatabaseName=DB, TableName="bad",
                           RetentionProperties={"MemoryStoreRetentionPeriodInHours": 9000,
                                                "MagneticStoreRetentionPeriodInDays": 7})
    R.check((code, st) == ("ValidationException", 400), "CreateTable with 9000 hours of memory: ValidationException",
            (code, st))
    d = w.describe_table(DatabaseName=DB, TableName="IoT")["Table"]
    R.check(d["MagneticStoreWriteProperties"]["EnableMagneticStoreWrites"] is True
            and d["RetentionProperties"]["MemoryStoreRetentionPeriodInHours"] == 6
            and d["RetentionProperties"]["MagneticStoreRetentionPeriodInDays"] == 73000,
            "DescribeTable: Timestream's defaults (6 h, 73000 d) and the magnetic flag", d)
    names, token = [], None
    while True:
        kw = {"DatabaseName": DB, "MaxResults": 2}
        if token:
            kw["NextToken"] = token
        r = w.list_tables(**kw)
        names += [x["TableName"] for x in r["Tables"]]
        token = r.get("NextToken")
        if not token:
            break
    R.check(names == ["DevOps", "IoT", "Spare"], "ListTables pages by MaxResults, in name order", names)
    u = w.update_table(DatabaseName=DB, TableName="Spare",
                       RetentionProperties={"MemoryStoreRetentionPeriodInHours": 12,
                                            "MagneticStoreRetentionPeriodInDays": 30})["Table"]
    R.check(u["RetentionProperties"]["MemoryStoreRetentionPeriodInHours"] == 12
            and w.describe_table(DatabaseName=DB, TableName="Spare")["Table"]["RetentionProperties"]
            ["MagneticStoreRetentionPeriodInDays"] == 30, "UpdateTable: the new retention is kept", u)
    db = w.describe_database(DatabaseName=DB)["Database"]
    R.check(db["TableCount"] == 3, "DescribeDatabase counts the tables", db)
    u = w.update_database(DatabaseName=DB, KmsKeyId="alias/strata")["Database"]
    R.check(u["KmsKeyId"] == "alias/strata", "UpdateDatabase keeps the KmsKeyId", u)
    arn = t["Arn"]
    R.check(w.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "k1", "Value": "v1"}],
            "ListTagsForResource: the tags of CreateTable")
    w.tag_resource(ResourceARN=arn, Tags=[{"Key": "k2", "Value": "v2"}, {"Key": "k1", "Value": "v1b"}])
    w.untag_resource(ResourceARN=arn, TagKeys=["k2"])
    tags = w.list_tags_for_resource(ResourceARN=arn)["Tags"]
    R.check(tags == [{"Key": "k1", "Value": "v1b"}], "TagResource replaces by key, UntagResource removes", tags)
    dbtags = w.list_tags_for_resource(ResourceARN=db["Arn"])["Tags"]
    R.check(dbtags == [{"Key": "team", "Value": "ops"}], "a database's tags", dbtags)
    code, st, _ = error_of(w.delete_database, DatabaseName=DB)
    R.check((code, st) == ("ValidationException", 400), "DeleteDatabase with tables left: ValidationException",
            (code, st))
    w.delete_table(DatabaseName=DB, TableName="Spare")
    code, st, _ = error_of(w.describe_table, DatabaseName=DB, TableName="Spare")
    R.check((code, st) == ("ResourceNotFoundException", 404), "DeleteTable: the table is gone", (code, st))
    w.delete_database(DatabaseName="thirdDB")
    code, st, _ = error_of(w.describe_database, DatabaseName="thirdDB")
    R.check((code, st) == ("ResourceNotFoundException", 404), "DeleteDatabase: the database is gone", (code, st))


# ------------------------------------------------------------------ writes

def test_writes(w, q):
    base = NOW_MS - 60_000
    common = {"Dimensions": [{"Name": "region", "Value": "eu"}], "MeasureValueType": "DOUBLE"}
    recs = [rec(f"host-{i}", "cpu_utilization", 10 + i + 0.25, base + i, typ=None) for i in range(100)]
    for r in recs:
        del r["MeasureValueType"]
    r = w.write_records(DatabaseName=DB, TableName="DevOps", Records=recs, CommonAttributes=common)
    R.check(r["RecordsIngested"] == {"Total": 100, "MemoryStore": 100, "MagneticStore": 0},
            "WriteRecords: 100 records with CommonAttributes ingested", r.get("RecordsIngested"))
    got, _ = rows(q, f'SELECT hostname, region, measure_value::double FROM "{DB}"."DevOps" '
                     f"WHERE measure_name = 'cpu_utilization' ORDER BY hostname")
    want = sorted([[f"host-{i}", "eu", repr(10 + i + 0.25)] for i in range(100)])
    R.check([scalars(x) for x in got] == want,
            "every record reads back with the common dimension and Java-style doubles", got[:3])
    # every single-measure type and every time unit
    t_s = (base + 1000) // 1000
    singles = [
        rec("h1", "mem_bigint", 9007199254740993, (base + 1000) * 1000, typ="BIGINT", TimeUnit="MICROSECONDS"),
        rec("h1", "status", "OK \u2603", t_s, typ="VARCHAR", TimeUnit="SECONDS"),
        rec("h1", "up", "true", (base + 1000) * 1000000, typ="BOOLEAN", TimeUnit="NANOSECONDS"),
        rec("h1", "load", "35", base + 1000, typ="DOUBLE", TimeUnit="MILLISECONDS"),
    ]
    r = w.write_records(DatabaseName=DB, TableName="DevOps", Records=singles)
    R.check(r["RecordsIngested"]["Total"] == 4, "BIGINT, VARCHAR, BOOLEAN, DOUBLE in every TimeUnit", r)
    got, cols = rows(q, f'SELECT measure_name, time, measure_value::bigint, measure_value::varchar, '
                        f'measure_value::boolean, measure_value::double FROM "{DB}"."DevOps" '
                        f"WHERE hostname = 'h1' ORDER BY measure_name")
    types = [c["Type"]["ScalarType"] for c in cols]
    R.check(types == ["VARCHAR", "TIMESTAMP", "BIGINT", "VARCHAR", "BOOLEAN", "DOUBLE"],
            "ColumnInfo: each measure_value:: column typed", types)
    ts = datetime.datetime.fromtimestamp((base + 1000) / 1000, datetime.timezone.utc)
    tstr = ts.strftime("%Y-%m-%d %H:%M:%S.") + f"{(base + 1000) % 1000:03d}000000"
    want = [["load", tstr, None, None, None, "35.0"],
            ["mem_bigint", tstr, "9007199254740993", None, None, None],
            ["status", ts.strftime("%Y-%m-%d %H:%M:%S.000000000"), None, "OK \u2603", None, None],
            ["up", tstr, None, None, "true", None]]
    R.check([scalars(x) for x in got] == want,
            "values typed exactly (a bigint past 2^53, UTF-8), times in 9 digits, NullValue elsewhere",
            [scalars(x) for x in got])
    R.check(got[0][2] == {"NullValue": True}, "a missing cell is {NullValue: true}", got[0])
    # MULTI with every attribute type
    multi = {"Dimensions": [{"Name": "device", "Value": "d1"}], "MeasureName": "metrics", "MeasureValueType": "MULTI",
             "Time": str(base + 2000),
             "MeasureValues": [{"Name": "temperature", "Value": "21.5", "Type": "DOUBLE"},
                               {"Name": "count", "Value": "-7", "Type": "BIGINT"},
                               {"Name": "unit", "Value": "C", "Type": "VARCHAR"},
                               {"Name": "ok", "Value": "false", "Type": "BOOLEAN"},
                               {"Name": "seen", "Value": str(base), "Type": "TIMESTAMP"}]}
    r = w.write_records(DatabaseName=DB, TableName="IoT", Records=[multi])
    R.check(r["RecordsIngested"]["Total"] == 1, "a MULTI record with every attribute type", r)
    got, cols = rows(q, f'SELECT device, measure_name, temperature, count, unit, ok, seen FROM "{DB}"."IoT"')
    seen_s = datetime.datetime.fromtimestamp(base / 1000, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.") + \
        f"{base % 1000:03d}000000"
    R.check([scalars(x) for x in got] == [["d1", "metrics", "21.5", "-7", "C", "false", seen_s]]
            and [c["Type"]["ScalarType"] for c in cols] ==
            ["VARCHAR", "VARCHAR", "DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN", "TIMESTAMP"],
            "MULTI attributes read back as columns of their types (TIMESTAMP in the record's unit)",
            ([scalars(x) for x in got], cols))
    # rejections: the batch's good records stored, the bad ones listed by index
    batch = [rec("r1", "cpu_utilization", 1.0, base + 3000),
             rec("r2", "cpu_utilization", 1.0, NOW_MS - 25 * 3600 * 1000),  # outside 24 h of memory
             rec("r3", "cpu_utilization", "abc", base + 3000),
             rec("r4", "cpu_utilization", 7, base + 3000, typ="BIGINT"),      # the measure is DOUBLE
             rec("r5", "cpu_utilization", 2.0, NOW_MS + 3600 * 1000),        # too far ahead
             rec("r6", "cpu_utilization", 3.0, base + 3000)]
    code, st, resp = error_of(w.write_records, DatabaseName=DB, TableName="DevOps", Records=batch)
    rej = resp.get("RejectedRecords", [])
    R.check((code, st) == ("RejectedRecordsException", 419) and [x["RecordIndex"] for x in rej] == [1, 2, 3, 4],
            "a partly bad batch: RejectedRecordsException 419 listing records 1-4", (code, st, rej))
    reasons = {x["RecordIndex"]: x["Reason"] for x in rej}
    R.check("outside the time range" in reasons.get(1, "") and "memory store" in reasons.get(1, ""),
            "the window's reason in Timestream's words", reasons.get(1))
    R.check("DOUBLE" in reasons.get(3, "") and "BIGINT" in reasons.get(3, ""),
            "a measure's type is fixed: the reason names both types", reasons.get(3))
    got, _ = rows(q, f'SELECT hostname FROM "{DB}"."DevOps" WHERE hostname IN (\'r1\',\'r2\',\'r3\',\'r4\','
                     f"'r5','r6') ORDER BY hostname")
    R.check([scalars(x) for x in got] == [["r1"], ["r6"]], "the good records of the batch are stored, only they",
            got)
    code, st, _ = error_of(w.write_records, DatabaseName=DB, TableName="DevOps",
                           Records=[rec(f"x{i}", "cpu_utilization", 1, base) for i in range(101)])
    R.check((code, st) == ("ValidationException", 400), "101 records: ValidationException", (code, st))
    code, st, _ = error_of(w.write_records, DatabaseName=DB, TableName="DevOps",
                           Records=[rec("h", "m", 1, base)], CommonAttributes={
                               "Dimensions": [{"Name": "hostname", "Value": "dup"}]})
    R.check((code, st) == ("ValidationException", 400),
            "a dimension in both CommonAttributes and a record: ValidationException", (code, st))
    code, st, resp = error_of(w.write_records, DatabaseName=DB, TableName="DevOps",
                              Records=[rec("h", "single_ts", base, base, typ="TIMESTAMP")])
    R.check(code == "RejectedRecordsException" and "TIMESTAMP is an invalid measure value type"
            in resp["RejectedRecords"][0]["Reason"], "single-measure TIMESTAMP rejected as Timestream words it",
            resp.get("RejectedRecords"))
    code, st, _ = error_of(w.write_records, DatabaseName=DB, TableName="NoSuch", Records=[rec("h", "m", 1, base)])
    R.check((code, st) == ("ResourceNotFoundException", 404), "WriteRecords to a missing table: 404", (code, st))
    # magnetic store writes: older records accepted where the table allows them
    old = rec("old", "temperature_single", 4.5, NOW_MS - 30 * 86400 * 1000)
    r = w.write_records(DatabaseName=DB, TableName="IoT", Records=[old])
    R.check(r["RecordsIngested"] == {"Total": 1, "MemoryStore": 0, "MagneticStore": 1},
            "with EnableMagneticStoreWrites, a 30-day-old record goes to the magnetic store", r)


def versions(w, q, t, where):
    """Upserts on one identity at time t; where: what the stored record has been through."""
    def value():
        got, _ = rows(q, f'SELECT measure_value::double FROM "{DB}"."DevOps" WHERE hostname = \'v-host\' '
                         f"AND measure_name = 'reading' AND time = from_milliseconds({t})")
        return [scalars(x)[0] for x in got]
    code, st, resp = error_of(w.write_records, DatabaseName=DB, TableName="DevOps",
                              Records=[rec("v-host", "reading", 2.0, t, Version=2)])
    rej = resp.get("RejectedRecords", [{}])[0]
    R.check(code == "RejectedRecordsException" and rej.get("ExistingVersion") == 3
            and "lower than the existing version 3" in rej.get("Reason", ""),
            f"{where}: a lower version is rejected with ExistingVersion 3", (code, rej))
    code, st, resp = error_of(w.write_records, DatabaseName=DB, TableName="DevOps",
                              Records=[rec("v-host", "reading", 5.0, t, Version=3)])
    rej = resp.get("RejectedRecords", [{}])[0]
    R.check(code == "RejectedRecordsException" and rej.get("ExistingVersion") == 3,
            f"{where}: the same version with another value is rejected", (code, rej))
    r = w.write_records(DatabaseName=DB, TableName="DevOps", Records=[rec("v-host", "reading", 3.0, t, Version=3)])
    R.check(r["RecordsIngested"]["Total"] == 1 and value() == ["3.0"],
            f"{where}: the same version and value again is accepted and changes nothing", value())


def test_versions(srv, w, q):
    t = NOW_MS - 120_000
    w.write_records(DatabaseName=DB, TableName="DevOps", Records=[rec("v-host", "reading", 1.0, t)])
    code, st, resp = error_of(w.write_records, DatabaseName=DB, TableName="DevOps",
                              Records=[rec("v-host", "reading", 1.5, t)])
    rej = resp.get("RejectedRecords", [{}])[0]
    R.check(code == "RejectedRecordsException" and rej.get("ExistingVersion") == 1
            and "same time, dimensions, measure name, and record version" in rej.get("Reason", ""),
            "an equal version (1) with another value: rejected, ExistingVersion 1", (code, rej))
    r = w.write_records(DatabaseName=DB, TableName="DevOps", Records=[rec("v-host", "reading", 3.0, t, Version=3)])
    R.check(r["RecordsIngested"]["Total"] == 1, "a higher version replaces the value", r)
    versions(w, q, t, "in memory")
    # within one batch: the second record sees the first
    t2 = t + 1
    code, st, resp = error_of(w.write_records, DatabaseName=DB, TableName="DevOps",
                              Records=[rec("v-host", "reading", 1.0, t2, Version=4),
                                       rec("v-host", "reading", 2.0, t2, Version=4),
                                       rec("v-host", "reading", 9.0, t2, Version=5)])
    R.check(code == "RejectedRecordsException" and [x["RecordIndex"] for x in resp["RejectedRecords"]] == [1],
            "in one batch, a later record is checked against an earlier one", resp.get("RejectedRecords"))
    got, _ = rows(q, f'SELECT measure_value::double FROM "{DB}"."DevOps" WHERE hostname = \'v-host\' '
                     f"AND time = from_milliseconds({t2})")
    R.check([scalars(x) for x in got] == [["9.0"]], "the highest version of the batch stands", got)
    # multi-measure versions
    m = {"Dimensions": [{"Name": "device", "Value": "vm"}], "MeasureName": "metrics", "MeasureValueType": "MULTI",
         "Time": str(t), "MeasureValues": [{"Name": "temperature", "Value": "1.0", "Type": "DOUBLE"}]}
    w.write_records(DatabaseName=DB, TableName="IoT", Records=[m])
    code, st, resp = error_of(w.write_records, DatabaseName=DB, TableName="IoT", Records=[
        dict(m, MeasureValues=[{"Name": "temperature", "Value": "2.0", "Type": "DOUBLE"}])])
    R.check(code == "RejectedRecordsException", "MULTI: the same version with another value is rejected", code)
    r = w.write_records(DatabaseName=DB, TableName="IoT", Records=[
        dict(m, Version=2, MeasureValues=[{"Name": "temperature", "Value": "2.0", "Type": "DOUBLE"}])])
    got, _ = rows(q, f'SELECT temperature FROM "{DB}"."IoT" WHERE device = \'vm\'')
    R.check([scalars(x) for x in got] == [["2.0"]], "MULTI: a higher version replaces", got)
    # a higher version replaces the record whole: a value it lacks goes (the
    # column stays through another device's record: a column without data
    # is no column in Strata)
    w.write_records(DatabaseName=DB, TableName="IoT", Records=[dict(m, Dimensions=[{"Name": "device", "Value": "keep"}],
                    MeasureValues=[{"Name": "humidity", "Value": "1", "Type": "BIGINT"}])])
    both = dict(m, Time=str(t + 5), MeasureValues=[{"Name": "temperature", "Value": "1.0", "Type": "DOUBLE"},
                                                   {"Name": "humidity", "Value": "40", "Type": "BIGINT"}])
    w.write_records(DatabaseName=DB, TableName="IoT", Records=[both])
    w.write_records(DatabaseName=DB, TableName="IoT", Records=[dict(both, Version=2, MeasureValues=[
        {"Name": "temperature", "Value": "3.0", "Type": "DOUBLE"}])])
    got, _ = rows(q, f'SELECT temperature, humidity FROM "{DB}"."IoT" WHERE device = \'vm\' '
                     f"AND time = from_milliseconds({t + 5})")
    R.check([scalars(x) for x in got] == [["3.0", None]], "MULTI: a higher version without a value drops it", got)
    w.write_records(DatabaseName=DB, TableName="IoT", Records=[dict(both, Version=3)])
    got, _ = rows(q, f'SELECT temperature, humidity FROM "{DB}"."IoT" WHERE device = \'vm\' '
                     f"AND time = from_milliseconds({t + 5})")
    R.check([scalars(x) for x in got] == [["1.0", "40"]], "MULTI: and a later version may bring it back", got)
    # within one batch: the later version replaces the earlier record whole
    t3 = t + 9
    one = dict(both, Time=str(t3), Version=1)
    two = dict(both, Time=str(t3), Version=2, MeasureValues=[{"Name": "temperature", "Value": "5.0", "Type": "DOUBLE"}])
    r = w.write_records(DatabaseName=DB, TableName="IoT", Records=[one, two])
    got, _ = rows(q, f'SELECT temperature, humidity FROM "{DB}"."IoT" WHERE device = \'vm\' '
                     f"AND time = from_milliseconds({t3})")
    R.check(r["RecordsIngested"]["Total"] == 2 and [scalars(x) for x in got] == [["5.0", None]],
            "MULTI: a record replaced within its batch leaves nothing behind", (r["RecordsIngested"], got))
    r = w.write_records(DatabaseName=DB, TableName="IoT", Records=[two])
    R.check(r["RecordsIngested"]["Total"] == 1, "and sending the winner again is a no-op (an SDK's retry)", r)
    # on disk: after a flush the versions still hold
    st, _, _ = srv.request("POST", "/api/v1/admin/flush")
    R.check(st in (200, 204), "flush to blocks", st)
    versions(w, q, t, "after a flush to disk")
    return t


# ------------------------------------------------------------------ queries

def test_queries(w, q):
    got, cols = rows(q, f'SELECT hostname, bin(time, 1m) AS b, round(avg(measure_value::double), 2) AS a, '
                        f'count(*) AS n FROM "{DB}"."DevOps" WHERE measure_name = \'cpu_utilization\' '
                        f"AND time > ago(1h) AND hostname LIKE 'host-%' GROUP BY hostname, bin(time, 1m) "
                        f"ORDER BY hostname")
    R.check(len(got) == 100 and [c["Type"]["ScalarType"] for c in cols] == ["VARCHAR", "TIMESTAMP", "DOUBLE",
                                                                           "BIGINT"],
            "bin/ago/avg/count: one row per host, typed", (len(got), cols))
    byhost = {x[0]["ScalarValue"]: float(x[2]["ScalarValue"]) for x in got}
    R.check(all(abs(byhost[f"host-{i}"] - round(10 + i + 0.25, 2)) < 1e-9 for i in range(100)),
            "the averages are the values written", list(byhost.items())[:3])
    got, _ = rows(q, f'SELECT sum(measure_value::double) FROM "{DB}"."DevOps" WHERE hostname LIKE \'host-%\'')
    R.check(abs(float(got[0][0]["ScalarValue"]) - sum(10 + i + 0.25 for i in range(100))) < 1e-6,
            "sum over the table equals the sum computed here", got)
    r = q.query(QueryString=f'SELECT hostname, CREATE_TIME_SERIES(time, measure_value::double) AS s '
                            f'FROM "{DB}"."DevOps" WHERE hostname = \'host-3\' GROUP BY hostname')
    col = r["ColumnInfo"][1]
    R.check(col["Type"] == {"TimeSeriesMeasureValueColumnInfo": {"Type": {"ScalarType": "DOUBLE"}}},
            "CREATE_TIME_SERIES: a timeseries(double) column", col)
    pts = r["Rows"][0]["Data"][1].get("TimeSeriesValue", [])
    R.check(len(pts) == 1 and pts[0]["Value"] == {"ScalarValue": "13.25"} and len(pts[0]["Time"]) == 29,
            "the series' points as {Time, Value}", pts)
    r = q.query(QueryString="SELECT 1 AS one, 'two' AS t, NULL AS n, ARRAY[1.5, 2.5] AS a")
    R.check(r["Rows"][0]["Data"][:3] == [{"ScalarValue": "1"}, {"ScalarValue": "two"}, {"NullValue": True}]
            and r["Rows"][0]["Data"][3] == {"ArrayValue": [{"ScalarValue": "1.5"}, {"ScalarValue": "2.5"}]}
            and r["ColumnInfo"][3]["Type"] == {"ArrayColumnInfo": {"Type": {"ScalarType": "DOUBLE"}}},
            "constants: a literal, NULL and an array", r["Rows"])
    R.check(r["QueryStatus"]["ProgressPercentage"] == 100.0 and "CumulativeBytesMetered" in r["QueryStatus"]
            and "NextToken" not in r and len(r["QueryId"]) > 0, "QueryStatus on the last page, no NextToken",
            r["QueryStatus"])
    got, _ = rows(q, f'DESCRIBE "{DB}"."DevOps"')
    cats = {x[0]["ScalarValue"]: x[2]["ScalarValue"] for x in got}
    R.check(cats.get("hostname") == "DIMENSION" and cats.get("measure_value::double") == "MEASURE_VALUE"
            and cats.get("measure_name") == "MEASURE_NAME" and cats.get("time") == "TIMESTAMP"
            and "ts_version" not in cats, "DESCRIBE: Timestream's categories, no hidden column", cats)
    got, _ = rows(q, f'SHOW TABLES FROM "{DB}"')
    R.check([scalars(x) for x in got] == [["DevOps"], ["IoT"]], "SHOW TABLES", got)
    got, _ = rows(q, f'SHOW MEASURES FROM "{DB}"."DevOps"')
    meas = {x[0]["ScalarValue"]: x[1]["ScalarValue"] for x in got}
    R.check(meas.get("cpu_utilization") == "double" and meas.get("mem_bigint") == "bigint"
            and meas.get("status") == "varchar" and meas.get("up") == "boolean",
            "SHOW MEASURES: each measure with its type", meas)
    # paging by MaxRows with botocore's own paginator
    pager = q.get_paginator("query")
    sql = f'SELECT hostname FROM "{DB}"."DevOps" WHERE hostname LIKE \'host-%\' ORDER BY hostname'
    pages = list(pager.paginate(QueryString=sql, PaginationConfig={"PageSize": 30}))
    sizes = [len(p["Rows"]) for p in pages]
    names = [r["Data"][0]["ScalarValue"] for p in pages for r in p["Rows"]]
    R.check(sizes == [30, 30, 30, 10] and names == sorted(f"host-{i}" for i in range(100))
            and all("ColumnInfo" in p for p in pages) and "NextToken" not in pages[-1],
            "paging: pages of MaxRows, every row once in order, ColumnInfo on each page", sizes)
    first = q.query(QueryString=sql, MaxRows=10)
    code, st, _ = error_of(q.query, QueryString=sql + " ", NextToken=first["NextToken"])
    R.check((code, st) == ("ValidationException", 400), "a token with another QueryString: invalid", (code, st))
    second = q.query(QueryString=sql, NextToken=first["NextToken"], MaxRows=10)
    code, st, _ = error_of(q.query, QueryString=sql, NextToken=first["NextToken"], MaxRows=10)
    R.check(len(second["Rows"]) == 10 and (code, st) == ("ValidationException", 400),
            "only the latest token is good", (code, st))
    c = q.cancel_query(QueryId=second["QueryId"])
    again = q.cancel_query(QueryId=second["QueryId"])
    code, st, _ = error_of(q.query, QueryString=sql, NextToken=second["NextToken"])
    R.check("CancellationMessage" not in c and "CancellationMessage" in again and
            (code, st) == ("ConflictException", 409),
            "CancelQuery: idempotent, and the cancelled query's token is a ConflictException", (c, again, code))
    code, st, resp = error_of(q.query, QueryString="SELECT FROM x")
    R.check((code, st) == ("ValidationException", 400) and "line 1:8" in resp["Error"]["Message"],
            "a syntax error: ValidationException with its line and column", resp["Error"])
    code, st, resp = error_of(q.query, QueryString=f'SELECT nope FROM "{DB}"."DevOps"')
    R.check((code, st) == ("ValidationException", 400) and "nope" in resp["Error"]["Message"],
            "an unknown column: ValidationException naming it", resp["Error"])
    p = q.prepare_query(QueryString=f'SELECT hostname, measure_value::double FROM "{DB}"."DevOps"',
                        ValidateOnly=True)
    R.check([c["Name"] for c in p["Columns"]] == ["hostname", "measure_value::double"]
            and p["Columns"][1]["Type"] == {"ScalarType": "DOUBLE"}, "PrepareQuery: the columns and types",
            p["Columns"])


# ------------------------------------------------------------------ access

def test_access(srv, endpoint, admin_key):
    st, _ = iql(srv, "CREATE USER limited WITH PASSWORD 'l1mited-pw'; GRANT READ ON \"otherDB\" TO limited")
    key = access_key(srv, "limited")
    w, q = clients(endpoint, "limited", key)
    code, st, resp = error_of(w.write_records, DatabaseName=DB, TableName="DevOps",
                              Records=[rec("intruder", "cpu_utilization", 1.0, NOW_MS - 1000)])
    R.check((code, st) == ("AccessDeniedException", 403), "a key without WRITE: AccessDeniedException 403",
            (code, st))
    code2, st2, _ = error_of(w.write_records, DatabaseName="noSuchDB", TableName="DevOps",
                             Records=[rec("intruder", "cpu_utilization", 1.0, NOW_MS - 1000)])
    R.check((code2, st2) == (code, st), "the same refusal for a database that does not exist", (code2, st2))
    code, st, _ = error_of(q.query, QueryString=f'SELECT * FROM "{DB}"."DevOps"')
    R.check((code, st) == ("AccessDeniedException", 403), "a key without READ cannot query the database", (code, st))
    dbs = [d["DatabaseName"] for d in w.list_databases()["Databases"]]  # "default" needs a grant too
    R.check(dbs == ["otherDB"], "ListDatabases shows only the databases granted", dbs)
    w2, q2 = clients(endpoint, "admin", admin_key[:-1] + ("A" if admin_key[-1] != "A" else "B"))
    code, st, _ = error_of(w2.describe_database, DatabaseName=DB)
    R.check((code, st) == ("InvalidSignatureException", 403), "a wrong secret: InvalidSignatureException", (code, st))
    w3, _ = clients(endpoint, "nobody", admin_key)
    code3, st3, _ = error_of(w3.describe_database, DatabaseName=DB)
    R.check((code3, st3) == (code, st), "an unknown key is answered as a wrong signature", (code3, st3))
    # an expired signature: a date an hour ago
    import botocore.auth
    from unittest import mock
    when = datetime.datetime.utcnow() - datetime.timedelta(hours=1)
    wa, _ = clients(endpoint, "admin", admin_key)
    if hasattr(botocore.auth, "get_current_datetime"):
        clock = mock.patch("botocore.auth.get_current_datetime", return_value=when)
    else:
        clock = mock.patch("botocore.auth.datetime")
    with clock as m:
        if not hasattr(botocore.auth, "get_current_datetime"):
            m.datetime.utcnow.return_value = when
        code, st, resp = error_of(wa.write_records, DatabaseName=DB, TableName="DevOps",
                                  Records=[rec("expired", "cpu_utilization", 1.0, NOW_MS - 1000)])
    R.check(code == "InvalidSignatureException" and "expired" in resp["Error"]["Message"].lower(),
            "an expired signature is refused", (code, resp["Error"]))
    wa, qa = clients(endpoint, "admin", admin_key)
    got, _ = rows(qa, f'SELECT count(*) FROM "{DB}"."DevOps" WHERE hostname IN (\'intruder\', \'expired\')')
    R.check(got == [[{"ScalarValue": "0"}]], "nothing of the refused writes was stored", got)
    st, body, _ = srv.request("POST", "/", b"{}", {"X-Amz-Target": "Timestream_20181101.ListDatabases",
                                                   "Content-Type": "application/x-amz-json-1.0"}, auth=None)
    R.check(st == 400 and b"MissingAuthenticationTokenException" in body, "no signature at all: refused", (st, body))


# ------------------------------------------------------------------ restarts

def test_restart(srv, t):
    """Versions and data survive a clean restart and a SIGKILL."""
    srv.stop()
    srv.start()
    key = access_key(srv, "admin")
    w, q = clients(srv.url(""), "admin", key)
    versions(w, q, t, "after a restart")
    acked = NOW_MS - 5000
    w.write_records(DatabaseName=DB, TableName="DevOps",
                    Records=[rec(f"k-{i}", "cpu_utilization", i, acked) for i in range(50)])
    srv.kill()
    srv.start()
    key = access_key(srv, "admin")
    w, q = clients(srv.url(""), "admin", key)
    got, _ = rows(q, f'SELECT count(*) FROM "{DB}"."DevOps" WHERE hostname LIKE \'k-%\'')
    R.check(got == [[{"ScalarValue": "50"}]], "every acknowledged record is back after SIGKILL", got)
    versions(w, q, t, "after SIGKILL")
    d = w.describe_table(DatabaseName=DB, TableName="DevOps")["Table"]
    R.check(d["RetentionProperties"]["MemoryStoreRetentionPeriodInHours"] == 24,
            "table properties survive restarts", d["RetentionProperties"])


def test_table_retention(srv):
    """Retention per table: Strata keeps a database as long as its
    longest-lived table asks; a shorter-lived table's older samples are
    deleted by the sweep the scheduler runs at start and hourly."""
    key = access_key(srv, "admin")
    w, q = clients(srv.url(""), "admin", key)
    w.create_database(DatabaseName="retDB")
    for name, days in (("short", 1), ("long", 3)):
        w.create_table(DatabaseName="retDB", TableName=name,
                       RetentionProperties={"MemoryStoreRetentionPeriodInHours": 1,
                                            "MagneticStoreRetentionPeriodInDays": days})
    old_ns = (NOW_MS - 30 * 3600 * 1000) * 1_000_000  # past short's 25 h, within long's 73 h
    new_ns = (NOW_MS - 60_000) * 1_000_000
    body = "\n".join(f"{t},host=h v={i} {ts}" for t in ("short", "long") for i, ts in ((1, old_ns), (2, new_ns)))
    st, resp, _ = srv.request("POST", "/write?db=retDB", body.encode())
    R.check(st == 204, "old and new points in both tables (line protocol)", (st, resp))
    srv.stop()
    srv.start()
    key = access_key(srv, "admin")
    w, q = clients(srv.url(""), "admin", key)
    got = {t: [x[0]["ScalarValue"] for x in rows(q, f'SELECT v FROM "retDB"."{t}" ORDER BY time')[0]]
           for t in ("short", "long")}
    R.check(got == {"short": ["2.0"], "long": ["1.0", "2.0"]},
            "after the sweep: the 30-hour-old point of the 25-hour table is gone, the 73-hour table keeps it", got)
    R.check((srv.metric("strata_timestream_retention_sweeps_total") or 0) >= 1, "the sweep is counted in /metrics")


# ------------------------------------------------------------------ discovery

def test_discovery(tmp):
    """A client with endpoint discovery on and no endpoint_url: it calls
    DescribeEndpoints at the AWS host and then the Address it answers.
    The AWS names resolve to Strata's TLS listener here (getaddrinfo
    patched in this process; the certificate names them)."""
    make_ca(tmp)
    hosts = [f"ingest.timestream.{REGION}.amazonaws.com", f"query.timestream.{REGION}.amazonaws.com"]
    make_cert(tmp, "srv", "strata", dns=hosts)
    srv = Server("--pg-listen", "", "--tls-cert-file", f"{tmp}/srv.pem", "--tls-key-file", f"{tmp}/srv.key", ca_file=f"{tmp}/ca.pem")
    srv.start()
    calls = []
    real = socket.getaddrinfo

    def fake(host, port, *a, **kw):
        if isinstance(host, str) and host.endswith(".amazonaws.com"):
            calls.append(host)
            return real("127.0.0.1", srv.port, *a, **kw)
        return real(host, port, *a, **kw)
    try:
        socket.getaddrinfo = fake
        w, q = clients(None, "anyone", "anything", verify=f"{tmp}/ca.pem", endpoint_discovery_enabled=True)
        w.create_database(DatabaseName="discovered")
        w.create_table(DatabaseName="discovered", TableName="tbl")
        w.write_records(DatabaseName="discovered", TableName="tbl",
                        Records=[rec("h", "m", 1.5, NOW_MS - 1000)])
        got, _ = rows(q, 'SELECT measure_value::double FROM "discovered"."tbl"')
        R.check(got == [[{"ScalarValue": "1.5"}]] and hosts[0] in calls and hosts[1] in calls,
                "a discovering client (no endpoint_url) writes and queries through Strata", (got, set(calls)))
        e = w.describe_endpoints()["Endpoints"][0]
        R.check(e["Address"] == hosts[0] and e["CachePeriodInMinutes"] == 1440,
                "DescribeEndpoints over TLS: the bare host the client called", e)
    finally:
        socket.getaddrinfo = real
        srv.cleanup()


def main():
    tmp = tempfile.mkdtemp(prefix="strata-ts-")
    with open(f"{tmp}/adminpw", "w") as f:
        f.write(ADMIN[1])
    srv = Server("--auth", "true", "--pg-listen", "", "--admin-user", ADMIN[0], "--admin-password-file", f"{tmp}/adminpw", auth=ADMIN)
    try:
        srv.start()
        key = access_key(srv, "admin")
        w, q = clients(srv.url(""), "admin", key)
        e = w.describe_endpoints()["Endpoints"][0]
        R.check(e["Address"] == f"http://127.0.0.1:{srv.port}",
                "DescribeEndpoints on plain HTTP: http://HOST (botocore adds https:// to a bare host)", e)
        test_management(w, q)
        test_writes(w, q)
        t = test_versions(srv, w, q)
        test_queries(w, q)
        test_access(srv, srv.url(""), key)
        test_restart(srv, t)
        test_table_retention(srv)
        test_discovery(tmp)
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, srv)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
