"""remote_read end to end, against a real Prometheus 2.42.

1. Differential, at the wire level: the same samples (irregular timestamps,
   jumps of hours and days, NaN with payloads, stale markers, +-Inf, -0.0,
   integers, tiny and huge floats, series of 1, 120, 121, 240 and 700
   samples, 40 labels, unicode values, a label name that sorts before
   __name__) go by remote_write into a Prometheus and into Strata; then the
   same ReadRequests (EQ/NEQ/RE/NRE, several queries per request, partial
   and empty ranges, matchers that all match "", no matchers, packed and
   unpacked response types, hints) go to both /api/v1/read, as SAMPLES and
   as STREAMED_XOR_CHUNKS. Both answers are decoded (snappy, protobuf,
   frames, XOR chunks) and must hold the same series with the same samples
   bit for bit, in the same order; frame CRCs, query_index, one series per
   frame, chunk min/max times and Prometheus's frame budget are checked on
   both sides. Known differences of Prometheus 2.42 are tolerated and
   counted, not hidden: its SAMPLES answer drops -0.0 (gogo leaves a zero
   value out), and lists series whose chunk overlaps the range without a
   sample in it (with no samples). It also trims to the hints' start/end
   rather than the query's when hints are sent: the hints here equal the
   range, Strata ignores them.
2. A second Prometheus with an empty TSDB and `remote_read` (read_recent)
   pointing at Strata answers PromQL (selectors, rate, increase, sum by,
   avg_over_time, offset, query_range) exactly as the Prometheus holding
   the data does.
3. Strata's own rules: ?db= and /db/NAME/, unknown databases, string series
   left out, two samples in one millisecond, a malformed corpus (each
   answered with its status and a message while the server keeps serving),
   the sample limit, the concurrency gate, and a streamed response larger
   than memory's share (spooled to a temporary file).

Runs in about 15 s, also under ASan: part of the STRATA_SMOKE set.
Python 3 stdlib only, plus strata.py and promwire.py."""
import json
import os
import random
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Prometheus, Results, report_crash  # noqa: E402
from promwire import (uvarint, f_bytes, f_varint, fbits, series_v1, snappy, STALE,  # noqa: E402
                      unsnappy, read_frames, decode_chunked, decode_read_response, xor_decode,
                      pb_fields)

R = Results("test_remote_read")
NEG_ZERO = 1 << 63
FRAME = 1024  # both servers' frame budget: series split over frames
PB = "application/x-protobuf"
STREAM_CT = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse"
RW_HEADERS = {"Content-Type": PB, "Content-Encoding": "snappy"}

rng = random.Random(20261122)
NOW = int(time.time() * 1000)
BASE = NOW - 6 * 86400 * 1000

SPECIAL = [fbits(float("nan")), 0x7FF8000000000001, 0xFFF8000000000000, STALE, fbits(float("inf")),
           fbits(float("-inf")), NEG_ZERO, 0, 1, fbits(1e-300), fbits(1.7976931348623157e308), fbits(-1e300),
           0x800FFFFFFFFFFFFF]


# ------------------------------------------------------------------ data

def irregular_ts(n, start, jumps=True):
    t, out = start, []
    for _ in range(n):
        r = rng.random()
        if jumps and r < 0.012:
            t += rng.randint(3600_000, 86400_000)
        elif r < 0.2:
            t += rng.randint(1, 999)
        else:
            t += rng.choice([15000, 15000, 30000, 60000]) + rng.randint(-50, 50)
        out.append(t)
    return out


def value_bits(i):
    r = rng.random()
    if r < 0.12:
        return rng.choice(SPECIAL)
    if r < 0.4:
        return fbits(float(rng.randint(-10**6, 10**6)))
    if r < 0.7:
        return fbits(rng.uniform(-1e3, 1e3))
    if r < 0.85:
        return fbits(round(rng.uniform(0, 100), 2))
    return fbits(rng.choice([1e-320, 5e-324, 1e-200, 1e200, 123456789.123, -0.001]) * (i + 1))


def make_data():
    """[(labels sorted by name, [(ts_ms, bits)])]"""
    S = []

    def add(name, labels, samples):
        ls = dict(labels)
        ls["__name__"] = name
        S.append((sorted(ls.items()), samples))

    def gauge(n, start, jumps=True):
        return [(t, value_bits(i)) for i, t in enumerate(irregular_ts(n, start, jumps))]

    add("rr_gauge", {"host": "a", "region": "eu"}, gauge(300, BASE))
    add("rr_gauge", {"host": "aa", "region": "us"}, gauge(260, BASE + 5000))
    add("rr_gauge", {"host": "b", "region": "eu"}, gauge(150, BASE + 777))
    add("rr_gauge", {"host": "b"}, gauge(40, BASE + 3 * 3600_000))
    add("rr_z", {"host": "a"}, gauge(30, BASE + 100))
    add("rr_many", {f"l{i:02d}": f"value-{(i * 7) % 13}-{'x' * (i % 5)}" for i in range(40)}, gauge(130, BASE + 99))
    add("rr_unicode", {"city": "Zürich", "emoji": "📈", "cjk": "東京", "mixed": 'a"b\\c\nd'}, gauge(50, BASE + 1))
    add("rr_upper", {"A_upper": "1", "zz": "2"}, gauge(25, BASE + 2))
    add("rr_one", {"k": "v"}, [(BASE + 12345, fbits(42.0))])
    for n in (120, 121, 240):
        t0 = BASE + 86400_000
        add(f"rr_n{n}", {"k": "v"}, [(t0 + i * 15000, fbits(i * 1.25)) for i in range(n)])
    add("rr_long", {"k": "v"}, gauge(700, BASE + 2 * 86400_000, jumps=False))
    # counters for PromQL: 15 s scrapes over the last hours, resets
    cstart = NOW - 4 * 3600_000
    for job, inst, rate in (("x", "i1", 3.0), ("x", "i10", 0.5), ("y", "i2", 7.25)):
        v, samples = 0.0, []
        for i in range(600):
            t = cstart + i * 15000 + rng.randint(0, 40)
            v = 0.0 if rng.random() < 0.005 else v + rate * 15 * rng.uniform(0.5, 1.5)
            samples.append((t, fbits(v)))
        add("rr_counter", {"job": job, "instance": inst}, samples)
    add("rr_gauge2", {"job": "x"}, [(cstart + i * 20000, fbits(rng.uniform(0, 10))) for i in range(500)])
    for _, samples in S:
        assert all(a[0] < b[0] for a, b in zip(samples, samples[1:]))
        assert samples[-1][0] < NOW - 60_000, "data must not reach into the future"
    return S


