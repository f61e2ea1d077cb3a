"""Differential PromQL suite: Strata against a real Prometheus 2.42
(Debian's), on the same data.

Data: promql_data.py (about 6 hours ending a few minutes before now:
counters with resets and jitter, classic histograms, gauges with NaN/Inf,
stale markers, late and early series, samples 1 ms around the flush time,
out-of-order samples, escaping in label values and metric names), sent by
remote_write to both servers in the same requests and order: the samples
older than FLUSH = END - 2h in 15-minute slices, then
POST /api/v1/admin/flush on Strata (its head goes into blocks), then the
rest, then the held-back samples out of order (most inside the flushed
range, so that Strata's head overlaps its blocks). Prometheus runs with
--web.enable-remote-write-receiver and out_of_order_time_window: 2d.
Before any query, both servers must hold exactly the samples sent (bit for
bit through remote_read, stale markers included, and through
`{__name__=~".+"}[7h]`): otherwise every difference after that is noise,
and the test stops. The same check runs again after the queries.

Queries: promql_corpus.py (about 700, by category), each run as an
instant query at 7 times (the end; inside the flushed range; 50 s after
the flush time; 7 ms after a block boundary; 10 s after a stale marker;
exactly 5 minutes after the last sample of the early series; exactly at a
sample's timestamp) and as a range query over 4 (start, end, step)
choices (15 s steps across the flush time, 60 s over all 6 hours, 7 min
from an odd start, 15 s across the stale marker), POSTed form-encoded to
/api/v1/query and /api/v1/query_range of both servers. The category
"parameters" runs instead with odd API parameters (float times with
fractions of a millisecond, RFC 3339 times, steps as durations or with
fractions of a millisecond).

One check per (query, parameters): same HTTP status; on success the same
resultType, the same series (labels exactly), timestamps exactly, values
within 1e-9 relative (1e-12 absolute near 0), NaN equal to NaN,
infinities by sign; instant vectors in order only where Prometheus defines
the order (sort, sort_desc, and topk/bottomk without by/without, as the
outermost expression: the sequence of values must match, ties may swap
labels), as sets otherwise; matrices as sets keyed by labels. On error the
same errorType (messages may differ: both are printed, once per query).
Strata's 422 "cannot evaluate ... yet" never counts as a match, even where
Prometheus fails with 422 too. Nor does agreement on nothing comparable: no
HTTP answer on either side (both down is no match), an error without an
errorType, a 200 without a success body or resultType, series without
labels (the judge is checked on such cases first). Most successful checks
must compare a non-empty answer, and no query may stand twice in the corpus
outside "parameters". A per-category table ends the output.

Usage: test_promql_diff.py [-k TEXT]... [-c CATEGORY]... [-v] [--instant|--range]
  -k TEXT      only queries containing TEXT (repeatable: any of them)
  -c CATEGORY  only this category (selectors, operators, aggregations,
               functions, subqueries, errors, parameters; repeatable)
  -v           print every check, every difference and the queries with
               their times filled in ("not implemented" too)
  --instant / --range   only instant / only range queries
  --max-print N         differences printed (default 40)
  --jobs N, --timeout S checks run at once (4), seconds per query (30)
  --corpus-report       also list queries Prometheus answers empty everywhere
Environment: STRATA_BIN (default build/strata).
About 20 s on 2 cores. The last line is
"test_promql_diff: N passed, N failed"."""
import argparse
import concurrent.futures
import json
import math
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ for the modules next to it
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Prometheus, Results, report_crash  # noqa: E402
from promwire import series_v1, snappy, f_bytes, f_varint  # noqa: E402
from promwire import unsnappy, decode_read_response  # noqa: E402
import promql_data  # noqa: E402
from promql_data import STALE, HOUR, MIN  # noqa: E402
import promql_corpus  # noqa: E402

R = Results("test_promql_diff")
RW_HEADERS = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
              "X-Prometheus-Remote-Write-Version": "0.1.0"}
RR_HEADERS = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
              "X-Prometheus-Remote-Read-Version": "0.1.0"}
PROM_CONFIG = """global:
  scrape_interval: 1h
storage:
  tsdb:
    out_of_order_time_window: 2d
"""
CATEGORIES = ["selectors", "operators", "aggregations", "functions", "subqueries", "errors", "parameters"]
NOT_YET = "cannot evaluate"  # Strata's 422 for what it does not evaluate yet


