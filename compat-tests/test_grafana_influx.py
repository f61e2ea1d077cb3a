"""Grafana's InfluxDB data source (InfluxQL mode) against Strata, differential
against Debian's InfluxDB 1.6 (influxd).

Grafana is not packaged in Debian, so the requests it sends are replayed
here byte for byte as its source builds them. What the source says (grafana/
grafana, stored versions read file by file; the commit of each is given):

* The request (pkg/tsdb/influxdb/influxql/influxql.go @ 428e07fd425b,
  createRequest): the path is the data source URL's path joined with
  "query". The method is the data source's "HTTP Method" setting: POST puts
  the statement in a form body `q=...` (Go's url.Values encoding: space as
  +, every byte but letters, digits and -_.~ as %XX) and sets Content-Type
  application/x-www-form-urlencoded; GET puts `q` in the URL. The URL always
  carries db=<database> and epoch=ms, and rp=<policy> when the query has a
  retention policy other than "" and "default"; the parameters are written
  sorted by name (db, epoch, q, rp). The backend falls back to GET when the
  setting is absent (pkg/tsdb/influxdb/influxdb.go, NewInstanceSettings);
  the config editor offers GET and POST (components/editor/config/
  InfluxInfluxQLConfig.tsx @ b40d1a4ca609, with "Min time interval" =
  jsonData.timeInterval and "Autocomplete range" = jsonData.showTagTime).
* Headers: the HTTP client's middlewares (pkg/infra/httpclient/
  httpclientprovider) set User-Agent "Grafana/<version>" and, from the data
  source's User and Password fields when basic auth is off,
  Authorization: Basic (pkg/services/datasources/service/datasource.go @
  001e0d7688f2, httpClientOptions). No Accept header is set; Go's transport
  adds Accept-Encoding: gzip (and then inflates a gzip answer itself) and
  Content-Length for the POST body. Go writes Host, User-Agent,
  Content-Length, the other headers sorted by name, then Accept-Encoding.
* Save & test (pkg/tsdb/influxdb/healthcheck.go @ 926f26a1da62): the raw
  query `SHOW measurements` through the same request path (so db, epoch=ms,
  the method and the headers as above, no rp); the message is "N
  measurements found" with N the rows of the first series, or "0
  measurements found" when there is no series.
* The visual editor's model becomes InfluxQL in the backend
  (pkg/tsdb/influxdb/models/query.go and query_test.go @ b93b115f6b0d,
  query_part.go @ 0c30082ddfea, model_parser.go @ a5d44aa6a82d): SELECT,
  the select lists joined by ", " (each list's parts applied in turn: a
  field is "name" (or *; a ::tag or ::field suffix stays outside the
  quotes), a function wraps what came before with its parameters after it,
  `math` appends " <text>", `alias` appends ` AS "<name>"`), then
  ` FROM "policy"."m"` (no policy part for "" or "default"; /regex/
  measurements unquoted), then " WHERE " + the tag conditions (in
  parentheses when there are several, joined by their AND/OR) + " AND ",
  then `time >= <from>ms and time <= <to>ms` (the panel range in epoch ms),
  then " GROUP BY" with time($__interval) ("auto" becomes $__interval),
  tags as "tag", fill(x) after a space instead of a comma, then
  " ORDER BY time DESC", " limit N", " slimit N", " tz('Zone')" in that
  order. Tag conditions: =~ and !~ keep the /regex/ as is; < > <= >= keep
  the value bare (a /^v$/ value becomes 'v'); = and != quote the value in
  single quotes (a /^v$/ value loses its wrapper, backslashes doubled,
  single quotes not escaped); "Is"/"Is Not" become =/!= with booleans
  lower-cased and numbers bare. Raw-mode text is sent as typed, with
  ad-hoc filters inserted after the first WHERE outside quotes (or appended
  with " WHERE "). Then every $timeFilter, $interval, $__interval_ms and
  $__interval is replaced.
* $__interval (packages/grafana-data/src/datetime/rangeutil.ts @
  0aff354e8473, calculateInterval/roundInterval; PanelQueryRunner.ts): the
  range in ms divided by the panel's max data points (its width in pixels),
  then mapped onto a table of round values by strict upper bounds: under
  10 ms gives 1 ms, under 15 ms 10 ms, under 35 ms 20 ms, then 50 ms, 100
  ms, 200 ms, 500 ms, 1 s, 2 s (under 3.5 s), 5 s (under 7.5 s), 10 s, 15 s,
  20 s, 30 s, 1 m, 2 m, 5 m, 10 m, 15 m, 20 m, 30 m, 1 h, 2 h, 3 h, 6 h, 12 h,
  1 d (under a week), 1 w, 30 d, and 1 y beyond six weeks; then raised to
  the data source's Min time interval (default 1 ms). So a 1000 px panel
  over the last hour gets 5s, over 6 hours 20s. The backend writes it with gtime.FormatInterval
  (grafana-plugin-sdk-go backend/gtime/gtime.go @ b5f0a9708def: whole years,
  days, hours, minutes, seconds, else ms). pkg/tsdb/intervalv2 (@
  722aca5c530f) has a Go copy with <= bounds, used where the backend
  computes intervals itself, not for panels.
* Editor and variable metadata queries
  (public/app/plugins/datasource/influxdb/influxql_query_builder.ts @
  53176e16f22f, influxql_metadata_query.ts, stored version passing
  withTimeFilter = showTagTime): SHOW RETENTION POLICIES on "<db>";
  SHOW MEASUREMENTS [WITH MEASUREMENT =~ /(?i)<escaped filter>/] [WHERE
  <tags>] LIMIT 100 (never a time filter); SHOW FIELD KEYS [FROM
  ["rp".]"m"]; SHOW TAG KEYS [FROM ["rp".]"m"] [WHERE time > now() - <range>];
  SHOW TAG VALUES [FROM ["rp".]"m"] WITH KEY = "<key without ::tag>"
  [WHERE <the other tags, < and > dropped> [AND time > now() - <range>]].
  Here (frontend rendering) a tag value is put in single quotes with its
  backslashes and single quotes escaped by a backslash.
  They go through the backend as raw queries with the chosen policy as rp.
* The answer as Grafana reads it (influxql/buffered/response_parser.go @
  f33dbf511f2a): a non-2xx status is an error with the body's "error"; only
  results[0] is read; a series whose columns hold "time" makes one frame
  per other column, the time taken from column 0 as epoch ms; SHOW answers
  (no time column) give one string field (column 1 for SHOW TAG VALUES).

The test: the same line protocol (influxql_data's TSBS-like cpu of 10
hosts over 2 h at 10 s, its sensors measurement of integer, float, string
and boolean fields with gaps, its 3-day weather series; ending 70..80 s
before now) goes to both servers; then each request kind below is sent as
raw HTTP (http.client, method, headers and body exactly as above) to both:
Save & test; panel queries from visual-editor models and raw-mode texts
over realistic dashboard ranges and panel widths, each as POST (data source
with Min time interval 10s and a User/Password, so with Basic auth) and as
GET (no minimum, no auth), some with a retention policy (rp=); the editor's
and template variables' SHOW queries. Per request: the same status and the
same JSON (ints, strings, bools, nulls exactly, floats within 1e-9
relative, key order free, rows of equal time as a multiset, as
test_influx_select.py judges), and Strata's answer as Grafana's parser
needs it (application/json; results[0]; "time" first with epoch-ms
integers inside the range; SHOW columns as InfluxDB names them). The
SELECTs are sent again after Strata flushes its head into blocks.

Strata's "... not supported by Strata yet" errors are counted and printed,
not failed, as in test_influx_select.py; KNOWN lists deliberate
differences. Usage: test_grafana_influx.py [-v]. Environment: STRATA_BIN.
About 3 s. The last line is "test_grafana_influx: N passed, M failed".

STRATA_SMOKE: also runs under ASan (make test-asan).
"""
import argparse
import base64
import gzip
import http.client
import json
import os
import random
import re
import sys
import time
import urllib.parse
import zlib