def write_body(series):
    return snappy(b"".join(series_v1(ls, [(bits, t) for t, bits in smp]) for ls, smp in series))


# -------------------------------------------------------------- requests

def matcher(t, name, value):
    return f_bytes(3, (f_varint(1, t) if t else b"") + f_bytes(2, name) + f_bytes(3, value))


def query(start, end, ms, hints=None):
    b = f_varint(1, start) + f_varint(2, end) + b"".join(matcher(*m) for m in ms)
    if hints is not None:
        b += f_bytes(4, hints)
    return f_bytes(1, b)


def read_request(queries, types=(), packed=True):
    b = b"".join(query(*q) for q in queries)
    if types:
        if packed:
            b += f_bytes(2, b"".join(uvarint(t) for t in types))
        else:
            b += b"".join(f_varint(2, t) for t in types)
    return b


def http(url, body=None, headers=None, method="POST", timeout=60):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def rr_headers():
    return {"Content-Type": PB, "Content-Encoding": "snappy", "X-Prometheus-Remote-Read-Version": "0.1.0"}


# --------------------------------------------------------------- decoding

def label_size(n, v):
    n, v = n.encode(), v.encode()
    return (1 + len(uvarint(len(n))) + len(n) if n else 0) + (1 + len(uvarint(len(v))) + len(v) if v else 0)


def chunk_size(mn, mx, typ, data):
    def vs(x):
        return 1 + len(uvarint(x & ((1 << 64) - 1))) if x else 0
    return vs(mn) + vs(mx) + vs(typ) + (1 + len(uvarint(len(data))) + len(data) if data else 0)


def decode_samples_answer(st, body, hdr):
    if st != 200:
        raise ValueError(f"status {st}: {body[:200]!r}")
    return [[(tuple(ls), smp) for ls, smp in qr] for qr in decode_read_response(unsnappy(body))]


def decode_stream(body, nq, frame_budget):
    """-> ([[(labels, samples)] per query], [problems])"""
    out = [[] for _ in range(nq)]
    problems = []
    last_q = 0
    for ok, data in read_frames(body):
        if not ok:
            problems.append("frame CRC mismatch")
        qi, series = decode_chunked(data)
        if len(series) != 1:
            problems.append(f"{len(series)} series in one frame")
        if qi < last_q or qi >= nq:
            problems.append(f"query_index {qi} after {last_q} of {nq}")
            continue
        last_q = qi
        for labels, chunks in series:
            lt = tuple(labels)
            samples = []
            csizes = []
            for mn, mx, typ, data in chunks:
                s = xor_decode(data)
                if typ != 1 or not s or s[0][0] != mn or s[-1][0] != mx:
                    problems.append(f"chunk of {lt[:2]}: type {typ}, min/max {mn}/{mx} vs samples")
                samples += s
                csizes.append(chunk_size(mn, mx, typ, data))
            lsz = sum(label_size(n, v) for n, v in labels)
            if len(csizes) > 1 and lsz + sum(csizes) - csizes[-1] >= frame_budget:
                problems.append(f"frame of {lt[:2]} went on past its budget")
            if out[qi] and out[qi][-1][0] == lt:
                out[qi][-1][1].extend(samples)
                out[qi][-1][2].append(sum(csizes) + lsz)
            else:
                out[qi].append((lt, samples, [sum(csizes) + lsz]))
    res = []
    for q in out:
        ql = []
        for lt, samples, frames in q:
            if any(a[0] >= b[0] for a, b in zip(samples, samples[1:])):
                problems.append(f"samples of {lt[:2]} not in time order")
            # a frame that is not a series' last was closed on a spent budget
            if any(f < frame_budget for f in frames[:-1]):
                problems.append(f"series {lt[:2]} cut into a frame before its budget was spent")
            ql.append((lt, samples))
        res.append(ql)
    return res, problems


def show(series, n=2):
    return [(dict(ls).get("__name__"), len(s), s[:2]) for ls, s in series[:n]]


# ------------------------------------------------------------- processes

# ------------------------------------------------------ 1. differential

def both(prom, srv, body, headers=None):
    h = headers or rr_headers()
    p = http(prom.url("/api/v1/read"), snappy(body), h)
    s = srv.request("POST", "/api/v1/read", snappy(body), h)
    return p, s


class Diff:
    def __init__(self):
        self.negzero = 0      # Prometheus SAMPLES lost -0.0 where Strata kept it
        self.empty_series = 0  # Prometheus SAMPLES series without samples
        self.unsorted = 0      # Prometheus SAMPLES answers not in label order (none seen)


