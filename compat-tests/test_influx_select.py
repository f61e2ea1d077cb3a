"""Differential InfluxQL SELECT suite: Strata's /query against a real
InfluxDB 1.6 (Debian's influxd), the reference of the InfluxQL work.

Why: Grafana's InfluxDB data source and the influx CLI read whatever JSON
/query gives them; Strata is a drop-in only if that JSON is InfluxDB's,
byte for byte in structure: the same series, tags, columns, row order,
time formats, partial flags and error texts.

Data: influxql_data.py (a TSBS-like cpu measurement of 10 hosts, an
irregular `sensors` measurement of every field type with gaps, missing
fields and a counter reset, a `weather` measurement over 3 days, a `dst`
measurement around the last change of European summer time), ending at a
whole hour a few minutes before now; Strata runs with --retention 0, as
InfluxDB's autogen keeps everything. Both servers get the same line
protocol (/write?precision=ns, 2,000 lines a request); every request must
be accepted, InfluxDB must count what was sent and Strata must hold exactly
what was sent (its /api/v1/export, value by value); SHOW SERIES and SHOW
FIELD KEYS must be equal on both.

Queries: influxql_corpus.py (540 SELECTs by category; its header lists
what InfluxDB 1.6 was found to do). Each goes as
GET /query?db=...&q=... to both servers with epoch=ns; a subset also with
no epoch (RFC 3339 times), epoch=ms, epoch=s (a few with u and h), a
subset with chunked=true&chunk_size=7 and with chunked=true alone, and a
few joined with the next query into one multi-statement request. One check
per (query, variant): the same HTTP status, and the same decoded JSON (for
chunked answers: the same sequence of JSON objects): keys, names, tags,
columns, statement ids, partial flags, error texts exactly; ints, strings,
bools and nulls exactly, floats within 1e-9 relative (numbers compare as
numbers: 100 equals 100.0, a bool never equals 1); rows in InfluxDB's
order, except that rows of one series with the same time are compared as
a multiset (InfluxDB merges series by a heap: the order among equal times
follows no rule a client could rely on). sample() is random: its answers
are compared by shape and row count only.

Strata's per-statement error "... not supported by Strata yet" is not a
failure while the evaluator is being written, but it is counted, by
category, in a summary line and in "BENCH influxql_not_yet N" (queries).
A query on which InfluxDB itself fails outside the category "errors",
succeeds inside it, or does not answer, is a corpus problem and fails.
Queries with now(), and GROUP BY time without an upper time bound (whose
last bucket is now's), are sent only while the clock is more than 1 s away
from a multiple of 10 s, where all cpu/weather points lie, so that both
servers see the same points; in their answers, row times within 2 s of
each other count as equal (an aggregate over time > now() - 1h has the
time now() - 1h, which moves between the two requests).

Usage: test_influx_select.py [-k TEXT]... [-c CATEGORY]... [-v] [--max-print N]
  -k TEXT       only queries containing TEXT (repeatable: any of them)
  -c CATEGORY   only this category (repeatable)
  -v            print every difference in full, with both answers
  --max-print N differences printed (default 30)
Hidden: --self-check (InfluxDB against itself: every query twice; must
find no difference), --check-judge (only the judge's own unit check,
which every run does first).
Environment: STRATA_BIN (default build/strata, built when missing);
STRATA_SMOKE: also runs under ASan (make test-asan).
About 10 s on 2 cores. The last line is
"test_influx_select: N passed, M failed"."""
import argparse
import concurrent.futures
import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ for the modules next to it
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, InfluxDB, Results, report_crash, ROOT, BIN  # noqa: E402
import influxql_data  # noqa: E402
import influxql_corpus  # noqa: E402

R = Results("test_influx_select")
DB = "iqselect"
NOT_YET = "not supported by Strata yet"
# Differences kept on purpose (each printed on every run, with its reason;
# README's InfluxQL section lists them): the corpus query -> why.
KNOWN = {
    "SELECT abs(reading - 5000) FROM sensors WHERE device = 'd1' LIMIT 5":
        "InfluxDB 1.6 returns an integer's abs() unchanged (-4080); Strata its absolute value",
    "SELECT usage_user FROM cpu WHERE hostname =~ /(/":
        "the regex error's wording is Go's in InfluxDB, PCRE2's in Strata (both refuse it with 400)",
    "SELECT cumulative_sum(reading), difference(reading) FROM sensors WHERE device = 'd3' LIMIT 10":
        "InfluxDB 1.6 answers LIMIT 10 with 11 rows when cumulative_sum() and difference() are together",
}
LINES_PER_WRITE = 2000
CHUNK_SIZE = 7  # small, so that many answers are cut into partial pieces
REL_TOL = 1e-9


# ------------------------------------------------------------------ HTTP

class Answer:
    """One /query answer: HTTP status (0: no answer), the decoded JSON
    objects (one, or the chunked stream's), or None with the raw text."""

    def __init__(self, status, objs, raw):
        self.status, self.objs, self.raw = status, objs, raw

    def errors(self):
        """Every error text in the answer (top level and per statement)."""
        out = []
        for o in self.objs or []:
            if not isinstance(o, dict):
                continue
            if isinstance(o.get("error"), str):
                out.append(o["error"])
            for r in o.get("results") or []:
                if isinstance(r, dict) and isinstance(r.get("error"), str):
                    out.append(r["error"])
        return out

    def short(self, n=300):
        return f"{self.status} {self.raw[:n].rstrip()}"