sys.dont_write_bytecode = True  # no __pycache__ for the modules next to it
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, InfluxDB, Results, report_crash, BIN  # noqa: E402
import influxql_data  # noqa: E402
from test_influx_select import (first_difference, canonical_ties, decode_stream,  # noqa: E402
                                NOT_YET, KNOWN as SELECT_KNOWN)

R = Results("test_grafana_influx")
DB = "telegraf"
GRAFANA_VERSION = "12.1.0"
SEC_MS = 1000
HOUR_MS = 3600 * SEC_MS
DAY_MS = 24 * HOUR_MS
# Deliberate, documented differences (README, InfluxQL section): query text -> why.
# Handled as test_influx_select.py handles its KNOWN: printed, not failed.
KNOWN = {}


# ------------------------------------------------------------------ Grafana's rules, re-implemented

def round_interval(ms):
    """rangeutil.ts roundInterval: a raw interval in ms to Grafana's table."""
    table = [(10, 1), (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000),
             (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000), (45000, 30000),
             (90000, 60000), (210000, 120000), (450000, 300000), (750000, 600000), (1050000, 900000),
             (1500000, 1200000), (2700000, 1800000), (5400000, 3600000), (9000000, 7200000),
             (16200000, 10800000), (32400000, 21600000), (86400000, 43200000), (604800000, 86400000),
             (1814400000, 604800000), (3628800000, 2592000000)]
    for bound, value in table:
        if ms < bound:
            return value
    return 31536000000


UNIT_MS = {"y": 31536000000, "M": 2592000000, "w": 604800000, "d": 86400000, "h": 3600000, "m": 60000,
           "s": 1000, "ms": 1}


def interval_to_ms(text):
    """rangeutil.ts intervalToMs: '10s' -> 10000; a bare number is seconds."""
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return int(float(text)) * 1000
    m = re.match(r"^(-?\d+(?:\.\d+)?)(ms|[Mwdhmsy])", text)
    if not m:
        raise ValueError(f"not an interval: {text!r}")
    return int(m.group(1).split(".")[0]) * UNIT_MS[m.group(2)]


def calculate_interval_ms(from_ms, to_ms, max_data_points, min_interval=""):
    """rangeutil.ts calculateInterval as PanelQueryRunner calls it: range /
    width, rounded, at least the data source's Min time interval."""
    low = interval_to_ms(min_interval) if min_interval else 1
    return max(round_interval((to_ms - from_ms) / max_data_points), low)


def format_interval(ms):
    """gtime.FormatInterval of the backend (query.Interval is at least 1 ms)."""
    ms = max(ms, 1)
    for unit, size in (("y", 365 * DAY_MS), ("d", DAY_MS), ("h", HOUR_MS), ("m", 60000), ("s", 1000)):
        if ms >= size:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


FUNCTIONS = {"spread", "count", "distinct", "integral", "mean", "median", "sum", "mode", "cumulative_sum",
             "non_negative_difference", "holt_winters", "holt_winters_with_fit", "derivative",
             "non_negative_derivative", "difference", "moving_average", "stddev", "time", "fill", "elapsed",
             "bottom", "first", "last", "max", "min", "percentile", "top"}
REGEX_VALUE = re.compile(r"\A/.*/\Z")
ANCHORED_REGEX = re.compile(r"\A/\^(.*)\$/\Z")
NUMBER = re.compile(r"\A(-?)[0-9.]+\Z")


def quoted_name(p):
    """How a field or tag name is written: "name", with ::tag / ::field
    left outside the quotes; * bare."""
    if p == "*":
        return "*"
    if p.endswith("::tag"):
        return f'"{p[:-5]}"::tag'
    if p.endswith("::field"):
        return f'"{p[:-7]}"::field'
    return f'"{p}"'


def render_part(part, inner):
    kind = part["type"]
    params = [str(p) for p in part.get("params", [])]
    if kind in ("field", "tag"):
        return quoted_name(params[0])
    if kind == "math":
        return f"{inner} {params[0]}"
    if kind == "alias":
        return f'{inner} AS "{params[0]}"'
    if kind not in FUNCTIONS:
        raise ValueError(f"no Grafana query part {kind!r}")
    if kind == "time":
        params = ["$__interval" if p == "auto" else p for p in params]
    if inner:
        params = [inner] + params
    return f"{kind}({', '.join(params)})"


def unwrap_anchored(value, quote):
    """A /^v$/ value (a template variable's single value) becomes quote+v+quote."""
    m = ANCHORED_REGEX.match(value)
    return quote + m.group(1) + quote if m else value


def render_tags_backend(tags):
    """The backend's tag conditions (models/query.go renderTags)."""
    out = []
    for i, tag in enumerate(tags):
        prefix = ((tag.get("condition") or "AND") + " ") if i > 0 else ""
        key, value, op = tag["key"], tag["value"], tag.get("operator") or ""
        if op == "":
            op = "=~" if REGEX_VALUE.match(value) else "="
        if op in ("=~", "!~"):
            text = value
        elif op in ("<", ">", ">=", "<="):
            text = unwrap_anchored(value, "'")
        elif op in ("Is", "Is Not"):
            new_op = "!=" if op == "Is Not" else "="
            if key.endswith("::tag"):
                text = "'" + value.replace("\\", "\\\\") + "'"
            else:
                if value.lower() in ("true", "false"):
                    text = value.lower()
                elif NUMBER.match(value):
                    text = value
                else:
                    text = "'" + value.replace("\\", "\\\\") + "'"
                text = unwrap_anchored(text, "'")
            op = new_op
        else:
            text = "'" + unwrap_anchored(value, "").replace("\\", "\\\\") + "'"
        out.append(f"{prefix}{quoted_name(key) if key != '*' else key} {op} {text}")
    return out


def time_filter(tr):
    return f"time >= {tr[0]}ms and time <= {tr[1]}ms"


def with_adhoc_filters(raw, tags):
    """models/query.go: ad-hoc filters go after the first WHERE that is not
    inside quotes, followed by AND; without one they are appended."""
    if not tags:
        return raw
    filters = " ".join(render_tags_backend(tags))
    wheres = [m.span() for m in re.finditer(r"(?i)WHERE", raw)]
    if not wheres:
        return raw + " WHERE " + filters
    inside, prev = False, ""
    for i, ch in enumerate(raw):  # ASCII texts only here: index = byte offset
        if prev != "\\" and ch in "\"'":
            inside = not inside
        prev = ch
        if i == wheres[0][0]:
            if not inside:
                return raw[:wheres[0][1]] + " " + filters + " AND" + raw[wheres[0][1]:]
            if len(wheres) == 1:
                return raw + " WHERE " + filters
            wheres.pop(0)
    return raw


def build_query(model, tr, interval_ms):
    """The InfluxQL text the backend sends for a query model (Build)."""
    if model.get("rawQuery") and model.get("query"):
        text = with_adhoc_filters(model["query"], model.get("tags", []))
    else:
        sels = []
        for sel in model["select"]:
            acc = ""
            for part in sel:
                acc = render_part(part, acc)
            sels.append(acc)
        text = "SELECT " + ", ".join(sels)
        policy = model.get("policy", "default")
        m = model["measurement"]
        text += " FROM " + ("" if policy in ("", "default") else f'"{policy}".') + \
            (m if REGEX_VALUE.match(m) else f'"{m}"')
        conds = render_tags_backend(model.get("tags", []))
        text += " WHERE "
        if conds:
            text += ("(" + " ".join(conds) + ")" if len(conds) > 1 else conds[0]) + " AND "
        text += time_filter(tr)
        for i, g in enumerate(model.get("groupBy", [])):
            text += (" GROUP BY" if i == 0 else "") + (", " if i > 0 and g["type"] != "fill" else " ")
            text += render_part(g, "")
        if model.get("orderByTime"):
            text += f" ORDER BY time {model['orderByTime']}"
        if model.get("limit"):
            text += f" limit {model['limit']}"
        if model.get("slimit"):
            text += f" slimit {model['slimit']}"
        if model.get("tz"):
            text += f" tz('{model['tz']}')"
    iv = format_interval(interval_ms)
    text = text.replace("$timeFilter", time_filter(tr)).replace("$interval", iv)
    return text.replace("$__interval_ms", str(max(interval_ms, 1))).replace("$__interval", iv)