def compare_samples_mode(name, queries, p, s, D):
    try:
        pa = decode_samples_answer(*p)
        sa = decode_samples_answer(*s)
    except Exception as e:  # noqa: BLE001
        R.check(False, f"{name} (SAMPLES): both answer", f"{e!r} prom={p[0]} strata={s[0]} {s[1][:200]!r}")
        return None
    ok = R.check(p[2].get("Content-Type") == PB and s[2].get("Content-Type") == PB and
                 s[2].get("Content-Encoding") == "snappy" and p[2].get("Content-Encoding") == "snappy",
                 f"{name} (SAMPLES): content type and encoding", f"{s[2]}")
    ok &= R.check(len(pa) == len(queries) and len(sa) == len(queries),
                  f"{name} (SAMPLES): one result per query", f"prom {len(pa)} strata {len(sa)} want {len(queries)}")
    for qi, (pq, sq) in enumerate(zip(pa, sa)):
        D.empty_series += sum(1 for _, smp in pq if not smp)
        pq = [(ls, smp) for ls, smp in pq if smp]
        if [ls for ls, _ in pq] != sorted(ls for ls, _ in pq):
            D.unsorted += 1
        pd, sd = dict(pq), dict(sq)
        good = R.check([ls for ls, _ in sq] == sorted(pd), f"{name} (SAMPLES) q{qi}: same series, Prometheus's order",
                       f"\n prom   {sorted(pd)[:4]}\n strata {[ls for ls, _ in sq][:4]}")
        if not good:
            ok = False
            continue
        bad = []
        for ls, smp in sq:
            ps = pd[ls]
            if len(ps) != len(smp):
                bad.append((ls[:2], len(ps), len(smp)))
                continue
            for (pt, pv), (st, sv) in zip(ps, smp):
                if pt != st or (pv != sv and not (pv == 0 and sv == NEG_ZERO)):
                    bad.append((ls[:2], pt, hex(pv), st, hex(sv)))
                    break
                if pv != sv:
                    D.negzero += 1
        ok &= R.check(not bad, f"{name} (SAMPLES) q{qi}: samples identical bit for bit "
                      f"({sum(len(x) for _, x in sq)} samples)", repr(bad[:3]))
    return sa if ok else None


def compare_stream_mode(name, queries, p, s):
    ok = R.check(p[0] == 200 and s[0] == 200, f"{name} (STREAMED): 200", f"prom {p[0]} {p[1][:200]!r} strata {s[0]} {s[1][:200]!r}")
    if not ok:
        return None
    R.check(p[2].get("Content-Type") == STREAM_CT and s[2].get("Content-Type") == STREAM_CT and
            not s[2].get("Content-Encoding"), f"{name} (STREAMED): content type", f"{s[2]}")
    try:
        pa, pp = decode_stream(p[1], len(queries), FRAME)
        sa, sp = decode_stream(s[1], len(queries), FRAME)
    except Exception as e:  # noqa: BLE001
        R.check(False, f"{name} (STREAMED): both decode", repr(e))
        return None
    R.check(not pp, f"{name} (STREAMED): Prometheus's frames obey the rules checked", repr(pp[:3]))
    R.check(not sp, f"{name} (STREAMED): frames (CRC, query_index, one series each, chunk times, budget)",
            repr(sp[:3]))
    for qi, (pq, sq) in enumerate(zip(pa, sa)):
        same = pq == sq
        detail = ""
        if not same:
            pl, sl = [x[0] for x in pq], [x[0] for x in sq]
            if pl != sl:
                detail = f"series differ:\n prom   {[dict(x).get('__name__') for x in pl][:12]}\n strata {[dict(x).get('__name__') for x in sl][:12]}"
            else:
                for (ls, a), (_, b) in zip(pq, sq):
                    if a != b:
                        diff = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                        detail = f"{ls[:2]}: {len(a)} vs {len(b)} samples, first difference at {diff}: " \
                                 f"{a[diff:diff + 1]} vs {b[diff:diff + 1]}"
                        break
        R.check(same, f"{name} (STREAMED) q{qi}: same series, order and samples bit for bit "
                f"({len(sq)} series, {sum(len(x) for _, x in sq)} samples)", detail)
    return sa