# ------------------------------------------------------------------ HTTP

def http(port, method, path, body=None, headers=None, timeout=120):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def post_form(port, path, params, timeout=120):
    """(status, decoded JSON); status 0 when there was no HTTP answer."""
    try:
        st, body = http(port, "POST", path, urllib.parse.urlencode(params).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout)
    except OSError as e:  # refused, reset, timed out
        return 0, {"status": "no answer", "error": repr(e)}
    try:
        return st, json.loads(body)
    except ValueError:
        return st, {"status": "unparsable", "error": body[:300].decode("utf-8", "replace")}


# ------------------------------------------------------------------ loading

def write_body(series):
    return snappy(b"".join(series_v1(ls, [(bits, t) for t, bits in smp]) for ls, smp in series))


def load(data, srv, prom):
    """Sends the plan of promql_data to both servers; True if all went in."""
    ok = True
    n_req = n_smp = 0
    for step in data.phases():
        if step[0] == "flush":
            st, body = http(srv.port, "POST", "/api/v1/admin/flush", timeout=120)
            ok &= R.check(st in (200, 204), f"Strata flushes the older {n_smp} samples into blocks",
                          f"{st} {body[:300]!r}")
            continue
        _, what, series = step
        body = write_body(series)
        for name, port in (("Strata", srv.port), ("Prometheus", prom.port)):
            st, resp = http(port, "POST", "/api/v1/write", body, RW_HEADERS)
            if st != 204:
                ok = R.check(False, f"{name} takes a remote_write request ({what})", f"{st} {resp[:500]!r}")
        n_req += 1
        n_smp += sum(len(s) for _, s in series)
    R.check(ok, f"both servers take {n_req} remote_write requests ({n_smp} samples, {len(data.series)} series, "
            f"{len(data.held)} out of order)")
    return ok


def remote_read_all(port, lo, hi):
    matcher = f_varint(1, 2) + f_bytes(2, "__name__") + f_bytes(3, ".+")  # RE
    q = f_bytes(1, f_varint(1, lo) + f_varint(2, hi) + f_bytes(3, matcher))
    st, body = http(port, "POST", "/api/v1/read", snappy(q), RR_HEADERS)
    if st != 200:
        raise RuntimeError(f"remote_read: {st} {body[:300]!r}")
    res = decode_read_response(unsnappy(body))[0]
    return {tuple(ls): smp for ls, smp in res if smp}


def first_difference(want, got):
    """Where two {labels: [(t, bits)]} differ, in words, or None."""
    for k in sorted(set(want) | set(got)):
        a, b = want.get(k), got.get(k)
        if a is None:
            return f"unexpected series {dict(k)}"
        if b is None:
            return f"missing series {dict(k)} ({len(a)} samples)"
        if a != b:
            i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            return (f"{dict(k)}: {len(a)} samples expected, {len(b)} held; first difference at #{i}: "
                    f"expected {fmt_smp(a[i:i + 2])} held {fmt_smp(b[i:i + 2])}")
    return None


def fmt_smp(smp):
    return [(t, promql_data.bits_float(b) if b != STALE else "STALE") for t, b in smp]


def check_raw(data, srv, prom, when):
    """Both servers hold exactly the generated samples: remote_read (raw,
    stale markers included, bit for bit) and {__name__=~".+"}[7h] through
    the query API (stale markers left out), compared with each other."""
    want = {k: list(s) for k, s in data.series}
    lo, hi = data.start - HOUR, data.end + HOUR
    ok = True
    for name, port in (("Prometheus", prom.port), ("Strata", srv.port)):
        try:
            got = remote_read_all(port, lo, hi)
            diff = first_difference(want, got)
        except Exception as e:  # noqa: BLE001
            diff = repr(e)
        ok &= R.check(diff is None, f"{when}: {name} holds exactly the samples sent (remote_read, bit for bit)",
                      diff or "")
    params = {"query": '{__name__=~".+"}[7h]', "time": f"{data.end / 1000:.3f}"}
    ps, pb = post_form(prom.port, "/api/v1/query", params)
    ss, sb = post_form(srv.port, "/api/v1/query", params)
    diff = None
    if ps != 200 or ss != 200:
        diff = f"status prometheus {ps} {str(pb)[:200]} strata {ss} {str(sb)[:200]}"
    else:
        diff = compare_data(pb["data"], sb["data"], ordered=False)
        n = sum(len(s["values"]) for s in pb["data"]["result"])
        expect = sum(1 for _, s in data.series for _, b in s if b != STALE)
        if diff is None and n != expect:
            diff = f"Prometheus answers {n} samples, {expect} were sent (stale markers apart)"
    ok &= R.check(diff is None, f"{when}: {params['query']} at the end: same answer on both", diff or "")
    return ok