def escape_regex(s):
    """@grafana/data escapeRegex: the characters special in a JS regex."""
    return re.sub(r"([.*+?^${}()|\[\]\\/])", r"\\\1", s)


def render_tag_frontend(tag, index):
    """influxql_query_builder.ts renderTagCondition with interpolation on
    (the metadata queries): values quoted once, \\ and ' escaped."""
    prefix = ((tag.get("condition") or "AND") + " ") if index > 0 else ""
    op, value = tag.get("operator") or "", tag["value"]
    if not op:
        op = "=~" if REGEX_VALUE.match(value) else "="
    if value == "" or op not in ("=~", "!~"):
        value = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return prefix + quoted_name(tag["key"]) + " " + op + " " + value


def metadata_query(kind, db=DB, measurement="", policy="", tags=(), with_key="", measurement_filter="",
                   time_range=""):
    """influxql_query_builder.ts buildMetadataQuery."""
    if kind == "RETENTION_POLICIES":
        return f'SHOW RETENTION POLICIES on "{db}"'
    if kind == "FIELDS":
        if not measurement:
            return "SHOW FIELD KEYS"
        if not re.match(r"^/.*/|^$", measurement):
            measurement = f'"{measurement}"'
            if policy and policy != "default":
                measurement = f'"{policy}".' + measurement
        return "SHOW FIELD KEYS FROM " + measurement
    q = {"TAG_KEYS": "SHOW TAG KEYS", "TAG_VALUES": "SHOW TAG VALUES", "MEASUREMENTS": "SHOW MEASUREMENTS"}[kind]
    if kind == "MEASUREMENTS" and measurement_filter:
        q += " WITH MEASUREMENT =~ /(?i)" + escape_regex(measurement_filter) + "/"
    if measurement:
        if not re.match(r"^/.*/", measurement) and not re.match(r"^merge\(.*\)", measurement):
            measurement = f'"{measurement}"'
        if policy and policy != "default":
            measurement = f'"{policy}".' + measurement
        q += " FROM " + measurement
    if with_key:
        q += ' WITH KEY = "' + (with_key[:-5] if with_key.endswith("::tag") else with_key) + '"'
    conds = []
    for tag in tags:
        if tag["key"] == with_key or tag.get("operator") in (">", "<"):
            continue
        conds.append(render_tag_frontend(tag, len(conds)))
    use_time = bool(time_range) and kind != "MEASUREMENTS"
    if conds:
        q += " WHERE " + " ".join(conds) + (" AND time > now() - " + time_range if use_time else "")
    elif use_time:
        q += " WHERE time > now() - " + time_range
    if kind == "MEASUREMENTS":
        q += " LIMIT 100"
    return q


class DataSource:
    """The settings of a Grafana InfluxDB (InfluxQL) data source that shape
    its requests."""

    def __init__(self, name, http_mode, min_interval="", user="", password="", show_tag_time=""):
        self.name, self.http_mode, self.min_interval = name, http_mode, min_interval
        self.user, self.password, self.show_tag_time = user, password, show_tag_time


def grafana_request(ds, text, policy=""):
    """(method, target, [(header, value)], body) as Grafana's backend writes
    them; Host is added by send()."""
    params = {"db": DB, "epoch": "ms"}
    if policy and policy != "default":
        params["rp"] = policy
    if ds.http_mode == "GET":
        params["q"] = text
    target = "/query?" + urllib.parse.urlencode(sorted(params.items()))
    headers = [("User-Agent", f"Grafana/{GRAFANA_VERSION}")]
    body = None
    if ds.http_mode == "POST":
        body = urllib.parse.urlencode({"q": text}).encode()
        headers.append(("Content-Length", str(len(body))))
    more = []
    if ds.user:
        more.append(("Authorization", "Basic " + base64.b64encode(f"{ds.user}:{ds.password}".encode()).decode()))
    if ds.http_mode == "POST":
        more.append(("Content-Type", "application/x-www-form-urlencoded"))
    headers += sorted(more) + [("Accept-Encoding", "gzip")]
    return ds.http_mode, target, headers, body


# ------------------------------------------------------------------ HTTP

class Reply:
    def __init__(self, status, headers, text, objs):
        self.status, self.headers, self.text, self.objs = status, headers, text, objs

    def errors(self):
        out = []
        for o in self.objs or []:
            if isinstance(o, dict):
                if isinstance(o.get("error"), str):
                    out.append(o["error"])
                for r in o.get("results") or []:
                    if isinstance(r, dict) and isinstance(r.get("error"), str):
                        out.append(r["error"])
        return out

    def short(self, n=600):
        return f"{self.status} {self.text[:n].rstrip()}" + ("..." if len(self.text) > n else "")


def send(port, req, timeout=30):
    """Sends req exactly (http.client adds nothing: no Host, no
    Accept-Encoding, no Content-Length of its own)."""
    method, target, headers, body = req
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"127.0.0.1:{port}")
        for k, v in headers:
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        raw = resp.read()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        conn.close()
    except OSError as e:
        return Reply(0, {}, f"no answer: {e!r}", None)
    enc = hdrs.get("content-encoding", "").lower()
    try:
        if enc == "gzip":  # Go's transport asked for it and inflates it
            raw = gzip.decompress(raw)
        elif enc == "deflate":
            raw = zlib.decompress(raw)
    except (OSError, zlib.error) as e:
        return Reply(resp.status, hdrs, f"Content-Encoding {enc} but the body does not inflate: {e}", None)
    text = raw.decode("utf-8", "replace")
    try:
        objs = decode_stream(text)
    except ValueError:
        objs = None
    return Reply(resp.status, hdrs, text, objs or None)


def show_request(req):
    method, target, headers, body = req
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1:<port>"] + [f"{k}: {v}" for k, v in headers]
    return "\n".join(lines) + "\n\n" + (body.decode() if body else "")


# ------------------------------------------------------------------ checks

def compare(ia, sa, text=""):
    """-> (kind, detail): kind pass, fail, known, not_yet."""
    if ia.status == 0 or ia.objs is None:
        return "fail", f"InfluxDB gave no JSON answer: {ia.short(300)}"
    if sa.status == 0:
        return "fail", f"Strata did not answer: {sa.text[:300]}"
    nyet = [e for e in sa.errors() if NOT_YET in e]
    if nyet and not ia.errors():
        return "not_yet", nyet[0][:200]
    known = KNOWN.get(text) or SELECT_KNOWN.get(text)
    if ia.status != sa.status:
        return ("known" if known else "fail"), f"HTTP status: influx {ia.short(200)}; strata {sa.short(200)}"
    if sa.objs is None:
        return "fail", f"Strata's answer is not JSON: {sa.short(300)}"
    a, b = canonical_ties(ia.objs), canonical_ties(sa.objs)
    d = first_difference(a if len(a) > 1 else a[0], b if len(b) > 1 else b[0])
    if d:
        return ("known", f"{known} ({d})") if known else ("fail", d)
    return "pass", ""