def run_differential(prom, srv, data, D):
    full = (BASE - 1000, NOW + 1000)
    g = dict((tuple(ls), smp) for ls, smp in data)
    ga = g[tuple(sorted({"__name__": "rr_gauge", "host": "a", "region": "eu"}.items()))]
    t50, t120, t77 = ga[50][0], ga[120][0], ga[77][0]
    # a gap between two samples, inside one series
    gap = next(((a[0] + 1, b[0] - 1) for a, b in zip(ga, ga[1:]) if b[0] - a[0] > 3600_000), (t50 + 1, t50 + 2))
    cases = [
        ("one EQ query", [(full[0], full[1], [(0, "__name__", "rr_gauge")])]),
        ("every series", [(full[0], full[1], [(2, "__name__", "rr_.+")])]),
        ("several queries, partial ranges", [
            (t50, t120, [(0, "__name__", "rr_gauge")]),
            (t50 + 1, t120 - 1, [(0, "__name__", "rr_gauge"), (1, "host", "a")]),
            (t77, t77, [(2, "__name__", "rr_gauge|rr_z"), (3, "region", "u.*")]),
            (full[0], full[1], [(0, "__name__", "does_not_exist")]),
            (gap[0], gap[1], [(0, "__name__", "rr_gauge")]),
            (NOW - 3 * 3600_000, NOW - 2 * 3600_000, [(2, "__name__", "rr_counter"), (3, "job", "y|z")]),
        ]),
        ("NEQ and NRE without a name", [(full[0], full[1], [(1, "region", "eu"), (3, "host", "a.*"),
                                                             (2, "host", ".+")])]),
        ("regexes are anchored", [(full[0], full[1], [(2, "__name__", "rr_gau")]),
                                  (full[0], full[1], [(2, "__name__", "rr_gauge|rr_n12")]),
                                  (full[0], full[1], [(2, "__name__", "rr_n12.")])]),
        ("unicode, 40 labels, a name before __name__", [
            (full[0], full[1], [(0, "city", "Zürich")]),
            (full[0], full[1], [(2, "emoji", "📈|x"), (0, "mixed", 'a"b\\c\nd')]),
            (full[0], full[1], [(0, "l07", "value-10-xx")]),
            (full[0], full[1], [(0, "A_upper", "1")])]),
        ("chunk boundaries: 1, 120, 121, 240, 700 samples", [
            (full[0], full[1], [(2, "__name__", "rr_n.*|rr_one|rr_long")])]),
        ("empty and inverted ranges", [(NOW + 3600_000, NOW + 7200_000, [(2, "__name__", "rr_.+")]),
                                       (t120, t50, [(0, "__name__", "rr_gauge")]),
                                       (-10, 0, [(2, "__name__", ".+")])]),
        ("matchers that all match the empty string", [
            (full[0], full[1], [(0, "nolabel", "")]),
            (full[0], full[1], [(2, "__name__", ".*"), (1, "host", "a")]),
            (full[0], full[1], [(3, "region", "eu")])]),
        ("no matchers at all", [(full[0], full[1], [])]),
        ("hints are ignored", [(full[0], full[1], [(0, "__name__", "rr_z")],
                                f_varint(1, 60000) + f_bytes(2, "rate") + f_varint(3, full[0]) + f_varint(4, full[1]))]),
    ]
    got = {}
    for name, qs in cases:
        p, s = both(prom, srv, read_request(qs))
        got[name] = compare_samples_mode(name, qs, p, s, D)
        for types, packed in (((1,), True), ((1, 0), False), ((5, 1), True)):
            p, s = both(prom, srv, read_request(qs, types, packed))
            compare_stream_mode(f"{name} types={list(types)}{' packed' if packed else ''}", qs, p, s)
            if name not in ("one EQ query", "every series"):
                break
    # negotiation: first supported type in the client's order; [] = SAMPLES
    qs = [(full[0], full[1], [(0, "__name__", "rr_z")])]
    for types, want in (((), PB), ((0, 1), PB), ((1, 0), STREAM_CT), ((7, 0), PB)):
        p, s = both(prom, srv, read_request(qs, types, packed=False))
        R.check(p[0] == s[0] == 200 and p[2].get("Content-Type") == s[2].get("Content-Type") == want,
                f"negotiation {list(types)}: {want.split(';')[0]}", f"prom {p[0]} {p[2].get('Content-Type')} "
                f"strata {s[0]} {s[2].get('Content-Type')}")
    # sanity of the data set itself: the answers are not trivially empty
    ev = got.get("every series")
    R.check(ev is not None and len(ev[0]) == len(data), f"every series read back ({len(data)})",
            "" if ev is None else f"{len(ev[0])}")
    if ev is not None:
        want = sorted((tuple(ls), smp) for ls, smp in data)
        R.check([(ls, smp) for ls, smp in ev[0]] == want, "Strata returns exactly the samples written, bit for bit",
                "")
    R.check(D.negzero > 0, f"Prometheus's SAMPLES drop -0.0 ({D.negzero} samples), Strata keeps it")
    print(f"# Prometheus SAMPLES answers: {D.empty_series} series without samples (dropped here), "
          f"{D.unsorted} results not in label order")


# ------------------------------------------------------ 2. PromQL via remote_read

def run_promql(prom_a, srv, tmp):
    cfg = f"""global:
  scrape_interval: 1h
remote_read:
  - url: http://127.0.0.1:{srv.port}/api/v1/read
    read_recent: true
"""
    prom_b = Prometheus(cfg).start()
    try:
        cstart = NOW - 4 * 3600_000
        t1 = (cstart + 2 * 3600_000) / 1000
        t2 = (cstart + 150 * 60_000) / 1000
        inst = [
            ("rr_counter", t1), ("rr_gauge2", t2), ("rate(rr_counter[5m])", t1), ("increase(rr_counter[10m])", t2),
            ("sum by (job) (rate(rr_counter[5m]))", t1), ("avg_over_time(rr_gauge2[1h])", t2),
            ("rr_counter offset 30m", t1), ("max_over_time(rr_long[1d])", (BASE + 3 * 86400_000) / 1000),
            ('count by (__name__) ({__name__=~"rr_.+"})', (NOW - 3600_000) / 1000),
            ("rr_n240[10m]", (BASE + 86400_000 + 1800_000) / 1000),
            ('rr_gauge{host=~"a|b"}[1d]', (BASE + 86400_000) / 1000),
            ("resets(rr_counter[2h])", t1), ("rr_unicode", (BASE + 600_000) / 1000),
        ]
        rng_q = [
            ("rate(rr_counter[5m])", cstart / 1000, t1, "60"),
            ("sum by (job) (rr_counter)", cstart / 1000, (NOW - 3600_000) / 1000, "300"),
            ("avg_over_time(rr_gauge2[10m])", cstart / 1000, t2, "137"),
            ("rr_gauge", BASE / 1000, (BASE + 86400_000) / 1000, "3600"),
        ]
        asks = [("/api/v1/query", {"query": q, "time": f"{t:.3f}"}) for q, t in inst]
        asks += [("/api/v1/query_range", {"query": q, "start": f"{a:.3f}", "end": f"{b:.3f}", "step": st})
                 for q, a, b, st in rng_q]
        nonempty = 0
        for path, params in asks:
            qs_ = urllib.parse.urlencode(params)
            sa, ba, _ = http(prom_a.url(f"{path}?{qs_}"), method="GET")
            sb, bb, _ = http(prom_b.url(f"{path}?{qs_}"), method="GET")

            def norm(b):
                o = json.loads(b)
                d = o.get("data", {})
                return (o.get("status"), d.get("resultType"),
                        sorted(json.dumps(x, sort_keys=True) for x in d.get("result", [])), o.get("warnings"))
            na, nb = norm(ba), norm(bb)
            nonempty += 1 if na[2] else 0
            R.check(sa == sb == 200 and na == nb,
                    f"PromQL {params['query']!r} ({path.rsplit('/', 1)[1]}) through remote_read: same answer",
                    f"({len(na[2])} series)\n via strata {str(nb)[:700]}\n prometheus {str(na)[:700]}")
        R.check(nonempty >= len(asks) - 1, f"PromQL answers are not empty ({nonempty} of {len(asks)})")
    finally:
        prom_b.stop()