# ------------------------------------------------------------------ comparison

def feq(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    if a == b:
        return True
    d = abs(a - b)
    return d <= 1e-12 or d <= 1e-9 * max(abs(a), abs(b))


def ms(t):
    return int(round(float(t) * 1000))


def lkey(metric):
    return tuple(sorted(metric.items()))


def show_labels(k):
    d = dict(k)
    name = d.pop("__name__", "")
    return name + "{" + ",".join(f'{n}={json.dumps(v, ensure_ascii=False)}' for n, v in sorted(d.items())) + "}"


def compare_point(where, a, b):
    """a, b: [t, "v"] of Prometheus and Strata."""
    try:
        ta, tb = ms(a[0]), ms(b[0])
        va, vb = float(a[1]), float(b[1])
    except (TypeError, ValueError, IndexError):
        return f"{where}: malformed point prometheus {a} strata {b}"
    if ta != tb:
        return f"{where}: timestamp prometheus {a[0]} strata {b[0]}"
    if not feq(va, vb):
        return f"{where} @{a[0]}: value prometheus {a[1]} strata {b[1]}"
    return None


def compare_data(pd, sd, ordered):
    """Compares two successful `data` objects; returns None or a short diff."""
    pt, st = pd.get("resultType"), sd.get("resultType")
    if pt != st:
        return f"resultType prometheus {pt} strata {st}"
    if pt not in ("matrix", "vector", "scalar", "string"):
        return f"no resultType to compare: {pt!r}"
    pr, sr = pd.get("result"), sd.get("result")
    if not isinstance(pr, list):
        return f"malformed prometheus result: {str(pr)[:200]}"
    if pt in ("scalar", "string"):
        if not isinstance(sr, list) or len(sr) != 2:
            return f"malformed {st}: {str(sr)[:200]}"
        if pt == "string":
            if ms(pr[0]) != ms(sr[0]) or pr[1] != sr[1]:
                return f"string prometheus {pr} strata {sr}"
            return None
        return compare_point("scalar", pr, sr)
    if not isinstance(sr, list):
        return f"malformed result: {str(sr)[:200]}"
    field = "value" if pt == "vector" else "values"
    pm, sm = {}, {}
    for src, dst, who in ((pr, pm, "prometheus"), (sr, sm, "strata")):
        for s in src:
            if not isinstance(s, dict) or not isinstance(s.get("metric"), dict):
                return f"{who}: a series without its labels: {str(s)[:200]}"
            k = lkey(s["metric"])
            if k in dst:
                return f"{who} answers the series {show_labels(k)} twice"
            dst[k] = s.get(field)
    missing = [k for k in pm if k not in sm]
    extra = [k for k in sm if k not in pm]
    if missing or extra:
        out = f"series: prometheus {len(pm)}, strata {len(sm)}"
        if missing:
            out += f"; missing in strata ({len(missing)}): " + ", ".join(show_labels(k) for k in sorted(missing)[:3])
        if extra:
            out += f"; extra in strata ({len(extra)}): " + ", ".join(show_labels(k) for k in sorted(extra)[:3])
        return out
    for k in sorted(pm):
        a, b = pm[k], sm[k]
        if pt == "vector":
            d = compare_point(show_labels(k), a, b)
            if d:
                return d
            continue
        if not isinstance(b, list):
            return f"{show_labels(k)}: malformed values {str(b)[:100]}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = compare_point(f"{show_labels(k)} point #{i}", x, y)
            if d:
                return d
        if len(a) != len(b):
            i = min(len(a), len(b))
            nxt = a[i] if len(a) > i else b[i]
            return (f"{show_labels(k)}: {len(a)} points in prometheus, {len(b)} in strata; "
                    f"first unmatched {'prometheus' if len(a) > i else 'strata'} {nxt}")
    if ordered and pt == "vector":
        # the order of values (ties may swap labels, not values)
        for i, (x, y) in enumerate(zip(pr, sr)):
            if not feq(float(x["value"][1]), float(y["value"][1])):
                return (f"order: #{i} prometheus {show_labels(lkey(x['metric']))} {x['value'][1]}, "
                        f"strata {show_labels(lkey(y['metric']))} {y['value'][1]}")
    return None


def is_ordered(q):
    """Prometheus defines the order of an instant vector when the outermost
    expression is sort(), sort_desc(), or topk()/bottomk() without by /
    without (descending / ascending by value)."""
    s = q.strip()
    while s.startswith("(") and matching_paren(s, 0) == len(s) - 1:
        s = s[1:-1].strip()
    m = re.match(r"(sort_desc|sort|topk|bottomk)\s*\(", s)
    if not m or matching_paren(s, m.end() - 1) != len(s) - 1:
        return False
    if m.group(1) in ("topk", "bottomk"):
        return not re.search(r"\b(by|without)\s*\(", s[:m.end()] + s[matching_paren(s, m.end() - 1):])
    return True


def matching_paren(s, i):
    depth, quote, j = 0, None, i
    while j < len(s):
        c = s[j]
        if quote:
            if c == "\\" and quote != "`":
                j += 1
            elif c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


class Outcome:
    __slots__ = ("cat", "query", "label", "ok", "kind", "detail", "pst", "pbody", "sst", "sbody", "note", "params")

    def __init__(self, **kw):
        self.note = None
        for k, v in kw.items():
            setattr(self, k, v)


def judge(cat, query, label, p, s):
    """-> Outcome: ok, or kind in not_implemented / status / result / error.
    Only a comparison passes: no HTTP answer (status 0) on either side, an
    error without an errorType on either side, or a 200 without a success
    body on either side fails, even when both servers agree on it."""
    pst, pb = p
    sst, sb = s
    pb = pb if isinstance(pb, dict) else {"status": "unparsable", "error": str(pb)[:300]}
    sb = sb if isinstance(sb, dict) else {"status": "unparsable", "error": str(sb)[:300]}
    o = Outcome(cat=cat, query=query, label=label, ok=False, kind="", detail="", pst=pst, pbody=pb, sst=sst, sbody=sb)
    s_err = str(sb.get("error", ""))
    if pst == 0 or sst == 0:
        o.kind = "status"
        o.detail = "no HTTP answer: " + "; ".join(f"{who} {str(b.get('error', ''))[:200]}" for who, st_, b in
                                                   (("prometheus", pst, pb), ("strata", sst, sb)) if st_ == 0)
        return o
    if sst == 422 and NOT_YET in s_err:
        o.kind = "not_implemented"
        o.detail = s_err[:200]
        return o
    if pst != sst:
        o.kind = "status"
        o.detail = (f"status prometheus {pst} {pb.get('errorType', '')} {pb.get('error', '')[:200]}; "
                    f"strata {sst} {sb.get('errorType', '')} {s_err[:200]}")
        if sst == 200:
            o.detail += f" (strata answered {json.dumps(sb.get('data'))[:200]})"
        return o
    if pst != 200:
        kinds = (pb.get("errorType"), sb.get("errorType"))
        if not all(isinstance(k, str) and k for k in kinds) or pb.get("status") != "error" or \
                sb.get("status") != "error":
            o.kind = "error"
            o.detail = (f"{pst} without an error body to compare: prometheus {str(pb)[:200]}; "
                        f"strata {str(sb)[:200]}")
            return o
        if pb.get("errorType") != sb.get("errorType"):
            o.kind = "error"
            o.detail = f"errorType prometheus {pb.get('errorType')} strata {sb.get('errorType')}: " \
                       f"{pb.get('error', '')[:200]!r} vs {s_err[:200]!r}"
            return o
        o.ok = True
        if pb.get("error") != s_err:
            o.note = f"messages differ: prometheus {pb.get('error', '')[:300]!r} strata {s_err[:300]!r}"
        return o
    for who, b in (("prometheus", pb), ("strata", sb)):
        if b.get("status") != "success" or not isinstance(b.get("data"), dict):
            o.kind = "result"
            o.detail = f"{who} 200 without a success body: {str(b)[:300]}"
            return o
    d = compare_data(pb["data"], sb["data"], ordered=label.startswith("instant") and is_ordered(query))
    if d:
        o.kind = "result"
        o.detail = d
        return o
    o.ok = True
    return o


def check_judge():
    """The judge passes only what it compared: answers that agree on nothing
    comparable fail; equal answers pass (so that the failures are the
    judge's doing, not a judge that fails everything)."""
    vec = {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"a": "b"}, "value": [1, "2"]}]}}
    err = {"status": "error", "errorType": "bad_data", "error": "parse error"}
    none = (0, {"status": "no answer", "error": "ConnectionRefusedError()"})
    cases = [
        ("both without an HTTP answer", none, none, False),
        ("Prometheus without an HTTP answer, Strata 400", none, (400, err), False),
        ("both 500 with a body that is not JSON", (500, {"status": "unparsable", "error": "x"}),
         (500, {"status": "unparsable", "error": "x"}), False),
        ("both 400 without an errorType", (400, {"status": "error"}), (400, {"status": "error"}), False),
        ("both 200 without a success body", (200, {"status": "unparsable"}), (200, {"status": "unparsable"}), False),
        ("both 200 without a resultType", (200, {"status": "success", "data": {}}),
         (200, {"status": "success", "data": {}}), False),
        ("both 200 with series without labels", (200, {"status": "success", "data": {"resultType": "vector",
                                                 "result": [{"value": [1, "2"]}]}}),
         (200, {"status": "success", "data": {"resultType": "vector", "result": [{"value": [1, "2"]}]}}), False),
        ("a JSON list for a body", (200, ["x"]), (200, ["x"]), False),
        ("the same vector", (200, vec), (200, vec), True),
        ("the same errorType", (400, err), (400, dict(err, error="another message")), True),
    ]
    bad = []
    for what, p, s, want in cases:
        try:
            got = judge("selectors", "q", "instant@end", p, s).ok
        except Exception as e:  # noqa: BLE001
            got = f"raises {e!r}"
        if got is not want:
            bad.append(f"{what}: {'passes' if got is True else 'fails' if got is False else got}")
    R.check(not bad, "the judge fails answers with nothing to compare and passes equal ones", "; ".join(bad))