SHOW_COLUMNS = [("SHOW RETENTION POLICIES", ["name", "duration", "shardGroupDuration", "replicaN", "default"]),
                ("SHOW MEASUREMENTS", ["name"]), ("SHOW FIELD KEYS", ["fieldKey", "fieldType"]),
                ("SHOW TAG KEYS", ["tagKey"]), ("SHOW TAG VALUES", ["key", "value"])]


def bucket_sizes(text):
    """The GROUP BY time(...) durations of a query, in ms."""
    units = {"ms": 1, "s": 1000, "m": 60000, "h": HOUR_MS, "d": DAY_MS, "w": 7 * DAY_MS}
    return [int(n) * units[u] for n, u in re.findall(r"(?i)\btime\((\d+)(ms|s|m|h|d|w)\b", text)]


def grafana_reads(ans, text, tr=None, interval_ms=0):
    """None if Grafana's response parser can read ans as it needs to, else
    the problem: JSON, results[0] without error, for SELECTs "time" first
    with epoch-ms integers within the panel range (a bucket may start up to
    a bucket, or a day with tz(), before it), for SHOWs InfluxDB's columns."""
    if ans.status != 200:
        return f"status {ans.status}"
    ctype = ans.headers.get("content-type", "")
    if not ctype.startswith("application/json"):
        return f"Content-Type {ctype!r}"
    if not ans.objs or len(ans.objs) != 1 or not isinstance(ans.objs[0], dict):
        return "not one JSON object"
    results = ans.objs[0].get("results")
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        return "no results[0]"
    r0 = results[0]
    if r0.get("error"):
        return f"results[0].error {r0['error']!r}"
    series = r0.get("series", [])
    upper = text.upper()
    for s in series:
        cols, rows = s.get("columns"), s.get("values")
        if not isinstance(cols, list) or not isinstance(rows, list) or not rows:
            return f"series without columns or values: {json.dumps(s)[:200]}"
        if any(not isinstance(row, list) or len(row) != len(cols) for row in rows):
            return "a row of another length than the columns"
        for row in rows:
            for v in row:
                if not (v is None or isinstance(v, (bool, int, float, str))):
                    return f"a value Grafana cannot type: {v!r}"
        if upper.startswith("SELECT"):
            if cols[0] != "time":
                return f"the first column is {cols[0]!r}, not \"time\""
            slack = max([interval_ms, DAY_MS if "TZ(" in upper else 0] + bucket_sizes(text))
            for row in rows:
                t = row[0]
                if isinstance(t, bool) or not isinstance(t, int):
                    return f"time {t!r} is not an integer (epoch=ms)"
                # holt_winters forecasts lie after the range, by design
                hi = tr[1] if tr and "HOLT_WINTERS" not in upper else float("inf")
                if tr and not (tr[0] - slack <= t <= hi):
                    return f"time {t} is not epoch ms within the range {tr[0]}..{tr[1]}"
        else:
            want = next((c for prefix, c in SHOW_COLUMNS if upper.startswith(prefix)), None)
            if want and cols != want:
                return f"columns {cols}, Grafana reads {want}"
    return None


def health_message(ans):
    """What Save & test says for this answer (healthcheck.go)."""
    if ans.status // 100 != 2:
        err = (ans.objs or [{}])[0].get("error", "") if ans.objs else ""
        return f"error reading influxDB: InfluxDB returned error: {err}"
    if not ans.objs or ans.errors():
        return "error reading influxDB: " + "; ".join(ans.errors())
    series = ans.objs[0]["results"][0].get("series") or []
    if not series:
        return "datasource is working. 0 measurements found"
    return f"datasource is working. {len(series[0].get('values') or [])} measurements found"


class Tally:
    def __init__(self):
        self.kinds = {}
        self.not_yet = []
        self.known = []
        self.failures = []
        self.encodings = {}


def exchange(servers, what, kind, req, tally, verbose, tr=None, interval_ms=0, text=""):
    """One replayed request to both servers: the comparison check and the
    Grafana-parser check on Strata's answer."""
    influx, strata = servers
    ia, sa = send(influx.port, req), send(strata.port, req)
    tally.kinds[kind] = tally.kinds.get(kind, 0) + 1
    for who, a in (("InfluxDB", ia), ("Strata", sa)):
        enc = (who, a.headers.get("content-encoding", "identity"))
        tally.encodings[enc] = tally.encodings.get(enc, 0) + 1
    outcome, detail = compare(ia, sa, text)
    label = f"[{kind}] {what}"
    if outcome == "not_yet":
        tally.not_yet.append((label, detail))
    elif outcome == "known":
        tally.known.append((label, detail))
        print(f"# known difference {label}: {detail}"[:600])
    else:
        ok = R.check(outcome == "pass", f"{label}: the same answer from both", detail[:600])
        if not ok:
            tally.failures.append((label, req, ia, sa, detail))
            if verbose:
                print(show_request(req))
                print(f"#   influx {ia.short(4000)}")
                print(f"#   strata {sa.short(4000)}")
    if outcome != "not_yet":
        problem = grafana_reads(sa, text, tr, interval_ms)
        if problem and ia.errors() and sa.errors():
            problem = None  # the same error as InfluxDB's: compared above
        ok = R.check(problem is None, f"{label}: Grafana's parser reads Strata's answer", problem or "")
        if not ok:
            tally.failures.append((label + " (parser)", req, ia, sa, problem))
    if ia.errors() and outcome == "pass":
        print(f"# note {label}: InfluxDB answers with an error too: {ia.errors()[0][:200]}")
    return ia, sa


# ------------------------------------------------------------------ what Grafana sends