# ----------------------------------------------------- 3. Strata's rules

def lp_import(srv, text, db=None):
    prefix = f"/db/{db}" if db else ""
    return srv.request("POST", f"{prefix}/api/v1/import?format=line", text.encode())[0]


def strata_rules(srv):
    # other databases: /db/NAME/ and ?db=; an unknown one answers empty results
    t = NOW - 3600_000
    st, _, _ = srv.request("POST", "/db/other/api/v1/write",
                           write_body([([("__name__", "rr_other"), ("k", "v")], [(t, fbits(1.5))])]),
                           {"Content-Type": PB, "Content-Encoding": "snappy"})
    R.check(st == 204, "write into /db/other")
    rq = snappy(read_request([(t - 1, t + 1, [(0, "__name__", "rr_other")]), (0, NOW, [(2, "__name__", ".+")])]))
    for path in ("/db/other/api/v1/read", "/api/v1/read?db=other"):
        st, body, _ = srv.request("POST", path, rq, rr_headers())
        res = decode_samples_answer(st, body, {}) if st == 200 else None
        R.check(res is not None and len(res) == 2 and res[0] == [((("__name__", "rr_other"), ("k", "v")),
                                                                   [(t, fbits(1.5))])],
                f"read {path}", f"{st} {res}")
    for path in ("/db/nosuchdb/api/v1/read", "/api/v1/read?db=nosuchdb"):
        st, body, _ = srv.request("POST", path, rq, rr_headers())
        res = decode_samples_answer(st, body, {}) if st == 200 else None
        R.check(res == [[], []], f"unknown database {path}: an empty result per query", f"{st} {res}")
        st, body, hdr = srv.request("POST", path, snappy(read_request([(0, NOW, [(2, "__name__", ".+")])], (1,))),
                                    rr_headers())
        R.check(st == 200 and body == b"" and hdr.get("Content-Type") == STREAM_CT,
                f"unknown database {path}, streamed: no frames", f"{st} {body[:100]!r}")
    # strings are left out; integers and booleans read as floats; of two
    # samples in one millisecond the later one is answered
    ns = (NOW - 7200_000) * 1_000_000
    text = (f"rr_types,k=v s=\"hello\" {ns}\n"
            f"rr_types,k=v i=5i {ns}\n"
            f"rr_types,k=v b=true {ns}\n"
            f"rr_ms,k=v value=1 {ns + 100}\n"
            f"rr_ms,k=v value=2 {ns + 900_000}\n"
            f"rr_ms,k=v value=3 {ns + 1_000_000}\n"
            f"rr_ms,k=v value=4 {ns + 1_999_999}\n")
    R.check(lp_import(srv, text, "nsdb") == 204, "line protocol with strings, ints, bools and ns timestamps")
    ms = ns // 1_000_000
    rq = read_request([(ms - 10, ms + 10, [(2, "__name__", "rr_.+")])])
    st, body, _ = srv.request("POST", "/db/nsdb/api/v1/read", snappy(rq), rr_headers())
    res = decode_samples_answer(st, body, {}) if st == 200 else [[]]
    names = {dict(ls)["__name__"]: smp for ls, smp in res[0]}
    R.check(set(names) == {"rr_types_i", "rr_types_b", "rr_ms"}, "string series left out", f"{sorted(names)}")
    R.check(names.get("rr_types_i") == [(ms, fbits(5.0))] and names.get("rr_types_b") == [(ms, fbits(1.0))],
            "integers and booleans as floats", f"{names.get('rr_types_i')} {names.get('rr_types_b')}")
    R.check(names.get("rr_ms") == [(ms, fbits(2.0)), (ms + 1, fbits(4.0))],
            "two samples in one millisecond: the later one", f"{names.get('rr_ms')}")
    st, body, _ = srv.request("POST", "/db/nsdb/api/v1/read", snappy(read_request(
        [(ms - 10, ms + 10, [(0, "__name__", "rr_ms")])], (1,))), rr_headers())
    sres, probs = decode_stream(body, 1, FRAME) if st == 200 else ([[]], ["status"])
    R.check(not probs and sres[0] and sres[0][0][1] == [(ms, fbits(2.0)), (ms + 1, fbits(4.0))],
            "streamed: the same milliseconds", f"{sres} {probs}")