# ------------------------------------------------------------------ running

def sample_time(data, job, near):
    """The timestamp of the http_requests_total{job=...} sample nearest to
    near: an evaluation time equal to a sample's own time."""
    smp = next(s for k, s in data.series if dict(k).get("job") == job and dict(k)["__name__"] == "http_requests_total")
    return min((t for t, _ in smp), key=lambda t: abs(t - near))


def parameter_sets(data, args):
    sec = lambda x: f"{x / 1000:.3f}"  # noqa: E731
    E, S, F = data.end, data.start, data.flush
    inst = [
        ("instant@end", E),
        ("instant@mid (blocks)", S + 2 * HOUR + 10 * MIN + 777),
        ("instant@flush+50s", F + 50_000),
        ("instant@block+7ms", data.block + 7),
        ("instant@stale+10s", data.times["stale_head"] + 10_000),
        ("instant@early-end+5m", data.times["early_end"] + 5 * MIN),
        ("instant@a sample of job=batch", sample_time(data, "batch", E - 30 * MIN)),
    ]
    rng = [
        ("range flush-20m..flush+20m/15s", F - 20 * MIN, F + 20 * MIN, "15"),
        ("range start..end/60s", S, E, "60"),
        ("range start+1234.5s..end-1m/7m", S + 1234_500, E - MIN, "420"),
        ("range stale-5m..stale+25m/15s", data.times["stale_head"] - 5 * MIN, data.times["stale_head"] + 25 * MIN,
         "15"),
    ]
    out = []
    if not args.range:
        out += [(label, "/api/v1/query", {"time": sec(t)}) for label, t in inst]
    if not args.instant:
        out += [(label, "/api/v1/query_range", {"start": sec(a), "end": sec(b), "step": step})
                for label, a, b, step in rng]
    return out