def panel_models():
    """(name, range name, panel width, model). Ranges: 'now-<dur>' to now."""
    t = lambda p="$__interval": {"type": "time", "params": [p]}  # noqa: E731
    fill = lambda f: {"type": "fill", "params": [f]}  # noqa: E731
    tag = lambda k: {"type": "tag", "params": [k]}  # noqa: E731
    f = lambda name: {"type": "field", "params": [name]}  # noqa: E731
    fn = lambda name, *params: {"type": name, "params": list(params)}  # noqa: E731
    return [
        ("the editor's default panel", "1h", 1000,
         {"measurement": "cpu", "policy": "default", "select": [[f("usage_user"), fn("mean")]],
          "groupBy": [t(), fill("null")], "tags": [], "resultFormat": "time_series"}),
        ("mean by hostname", "3h", 800,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("mean")]],
          "groupBy": [t(), tag("hostname"), fill("null")]}),
        ("max with alias, region =, fill(none)", "6h", 1000,
         {"measurement": "cpu", "select": [[f("usage_system"), fn("max"), fn("alias", "peak")]],
          "tags": [{"key": "region", "operator": "=", "value": "us-east-1"}],
          "groupBy": [t(), fill("none")]}),
        ("last, hostname =~ /^(a|b)$/, fill(previous)", "1h", 1200,
         {"measurement": "cpu", "select": [[f("usage_idle"), fn("last")]],
          "tags": [{"key": "hostname", "operator": "=~", "value": "/^(host_1|host_2)$/"}],
          "groupBy": [t(), tag("hostname"), fill("previous")]}),
        ("count by region, fill(0), auto interval", "24h", 1200,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("count")]],
          "groupBy": [t("auto"), tag("region"), fill("0")]}),
        ("sum, fill(linear), hostname !=", "3h", 600,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("sum")]],
          "tags": [{"key": "hostname", "operator": "!=", "value": "host_3"},
                   {"key": "region", "operator": "=", "value": "us-west-2", "condition": "AND"}],
          "groupBy": [t(), fill("linear")]}),
        ("derivative(mean(reading), 1s) by device", "3h", 1000,
         {"measurement": "sensors", "select": [[f("reading"), fn("mean"), fn("derivative", "1s")]],
          "groupBy": [t(), tag("device"), fill("null")]}),
        ("non_negative_derivative(max(reading), 1m), device =", "6h", 1000,
         {"measurement": "sensors",
          "select": [[f("reading"), fn("max"), fn("non_negative_derivative", "1m"), fn("alias", "rate")]],
          "tags": [{"key": "device", "operator": "=", "value": "d1"}], "groupBy": [t(), fill("none")]}),
        ("difference(mean)", "1h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("mean"), fn("difference")]],
          "groupBy": [t(), fill("null")]}),
        ("moving_average(mean, 5)", "3h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("mean"), fn("moving_average", 5)]],
          "groupBy": [t(), fill("none")]}),
        ("percentile(95)", "6h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("percentile", 95)]],
          "groupBy": [t(), fill("null")]}),
        ("mean / 100 with alias", "3h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("mean"), fn("math", "/ 100"), fn("alias", "ratio")]],
          "groupBy": [t(), fill("null")]}),
        ("two select lists and math with $__interval_ms", "1h", 1000,
         {"measurement": "cpu",
          "select": [[f("usage_user"), fn("mean")],
                     [f("usage_system"), fn("sum"), fn("math", "* 1000 / $__interval_ms"), fn("alias", "per_s")]],
          "groupBy": [t(), fill("null")]}),
        ("OR of two hostnames", "1h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("mean")]],
          "tags": [{"key": "hostname", "operator": "=", "value": "host_1"},
                   {"key": "hostname", "operator": "=", "value": "host_2", "condition": "OR"}],
          "groupBy": [t(), tag("hostname"), fill("null")]}),
        ("field conditions > and <", "3h", 1000,
         {"measurement": "cpu", "select": [[f("usage_idle"), fn("mean")]],
          "tags": [{"key": "usage_idle::field", "operator": ">", "value": "50"},
                   {"key": "usage_user::field", "operator": "<", "value": "60", "condition": "AND"}],
          "groupBy": [t(), fill("none")]}),
        ("::tag key, anchored regex value with =", "1h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("mean")]],
          "tags": [{"key": "hostname::tag", "operator": "=", "value": "host_4"},
                   {"key": "region", "operator": "=", "value": "/^eu-central-1$/", "condition": "OR"}],
          "groupBy": [t(), fill("null")]}),
        ("raw values ORDER BY time DESC limit", "1h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user")], [f("hostname::tag")]],
          "tags": [{"key": "hostname", "operator": "=", "value": "host_0"}], "groupBy": [],
          "orderByTime": "DESC", "limit": "10", "resultFormat": "table"}),
        ("slimit 3 over hostnames", "3h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("mean")]],
          "groupBy": [t(), tag("hostname"), fill("none")], "slimit": "3"}),
        ("limit and slimit with ORDER BY time DESC", "1h", 500,
         {"measurement": "cpu", "select": [[f("usage_system"), fn("max")]],
          "groupBy": [t(), tag("hostname"), fill("null")], "orderByTime": "DESC", "limit": "5", "slimit": "2"}),
        ("tz('Europe/Paris') on 6h buckets", "30d", 100,
         {"measurement": "weather", "select": [[f("temperature"), fn("mean")]],
          "groupBy": [t(), tag("location"), fill("none")], "tz": "Europe/Paris"}),
        ("table of string, bool and integer fields", "1h", 1000,
         {"measurement": "sensors", "select": [[f("status")], [f("online")], [f("reading")], [f("device::tag")]],
          "groupBy": [], "limit": "50", "resultFormat": "table"}),
        ("mean(temp) with gaps, device =~", "3h", 1000,
         {"measurement": "sensors", "select": [[f("temp"), fn("mean")]],
          "tags": [{"key": "device", "operator": "=~", "value": "/^(d1|d3)$/"}],
          "groupBy": [t(), tag("device"), fill("null")]}),
        ("last(status) string, fill(previous)", "3h", 800,
         {"measurement": "sensors", "select": [[f("status"), fn("last")]],
          "groupBy": [t("1m"), tag("device"), fill("previous")]}),
        ("count(online) boolean, Is true", "6h", 1000,
         {"measurement": "sensors", "select": [[f("online"), fn("count")]],
          "tags": [{"key": "online::field", "operator": "Is", "value": "True"}],
          "groupBy": [t(), fill("0")]}),
        ("Is Not on a string field, level < 0", "3h", 1000,
         {"measurement": "sensors", "select": [[f("level"), fn("min")], [f("level"), fn("max")]],
          "tags": [{"key": "status::field", "operator": "Is Not", "value": "ok"},
                   {"key": "level::field", "operator": "<", "value": "0", "condition": "AND"}],
          "groupBy": [t(), fill("none")]}),
        ("distinct(status)", "3h", 300,
         {"measurement": "sensors", "select": [[f("status"), fn("distinct")]], "groupBy": [t(), fill("none")]}),
        ("median, stddev, spread", "6h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("median")], [f("usage_user"), fn("stddev")],
                                            [f("usage_user"), fn("spread")]],
          "groupBy": [t(), fill("null")]}),
        ("top(3) without GROUP BY", "1h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("top", 3)]], "groupBy": []}),
        ("cumulative_sum(mean)", "3h", 1000,
         {"measurement": "cpu", "select": [[f("usage_nice"), fn("mean"), fn("cumulative_sum")]],
          "groupBy": [t(), fill("none")]}),
        ("non_negative_difference(last(reading))", "3h", 1000,
         {"measurement": "sensors", "select": [[f("reading"), fn("last"), fn("non_negative_difference")]],
          "groupBy": [t(), tag("device"), fill("none")]}),
        # integral() of several series at once depends on the order of points
        # with equal times, which InfluxDB leaves to chance: one host
        ("integral of one host", "3h", 1000,
         {"measurement": "cpu", "select": [[f("usage_steal"), fn("integral")]],
          "tags": [{"key": "hostname", "operator": "=", "value": "host_2"}], "groupBy": [t(), fill("null")]}),
        ("first and min over all hosts", "3h", 1000,
         {"measurement": "cpu", "select": [[f("usage_steal"), fn("first")], [f("usage_steal"), fn("min")]],
          "groupBy": [t(), fill("null")]}),
        ("regex measurement", "1h", 1000,
         {"measurement": "/^cp/", "select": [[f("usage_user"), fn("mean")]], "groupBy": [t(), fill("null")]}),
        ("retention policy autogen (rp=)", "1h", 1000,
         {"measurement": "cpu", "policy": "autogen", "select": [[f("usage_user"), fn("mean")]],
          "tags": [{"key": "region", "operator": "=", "value": "us-east-1"}],
          "groupBy": [t(), tag("hostname"), fill("null")]}),
        ("bottom(2) by region", "30m", 1500,
         {"measurement": "cpu", "select": [[f("usage_idle"), fn("bottom", 2)]], "groupBy": [t(), tag("region")]}),
        # one host: over a mean of several series the fit amplifies the last
        # bits the summing order leaves (InfluxDB's is its merge order), and
        # Nelder-Mead may end in another minimum
        ("holt_winters(mean, 10, 4) of one host", "3h", 1000,
         {"measurement": "cpu", "select": [[f("usage_user"), fn("mean"), fn("holt_winters", 10, 4)]],
          "tags": [{"key": "hostname", "operator": "=", "value": "host_3"}],
          "groupBy": [t("5m"), fill("null")]}),
        # raw mode (the text as typed, macros replaced by the backend)
        ("raw: mean by region", "6h", 1000,
         {"rawQuery": True, "query": 'SELECT mean("usage_user") FROM "cpu" WHERE $timeFilter '
                                     'GROUP BY time($__interval), "region" fill(null)'}),
        ("raw: non_negative_derivative per device", "3h", 1000,
         {"rawQuery": True, "query": 'SELECT non_negative_derivative(max("reading"), 1m) FROM "sensors" WHERE '
                                     '"device" =~ /^d[12]$/ AND $timeFilter GROUP BY time($__interval), "device"'}),
        ("raw: day buckets in tz('Europe/Paris')", "7d", 1000,
         {"rawQuery": True, "query": 'SELECT mean("temperature"), max("humidity") FROM "weather" WHERE $timeFilter '
                                     "GROUP BY time(1d), \"location\" fill(none) tz('Europe/Paris')"}),
        ("raw: last values DESC LIMIT", "1h", 1000,
         {"rawQuery": True, "query": 'SELECT "usage_user", "hostname" FROM "cpu" WHERE $timeFilter AND '
                                     "\"hostname\" = 'host_0' ORDER BY time DESC LIMIT 5"}),
        ("raw: ad-hoc filter inserted after WHERE", "1h", 1000,
         {"rawQuery": True,
          "query": 'SELECT mean("usage_idle") FROM "cpu" WHERE $timeFilter GROUP BY time($__interval)',
          "tags": [{"key": "region", "operator": "=", "value": "eu-central-1"}]}),
        ("raw: old $interval and percentile", "24h", 1000,
         {"rawQuery": True, "query": 'SELECT percentile("usage_user", 99) FROM "cpu" WHERE $timeFilter '
                                     "GROUP BY time($interval) fill(none)"}),
        ("raw: sum / $__interval_ms and count of a string field", "3h", 1000,
         {"rawQuery": True, "query": 'SELECT sum("reading") / $__interval_ms, count("status") FROM "sensors" WHERE '
                                     '$timeFilter GROUP BY time($__interval) fill(0)'}),
    ]