def malformed(srv, prom, max_decoded):
    good = read_request([(0, NOW, [(0, "__name__", "rr_z")])])
    cases = [
        # name, body (already compressed), headers, method, want
        ("garbage body", b"hello world, this is text", rr_headers(), "POST", 400),
        ("empty body", b"", rr_headers(), "POST", 400),
        ("truncated snappy", snappy(good)[:-5], rr_headers(), "POST", 400),
        ("lying snappy preamble (more than there is)", snappy(good, declared=len(good) + 40), rr_headers(), "POST", 400),
        ("snappy preamble over --max-decoded-size", snappy(good, declared=max_decoded + 1), rr_headers(), "POST", 413),
        ("snappy preamble of 4 GiB", b"\xff\xff\xff\xff\x0f" + good, rr_headers(), "POST", 413),
        ("snappy framed format", b"\xff\x06\x00\x00sNaPpY" + snappy(good), rr_headers(), "POST", 400),
        ("protobuf length past the end", snappy(b"\x0a\x7f\x08\x01"), rr_headers(), "POST", 400),
        ("protobuf wrong wire type", snappy(b"\x08\x01"), rr_headers(), "POST", 400),
        ("protobuf truncated varint", snappy(b"\x0a\x02\x08\xff"), rr_headers(), "POST", 400),
        ("protobuf group", snappy(b"\x0b\x0c"), rr_headers(), "POST", 400),
        ("bad regex", snappy(read_request([(0, NOW, [(2, "__name__", "a(b")])])), rr_headers(), "POST", 400),
        ("bad regex in a later query", snappy(read_request([(0, NOW, [(0, "__name__", "x")]),
                                                            (0, NOW, [(3, "job", "[z-a]")])])), rr_headers(), "POST", 400),
        ("invalid matcher type", snappy(read_request([(0, NOW, [(9, "__name__", "x")])])), rr_headers(), "POST", 400),
        ("only unsupported response types", snappy(read_request([(0, NOW, [(0, "__name__", "x")])], (5, 7))),
         rr_headers(), "POST", 400),
        ("GET", None, rr_headers(), "GET", 405),
        ("PUT", snappy(good), rr_headers(), "PUT", 405),
        ("gzip body", __import__("gzip").compress(good), dict(rr_headers(), **{"Content-Encoding": "gzip"}),
         "POST", 400),
    ]
    for name, body, hdr, method, want in cases:
        st, resp, _ = srv.request(method, "/api/v1/read", body=body, headers=hdr)
        R.check(st == want and len(resp.strip()) > 0, f"malformed: {name}: {want} with a message",
                f"got {st} {resp[:200]!r}")
        if name == "gzip body":
            R.check(b"Content-Encoding" in resp, "gzip body: the message names the Content-Encoding", resp[:300])
        if name == "bad regex":
            R.check(b"a(b" in resp and b"matchers[0]" in resp, "bad regex: the message names it", resp[:300])
        if name == "snappy preamble over --max-decoded-size":
            R.check(b"max-decoded-size" in resp, "413 names --max-decoded-size", resp[:300])
        pst = http(prom.url("/api/v1/read"), body, hdr, method=method)[0] if prom else None
        print(f"# Prometheus 2.42 answers {name!r} with {pst}")
        hs, _, _ = srv.request("GET", "/-/healthy")
        if hs != 200:
            R.check(False, f"server alive after {name}")
            return
    # Prometheus ignores both headers; so does Strata when the body is right
    st, body, _ = srv.request("POST", "/api/v1/read", snappy(good), {"Content-Type": "text/plain"})
    R.check(st == 200 and decode_samples_answer(st, body, {}) is not None, "any Content-Type, valid body: 200",
            f"{st} {body[:200]!r}")
    st, _, _ = srv.request("POST", "/api/v1/read", b"\0" * (5 << 20), rr_headers())
    R.check(st == 413, "body over --max-body-size: 413", str(st))
    st, body, _ = srv.request("POST", "/api/v1/read", snappy(good), rr_headers())
    R.check(st == 200, "server still reads after the corpus", str(st))