def odd_parameter_sets(data, args):
    """For the category "parameters": Prometheus rounds float times to the
    millisecond (parseTime), truncates RFC 3339 ones (timestamp.FromTime)
    and truncates a float step to whole milliseconds."""
    import datetime
    m = data.start + 2 * HOUR + 10 * MIN  # in the flushed range, a whole second

    def iso(t_ms, extra="", tz=None):
        d = datetime.datetime.fromtimestamp(t_ms / 1000, datetime.timezone.utc)
        if tz is not None:
            d = d.astimezone(datetime.timezone(datetime.timedelta(hours=tz)))
            return d.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + extra + d.strftime("%z")[:3] + ":" + d.strftime("%z")[3:]
        return d.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + extra + "Z"
    inst = [
        ("instant@mid+0.0006s (rounds up)", f"{m / 1000 + 0.0006:.4f}"),
        ("instant@mid+0.9996s (rounds to the next second)", f"{m / 1000 + 0.9996:.4f}"),
        ("instant@mid+0.0004s (rounds down)", f"{m / 1000 + 0.0004:.4f}"),
        ("instant@mid+1.9ms as RFC 3339 (truncates)", iso(m + 1, "900")),
        ("instant@mid+0.999999ms as RFC 3339", iso(m, "999999")),
        ("instant@mid+7ms as RFC 3339 at +02:00", iso(m + 7, tz=2)),
        ("instant@mid+0.1234567s", f"{m / 1000 + 0.1234567:.7f}"),
        ("instant@mid in exponent notation", f"{m / 1e12:.12f}e9"),
    ]
    rng = [
        ("range mid+0.0006s..+10m/60", f"{m / 1000 + 0.0006:.4f}", f"{m / 1000 + 600.0006:.4f}", "60"),
        ("range RFC 3339 mid+1.9ms..+10m/1m30s", iso(m + 1, "900"), iso(m + 600_001, "900"), "1m30s"),
        ("range mid..+1m/15.0005 (step truncated)", f"{m / 1000:.3f}", f"{m / 1000 + 60:.3f}", "15.0005"),
        ("range mid..+2m/0.5", f"{m / 1000:.3f}", f"{m / 1000 + 120:.3f}", "0.5"),
        ("range mid..+30m/15s", f"{m / 1000:.3f}", f"{m / 1000 + 1800:.3f}", "15s"),
    ]
    out = []
    if not args.range:
        out += [(label, "/api/v1/query", {"time": t}) for label, t in inst]
    if not args.instant:
        out += [(label, "/api/v1/query_range", {"start": a, "end": b, "step": st}) for label, a, b, st in rng]
    return out