RANGES = {"15m": 15 * 60000, "30m": 30 * 60000, "1h": HOUR_MS, "3h": 3 * HOUR_MS, "6h": 6 * HOUR_MS,
          "24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS}


def metadata_queries(ds):
    """(what, text, policy) the editor and template variables send."""
    tr = ds.show_tag_time
    region = [{"key": "region", "operator": "=", "value": "us-east-1"}]
    out = [
        ("retention policies", metadata_query("RETENTION_POLICIES"), ""),
        ("measurements", metadata_query("MEASUREMENTS"), ""),
        ("measurements, filter typed (case-insensitive)", metadata_query("MEASUREMENTS", measurement_filter="PU"), ""),
        ("measurements, another filter", metadata_query("MEASUREMENTS", measurement_filter="eAT"), ""),
        ("measurements with the query's tags", metadata_query("MEASUREMENTS", tags=[
            {"key": "hostname", "operator": "=", "value": "host_1"}]), ""),
        ("field keys (no measurement)", metadata_query("FIELDS"), ""),
        ("field keys of cpu", metadata_query("FIELDS", measurement="cpu"), ""),
        ("field keys of sensors, rp", metadata_query("FIELDS", measurement="sensors", policy="autogen"), "autogen"),
        ("tag keys", metadata_query("TAG_KEYS"), ""),
        ("tag keys of cpu", metadata_query("TAG_KEYS", measurement="cpu", time_range=tr), ""),
        ("tag keys of sensors, rp", metadata_query("TAG_KEYS", measurement="sensors", policy="autogen",
                                                  time_range=tr), "autogen"),
        ("tag values of hostname", metadata_query("TAG_VALUES", measurement="cpu", with_key="hostname",
                                                 time_range=tr), ""),
        ("tag values, ::tag key, another tag as WHERE", metadata_query(
            "TAG_VALUES", measurement="cpu", with_key="hostname::tag", tags=region + [
                {"key": "hostname", "operator": "=~", "value": "/^host_[2-6]$/"},
                {"key": "usage_user::field", "operator": ">", "value": "5"}], time_range=tr), ""),
        ("tag values with a regex condition", metadata_query(
            "TAG_VALUES", measurement="cpu", with_key="datacenter", tags=[
                {"key": "region", "operator": "=~", "value": "/^(us-east-1|eu-central-1)$/"}], time_range=tr), ""),
        ("tag values of device, rp", metadata_query("TAG_VALUES", measurement="sensors", with_key="device",
                                                   policy="autogen", time_range=tr), "autogen"),
        ("tag values over every measurement", metadata_query("TAG_VALUES", with_key="region"), ""),
        ("tag values, regex measurement", metadata_query("TAG_VALUES", measurement="/^(cpu|weather)$/",
                                                        with_key="location"), ""),
        # template variables: the query as the user typed it (raw)
        ("variable: measurements", "SHOW MEASUREMENTS", ""),
        ("variable: hostnames", 'SHOW TAG VALUES FROM "cpu" WITH KEY = "hostname"', ""),
        ("variable: chained on a multi-value region", 'SHOW TAG VALUES FROM "cpu" WITH KEY = "hostname" '
                                                      "WHERE \"region\" =~ /^(us-east-1|us-west-2)$/", ""),
        ("variable: tag keys", 'SHOW TAG KEYS FROM "sensors"', ""),
        ("variable: field keys", 'SHOW FIELD KEYS FROM "weather"', ""),
        ("variable: key regex", 'SHOW TAG VALUES WITH KEY =~ /^(region|location)$/', ""),
        ("variable: distinct values via SELECT", 'SELECT distinct("status") FROM "sensors" WHERE $timeFilter', ""),
    ]
    return out


# ------------------------------------------------------------------ self-checks

def check_rules():
    """The re-implemented rules against cases worked out from Grafana's
    sources (its unit tests' shapes): a wrong rule would show here."""
    tr = (1596240000000, 1596240300000)  # 2020-08-01 00:00 .. 00:05 UTC
    mean_value = [[{"type": "field", "params": ["value"]}, {"type": "mean", "params": []}]]
    tf = "time >= 1596240000000ms and time <= 1596240300000ms"
    cases = [
        (build_query({"measurement": "cpu", "policy": "policy", "select": mean_value,
                      "groupBy": [{"type": "time", "params": ["$__interval"]}, {"type": "fill", "params": ["null"]}]},
                     tr, 10000),
         f'SELECT mean("value") FROM "policy"."cpu" WHERE {tf} GROUP BY time(10s) fill(null)'),
        (build_query({"measurement": "cpu", "select": mean_value, "tz": "Europe/Paris", "limit": "1", "slimit": "1",
                      "orderByTime": "ASC", "groupBy": [{"type": "time", "params": ["$__interval"]}]}, tr, 5000),
         f"SELECT mean(\"value\") FROM \"cpu\" WHERE {tf} GROUP BY time(5s) ORDER BY time ASC limit 1 slimit 1 "
         "tz('Europe/Paris')"),
        (build_query({"measurement": "cpu", "select": mean_value,
                      "tags": [{"key": "hostname", "value": "server1", "operator": "="},
                               {"key": "hostname", "value": "server2", "operator": "=", "condition": "OR"}],
                      "groupBy": [{"type": "time", "params": ["$__interval"]}, {"type": "tag", "params": ["dc"]},
                                  {"type": "fill", "params": ["null"]}]}, tr, 5000),
         f"SELECT mean(\"value\") FROM \"cpu\" WHERE (\"hostname\" = 'server1' OR \"hostname\" = 'server2') AND "
         f"{tf} GROUP BY time(5s), \"dc\" fill(null)"),
        (build_query({"measurement": "cpu",
                      "select": [mean_value[0] + [{"type": "math", "params": ["/ $__interval_ms"]}]]}, tr, 5000),
         f'SELECT mean("value") / 5000 FROM "cpu" WHERE {tf}'),
        (build_query({"measurement": "cpu", "select": mean_value,
                      "groupBy": [{"type": "time", "params": ["$interval"]}]}, tr, 200),
         f'SELECT mean("value") FROM "cpu" WHERE {tf} GROUP BY time(200ms)'),
        (" ".join(render_tags_backend([{"key": "k", "value": "/v/"}])), '"k" =~ /v/'),
        (" ".join(render_tags_backend([{"key": "k", "operator": "=", "value": "10001"}])), "\"k\" = '10001'"),
        (" ".join(render_tags_backend([{"key": "k", "operator": "<", "value": "10001"}])), '"k" < 10001'),
        (" ".join(render_tags_backend([{"key": "k", "operator": ">", "value": "/^12.2$/"}])), "\"k\" > '12.2'"),
        (" ".join(render_tags_backend([{"key": "k", "operator": "Is", "value": "False"}])), '"k" = false'),
        (" ".join(render_tags_backend([{"key": "k", "operator": "Is Not", "value": "-1.5"}])), '"k" != -1.5'),
        (" ".join(render_tags_backend([{"key": "k", "operator": "Is", "value": "A b"}])), "\"k\" = 'A b'"),
        (" ".join(render_tags_backend([{"key": "k", "operator": "=", "value": "C:\\t\\"}])), "\"k\" = 'C:\\\\t\\\\'"),
        (with_adhoc_filters('SELECT "g" AS "where x" FROM "m" WHERE time > 1', [{"key": "a", "value": "b"}]),
         'SELECT "g" AS "where x" FROM "m" WHERE "a" = \'b\' AND time > 1'),
        (with_adhoc_filters('SELECT "g" FROM "m"', [{"key": "a", "value": "b"}] * 2),
         'SELECT "g" FROM "m" WHERE "a" = \'b\' AND "a" = \'b\''),
        (metadata_query("MEASUREMENTS", measurement_filter="a.b"),
         "SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)a\\.b/ LIMIT 100"),
        (metadata_query("TAG_VALUES", measurement="m", policy="rp", with_key="k::tag",
                        tags=[{"key": "x", "value": "it's"}, {"key": "y", "operator": "<", "value": "1"}],
                        time_range="1h"),
         "SHOW TAG VALUES FROM \"rp\".\"m\" WITH KEY = \"k\" WHERE \"x\" = 'it\\'s' AND time > now() - 1h"),
        (metadata_query("FIELDS", measurement="m", policy="default"), 'SHOW FIELD KEYS FROM "m"'),
        (str(calculate_interval_ms(0, HOUR_MS, 1000)), "5000"),  # 3600 ms is not < 3500
        (str(calculate_interval_ms(0, 15 * 60000, 300)), "2000"),
        (str(calculate_interval_ms(0, HOUR_MS, 1000, "10s")), "10000"),
        (str(calculate_interval_ms(0, 6 * HOUR_MS, 1000)), "20000"),
        (str(calculate_interval_ms(0, 30 * DAY_MS, 100)), "21600000"),
        (str(calculate_interval_ms(0, 7500, 1)), "10000"),  # 7500 is not < 7500
        (format_interval(90000) + " " + format_interval(200) + " " + format_interval(86400000), "1m 200ms 1d"),
    ]
    bad = [f"got {got!r}, expected {want!r}" for got, want in cases if got != want]
    R.check(not bad, f"the re-implemented Grafana rules give the expected text for {len(cases)} cases",
            "; ".join(bad))
    ds = DataSource("p", "POST", user="u", password="p")
    got = grafana_request(ds, 'SELECT "a b" FROM x/y', "autogen")
    want = ("POST", "/query?db=telegraf&epoch=ms&rp=autogen",
            [("User-Agent", f"Grafana/{GRAFANA_VERSION}"), ("Content-Length", "29"),
             ("Authorization", "Basic dTpw"), ("Content-Type", "application/x-www-form-urlencoded"),
             ("Accept-Encoding", "gzip")], b"q=SELECT+%22a+b%22+FROM+x%2Fy")
    R.check(got == want, "a POST request is written as Go writes Grafana's", repr(got))
    m, target, headers, body = grafana_request(DataSource("g", "GET"), "SHOW measurements")
    R.check((m, target, body, [h[0] for h in headers]) == ("GET", "/query?db=telegraf&epoch=ms&q=SHOW+measurements",
                                                          None, ["User-Agent", "Accept-Encoding"]),
            "a GET request is written as Go writes Grafana's", repr((m, target, headers, body)))


def check_checks():
    """compare() and grafana_reads() on hand-made answers: equal ones pass,
    altered ones fail (so that a check that passes everything shows)."""
    def ans(obj, status=200, ctype="application/json"):
        return Reply(status, {"content-type": ctype}, json.dumps(obj), [obj])
    tr = (1000000000000, 1000000600000)
    base = {"results": [{"statement_id": 0, "series": [
        {"name": "cpu", "tags": {"hostname": "h1"}, "columns": ["time", "mean", "s", "b"],
         "values": [[1000000000000, 1.5, "x", True], [1000000010000, None, "y", False]]}]}]}

    def alter(f):
        o = json.loads(json.dumps(base))
        f(o["results"][0]["series"][0])
        return o
    sel = "SELECT mean(x) FROM cpu"
    pairs = [
        ("the same answer", base, base, "pass"),
        ("a float within 1e-9", base, alter(lambda s: s["values"][0].__setitem__(1, 1.5 * (1 + 1e-12))), "pass"),
        ("a float off by 1e-6", base, alter(lambda s: s["values"][0].__setitem__(1, 1.5000015)), "fail"),
        ("a row missing", base, alter(lambda s: s["values"].pop()), "fail"),
        ("another time", base, alter(lambda s: s["values"][1].__setitem__(0, 1000000010001)), "fail"),
        ("a tag changed", base, alter(lambda s: s["tags"].__setitem__("hostname", "h2")), "fail"),
        ("null for a value", base, alter(lambda s: s["values"][0].__setitem__(1, None)), "fail"),
        ("true for 1", alter(lambda s: s["values"][0].__setitem__(3, 1)), base, "fail"),
        ("a not-yet error", base, {"results": [{"statement_id": 0, "error": "x() not supported by Strata yet"}]},
         "not_yet"),
    ]
    bad = []
    for what, a, b, want in pairs:
        got = compare(ans(a), ans(b), sel)[0]
        if got != want:
            bad.append(f"{what}: {got}, expected {want}")
    if compare(ans(base, 400), ans(base), sel)[0] != "fail":
        bad.append("another status passes")
    shapes = [
        ("Grafana-readable", ans(base), None),
        ("time not first", ans(alter(lambda s: s.__setitem__("columns", ["mean", "time", "s", "b"]))), "first column"),
        ("time as a float", ans(alter(lambda s: s["values"][0].__setitem__(0, 1000000000000.0))), "not an integer"),
        ("time in ns", ans(alter(lambda s: s["values"][0].__setitem__(0, 1000000000000 * 10**6))), "within the range"),
        ("time as RFC 3339", ans(alter(lambda s: s["values"][0].__setitem__(0, "2001-09-09T01:46:40Z"))),
         "not an integer"),
        ("a short row", ans(alter(lambda s: s["values"][0].pop())), "another length"),
        ("text/plain", ans(base, ctype="text/plain"), "Content-Type"),
        ("a statement error", ans({"results": [{"statement_id": 0, "error": "boom"}]}), "results[0].error"),
        ("status 500", ans(base, 500), "status"),
    ]
    for what, a, want in shapes:
        got = grafana_reads(a, sel, tr, 10000)
        if (want is None) != (got is None) or (want and want not in got):
            bad.append(f"parser check, {what}: {got!r}, expected {want!r}")
    show = ans({"results": [{"statement_id": 0, "series": [{"name": "measurements", "columns": ["name"],
                                                            "values": [["cpu"], ["sensors"]]}]}]})
    if grafana_reads(show, "SHOW TAG KEYS") is None or grafana_reads(show, "SHOW MEASUREMENTS LIMIT 100") is not None:
        bad.append("SHOW column check")
    if health_message(show) != "datasource is working. 2 measurements found":
        bad.append(f"health message {health_message(show)!r}")
    R.check(not bad, f"the checks decide {len(pairs) + 1 + len(shapes) + 3} hand-made answers as expected",
            "; ".join(bad))


# ------------------------------------------------------------------ data

def dataset(now_ns):
    """influxql_data's cpu (10 hosts, 2 h at 10 s), sensors and weather,
    ending on a multiple of 10 s 70..80 s before now."""
    step = 10 * 10**9
    end = (now_ns - 70 * 10**9) // step * step + step
    rng = random.Random(influxql_data.SEED)
    cpu, _ = influxql_data.cpu_lines(rng, end, 10)
    sensors, _ = influxql_data.sensor_lines(rng, end)
    weather, _ = influxql_data.weather_lines(rng, end)
    return weather + cpu + sensors, end


def load(servers, lines):
    for name, srv in servers:
        st, body = raw_post(srv.port, "/query", urllib.parse.urlencode({"q": f'CREATE DATABASE "{DB}"'}).encode(),
                            "application/x-www-form-urlencoded")
        R.check(st == 200 and "error" not in body, f"{name}: CREATE DATABASE {DB}", f"{st} {body[:300]}")
        bad = []
        for i in range(0, len(lines), 2000):
            st, body = raw_post(srv.port, f"/write?db={DB}&precision=ns",
                                ("\n".join(lines[i:i + 2000]) + "\n").encode(), "text/plain")
            if st != 204:
                bad.append(f"lines {i}..: {st} {body[:200]}")
        R.check(not bad, f"{name}: {len(lines)} lines written, all accepted (204)", "; ".join(bad[:3]))


def raw_post(port, path, body, ctype):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", path, body=body, headers={"Content-Type": ctype})
    r = conn.getresponse()
    out = r.status, r.read().decode("utf-8", "replace")
    conn.close()
    return out


# ------------------------------------------------------------------ running

def run_panels(servers, dss, now_ms, tally, verbose, suffix=""):
    for name, rng, width, model in panel_models():
        tr = (now_ms - RANGES[rng], now_ms)
        for ds in dss:
            iv = calculate_interval_ms(tr[0], tr[1], width, ds.min_interval)
            text = build_query(model, tr, iv)
            req = grafana_request(ds, text, model.get("policy", "default"))
            kind = ("raw-mode panel" if model.get("rawQuery") else "visual-editor panel") + f" {ds.http_mode}"
            exchange(servers, f"{name} (last {rng}, {width} px, $__interval {format_interval(iv)}){suffix}: {text}",
                     kind, req, tally, verbose, tr, iv, text)


def run(servers, args):
    tally = Tally()
    post = DataSource("POST, min interval 10s, user/password", "POST", min_interval="10s", user="grafana",
                      password="s3cret", show_tag_time="1h")
    get = DataSource("GET, no minimum, no auth", "GET")
    dss = [post, get]
    # Save & test
    for ds in dss:
        req = grafana_request(ds, "SHOW measurements")
        ia, sa = exchange(servers, f"Save & test ({ds.name}): SHOW measurements", f"Save & test {ds.http_mode}",
                          req, tally, args.verbose, text="SHOW measurements")
        hi, hs = health_message(ia), health_message(sa)
        R.check(hi == hs == "datasource is working. 3 measurements found",
                f"Save & test ({ds.http_mode}) says the same on both", f"influx {hi!r}, strata {hs!r}")
    # the dashboard's "now" (Date.now()), taken at a fixed phase, 3.211 s
    # before a multiple of 10 s, so that every run puts the ranges' unaligned
    # starts at the same place within the 5 s and 10 s buckets
    now_ms = int(time.time() * 1000) // 10000 * 10000 - 3211
    run_panels(servers, dss, now_ms, tally, args.verbose)
    for ds in dss:
        for what, text, policy in metadata_queries(ds):
            tr = (now_ms - 6 * HOUR_MS, now_ms)
            full = build_query({"rawQuery": True, "query": text}, tr, 1)
            kind = ("template variable" if what.startswith("variable") else "editor metadata") + f" {ds.http_mode}"
            exchange(servers, f"{what}: {full}" + (f" (rp={policy})" if policy else ""), kind,
                     grafana_request(ds, full, policy), tally, args.verbose, tr, 0, full)
    return tally, dss, now_ms


def near(objs, detail, k=2):
    """The rows around the first difference named in detail ($.results[0]
    .series[i].values[j]...), or None."""
    m = re.match(r"\$\.results\[(\d+)\]\.series\[(\d+)\]\.values(?:\[(\d+)\])?", detail or "")
    if not m or not objs:
        return None
    try:
        s = objs[0]["results"][int(m.group(1))]["series"][int(m.group(2))]
    except (KeyError, IndexError, TypeError):
        return None
    j = int(m.group(3)) if m.group(3) else len(s.get("values") or [])
    lo = max(0, j - k)
    return f"series {s.get('tags', {})} rows {lo}..: " + json.dumps((s.get("values") or [])[lo:j + k + 1])


def report(tally):
    print("# requests replayed, by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(tally.kinds.items())))
    print("# answers' Content-Encoding (Go's transport inflates gzip itself, so both do for Grafana): " +
          ", ".join(f"{w} {e} {n}" for (w, e), n in sorted(tally.encodings.items())))
    if tally.not_yet:
        print(f"not yet supported by Strata: {len(tally.not_yet)} requests")
        for label, detail in tally.not_yet[:10]:
            print(f"#   {label[:300]}: {detail}")
    if tally.failures:
        print(f"# {len(tally.failures)} failed checks; the first ones in full:")
        for label, req, ia, sa, detail in tally.failures[:8]:
            print(f"# --- {label[:400]}\n#   {detail[:600]}")
            print("#   request:\n" + "\n".join("#     " + line for line in show_request(req).splitlines()))
            print(f"#   influx {ia.short(1500)}")
            print(f"#   strata {sa.short(1500)}")
            for who, a in (("influx", ia), ("strata", sa)):
                rows = near(a.objs, detail)
                if rows:
                    print(f"#   {who} near the difference: {rows[:800]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print every difference with both answers")
    args = ap.parse_args()
    t0 = time.time()
    check_rules()
    check_checks()
    if not os.path.exists(BIN):
        R.check(False, f"the Strata binary is there ({BIN})")
        return R.done()
    influx = strata = None
    try:
        influx = InfluxDB().start()
        strata = Server("--retention", "0").start()
        servers = (influx, strata)
        lines, end = dataset(time.time_ns())
        load([("InfluxDB", influx), ("Strata", strata)], lines)
        print(f"# data: {len(lines)} lines, the last {(time.time_ns() - end) / 1e9 + 10:.0f} s before now, "
              f"loaded in {time.time() - t0:.1f} s")
        tally, dss, now_ms = run(servers, args)
        # again from blocks
        st, b = raw_post(strata.port, "/api/v1/admin/flush", b"", "text/plain")
        R.check(st in (200, 204), "Strata flushes its head into blocks", f"{st} {b[:200]}")
        run_panels(servers, dss, now_ms, tally, args.verbose, " (from blocks)")
        report(tally)
        st, _ = raw_post(strata.port, "/query", b"q=SHOW+DATABASES", "application/x-www-form-urlencoded")
        R.check(st == 200, "Strata serves on at the end")
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, strata)
    finally:  # both stopped before anything is printed (stdout may be a closed pipe)
        rc = strata.stop() if strata else None
        if influx:
            influx.stop()
        if strata:
            tail = strata.tail()[-1500:]
            strata.cleanup()
            R.check(rc == 0, "strata exits cleanly", f"rc={rc} {tail}")
        print(f"# {time.time() - t0:.1f} s in all")
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
