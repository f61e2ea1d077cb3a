"""Data for the SQL differential test (test_sql_pg.py): the same rows for
Strata (line protocol, VictoriaMetrics JSON import) and for PostgreSQL
(COPY text), generated deterministically from a seed.

Tables (Strata's data model, issue 11: tags varchar, fields typed, `time`,
`measure_name` = the table's name):
- cpu: TSBS's cpu-only shape: 20 hosts, tags hostname, region, datacenter,
  rack, os; ten float fields usage_*; every 10 s for 3 hours from
  2024-03-01T00:00:00Z. One gap: host_19 has no usage_guest during the
  second hour (NULLs in a float column).
- readings: an IoT set of 30 devices, tags device_id, site (missing, NULL,
  on devices 25..29; one value has a space), kind (missing on every 7th
  device); fields temp (float), seq, battery, rssi (integers), status, note
  (strings, note rare and with quotes, a backslash and a comma), active
  (boolean); one reading a device every 30 s plus a jitter of 0..20 s in
  whole microseconds (so PostgreSQL's timestamp(6) holds every time
  exactly); fields missing at random (gaps), seq always present.
- up: a Prometheus metric imported as remote_write data would be (table
  `up`, labels job and instance as dimensions, a double column `value`),
  8 series every 15 s for an hour.
"""
import json
import math
import random

BASE_NS = 1709251200 * 10**9  # 2024-03-01T00:00:00Z
HOURS = 3

CPU_FIELDS = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq",
              "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"]
CPU_TAGS = ["hostname", "region", "datacenter", "rack", "os"]
READ_TAGS = ["device_id", "site", "kind"]
READ_FIELDS = [("temp", "double precision"), ("seq", "bigint"), ("battery", "bigint"), ("rssi", "bigint"),
               ("status", "text"), ("note", "text"), ("active", "boolean")]
UP_TAGS = ["job", "instance"]

REGIONS = {"us-east-1": ["us-east-1a", "us-east-1b"], "us-west-1": ["us-west-1a", "us-west-1c"],
           "eu-west-1": ["eu-west-1a", "eu-west-1b"]}
OSES = ["Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"]
SITES = ["north", "south", "east", "west yard"]
STATUSES = ["ok", "ok", "ok", "warn", "error", "n/a"]
NOTES = ['he said "hi"', "path\\to", "comma, here", "plain"]


def cpu_rows():
    """[(time_ns, tags dict, fields dict)] in host, time order."""
    rnd = random.Random(1101)
    rows = []
    regions = list(REGIONS)
    for h in range(20):
        region = regions[h % 3]
        tags = {"hostname": f"host_{h}", "region": region, "datacenter": REGIONS[region][h % 2],
                "rack": str(h % 7), "os": OSES[h % 3]}
        level = {f: rnd.uniform(5, 95) for f in CPU_FIELDS}
        for k in range(HOURS * 360):
            t = BASE_NS + k * 10 * 10**9
            fields = {}
            for f in CPU_FIELDS:
                level[f] = min(100.0, max(0.01, level[f] + rnd.uniform(-2, 2)))
                fields[f] = round(level[f], 2) or 0.01
            if h == 19 and 360 <= k < 720:
                del fields["usage_guest"]
            rows.append((t, tags, fields))
    return rows


def readings_rows():
    rnd = random.Random(1102)
    rows = []
    for d in range(30):
        tags = {"device_id": f"dev_{d:02d}"}
        if d < 25:
            tags["site"] = SITES[d % 4]
        if d % 7:
            tags["kind"] = "thermo" if d % 2 else "meter"
        battery = 100 - d
        for k in range(HOURS * 120):
            t = BASE_NS + k * 30 * 10**9 + rnd.randrange(0, 20_000_000) * 1000
            f = {"seq": k * 3 + d}
            if rnd.random() >= 0.1:
                f["temp"] = round(15 + d * 0.3 + 5 * math.sin(k / 20.0) + rnd.uniform(-1, 1), 3)
            if k % 10 == 0 and battery > 0:
                battery -= 1
            if rnd.random() >= 0.2 and not (d == 3 and 100 <= k < 150):
                f["battery"] = battery
            if rnd.random() >= 0.05:
                f["rssi"] = -30 - rnd.randrange(0, 61)
            if rnd.random() >= 0.15:
                f["status"] = rnd.choice(STATUSES)
            if rnd.random() < 0.02:
                f["note"] = rnd.choice(NOTES)
            if rnd.random() >= 0.1:
                f["active"] = rnd.random() < 0.7
            rows.append((t, tags, f))
    return rows