def selected(args):
    out = []
    for cat, q in promql_corpus.queries():
        if args.category and cat not in args.category:
            continue
        if args.k and not any(k in q for k in args.k):
            continue
        out.append((cat, q))
    return out


def run_corpus(data, srv, prom, args):
    subst = data.placeholders()
    # longest names first: $STALEB before $STALE
    names = sorted(subst, key=len, reverse=True)

    def fill(q):
        for n in names:
            q = q.replace(n, subst[n])
        return q

    queries = selected(args)
    psets = parameter_sets(data, args)
    odd = odd_parameter_sets(data, args)
    jobs = []
    for cat, q in queries:
        for label, path, p in (odd if cat == "parameters" else psets):
            jobs.append((cat, q, fill(q), label, path, p))

    dead = []

    def one(job):
        cat, q, text, label, path, p = job
        params = dict(p, query=text)
        pr = post_form(prom.port, path, params, timeout=args.timeout)
        if dead:
            sr = (0, {"status": "no answer", "error": "strata is not running any more"})
        else:
            sr = post_form(srv.port, path, params, timeout=args.timeout)
            if sr[0] == 0 and srv.proc.poll() is not None:
                dead.append(f"strata exited ({srv.proc.returncode}) during {text!r} ({label})")
        o = judge(cat, q, label, pr, sr)
        o.params = " ".join(f"{k}={v}" for k, v in p.items())
        return o

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        outcomes = list(ex.map(one, jobs))
    elapsed = time.time() - t0
    if dead:
        R.check(False, "Strata keeps running through the queries", dead[0] + "\n" + srv.tail())
    report(outcomes, queries, args, elapsed, fill)