def limits(tmp):
    """--remote-read-sample-limit 100 (for the whole read, either type), then
    a Strata with one read at a time and 1 KiB frames for the gate and the
    spill."""
    srv = Server("--remote-read-sample-limit", "100")
    t = NOW - 3600_000
    body = write_body([([("__name__", "lim"), ("k", "a")], [(t + i, fbits(i)) for i in range(60)]),
                       ([("__name__", "lim"), ("k", "b")], [(t + i, fbits(i)) for i in range(40)]),
                       ([("__name__", "lim"), ("k", "c")], [(t + i, fbits(i)) for i in range(1)])])
    try:
        srv.start()
        R.check(srv.request("POST", "/api/v1/write", body, RW_HEADERS)[0] == 204, "limits: write")
        ok100 = read_request([(t, t + 1000, [(0, "k", "a")]), (t, t + 1000, [(0, "k", "b")])])
        st, resp, _ = srv.request("POST", "/api/v1/read", snappy(ok100), rr_headers())
        R.check(st == 200, "SAMPLES: 100 samples over two queries with a limit of 100: 200", f"{st} {resp[:200]!r}")
        twice = read_request([(t, t + 1000, [(2, "k", "a|b")]), (t, t + 1000, [(2, "k", "a|b")])])
        st, resp, _ = srv.request("POST", "/api/v1/read", snappy(twice), rr_headers())
        R.check(st == 400 and b"exceeded sample limit (100)" in resp,
                "SAMPLES: one 100-sample query twice: 400 (the limit covers the read)", f"{st} {resp[:300]!r}")
        over = read_request([(t, t + 1000, [(0, "__name__", "lim")])])
        st, resp, _ = srv.request("POST", "/api/v1/read", snappy(over), rr_headers())
        R.check(st == 400 and b"exceeded sample limit (100)" in resp,
                "SAMPLES: 101 samples with a limit of 100: 400 exceeded sample limit", f"{st} {resp[:300]!r}")
        st, resp, _ = srv.request("POST", "/api/v1/read", snappy(read_request(
            [(t, t + 1000, [(0, "__name__", "lim")])], (1,))), rr_headers())
        R.check(st == 400 and b"exceeded sample limit (100)" in resp,
                "STREAMED: 101 samples with a limit of 100: 400 (it is spooled before it is sent)",
                f"{st} {resp[:300]!r}")
        many = read_request([(t, t + 1000, [(0, "k", "c")])] * 1001)
        st, resp, _ = srv.request("POST", "/api/v1/read", snappy(many), rr_headers())
        R.check(st == 400 and b"1001 queries, more than the 1000" in resp, "1,001 queries: 400", f"{st} {resp[:300]!r}")
        wide = read_request([(t, t + 1000, [(0, "k", "c")] + [(1, f"x{i}", "y") for i in range(256)])])
        st, resp, _ = srv.request("POST", "/api/v1/read", snappy(wide), rr_headers())
        R.check(st == 400 and b"257 matchers, more than the 256" in resp, "257 matchers in a query: 400",
                f"{st} {resp[:300]!r}")
    except Exception as e:  # noqa: BLE001
        report_crash(R, e, srv)
    finally:
        rc = srv.stop()
        R.check(rc == 0, "limits server exits cleanly", f"rc={rc}")
        srv.cleanup()
    srv = Server("--remote-read-sample-limit", "0", "--remote-read-concurrency", "1",
                 "--remote-read-max-frame-size", "1024")
    try:
        srv.start()
        R.check(srv.request("POST", "/api/v1/write", body, RW_HEADERS)[0] == 204, "gate server: write")
        st, _, _ = srv.request("POST", "/api/v1/read", b"garbage", rr_headers())
        R.check(st == 400, "gate server: garbage 400", str(st))
        check_gate(srv, t)
        check_spill(srv)
        st, mb, _ = srv.request("GET", "/metrics")
        m = {ln.split(" ")[0]: ln.split(" ")[1] for ln in mb.decode().splitlines() if ln.startswith("strata_remote_read")}
        R.check(int(m.get("strata_remote_read_requests_rejected_total", 0)) >= 1 and
                int(m.get('strata_remote_read_requests_total{type="streamed_xor_chunks"}', 0)) >= 3 and
                int(m.get("strata_remote_read_samples_total", 0)) >= 300 and
                m.get("strata_remote_read_in_flight") == "0", "/metrics counts remote reads", repr(m))
    except Exception as e:  # noqa: BLE001
        report_crash(R, e, srv)
    finally:
        rc = srv.stop()
        R.check(rc == 0, "gate server exits cleanly", f"rc={rc}")
        srv.cleanup()