def decode_stream(text):
    """The JSON values of a body: one, or several one after another
    (chunked answers put one object on each line)."""
    dec = json.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i == len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


def query(port, params, timeout):
    params = dict(params)
    headers = {"Accept": "application/csv"} if params.pop("csv", None) else {}
    url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    except OSError as e:  # refused, reset, timed out
        return Answer(0, None, f"no answer: {e!r}")
    text = body.decode("utf-8", "replace")
    if headers:  # CSV: compared as text
        return Answer(status, [{"csv": text}], text)
    try:
        objs = decode_stream(text)
    except ValueError:
        objs = None
    return Answer(status, objs or None, text)


def http(port, method, path, body=None, headers=None, timeout=60):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


# ------------------------------------------------------------------ comparison

def canonical_ties(objs):
    """Copies objs with the rows of each series sorted within runs of equal
    time. A series cut into partial pieces (chunked) is one run over all
    its pieces; the rows go back into pieces of the original sizes, so the
    framing is still compared as it is."""
    objs = json.loads(json.dumps(objs))
    runs, open_runs = [], {}
    for o in objs:
        for r in (o.get("results") or []) if isinstance(o, dict) else []:
            for s in (r.get("series") or []) if isinstance(r, dict) else []:
                if not isinstance(s, dict) or not isinstance(s.get("values"), list):
                    continue
                key = json.dumps([r.get("statement_id"), s.get("name"), s.get("tags")], sort_keys=True)
                run = open_runs.get(key)
                if run is None:
                    run = []
                    runs.append(run)
                run.append(s)
                if s.get("partial") is True:
                    open_runs[key] = run
                else:
                    open_runs.pop(key, None)
    for run in runs:
        rows = [row for s in run for row in s["values"]]
        if not all(isinstance(row, list) and row for row in rows):
            continue
        out, i = [], 0
        while i < len(rows):
            j = i + 1
            while j < len(rows) and rows[j][0] == rows[i][0]:
                j += 1
            out += sorted(rows[i:j], key=row_key) if j - i > 1 else rows[i:j]
            i = j
        k = 0
        for s in run:
            n = len(s["values"])
            s["values"] = out[k:k + n]
            k += n
    return objs


def row_key(row):
    """A sort key for rows of mixed JSON values (floats rounded, so that
    values within the tolerance sort alike)."""
    def one(v):
        if v is None:
            return (0, "")
        if isinstance(v, bool):
            return (1, str(v))
        if isinstance(v, (int, float)):
            return (2, f"{v:.9g}")
        return (3, str(v))
    return [one(v) for v in row]


RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")
UNIT_NS = {"ns": 1, "n": 1, "u": 10**3, "µ": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def time_ns(v, epoch):
    """A row's time in ns (as precise as its format), or None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int) and epoch in UNIT_NS:
        return v * UNIT_NS[epoch]
    if isinstance(v, str):
        m = RFC3339.match(v)
        if m:
            import datetime
            tz = datetime.timezone.utc if m.group(3) == "Z" else datetime.timezone(
                datetime.timedelta(hours=int(m.group(3)[:3]), minutes=int(m.group(3)[0] + m.group(3)[4:])))
            d = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=tz)
            return int(d.timestamp()) * 10**9 + int((m.group(2) or "0").ljust(9, "0"))
    return None


def align_now_times(a, b, epoch, slack_ns=2 * 10**9):
    """For queries with now(): InfluxDB gives aggregates without GROUP BY
    time the lower time bound as their time, now() - 1h, which moves with
    the clock between the two requests. Copies a's row times into b where
    the two are less than slack_ns apart (one unit for epoch=m/h)."""
    slack = max(slack_ns, UNIT_NS.get(epoch or "ns", 1))
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k in b:
                if k == "values" and isinstance(a[k], list) and isinstance(b[k], list):
                    for ra, rb in zip(a[k], b[k]):
                        if isinstance(ra, list) and isinstance(rb, list) and ra and rb:
                            ta, tb = time_ns(ra[0], epoch), time_ns(rb[0], epoch)
                            if ta is not None and tb is not None and abs(ta - tb) <= slack:
                                rb[0] = ra[0]
                else:
                    align_now_times(a[k], b[k], epoch, slack_ns)
    elif isinstance(a, list) and isinstance(b, list):
        for x, y in zip(a, b):
            align_now_times(x, y, epoch, slack_ns)


def shape_only(objs):
    """For sample(): series with their rows counted, not compared."""
    objs = json.loads(json.dumps(objs))
    for o in objs:
        for r in (o.get("results") or []) if isinstance(o, dict) else []:
            for s in (r.get("series") or []) if isinstance(r, dict) else []:
                if isinstance(s, dict) and isinstance(s.get("values"), list):
                    s["values"] = f"{len(s['values'])} rows (sample() is random: only counted)"
    return objs


def num_equal(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    a, b = float(a), float(b)
    if a == b:
        return True
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return False
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def show(v, n=120):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "..."


def first_difference(a, b, path="$"):
    """None if a (InfluxDB) and b (Strata) are equal, else where and how
    they first differ, in words."""
    if isinstance(a, bool) or isinstance(b, bool):
        if type(a) is not type(b) or a != b:
            return f"{path}: influx {show(a)}, strata {show(b)}"
        return None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return None if num_equal(a, b) else f"{path}: influx {show(a)}, strata {show(b)}"
    if type(a) is not type(b):
        return f"{path}: influx {show(a)}, strata {show(b)}"
    if isinstance(a, dict):
        for k in a:
            if k not in b:
                return f"{path}: key {k!r} missing in strata (influx {show(a[k])})"
        for k in b:
            if k not in a:
                return f"{path}: extra key {k!r} in strata ({show(b[k])})"
        for k in a:
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        if len(a) != len(b):
            i = min(len(a), len(b))
            more = a[i] if len(a) > i else b[i]
            return (f"{path}: {len(a)} elements in influx, {len(b)} in strata; first unmatched "
                    f"({'influx' if len(a) > i else 'strata'}) {show(more)}")
        return None
    return None if a == b else f"{path}: influx {show(a)}, strata {show(b)}"


class Outcome:
    """kind: pass, fail, not_yet, known (a KNOWN difference), corpus (InfluxDB itself misbehaved)."""

    def __init__(self, cat, query, label, kind, detail="", influx=None, strata=None):
        self.cat, self.query, self.label, self.kind, self.detail = cat, query, label, kind, detail
        self.influx, self.strata = influx, strata


def csv_difference(a, b):
    """None when two CSV answers hold the same cells (numbers within 1e-9
    relative, as the JSON ones), else where they first differ."""
    ra, rb = list(csv.reader(io.StringIO(a))), list(csv.reader(io.StringIO(b)))
    if len(ra) != len(rb):
        return f"$.csv: {len(ra)} lines from influx, {len(rb)} from strata: influx {a[:200]!r}, strata {b[:200]!r}"
    for i, (x, y) in enumerate(zip(ra, rb)):
        if len(x) != len(y):
            return f"$.csv line {i + 1}: influx {x}, strata {y}"
        for u, v in zip(x, y):
            if u == v:
                continue
            try:
                fu, fv = float(u), float(v)
            except ValueError:
                return f"$.csv line {i + 1}: influx {x}, strata {y}"
            if not num_equal(fu, fv):
                return f"$.csv line {i + 1}: influx {x}, strata {y}"
    return None


def judge(cat, q, label, ia, sa, epoch=None):
    """Compares InfluxDB's answer ia with Strata's sa for a query q of
    category cat, asked with epoch (None: RFC 3339); -> Outcome."""
    def out(kind, detail=""):
        return Outcome(cat, q, label, kind, detail, ia, sa)
    if ia.status == 0:
        return out("corpus", f"InfluxDB did not answer ({ia.raw[:200]})")
    if ia.objs is None:
        return out("corpus", f"InfluxDB's answer is not JSON: {ia.short()}")
    influx_failed = ia.status != 200 or bool(ia.errors())
    if cat == "errors" and not influx_failed:
        return out("corpus", "InfluxDB accepts this query of 'errors'")
    if cat != "errors" and influx_failed:
        return out("corpus", f"InfluxDB refuses it: {ia.short()}")
    if sa.status == 0:
        return out("fail", f"Strata did not answer ({sa.raw[:200]})")
    errs = [e for e in sa.errors() if NOT_YET in e]
    if errs:
        return out("not_yet", errs[0][:200])
    if ia.status != sa.status:
        return out("known" if q in KNOWN else "fail", f"HTTP status: influx {ia.short(200)}; strata {sa.short(200)}")
    if sa.objs is None:
        return out("fail", f"Strata's answer is not JSON: {sa.short()}")
    if len(ia.objs) != len(sa.objs):
        return out("fail", f"{len(ia.objs)} JSON objects from influx, {len(sa.objs)} from strata: "
                           f"influx {ia.short(200)}; strata {sa.short(200)}")
    if "csv" in ia.objs[0]:
        ic, sc = ia.objs[0]["csv"], sa.objs[0]["csv"]
        if "sample(" in q:  # random: the header and the number of lines only
            il, sl = ic.splitlines(), sc.splitlines()
            d = None if len(il) == len(sl) and il[:1] == sl[:1] else \
                f"sample() CSV: influx {len(il)} lines {il[:1]}, strata {len(sl)} lines {sl[:1]}"
        else:
            d = csv_difference(ic, sc)
        return out("fail", d) if d else out("pass")
    a, b = canonical_ties(ia.objs), canonical_ties(sa.objs)
    if "now()" in q:
        align_now_times(a, b, epoch)
        b = canonical_ties(b)
    if "sample(" in q:
        a, b = shape_only(a), shape_only(b)
    d = first_difference(a if len(a) > 1 else a[0], b if len(b) > 1 else b[0])
    known = [KNOWN[p] for p in [q] + q.split("; ") if p in KNOWN]  # a joined pair holds a known one
    if d and known:
        return out("known", f"{known[0]} ({d})")
    return out("fail", d) if d else out("pass")


def check_judge():
    """The judge on hand-made pairs: equal answers pass, altered ones fail
    (a judge that passes everything, or fails everything, would show)."""
    def ans(obj, status=200):
        objs = obj if isinstance(obj, list) else [obj]
        return Answer(status, objs, json.dumps(obj))
    series = {"name": "cpu", "tags": {"hostname": "host_1"}, "columns": ["time", "mean", "n", "s", "ok"],
              "values": [[10, 1.5, 3, "a", True], [20, None, 4, "b", False]]}
    base = {"results": [{"statement_id": 0, "series": [series]}]}

    def alter(f):
        o = json.loads(json.dumps(base))
        f(o["results"][0])
        return o
    ties_a = {"results": [{"statement_id": 0, "series": [{"name": "w", "columns": ["time", "v"],
                                                         "values": [[1, "x"], [1, "y"], [2, "z"]]}]}]}
    ties_b = {"results": [{"statement_id": 0, "series": [{"name": "w", "columns": ["time", "v"],
                                                         "values": [[1, "y"], [1, "x"], [2, "z"]]}]}]}
    def chunk(rows, partial):
        """One object of a chunked answer: a piece of series w."""
        flag = {"partial": True} if partial else {}
        return {"results": [{"statement_id": 0, "series": [dict(name="w", columns=["time", "v"], values=rows, **flag)],
                             **flag}]}
    err = {"results": [{"statement_id": 0, "error": "undefined function nosuch()"}]}
    cases = [
        ("the same answer", base, base, "pass"),
        ("a float within 1e-9 relative", base, alter(lambda r: r["series"][0]["values"][0].__setitem__(1, 1.5 + 1e-12)),
         "pass"),
        ("an integer written as 3.0", base, alter(lambda r: r["series"][0]["values"][0].__setitem__(2, 3.0)), "pass"),
        ("a float off by 1e-6", base, alter(lambda r: r["series"][0]["values"][0].__setitem__(1, 1.5000015)), "fail"),
        ("an integer off by one", base, alter(lambda r: r["series"][0]["values"][1].__setitem__(2, 5)), "fail"),
        ("null for a value", base, alter(lambda r: r["series"][0]["values"][0].__setitem__(1, None)), "fail"),
        ("0 for null", base, alter(lambda r: r["series"][0]["values"][1].__setitem__(1, 0)), "fail"),
        ("true for 1", alter(lambda r: r["series"][0]["values"][0].__setitem__(2, 1)),
         alter(lambda r: r["series"][0]["values"][0].__setitem__(2, True)), "fail"),
        ("another string", base, alter(lambda r: r["series"][0]["values"][1].__setitem__(3, "B")), "fail"),
        ("another time", base, alter(lambda r: r["series"][0]["values"][1].__setitem__(0, 21)), "fail"),
        ("rows swapped (different times)", base,
         alter(lambda r: r["series"][0].__setitem__("values", r["series"][0]["values"][::-1])), "fail"),
        ("a row missing", base, alter(lambda r: r["series"][0]["values"].pop()), "fail"),
        ("another column name", base, alter(lambda r: r["series"][0]["columns"].__setitem__(1, "mean_1")), "fail"),
        ("columns in another order", base,
         alter(lambda r: r["series"][0].__setitem__("columns", ["time", "n", "mean", "s", "ok"])), "fail"),
        ("tags {} instead of none", {"results": [{"statement_id": 0, "series": [{"name": "w", "columns": ["time"],
                                                                                "values": [[1]]}]}]},
         {"results": [{"statement_id": 0, "series": [{"name": "w", "tags": {}, "columns": ["time"],
                                                      "values": [[1]]}]}]}, "fail"),
        ("another tag value", base, alter(lambda r: r["series"][0]["tags"].__setitem__("hostname", "host_2")), "fail"),
        ("another statement_id", base, alter(lambda r: r.__setitem__("statement_id", 1)), "fail"),
        ("a partial flag added", base, alter(lambda r: r.__setitem__("partial", True)), "fail"),
        ("rows of equal time in another order", ties_a, ties_b, "pass"),
        ("the same rows cut into other chunks", [chunk([[1, "x"], [1, "y"]], True), chunk([[2, "z"]], False)],
         [chunk([[1, "x"]], True), chunk([[1, "y"], [2, "z"]], False)], "fail"),
        ("ties swapped across a chunk boundary", [chunk([[1, "x"], [1, "y"]], True), chunk([[1, "z"]], False)],
         [chunk([[1, "z"], [1, "y"]], True), chunk([[1, "x"]], False)], "pass"),
        ("one object instead of two chunks", [chunk([[1, "x"]], True), chunk([[2, "z"]], False)],
         chunk([[1, "x"], [2, "z"]], False), "fail"),
        ("the same error", err, err, "pass"),
        ("another error text", err, {"results": [{"statement_id": 0, "error": "undefined function nosuch"}]},
         "fail"),
        ("an error instead of rows", base, err, "fail"),
        ("no rows instead of rows", base, {"results": [{"statement_id": 0}]}, "fail"),
    ]
    bad = []
    for what, i, s, want in cases:
        cat = "errors" if ans(i).errors() else "raw"
        got = judge(cat, "SELECT x", "judge", ans(i), ans(s)).kind
        if got != want:
            bad.append(f"{what}: {got}, expected {want}")
    # status, not-yet and corpus problems
    parse = {"error": "error parsing query: found EOF"}
    more = [
        ("the same 400", "errors", ans(parse, 400), ans(parse, 400), "pass"),
        ("200 where influx answers 400", "errors", ans(parse, 400), ans(parse, 200), "fail"),
        ("a not-yet error", "raw", ans(base), ans({"results": [{"statement_id": 0, "error":
                                                                "statement not supported by Strata yet: SELECT x"}]}),
         "not_yet"),
        ("a not-yet error in the second statement", "raw", ans(base),
         ans({"results": [{"statement_id": 0}, {"statement_id": 1, "error": "mode() not supported by Strata yet"}]}),
         "not_yet"),
        ("Strata without an answer", "raw", ans(base), Answer(0, None, "no answer"), "fail"),
        ("Strata's body not JSON", "raw", ans(base), Answer(200, None, "oops"), "fail"),
        ("InfluxDB refusing a corpus query", "raw", ans(err), ans(err), "corpus"),
        ("InfluxDB accepting a query of 'errors'", "errors", ans(base), ans(base), "corpus"),
        ("InfluxDB without an answer", "raw", Answer(0, None, "timed out"), ans(base), "corpus"),
    ]
    for what, cat, i, s, want in more:
        got = judge(cat, "SELECT x", "judge", i, s).kind
        if got != want:
            bad.append(f"{what}: {got}, expected {want}")
    def agg(t):
        return {"results": [{"statement_id": 0, "series": [{"name": "cpu", "columns": ["time", "count"],
                                                            "values": [[t, 359]]}]}]}
    now_q = "SELECT count(x) FROM m WHERE time > now() - 1h"
    for what, q, epoch, t1, t2, want in [
        ("now(): aggregate times 4 ms apart", now_q, "ns", 1796621346638427342, 1796621346642102414, "pass"),
        ("now(): RFC 3339 times 4 ms apart", now_q, None, "2026-12-07T05:29:06.640075701Z",
         "2026-12-07T05:29:06.643997747Z", "pass"),
        ("now(): epoch=h, the next hour", now_q, "h", 499061, 499062, "pass"),
        ("now(): times 5 s apart", now_q, "ms", 1796621346643, 1796621351643, "fail"),
        ("without now(): times 1 ns apart", "SELECT count(x) FROM m", "ns", 1796621346638427342,
         1796621346638427343, "fail"),
    ]:
        got = judge("where", q, "judge", ans(agg(t1)), ans(agg(t2)), epoch).kind
        if got != want:
            bad.append(f"{what}: {got}, expected {want}")
    sample = judge("selectors", "SELECT sample(x, 2) FROM m", "judge", ans(base),
                   ans(alter(lambda r: r["series"][0]["values"][0].__setitem__(1, 7.0)))).kind
    if sample != "pass":
        bad.append(f"sample(): other values, same count: {sample}, expected pass")
    R.check(not bad, f"the judge decides {len(cases) + len(more) + 6} hand-made pairs as expected", "; ".join(bad))


# ------------------------------------------------------------------ loading

def parse_lp(line):
    """(series key with sorted tags, [(field, value)], ts) of a line of our
    data or of Strata's export; values typed: ('i', int), ('f', float),
    ('b', bool), ('s', text)."""
    def split(s, sep):
        parts, cur, quoted, esc = [], "", False, False
        for ch in s:
            if esc:
                cur += ch
                esc = False
            elif ch == "\\":
                cur += ch
                esc = True
            elif ch == '"':
                cur += ch
                quoted = not quoted
            elif ch == sep and not quoted:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        return parts + [cur]
    key, rest = line.split(" ", 1)
    fields, ts = rest.rsplit(" ", 1)
    name, *tags = key.split(",")
    out = []
    for f in split(fields, ","):
        k, v = f.split("=", 1)
        if v.startswith('"'):
            out.append((k, ("s", v)))
        elif v in ("t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"):
            out.append((k, ("b", v.lower().startswith("t"))))
        elif v.endswith("i"):
            out.append((k, ("i", int(v[:-1]))))
        else:
            out.append((k, ("f", float(v))))
    return ",".join([name] + sorted(tags)), out, int(ts)


def field_values(lines):
    out = set()
    for line in lines:
        if line and not line.startswith("#"):
            key, fields, ts = parse_lp(line)
            out.update((key, k, v, ts) for k, v in fields)
    return out


def load(data, servers):
    """Creates the database and writes the data to every server; checks
    that all was accepted and is there."""
    for name, srv in servers:
        st, body = http(srv.port, "POST", "/query", urllib.parse.urlencode({"q": f'CREATE DATABASE "{DB}"'}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"})
        R.check(st == 200 and "error" not in body, f"{name}: CREATE DATABASE {DB}", f"{st} {body[:300]}")
        bad = []
        for i in range(0, len(data.lines), LINES_PER_WRITE):
            piece = ("\n".join(data.lines[i:i + LINES_PER_WRITE]) + "\n").encode()
            st, body = http(srv.port, "POST", f"/write?db={DB}&precision=ns", piece)
            if st != 204:
                bad.append(f"lines {i}..: {st} {body[:200]}")
        R.check(not bad, f"{name}: {len(data.lines)} lines written in pieces of {LINES_PER_WRITE}, all accepted (204)",
                "; ".join(bad[:3]))
    want = field_values(data.lines)
    for name, srv in servers:
        if name.startswith("InfluxDB"):
            # what InfluxDB counts per measurement and field = what was sent
            got, expect = {}, {}
            for key, field, _, _ in want:
                m = key.split(",")[0]
                expect[(m, f"count_{field}")] = expect.get((m, f"count_{field}"), 0) + 1
            ans = query(srv.port, {"db": DB, "q": "SELECT count(*) FROM /.*/"}, 60)
            for s in (ans.objs or [{}])[0].get("results", [{}])[0].get("series", []):
                for col, v in zip(s["columns"][1:], s["values"][0][1:]):
                    if v:
                        got[(s["name"], col)] = v
            R.check(got == expect, f"{name} counts every field value sent ({len(want)})",
                    f"got {sorted(got.items())[:6]}, expected {sorted(expect.items())[:6]}")
        else:
            st, body = http(srv.port, "GET", "/api/v1/export?" + urllib.parse.urlencode(
                {"db": DB, "format": "line", "match[]": '{__name__=~".+"}'}), timeout=120)
            have = field_values(body.splitlines()) if st == 200 else set()
            missing, extra = want - have, have - want
            R.check(st == 200 and not missing and not extra,
                    f"{name} holds exactly the {len(want)} field values sent (export)",
                    f"{st} missing {len(missing)} {sorted(missing)[:2]} extra {len(extra)} {sorted(extra)[:2]}")
    if len(servers) == 2:
        (n1, a), (n2, b) = servers
        for q in ["SHOW SERIES", "SHOW FIELD KEYS", "SHOW TAG KEYS"]:
            x = query(a.port, {"db": DB, "q": q}, 60)
            y = query(b.port, {"db": DB, "q": q}, 60)
            d = first_difference(x.objs, y.objs) if x.status == y.status == 200 else \
                f"status {x.status} / {y.status}"
            R.check(d is None, f"{q}: the same on both", d or "")


# ------------------------------------------------------------------ running

def variants(index, cat, q):
    """[(label, extra params)] for the index-th query of the corpus."""
    out = [("epoch=ns", {"epoch": "ns"})]
    if index % 3 == 0 or cat in ("raw", "tz", "where"):
        out += [("rfc3339", {}), ("epoch=ms", {"epoch": "ms"}), ("epoch=s", {"epoch": "s"})]
    if index % 25 == 0 or cat == "tz":
        out += [("epoch=u", {"epoch": "u"}), ("epoch=h", {"epoch": "h"})]
    if index % 4 == 1 or cat in ("multiple_statements", "order_limit"):
        out.append((f"chunked, chunk_size={CHUNK_SIZE}", {"chunked": "true", "chunk_size": str(CHUNK_SIZE),
                                                           "epoch": "ns"}))
    if index % 10 == 5:
        out.append(("chunked (default size), rfc3339", {"chunked": "true"}))
    return out


def now_dependent(q):
    """now() in the query, or GROUP BY time without an upper time bound
    (its last bucket is the one holding now)."""
    return "now()" in q or (re.search(r"time\(\s*[1-9]", q) is not None and
                            re.search(r"\btime\s*<", q) is None)


def wait_for_safe_clock():
    """Until the clock is 1..8 s past a multiple of 10 s: the next 2 s
    cross no point of cpu/weather with now() - N (whole seconds)."""
    while True:
        r = time.time() % 10
        if 1.0 <= r <= 8.0:
            return
        time.sleep((11.0 - r) % 10 + 0.01)


def build_jobs(args, values):
    jobs = []
    plain = [(i, c, q) for i, (c, q) in enumerate(influxql_corpus.queries())]
    for i, cat, q in plain:
        if args.category and cat not in args.category:
            continue
        if args.k and not any(k in q for k in args.k):
            continue
        text = influxql_corpus.fill(q, values)
        for label, extra in variants(i, cat, q):
            jobs.append((cat, q, text, label, extra))
        # CSV (Accept: application/csv) for queries whose row order is defined
        if i % 9 == 4 and cat in ("aggregates", "group_by_time", "group_by_tags", "fill", "transforms", "math"):
            jobs.append((cat, q, text, "CSV", {"csv": "1"}))
        # a few multi-statement requests made of two corpus queries
        if i % 40 == 7 and cat != "errors":
            nxt = next(((c2, q2) for _, c2, q2 in plain[i + 1:] if c2 != "errors"), None)
            if nxt:
                joined = q + "; " + nxt[1]
                jobs.append((cat, joined, influxql_corpus.fill(joined, values), "joined with the next query",
                             {"epoch": "ms"}))
    return jobs


def run_queries(args, influx, strata, values, where=""):
    jobs = [(cat, q, text, label + where, extra) for cat, q, text, label, extra in build_jobs(args, values)]
    peer = strata or influx  # --self-check: InfluxDB against itself

    def one(job):
        cat, q, text, label, extra = job
        params = dict(extra, db=DB, q=text)
        if now_dependent(text):
            wait_for_safe_clock()
        if "csv" in params:  # CSV drops errors: what Strata does not do yet shows in its JSON
            js = query(peer.port, dict(params, csv=None, epoch="ns"), args.timeout)
            if any(NOT_YET in e for e in js.errors()):
                return Outcome(cat, q, label, "not_yet", js.errors()[0][:200])
        ia = query(influx.port, params, args.timeout)
        sa = query(peer.port, params, args.timeout)
        return judge(cat, q, label, ia, sa, extra.get("epoch"))

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        outcomes = list(ex.map(one, jobs))
    report(outcomes, args, time.time() - t0, values)


def report(outcomes, args, elapsed, values):
    printed = 0
    for o in outcomes:
        if o.kind == "pass":
            R.passed += 1
            continue
        if o.kind == "not_yet":
            continue
        if o.kind == "known":
            print(f"# known difference [{o.cat}] {o.query} | {o.label}: {o.detail}"[:600])
            continue
        R.failed += 1
        if args.verbose or printed < args.max_print:
            text = influxql_corpus.fill(o.query, values) if args.verbose else o.query
            tag = "CORPUS PROBLEM " if o.kind == "corpus" else ""
            print(f"not ok {tag}[{o.cat}] {text} | {o.label}: {o.detail}"[:None if args.verbose else 1500])
            if args.verbose:
                print(f"#   influx {o.influx.short(4000) if o.influx else ''}")
                print(f"#   strata {o.strata.short(4000) if o.strata else ''}")
            printed += 1
    shown = sum(1 for o in outcomes if o.kind in ("fail", "corpus"))
    if shown > printed:
        print(f"# ... {shown - printed} more differences not printed (--max-print, -v)")
    # per category: queries, checks, passed, failed, not yet
    cats = []
    for o in outcomes:
        if o.cat not in cats:
            cats.append(o.cat)
    print(f"# {len(outcomes)} checks (query x variant) in {elapsed:.1f} s")
    print(f"# {'category':<20} {'queries':>7} {'checks':>7} {'passed':>7} {'failed':>7} {'not yet':>7}")
    not_yet_queries = {}
    for cat in cats:
        co = [o for o in outcomes if o.cat == cat]
        nq = len({o.query for o in co})
        ny = {o.query for o in co if o.kind == "not_yet"}
        not_yet_queries[cat] = len(ny)
        print(f"# {cat:<20} {nq:>7} {len(co):>7} {sum(o.kind == 'pass' for o in co):>7} "
              f"{sum(o.kind in ('fail', 'corpus') for o in co):>7} {sum(o.kind == 'not_yet' for o in co):>7}")
    total_q = len({(o.cat, o.query) for o in outcomes})
    n_not_yet = sum(not_yet_queries.values())
    by_cat = ", ".join(f"{c} {n}" for c, n in not_yet_queries.items() if n)
    print(f"not yet supported by Strata: {n_not_yet} of {total_q} queries"
          + (f" (by category: {by_cat})" if by_cat else ""))
    seen = set()
    for o in outcomes:
        if o.kind == "not_yet" and o.query not in seen and len(seen) < 5:
            seen.add(o.query)
            print(f"#   [{o.cat}] {o.query}: {o.detail}")
    if n_not_yet > len(seen):
        print(f"#   ... and {n_not_yet - len(seen)} more")
    print(f"BENCH influxql_not_yet {n_not_yet}")
    corpus = sorted({(o.cat, o.query, o.detail) for o in outcomes if o.kind == "corpus"})
    if corpus:
        print(f"# CORPUS PROBLEMS ({len(corpus)}): InfluxDB itself fails or answers otherwise than the category says:")
        for cat, q, d in corpus[:50]:
            print(f"#   [{cat}] {q}: {d[:300]}")


def corpus_sanity(args):
    counts = {}
    for cat, _ in influxql_corpus.queries():
        counts[cat] = counts.get(cat, 0) + 1
    total = sum(counts.values())
    print(f"# corpus: {total} queries: " + ", ".join(f"{c} {n}" for c, n in counts.items()))
    R.check(total >= 300 and all(counts.get(c) for c in influxql_corpus.CATEGORIES),
            f"the corpus has at least 300 queries ({total}) and no empty category")
    dup = influxql_corpus.duplicates()
    R.check(not dup, "no query twice in the corpus", str(dup[:5]))


def ensure_binary():
    if os.path.exists(BIN):
        return True
    if os.path.abspath(BIN) == os.path.join(ROOT, "build", "strata"):
        subprocess.run(["make", "-j2", "build/strata"], cwd=ROOT, check=False)
    return R.check(os.path.exists(BIN), f"the Strata binary is there ({BIN})")


INTO_CASES = [  # (SELECT INTO, read back) run on both servers, POST as writes want
    ("SELECT mean(usage_user) AS m INTO down_mean FROM cpu WHERE time >= {start} AND time < {end} "
     "GROUP BY time(10m), hostname", "SELECT * FROM down_mean GROUP BY *"),
    ("SELECT usage_user, usage_system, hostname INTO raw_copy FROM cpu WHERE hostname = 'host_2' "
     "AND time >= {end} - 30m", "SELECT * FROM raw_copy"),
    ("SELECT max(temp), count(status) INTO {db}.autogen.:MEASUREMENT FROM sensors WHERE time >= {start} "
     "AND time < {end} GROUP BY time(30m), device", "SELECT * FROM \"sensors\" WHERE time >= {start} AND time < {end} "
     "AND max > -1000 GROUP BY *"),
    ("SELECT last(status), last(online), last(reading) INTO typed FROM sensors GROUP BY device",
     "SELECT * FROM typed GROUP BY *"),
]


def into_and_limits(influx, strata, values):
    """SELECT INTO on both servers (the answer, then what was written, read
    back), and the limits only Strata has."""
    for q, back in INTO_CASES:
        q, back = influxql_corpus.fill(q, values), influxql_corpus.fill(back, values)
        answers = []
        for srv in (influx, strata):
            st, body = http(srv.port, "POST", "/query?" + urllib.parse.urlencode({"db": DB, "q": q, "epoch": "ns"}))
            answers.append(Answer(st, decode_stream(body) if st == 200 else None, body))
        o = judge("into", q, "INTO", answers[0], answers[1], epoch="ns")
        R.check(o.kind == "pass", f"SELECT INTO answers 'written' as InfluxDB does: {q[:90]}", f"{o.detail} strata: {answers[1].short(300)}")
        ia = query(influx.port, {"db": DB, "q": back, "epoch": "ns"}, 30)
        sa = query(strata.port, {"db": DB, "q": back, "epoch": "ns"}, 30)
        o = judge("into", back, "read back", ia, sa, epoch="ns")
        R.check(o.kind == "pass" and bool(ia.objs and ia.objs[0]["results"][0].get("series")),
                f"what SELECT INTO wrote reads back as in InfluxDB: {back[:90]}", o.detail)
    # a bucket count past the limit is refused before any bucket is made
    sa = query(strata.port, {"db": DB, "q": "SELECT mean(usage_user) FROM cpu WHERE time > now() - 3650d "
                                            "GROUP BY time(1ms)"}, 30)
    R.check(sa.status == 200 and any("max-select-buckets limit exceeded" in e for e in sa.errors()),
            "GROUP BY time past the bucket limit: a per-statement error naming it", sa.short())
    st, _ = http(strata.port, "GET", "/-/healthy")
    R.check(st == 200, "Strata serves on after the refused query")


def metric(port, name):
    st, body = http(port, "GET", "/metrics")
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-k", action="append", default=[], help="only queries containing this text (repeatable)")
    ap.add_argument("-c", "--category", action="append", default=[], choices=influxql_corpus.CATEGORIES)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every difference with both answers")
    ap.add_argument("--max-print", type=int, default=30, help="differences printed (default 30)")
    ap.add_argument("--jobs", type=int, default=3, help=argparse.SUPPRESS)
    ap.add_argument("--timeout", type=float, default=30, help=argparse.SUPPRESS)
    ap.add_argument("--self-check", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--check-judge", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    t_start = time.time()
    check_judge()
    if args.check_judge:
        return R.done()
    corpus_sanity(args)
    if not args.self_check and not ensure_binary():
        return R.done()
    influx = strata = None
    try:
        influx = InfluxDB().start()
        servers = [("InfluxDB", influx)]
        if not args.self_check:
            strata = Server("--retention", "0").start()
            servers.append(("Strata", strata))
        data = influxql_data.generate()
        load(data, servers)
        values = influxql_corpus.placeholders(data, DB)
        print(f"# data: {len(data.lines)} lines, {data.first}..{data.last} (END {values['end_rfc']}), "
              f"loaded in {time.time() - t_start:.1f} s")
        run_queries(args, influx, strata, values)
        if strata:
            # again from blocks: the aggregates that fold take whole chunks from their statistics there
            by_stats = metric(strata.port, "strata_scan_chunks_by_stats_total")
            st, b = http(strata.port, "POST", "/api/v1/admin/flush")
            R.check(st in (200, 204), "Strata flushes the data into blocks", f"{st} {b[:200]!r}")
            run_queries(args, influx, strata, values, " (from blocks)")
            used = metric(strata.port, "strata_scan_chunks_by_stats_total") - by_stats
            R.check(args.k or args.category or used > 0,
                    "aggregates over blocks answered whole chunks from their statistics", f"{used} chunks")
            print(f"# from blocks: {used:.0f} chunks answered from their statistics")
        if strata and not args.k and not args.category:
            into_and_limits(influx, strata, values)
        if strata:
            st, _ = http(strata.port, "GET", "/-/healthy")
            R.check(st == 200, "Strata healthy at the end")
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, strata)
    finally:
        if strata:
            rc = strata.stop()
            R.check(rc == 0, "strata exits cleanly", f"rc={rc} {strata.tail()[-1500:]}")
            strata.cleanup()
        if influx:
            influx.stop()
        print(f"# {time.time() - t_start:.1f} s in all")
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