def report(outcomes, queries, args, elapsed, fill):
    printed = 0
    notes = set()
    by_query = {}
    for o in outcomes:
        by_query.setdefault((o.cat, o.query), []).append(o)
    # corpus sanity: Prometheus must evaluate every instant query outside
    # "errors", and fail somewhere for every query of "errors"
    corpus_bad = []
    empty_everywhere = []
    for (cat, q), os_ in by_query.items():
        inst = [o for o in os_ if o.label.startswith("instant")]
        if cat != "errors" and any(o.pst != 200 for o in inst):
            bad = next(o for o in inst if o.pst != 200)
            corpus_bad.append(f"[{cat}] {q}: Prometheus answers {bad.pst} {bad.pbody.get('error', '')[:200]}")
        if cat == "errors" and os_ and all(o.pst == 200 for o in os_):
            corpus_bad.append(f"[{cat}] {q}: Prometheus never fails")
        if all(o.pst == 200 and not (o.pbody.get("data") or {}).get("result") for o in os_) and os_:
            empty_everywhere.append(f"[{cat}] {q}")
    for o in outcomes:
        what = f"[{o.cat}] {fill(o.query) if args.verbose else o.query} | {o.label} ({o.params})"
        if o.ok:
            R.passed += 1
            if args.verbose:
                print(f"ok {what}")
            if o.note and (args.verbose or (o.query, o.note) not in notes):
                if args.verbose or len(notes) < args.max_print:
                    print(f"# note {what}: {o.note}")
                notes.add((o.query, o.note))
            continue
        R.failed += 1
        if o.kind == "not_implemented" and not args.verbose:
            continue
        if args.verbose or printed < args.max_print:
            print(f"not ok {what}: {o.kind}: {o.detail}"[:1500 if not args.verbose else 20000])
            if args.verbose and o.kind != "not_implemented":
                print(f"#   prometheus {o.pst} {json.dumps(o.pbody, ensure_ascii=False)[:3000]}")
                print(f"#   strata     {o.sst} {json.dumps(o.sbody, ensure_ascii=False)[:3000]}")
            printed += 1
    shown_fail = sum(1 for o in outcomes if not o.ok and (args.verbose or o.kind != "not_implemented"))
    if shown_fail > printed:
        print(f"# ... {shown_fail - printed} more differences not printed (--max-print, -v)")
    # per category
    print(f"# {len(queries)} queries, {len(outcomes)} checks (query x parameters) in {elapsed:.1f} s")
    print(f"# {'category':<13} {'queries':>7} {'checks':>7} {'passed':>7} {'failed':>7}   "
          f"failed as: not implemented / wrong status / wrong errorType / wrong result; queries all passing")
    tot = [0] * 8
    for cat in CATEGORIES + sorted({o.cat for o in outcomes} - set(CATEGORIES)):
        co = [o for o in outcomes if o.cat == cat]
        if not co:
            continue
        nq = len({o.query for o in co})
        qok = sum(1 for (c, q), os_ in by_query.items() if c == cat and all(o.ok for o in os_))
        row = [nq, len(co), sum(o.ok for o in co), sum(not o.ok for o in co)] + \
              [sum(1 for o in co if not o.ok and o.kind == k) for k in ("not_implemented", "status", "error", "result")]
        tot = [a + b for a, b in zip(tot, row)]
        print(f"# {cat:<13} {row[0]:>7} {row[1]:>7} {row[2]:>7} {row[3]:>7}   "
              f"{row[4]} / {row[5]} / {row[6]} / {row[7]}; {qok} of {nq}")
    print(f"# {'total':<13} {tot[0]:>7} {tot[1]:>7} {tot[2]:>7} {tot[3]:>7}   {tot[4]} / {tot[5]} / {tot[6]} / {tot[7]}")
    # what Strata names as not evaluated yet, by kind
    kinds = {}
    for o in outcomes:
        if not o.ok and o.kind == "not_implemented":
            m = re.search(r"cannot evaluate (.+?) yet", o.detail)
            kinds[m.group(1) if m else "?"] = kinds.get(m.group(1) if m else "?", 0) + 1
    if kinds:
        print("# not implemented in Strata (its 422 names the part), checks: " +
              ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda x: -x[1])))
    # queries failing other than by "not implemented": one line each
    wrong = [(k, os_) for k, os_ in by_query.items()
             if any(not o.ok and o.kind != "not_implemented" for o in os_)]
    if wrong:
        print(f"# {len(wrong)} queries answered differently (not counting 'not implemented'):")
        for (cat, q), os_ in wrong[:args.max_print if not args.verbose else None]:
            bad = [o for o in os_ if not o.ok and o.kind != "not_implemented"]
            print(f"#   [{cat}] {q}  ({len(bad)} of {len(os_)}: {', '.join(sorted({o.kind for o in bad}))})")
        if len(wrong) > args.max_print and not args.verbose:
            print(f"#   ... {len(wrong) - args.max_print} more")
    if corpus_bad:
        print("# CORPUS PROBLEMS (a typo in the corpus, or an expectation that does not hold):")
        for line in corpus_bad:
            print("#   " + line)
    R.check(not corpus_bad, f"corpus: Prometheus evaluates every query outside 'errors' "
            f"and fails on every query of 'errors' ({len(corpus_bad)} problems)")
    # checks that passed on two empty answers compared no sample: most must not
    ok200 = [o for o in outcomes if o.ok and o.pst == 200]
    full = sum(1 for o in ok200 if (o.pbody.get("data") or {}).get("result") not in (None, []))
    R.check(outcomes and (not ok200 or full * 2 > len(ok200)),
            f"checks ran ({len(outcomes)}) and most successful ones compared a non-empty answer",
            f"{full} of {len(ok200)} non-empty")
    dup = promql_corpus.duplicates()
    R.check(not dup, "no query twice in the corpus outside 'parameters'", dup[:5])
    if args.corpus_report:
        print(f"# {len(empty_everywhere)} queries answered empty by Prometheus at every parameter set:")
        for line in empty_everywhere:
            print("#   " + line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-k", action="append", default=[], help="only queries containing this text (repeatable)")
    ap.add_argument("-c", "--category", action="append", default=[], choices=CATEGORIES)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--instant", action="store_true", help="instant queries only")
    ap.add_argument("--range", action="store_true", help="range queries only")
    ap.add_argument("--max-print", type=int, default=40, help="differences printed in full (default 40)")
    ap.add_argument("--jobs", type=int, default=4, help="checks run at once (default 4)")
    ap.add_argument("--timeout", type=float, default=30, help="seconds a query may take (default 30)")
    ap.add_argument("--corpus-report", action="store_true")
    args = ap.parse_args()
    check_judge()
    if shutil.which("prometheus") is None:
        R.check(False, "prometheus is installed (make deps installs it)")
        return R.done()
    t_start = time.time()
    srv = Server("--maintenance-interval", "1h", "--memory-window", "1d")
    try:
        run(srv, args, t_start)
    except Exception as e:  # noqa: BLE001
        report_crash(R, e, srv)
    finally:
        rc = srv.stop()
        R.check(rc == 0, "strata exits cleanly", f"rc={rc} {srv.tail()[-1500:]}")
        srv.cleanup()
        print(f"# {time.time() - t_start:.1f} s in all")
    return R.done()


def run(srv, args, t_start):
    data = promql_data.generate()
    srv.start()
    prom = Prometheus(PROM_CONFIG, ["--web.enable-remote-write-receiver"]).start()
    try:
        if not load(data, srv, prom):
            print(srv.tail())
            print(prom.tail())
            return
        if not check_raw(data, srv, prom, "after loading"):
            print("# the servers do not hold the same data: every query difference would be noise, stopping")
            return
        print(f"# data loaded and checked in {time.time() - t_start:.1f} s: {len(data.series)} series, "
              f"{data.n_samples()} samples; {promql_data.fmt_times(data)}")
        run_corpus(data, srv, prom, args)
        if srv.proc.poll() is not None:
            return
        check_raw(data, srv, prom, "after the queries")
        if not args.k and not args.category:
            st, body = http(srv.port, "GET", "/metrics")
            m = re.search(rb"^strata_scan_chunks_by_stats_total (\d+)", body or b"", re.M)
            R.check(st == 200 and m and int(m.group(1)) > 0,
                    "long windows took whole block chunks from their statistics "
                    f"(strata_scan_chunks_by_stats_total {m.group(1).decode() if m else '?'})")
        st, _ = http(srv.port, "GET", "/-/healthy")
        R.check(st == 200, "Strata healthy at the end")
    finally:
        prom.stop()


if __name__ == "__main__":
    sys.exit(main())