def check_gate(srv, t):
    """--remote-read-concurrency 1. A client that does not read its
    streamed answer holds no turn (its answer is produced already): other
    reads go on. Reads that come together take turns: each answer is whole,
    or a 503 with Retry-After when too many wait."""
    series = []
    for i in range(100):
        rs = random.Random(i)
        # long labels: with 1 KiB frames, every chunk's frame repeats them,
        # so the answer (about 7 MiB) outgrows the socket buffers
        series.append(([("__name__", "gate"), ("i", f"{i:03d}"), ("pad", "p" * 3000)],
                        [(t - 2000 * 1000 + k * 1000, rs.getrandbits(64) & ~(0x7FF << 52)) for k in range(2000)]))
    st, _, _ = srv.request("POST", "/api/v1/write", write_body(series), RW_HEADERS)
    R.check(st == 204, "gate: 200,000 samples written", str(st))
    body = snappy(read_request([(t - 3000 * 1000, t, [(0, "__name__", "gate")])], (1,)))
    slow = socket.create_connection(("127.0.0.1", srv.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(f"POST /api/v1/read HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
                 f"Content-Type: {PB}\r\n\r\n".encode() + body)
    slow.recv(1024)  # its answer has started, and stalls
    t0 = time.time()
    st, resp, _ = srv.request("POST", "/api/v1/read", snappy(read_request([(t - 10, t, [(0, "__name__", "lim")])])),
                              rr_headers(), timeout=30)
    R.check(st == 200 and time.time() - t0 < 10, "a slow reader does not hold the only turn",
            f"{st} {round(time.time() - t0, 1)} s")
    st, mb, _ = srv.request("GET", "/metrics")
    gauges = sorted(ln for ln in mb.decode().splitlines()
                    if ln.startswith(("strata_remote_read_in_flight ", "strata_remote_read_streams ")))
    R.check(gauges == ["strata_remote_read_in_flight 0", "strata_remote_read_streams 1"],
            "/metrics: no read running, one answer being sent", repr(gauges))
    st, _, _ = srv.request("POST", "/api/v1/admin/flush", timeout=30)
    R.check(st == 204, "a flush completes while the slow client reads", str(st))
    slow.close()
    # several big reads at once take turns
    big = snappy(read_request([(t - 3000 * 1000, t, [(0, "__name__", "gate")])], (1,)))
    st, ref, _ = srv.request("POST", "/api/v1/read", big, rr_headers(), timeout=60)
    got = []

    def one():
        got.append(srv.request("POST", "/api/v1/read", big, rr_headers(), timeout=90))
    ths = [threading.Thread(target=one) for _ in range(4)]
    for th in ths:
        th.start()
    for th in ths:
        th.join(120)
    oks = sum(1 for st_, b, _ in got if st_ == 200 and b == ref)
    busy = sum(1 for st_, b, h in got if st_ == 503 and h.get("Retry-After") and b"concurrent" in b)
    R.check(st == 200 and len(ref) > 4 << 20 and oks >= 1 and oks + busy == 4,
            f"4 reads at once with one turn: {oks} whole answers, {busy} told to retry",
            f"{[(x[0], len(x[1])) for x in got]}")
    st, mb, _ = srv.request("GET", "/metrics")
    gauges = sorted(ln for ln in mb.decode().splitlines()
                    if ln.startswith(("strata_remote_read_in_flight ", "strata_remote_read_streams ")))
    R.check(gauges == ["strata_remote_read_in_flight 0", "strata_remote_read_streams 0"],
            "/metrics: nothing in flight afterwards", repr(gauges))


def check_spill(srv):
    """A streamed answer larger than the in-memory share (16 MiB) goes
    through a temporary file and arrives whole, in order."""
    t = NOW - 1800_000
    series = []
    for i in range(6000):
        blob = rng.randbytes(2000).hex()[:rng.randint(3000, 4000)]
        series.append(([("__name__", "spill"), ("blob", blob)], [(t + i, fbits(i))]))
    st, _, _ = srv.request("POST", "/db/spill/api/v1/write", write_body(series), RW_HEADERS)
    R.check(st == 204, "spill: 6000 series with 3-4 KB labels written", str(st))
    st0, mb, _ = srv.request("GET", "/metrics")
    before = [ln for ln in mb.decode().splitlines() if ln.startswith("strata_remote_read_spilled_total ")]
    st, body, _ = srv.request("POST", "/db/spill/api/v1/read", snappy(read_request(
        [(t - 1, t + 10000, [(0, "__name__", "spill")])], (1,))), rr_headers(), timeout=120)
    R.check(st == 200 and len(body) > 17 << 20, f"spill: a {len(body) >> 20} MiB streamed answer", str(st))
    # decode without the (slow, pure Python) CRC of every frame: lengths,
    # labels and samples of all, the CRC of every 97th
    i, k, order, bad = 0, 0, [], 0
    from promwire import read_uvarint, crc32c
    while i < len(body):
        n, i = read_uvarint(body, i)
        data = body[i + 4:i + 4 + n]
        if k % 97 == 0 and crc32c(data) != struct.unpack_from(">I", body, i)[0]:
            bad += 1
        i += 4 + n
        k += 1
        qi, ss = decode_chunked(data)
        for labels, chunks in ss:
            order.append(tuple(labels))
            smp = [s for c in chunks for s in xor_decode(c[3])]
            if len(smp) != 1:
                bad += 1
    want = sorted(tuple(ls) for ls, _ in series)
    R.check(bad == 0 and order == want, "spill: every series once, in Prometheus's order, CRCs good",
            f"bad={bad} n={len(order)}")
    st, mb, _ = srv.request("GET", "/metrics")
    after = [ln for ln in mb.decode().splitlines() if ln.startswith("strata_remote_read_spilled_total ")]
    R.check(before != after, "spill: counted in /metrics", f"{before} {after}")


# ------------------------------------------------------------------ main

def main():
    tmp = tempfile.mkdtemp(prefix="strata-rr-")
    max_decoded = 1 << 20
    srv = Server("--max-decoded-size", str(max_decoded), "--max-body-size", str(4 << 20),
                 "--remote-read-max-frame-size", str(FRAME))
    prom = None
    try:
        srv.start()
        data = make_data()
        body = write_body(data)
        st, resp, _ = srv.request("POST", "/api/v1/write", body, {"Content-Type": PB, "Content-Encoding": "snappy"})
        R.check(st == 204, f"Strata takes the data set ({len(data)} series, "
                f"{sum(len(s) for _, s in data)} samples)", f"{st} {resp[:300]!r}")
        if shutil.which("prometheus") is None:
            R.check(False, "prometheus binary installed")
        else:
            prom = Prometheus("global:\n  scrape_interval: 1h\n",
                              ["--web.enable-remote-write-receiver", f"--storage.remote.read-max-bytes-in-frame={FRAME}",
                               "--storage.tsdb.retention.time=30d"]).start()
            st, resp, _ = http(prom.url("/api/v1/write"), body, {"Content-Type": PB, "Content-Encoding": "snappy"})
            R.check(st == 204, "Prometheus takes the data set", f"{st} {resp[:300]!r}")
            D = Diff()
            run_differential(prom, srv, data, D)
            run_promql(prom, srv, tmp)
        strata_rules(srv)
        malformed(srv, prom, max_decoded)
        limits(tmp)
        st, _, _ = srv.request("GET", "/-/healthy")
        R.check(st == 200, "server healthy at the end")
    except Exception as e:  # noqa: BLE001
        report_crash(R, e, srv)
    finally:
        if prom:
            prom.stop()
        rc = srv.stop()
        R.check(rc == 0, "strata exits cleanly", f"rc={rc} {srv.tail()[-1500:]}")
        srv.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