def up_rows():
    rnd = random.Random(1103)
    rows = []
    for job in ("node", "prom"):
        for i in range(1, 5):
            tags = {"job": job, "instance": f"i{i}"}
            for k in range(240):
                t = BASE_NS + k * 15 * 10**9
                rows.append((t, tags, {"value": 0.0 if rnd.random() < 0.05 else 1.0}))
    return rows


# ------------------------------------------------------------ Strata

def _esc_tag(s):
    return s.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def _lp_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v}i"
    if isinstance(v, float):
        return repr(v)
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def line_protocol(measurement, rows):
    out = []
    for t, tags, fields in rows:
        key = measurement + "".join(f",{k}={_esc_tag(v)}" for k, v in sorted(tags.items()))
        fs = ",".join(f"{k}={_lp_value(v)}" for k, v in fields.items())
        out.append(f"{key} {fs} {t}")
    return out


def vm_import(metric, rows):
    """VictoriaMetrics JSON lines (what /api/v1/import reads): one a series."""
    series = {}
    for t, tags, fields in rows:
        key = tuple(sorted(tags.items()))
        s = series.setdefault(key, {"metric": dict(tags, __name__=metric), "values": [], "timestamps": []})
        s["values"].append(fields["value"])
        s["timestamps"].append(t // 10**6)
    return "\n".join(json.dumps(s) for s in series.values()) + "\n"


# ------------------------------------------------------------ PostgreSQL

def pg_schema():
    cpu_cols = ", ".join(f"{t} text" for t in CPU_TAGS) + ", " + ", ".join(f"{f} double precision" for f in CPU_FIELDS)
    read_cols = ", ".join(f"{t} text" for t in READ_TAGS) + ", " + ", ".join(f"{f} {ty}" for f, ty in READ_FIELDS)
    up_cols = ", ".join(f"{t} text" for t in UP_TAGS) + ", value double precision"
    return [f"CREATE TABLE cpu (measure_name text NOT NULL, time timestamp(6) NOT NULL, {cpu_cols})",
            f"CREATE TABLE readings (measure_name text NOT NULL, time timestamp(6) NOT NULL, {read_cols})",
            f"CREATE TABLE up (measure_name text NOT NULL, time timestamp(6) NOT NULL, {up_cols})"]


def _copy_value(v):
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _ts(ns):
    assert ns % 1000 == 0
    us = ns // 1000
    s, frac = divmod(us, 10**6)
    import datetime
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=s)
    return d.strftime("%Y-%m-%d %H:%M:%S") + f".{frac:06d}"


def pg_copy(table, rows, tag_names, field_names):
    """COPY ... FROM STDIN text: measure_name, time, tags, fields."""
    lines = []
    for t, tags, fields in rows:
        vals = [table, _ts(t)] + [tags.get(k) for k in tag_names] + [fields.get(f) for f in field_names]
        lines.append("\t".join(_copy_value(v) for v in vals))
    return "\n".join(lines) + "\n"


def datasets():
    """[(table, rows, tag names, field names)]"""
    return [("cpu", cpu_rows(), CPU_TAGS, CPU_FIELDS),
            ("readings", readings_rows(), READ_TAGS, [f for f, _ in READ_FIELDS]),
            ("up", up_rows(), UP_TAGS, ["value"])]
