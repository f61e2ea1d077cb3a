"""remote_write end to end: a real Prometheus (Debian's 2.42) scrapes itself
and Strata every second and remote-writes everything to Strata's
POST /api/v1/write; after it is stopped (SIGTERM flushes its queue), every
sample Prometheus holds in its own TSDB must be in Strata's export with the
same value. Then a malformed corpus (bad snappy, lying preambles, bad
protobuf, bad labels, huge sizes, wrong content types and encodings), each
answered with its 4xx while the server keeps serving, and the 1.0/2.0
response rules (204, *-Written headers, partial writes named in a 400).

Requests are built here with a small protobuf encoder and a literal-only
snappy encoder (valid block format; Python's stdlib has no snappy).
With STRATA_SMOKE=1 (make test-asan), everything but the Prometheus part
runs, against the ASan build.
Python 3 stdlib only, plus strata.py."""
import gzip
import http.client
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Prometheus, Results, export_json  # noqa: E402
from promwire import (uvarint, tag, f_bytes, f_varint, f_fixed64, fbits, sample,  # noqa: E402,F401
                     series_v1, series_v2, request_v2, snappy, STALE)

R = Results("test_remote_write")
V1 = "application/x-protobuf"
V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request"


def post(srv, body, ctype=V1, enc="snappy", path="/api/v1/write", method="POST", extra=None):
    h = {"X-Prometheus-Remote-Write-Version": "0.1.0"}
    if ctype is not None:
        h["Content-Type"] = ctype
    if enc is not None:
        h["Content-Encoding"] = enc
    h.update(extra or {})
    return srv.request(method, path, body=body, headers=h)


def now_ms():
    return int(time.time() * 1000)


# ------------------------------------------------------- direct checks

def check_protocol(srv):
    t = now_ms()
    # 1.0: two series (one with unsorted labels), a stale marker, metadata
    body = series_v1([("__name__", "rw_a"), ("job", "x")], [(fbits(1.5), t), (STALE, t + 1000)])
    body += series_v1([("zone", "eu"), ("__name__", "rw_b")], [(fbits(-2.25), t)])
    body += f_bytes(3, f_varint(1, 1) + f_bytes(2, "rw_a") + f_bytes(4, "help") + f_bytes(5, "unit"))
    st, resp, hdr = post(srv, snappy(body))
    R.check(st == 204, "v1 write: 204", f"{st} {resp[:300]}")
    R.check("X-Prometheus-Remote-Write-Samples-Written" not in hdr, "v1: no *-Written headers")
    exp = export_json(srv, match='{__name__=~"rw_.*"}')
    a = exp.get((("__name__", "rw_a"), ("job", "x")))
    b = exp.get((("__name__", "rw_b"), ("zone", "eu")))
    R.check(a is not None and a[0] == (t, 1.5) and len(a) == 2, "v1 series a exported", repr(a))
    R.check(b == [(t, -2.25)], "v1 series b (unsorted labels) exported", repr(b))
    # the same request again (a retry) is a no-op
    st, _, _ = post(srv, snappy(body))
    R.check(st == 204, "v1 identical re-send: 204")
    # metadata only
    st, _, _ = post(srv, snappy(f_bytes(3, f_varint(1, 2) + f_bytes(2, "m"))))
    R.check(st == 204, "metadata-only request: 204")
    # metadata is served as Prometheus's /api/v1/metadata shapes it
    st, mb, _ = srv.request("GET", "/api/v1/metadata")
    md = json.loads(mb)
    R.check(st == 200 and md == {"status": "success", "data": {
        "m": [{"type": "gauge", "help": "", "unit": ""}],
        "rw_a": [{"type": "counter", "help": "help", "unit": "unit"}]}},
        "/api/v1/metadata lists what remote_write delivered", md)
    st, mb, _ = srv.request("GET", "/api/v1/metadata?metric=rw_a")
    R.check(list(json.loads(mb)["data"]) == ["rw_a"], "/api/v1/metadata?metric=", mb)
    st, mb, _ = srv.request("GET", "/db/other/api/v1/metadata")
    R.check(json.loads(mb)["data"] == {}, "metadata is per database", mb)
    # no Content-Type / Content-Encoding at all (defaults: 1.0, snappy);
    # urllib would add a form Content-Type, so http.client
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    c.putrequest("POST", "/api/v1/write", skip_accept_encoding=True)
    body = snappy(series_v1([("__name__", "rw_nohdr")], [(fbits(2), t)]))
    c.putheader("Content-Length", str(len(body)))
    c.endheaders(body)
    st = c.getresponse().status
    c.close()
    R.check(st == 204, "request without Content-Type/Content-Encoding: 204", str(st))
    # zstd is not in the stdlib; gzip is
    st, resp, _ = post(srv, gzip.compress(series_v1([("__name__", "rw_gz")], [(fbits(7), t)])), enc="gzip")
    R.check(st == 204, "gzip body: 204", f"{st} {resp[:200]}")
    # partial: one good series, one with a duplicate label name
    body = series_v1([("__name__", "rw_good")], [(fbits(1), t)])
    body += series_v1([("__name__", "rw_bad"), ("a", "1"), ("a", "2")], [(fbits(1), t)])
    st, resp, _ = post(srv, snappy(body))
    R.check(st == 400 and b"rw_bad" in resp and b"duplicate label name" in resp,
            "bad labels: 400 naming the series and the reason", f"{st} {resp[:300]}")
    R.check((("__name__", "rw_good"),) in export_json(srv, match="rw_good"), "valid series of a 400 kept")
    # 2.0
    st, resp, hdr = post(srv, snappy(request_v2(lambda syms: [
        series_v2(syms, [("__name__", "rw_v2"), ("k", "v")], [(fbits(3.5), t), (fbits(4.5), t + 1)]),
        series_v2(syms, [("__name__", "rw_v2b")], [(fbits(1), t)], extra=f_bytes(5, f_varint(1, 2))),
    ])), ctype=V2)
    R.check(st == 204, "v2 write: 204", f"{st} {resp[:300]}")
    R.check(hdr.get("X-Prometheus-Remote-Write-Samples-Written") == "3" and
            hdr.get("X-Prometheus-Remote-Write-Histograms-Written") == "0" and
            hdr.get("X-Prometheus-Remote-Write-Exemplars-Written") == "0", "v2: *-Written headers", repr(hdr))
    got = export_json(srv, match="rw_v2").get((("__name__", "rw_v2"), ("k", "v")))
    R.check(got == [(t, 3.5), (t + 1, 4.5)], "v2 samples exported", repr(got))
    # 2.0 with a native histogram: samples written, 400 since not everything was
    st, resp, hdr = post(srv, snappy(request_v2(lambda syms: [
        series_v2(syms, [("__name__", "rw_v2h")], [(fbits(1), t)], extra=f_bytes(3, f_varint(1, 5))),
    ])), ctype=V2)
    R.check(st == 400 and hdr.get("X-Prometheus-Remote-Write-Samples-Written") == "1" and
            hdr.get("X-Prometheus-Remote-Write-Histograms-Written") == "0",
            "v2 with a histogram: 400 with accurate headers", f"{st} {resp[:200]} {hdr}")
    # 1.0 with a histogram and an exemplar: dropped and counted, 204
    st, _, _ = post(srv, snappy(f_bytes(1, f_bytes(1, f_bytes(1, "__name__") + f_bytes(2, "rw_h1")) +
                                        sample(fbits(1), t) + f_bytes(3, b"") + f_bytes(4, b""))))
    R.check(st == 204, "v1 with histogram/exemplar: 204 (dropped, counted)")
    # ?db= and /db/NAME/
    st, _, _ = post(srv, snappy(series_v1([("__name__", "rw_db")], [(fbits(9), t)])), path="/db/other/api/v1/write")
    R.check(st == 204 and (("__name__", "rw_db"),) in export_json(srv, db="other", match="rw_db"),
            "write to /db/other/")


def malformed_corpus(srv, max_decoded):
    t = now_ms()
    good = series_v1([("__name__", "rw_m")], [(fbits(1), t)])
    gz_bomb = gzip.compress(b"\0" * (max_decoded + 1024 * 1024))
    bad_utf8 = f_bytes(1, f_bytes(1, f_bytes(1, "__name__") + f_bytes(2, "m")) +
                       f_bytes(1, f_bytes(1, "k") + f_bytes(2, b"\xff\xfe")) + sample(fbits(1), t))
    cases = [
        # (name, body, content-type, content-encoding, method, expected status)
        ("truncated snappy", snappy(good)[:-4], V1, "snappy", "POST", 400),
        ("lying preamble (more)", snappy(good, declared=len(good) + 50), V1, "snappy", "POST", 400),
        ("lying preamble (less)", snappy(good, declared=len(good) - 3), V1, "snappy", "POST", 400),
        ("preamble over --max-decoded-size", snappy(good, declared=max_decoded + 1), V1, "snappy", "POST", 413),
        ("preamble 4 GiB", b"\xff\xff\xff\xff\x0f" + good, V1, "snappy", "POST", 413),
        ("truncated preamble", b"\x80\x80", V1, "snappy", "POST", 400),
        ("empty body", b"", V1, "snappy", "POST", 400),
        ("snappy framed format", b"\xff\x06\x00\x00sNaPpY" + good, V1, "snappy", "POST", 400),
        ("snappy bad copy offset", b"\x08\x0d\x05", V1, "snappy", "POST", 400),
        ("not snappy at all", b"hello world, this is text", V1, "snappy", "POST", 400),
        ("protobuf truncated varint", snappy(b"\x0a"), V1, "snappy", "POST", 400),
        ("protobuf length past end", snappy(b"\x0a\x7f\x0a\x02"), V1, "snappy", "POST", 400),
        ("protobuf wrong wire type", snappy(b"\x08\x01"), V1, "snappy", "POST", 400),
        ("protobuf group", snappy(b"\x0b\x0c"), V1, "snappy", "POST", 400),
        ("protobuf field 0", snappy(b"\x00\x01"), V1, "snappy", "POST", 400),
        ("protobuf sample truncated", snappy(f_bytes(1, f_bytes(2, b"\x09\x00\x00"))), V1, "snappy", "POST", 400),
        ("protobuf overlong varint", snappy(b"\x08" + b"\xff" * 11), V1, "snappy", "POST", 400),
        ("v2 ref outside symbols", snappy(f_bytes(4, "") + f_bytes(5, f_bytes(1, b"\x00\x09"))), V2, "snappy", "POST", 400),
        ("v2 odd refs", snappy(f_bytes(4, "") + f_bytes(4, "a") + f_bytes(5, f_bytes(1, b"\x01"))), V2, "snappy", "POST", 400),
        ("v2 symbols[0] not empty", snappy(f_bytes(4, "x")), V2, "snappy", "POST", 400),
        ("v2 help_ref outside", snappy(f_bytes(4, "") + f_bytes(5, f_bytes(5, f_varint(3, 99)))), V2, "snappy", "POST", 400),
        ("duplicate label names", snappy(series_v1([("__name__", "m"), ("a", "1"), ("a", "2")], [(fbits(1), t)])), V1, "snappy", "POST", 400),
        ("empty label name", snappy(series_v1([("__name__", "m"), ("", "1")], [(fbits(1), t)])), V1, "snappy", "POST", 400),
        ("missing metric name", snappy(series_v1([("a", "1")], [(fbits(1), t)])), V1, "snappy", "POST", 400),
        ("invalid UTF-8 value", snappy(bad_utf8), V1, "snappy", "POST", 400),
        ("timestamp beyond int64 ns", snappy(series_v1([("__name__", "m")], [(fbits(1), 1 << 62)])), V1, "snappy", "POST", 400),
        ("timestamp far in the future", snappy(series_v1([("__name__", "m")], [(fbits(1), t + 86400000)])), V1, "snappy", "POST", 400),
        ("Content-Type text/plain", snappy(good), "text/plain", "snappy", "POST", 415),
        ("Content-Type json", snappy(good), "application/json", "snappy", "POST", 415),
        ("proto v3", snappy(good), "application/x-protobuf;proto=io.prometheus.write.v3.Request", "snappy", "POST", 415),
        ("proto garbage", snappy(good), "application/x-protobuf;proto=foo", "snappy", "POST", 415),
        ("Content-Encoding br", snappy(good), V1, "br", "POST", 415),
        ("Content-Encoding deflate", snappy(good), V1, "deflate", "POST", 415),
        ("Content-Encoding identity", good, V1, "identity", "POST", 415),
        ("zstd garbage", b"\x28\xb5\x2f\xfd\x00\x00garbage", V1, "zstd", "POST", 400),
        ("zstd not a frame", b"abcdefgh", V1, "zstd", "POST", 400),
        ("gzip garbage", b"\x1f\x8b\x08\x00garbage", V1, "gzip", "POST", 400),
        ("gzip truncated", gzip.compress(good)[:-6], V1, "gzip", "POST", 400),
        ("gzip bomb", gz_bomb, V1, "gzip", "POST", 413),
        ("GET", None, V1, "snappy", "GET", 405),
    ]
    for name, body, ct, ce, method, want in cases:
        st, resp, hdr = post(srv, body, ctype=ct, enc=ce, method=method)
        R.check(st == want and (st == 405 or len(resp) > 0), f"malformed: {name}: {want}",
                f"got {st} {resp[:200]}")
        hs, _, _ = srv.request("GET", "/-/healthy")
        if hs != 200:
            R.check(False, f"server alive after {name}")
            return
    R.check(len(cases) >= 30, f"malformed corpus has {len(cases)} cases")
    # a body over --max-body-size (set to 4 MiB below)
    st, _, _ = post(srv, b"\0" * (5 << 20))
    R.check(st == 413, "body over --max-body-size: 413", str(st))
    st, _, _ = post(srv, snappy(good))
    R.check(st == 204, "server still writes after the corpus", str(st))


def check_limits():
    """The label and request-size limit flags: a series over a label limit
    is refused by name (400) while the rest of its request is written; a
    request with too many series is refused whole (413)."""
    srv = Server("--max-labels-per-series", "4", "--max-label-name-length", "10",
                 "--max-label-value-length", "20", "--max-series-per-request", "3").start()
    try:
        t = now_ms()
        ok = series_v1([("__name__", "lim_ok"), ("a", "1")], [(fbits(1), t)])
        cases = [
            ("5 labels", [("__name__", "lim_many"), ("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")],
             "--max-labels-per-series=4"),
            ("11-byte name", [("__name__", "lim_name"), ("abcdefghijk", "1")], "--max-label-name-length=10"),
            ("21-byte value", [("__name__", "lim_value"), ("a", "x" * 21)], "--max-label-value-length=20"),
        ]
        for what, labels, flag in cases:
            st, resp, _ = post(srv, snappy(ok + series_v1(labels, [(fbits(2), t)])))
            resp = resp.decode("utf-8", "replace")
            R.check(st == 400 and flag in resp and labels[0][1] in resp,
                    f"limits: {what} refused by name", f"{st} {resp[:300]}")
        # at the limits exactly: accepted
        edge = [("__name__", "lim_edge"), ("abcdefghij", "y" * 20), ("b", "2"), ("c", "3")]
        st, resp, _ = post(srv, snappy(series_v1(edge, [(fbits(3), t)])))
        R.check(st == 204, "limits: a series exactly at every limit is written", f"{st} {resp[:300]}")
        got = export_json(srv, match='{__name__=~"lim_.*"}')
        names = sorted(dict(k)["__name__"] for k in got)
        R.check(names == ["lim_edge", "lim_ok"], "limits: only the valid series were stored", repr(names))
        four = b"".join(series_v1([("__name__", f"lim_req{i}")], [(fbits(i), t)]) for i in range(4))
        st, resp, _ = post(srv, snappy(four))
        resp = resp.decode("utf-8", "replace")
        R.check(st == 413 and "--max-series-per-request" in resp, "limits: 4 series in a request: 413",
                f"{st} {resp[:300]}")
        R.check(not export_json(srv, match='{__name__=~"lim_req.*"}'), "limits: nothing of that request written")
        three = b"".join(series_v1([("__name__", f"lim_req{i}")], [(fbits(i), t)]) for i in range(3))
        st, resp, _ = post(srv, snappy(three))
        R.check(st == 204, "limits: 3 series in a request: 204", f"{st} {resp[:300]}")
        _, m, _ = srv.request("GET", "/metrics")
        line = [x for x in m.decode().splitlines() if x.startswith("strata_remote_write_series_over_limit_total ")]
        R.check(line == ["strata_remote_write_series_over_limit_total 3"], "limits: counted in /metrics", repr(line))
    finally:
        srv.stop()
        srv.cleanup()


def check_cache_rotation():
    """A series cache far too small for the load (--remote-write-cache-size
    32K: a generation per shard holds about one entry) rotates constantly
    while 4 writers send overlapping series, each series spelled two ways
    (label order), from 4 connections at once, two of them to one database
    and two to another (so that the head series a cache entry remembers is
    often the other database's, and the write looks the borrowed key up). Requests borrow cached keys
    until their write is done, so a generation rotated out under one must
    outlive it (a request that meets a series twice compares the borrowed
    keys; one that creates a series writes its key to the WAL and the
    head): every sample must be stored under the right series (a key
    freed too early shows up as a lost or misfiled sample, and as a crash
    under ASan), and the cache must stay small."""
    import threading
    srv = Server("--remote-write-cache-size", "8K").start()
    try:
        base = now_ms() - 600_000
        nseries, writers, rounds, per_req = 400, 4, 25, 150
        def labels(i, flip):
            ls = [("__name__", f"rot_{i % 7}"), ("host", f"h{i}"), ("dc", f"dc{i % 3}"), ("pad", "x" * (1 + i % 40))]
            return list(reversed(ls)) if flip else ls
        sent = {}
        lock = threading.Lock()
        errors = []
        def writer(w):
            for r in range(rounds):
                ts = base + (w * rounds + r) * 1000
                ids = [((w * 7919 + r * 104729 + k * 613) % nseries) for k in range(per_req)]
                ids = list(dict.fromkeys(ids))
                body = b"".join(series_v1(labels(i, (i + r + w) % 2 == 1), [(fbits(i * 1000 + w * rounds + r), ts)])
                                for i in ids)
                # a third of them twice, spelled the other way: one series
                # reached by two cache entries in one request
                twice = ids[::3]
                body += b"".join(series_v1(labels(i, (i + r + w) % 2 == 0), [(fbits(-i), ts + 500)]) for i in twice)
                try:
                    st, resp, _ = post(srv, snappy(body), path=f"/db/rot{w % 2}/api/v1/write")
                except Exception as e:  # noqa: BLE001
                    errors.append(repr(e))
                    return
                if st != 204:
                    errors.append(f"{st} {resp[:200]}")
                    return
                with lock:
                    db = sent.setdefault(w % 2, {})
                    for i in ids:
                        db.setdefault(i, {})[ts] = float(i * 1000 + w * rounds + r)
                    for i in twice:
                        db[i][ts + 500] = float(-i)
        ts_ = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
        for t in ts_:
            t.start()
        for t in ts_:
            t.join()
        R.check(not errors, "tiny cache: every request of 4 concurrent writers answered 204", repr(errors[:3]))
        for d in (0, 1):
            got = export_json(srv, db=f"rot{d}", match='{__name__=~"rot_.*"}')
            want = {}
            for i, pts in sent.get(d, {}).items():
                key = tuple(sorted(labels(i, False)))
                want[key] = sorted(pts.items())
            have = {k: sorted((t, float(v)) for t, v in pts) for k, pts in got.items()}
            missing = [k for k in want if have.get(k) != want[k]]
            extra = [k for k in have if k not in want]
            R.check(want and not missing and not extra,
                    f"tiny cache: database rot{d}: all {sum(len(v) for v in want.values())} samples of {len(want)} "
                    "series stored under the right series, nothing else",
                    f"missing/different {len(missing)} {missing[:2]}, extra {extra[:2]}")
        _, m, _ = srv.request("GET", "/metrics")
        vals = {}
        for line in m.decode().splitlines():
            if line.startswith("strata_remote_write_series_cache_"):
                k, v = line.split(" ", 1)
                vals[k] = float(v)
        R.check(vals.get("strata_remote_write_series_cache_bytes", 1e12) < 256 * 1024 and
                vals.get("strata_remote_write_series_cache_entries", 1e12) < nseries,
                "tiny cache: the cache stays within its bound", repr(vals))
        # both paths ran while generations rotated: hits (borrowed keys) and misses
        hits = vals.get('strata_remote_write_series_cache_lookups_total{result="hit"}', 0)
        misses = vals.get('strata_remote_write_series_cache_lookups_total{result="miss"}', 0)
        print(f"# cache: {hits:.0f} hits, {misses:.0f} misses")
        R.check(hits > 1000 and misses > 2 * nseries, "tiny cache: many hits and many misses (rotations)",
                repr(vals))
        st, _, _ = srv.request("GET", "/-/healthy")
        R.check(st == 200, "tiny cache: server healthy")
    finally:
        rc = srv.stop()
        R.check(rc == 0, "tiny cache: strata exits cleanly", f"rc={rc} {srv.tail()[-1500:]}")
        srv.cleanup()


def check_threads_spread():
    """Three keep-alive connections writing at once are served by three
    different HTTP threads (--http-threads 4): each thread's CPU time, from
    /proc, during 3 x 60 requests of 2,000 series. With MHD's own pool, the
    thread that woke first often took several connections while the others
    idled; Strata now accepts itself and places each connection on the
    least loaded thread."""
    import threading
    srv = Server("--http-threads", "4").start()
    try:
        time.sleep(0.3)  # the readiness probe's connection closes
        pid = srv.proc.pid

        def thread_cpu():
            out = {}
            for tid in os.listdir(f"/proc/{pid}/task"):
                try:
                    with open(f"/proc/{pid}/task/{tid}/comm") as f:
                        comm = f.read().strip()
                    with open(f"/proc/{pid}/task/{tid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                out[tid] = (comm, int(fields[11]) + int(fields[12]))  # utime + stime, in ticks
            return out

        t = now_ms()
        body = snappy(b"".join(series_v1([("__name__", "spread"), ("i", str(i)), ("pad", "p" * 60)], [(fbits(i), t)])
                               for i in range(2000)))
        errors = []

        # connected together before any request, as a sender's shards do
        # at start-up (a thread busy with a request cannot take the next)
        conns = [http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60) for _ in range(3)]
        for c in conns:
            c.connect()

        def worker(c):
            try:
                for _ in range(60):
                    c.request("POST", "/api/v1/write", body=body,
                              headers={"Content-Type": V1, "Content-Encoding": "snappy"})
                    r = c.getresponse()
                    r.read()
                    if r.status != 204:
                        errors.append(r.status)
            finally:
                c.close()

        before = thread_cpu()
        ws = [threading.Thread(target=worker, args=(c,)) for c in conns]
        for w in ws:
            w.start()
        for w in ws:
            w.join()
        after = thread_cpu()
        busy = sorted(((after[k][1] - before.get(k, ("", 0))[1]), after[k][0]) for k in after
                      if after[k][0].startswith("MHD"))
        top = busy[-1][0] if busy else 0
        spread = [b for b, _ in busy if top and b * 4 >= top]
        print(f"# HTTP thread CPU ticks during the load: {busy}")
        R.check(not errors and len(busy) == 4 and len(spread) >= 3,
                "3 connections writing at once keep 3 of the 4 HTTP threads busy",
                f"errors {errors[:3]}, thread CPU ticks {busy}")
    finally:
        srv.stop()
        srv.cleanup()


# ------------------------------------------------------------ Prometheus

def check_prometheus(srv):
    if shutil.which("prometheus") is None:
        R.check(False, "prometheus binary installed")
        return
    tmp = tempfile.mkdtemp(prefix="strata-prw-prom-")
    try:
        tsdb = os.path.join(tmp, "tsdb")
        prom = Prometheus(tsdb=tsdb)
        port = prom.port
        cfg = f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs: [{{targets: ['127.0.0.1:{port}']}}]
  - job_name: strata
    static_configs: [{{targets: ['127.0.0.1:{srv.port}']}}]
remote_write:
  - url: http://127.0.0.1:{srv.port}/db/prom/api/v1/write
    queue_config:
      batch_send_deadline: 1s
    metadata_config:
      send_interval: 1s
"""
        t0 = time.time()
        prom.set_config(cfg)
        prom.start()
        time.sleep(8)
        log = prom.tail()
        rc = prom.stop()
        R.check(rc == 0, "prometheus stopped cleanly", f"rc={rc} {log}")
        # Read back what Prometheus itself stored: restart it on the same TSDB
        # with nothing to scrape and nothing to send, and ask for raw samples.
        prom2 = Prometheus(tsdb=tsdb).start()
        port2 = prom2.port
        try:
            at = time.time()
            res = prom2.get_json("/api/v1/query?" + urllib.parse.urlencode(
                {"query": '{__name__=~".+"}[1h]', "time": f"{at:.3f}"}))
            # PromQL selectors answered by both over the same data: instant and
            # range selectors, offset and @, and a range query
            # a moment inside the scraped data, whatever Prometheus's start-up took
            up_ts = [float(ts) for x in res.get("data", {}).get("result", [])
                     if x["metric"].get("__name__") == "up" for ts, _ in x["values"]]
            mid = max(up_ts) - 1.5 if up_ts else t0 + 7
            diffs = [
                ("/api/v1/query", {"query": '{__name__=~".+"}[1h]', "time": f"{at:.3f}"}),
                ("/api/v1/query", {"query": '{__name__=~"prometheus_.+"}', "time": f"{mid:.3f}"}),
                ("/api/v1/query", {"query": "up", "time": f"{mid + 1.5:.3f}"}),
                ("/api/v1/query", {"query": "up offset 2s", "time": f"{mid + 2:.3f}"}),
                ("/api/v1/query", {"query": f"up @ {mid:.3f}", "time": f"{at:.3f}"}),
                ("/api/v1/query", {"query": 'up{job="strata"}[3s]', "time": f"{mid + 3:.3f}"}),
                ("/api/v1/query_range", {"query": "up", "start": f"{t0:.3f}", "end": f"{at:.3f}", "step": "0.7"}),
                ("/api/v1/query_range", {"query": 'prometheus_http_requests_total{code="200"}',
                                         "start": f"{t0 - 10:.3f}", "end": f"{at + 400:.3f}", "step": "5"}),
            ]
            answers = []
            for path, params in diffs:
                qs_ = urllib.parse.urlencode(params)
                answers.append((path, params, prom2.get_json(f"{path}?{qs_}")))
            # promtool, the real client, against both servers
            ptool = [
                ["query", "instant", "--time", f"{mid:.3f}", "{base}", "up"],
                ["query", "range", "--start", f"{t0:.3f}", "--end", f"{at:.3f}", "--step", "2s", "{base}", "up"],
                ["query", "series", "--match", "up", "--start", f"{t0 - 60:.3f}", "--end", f"{at:.3f}", "{base}"],
                ["query", "labels", "--start", f"{t0 - 60:.3f}", "--end", f"{at:.3f}", "{base}", "job"],
            ]
            ptool_prom = []
            for args in ptool:
                cmd = ["promtool"] + [a.replace("{base}", f"http://127.0.0.1:{port2}") for a in args]
                ptool_prom.append(subprocess.run(cmd, capture_output=True, text=True, timeout=60))
        finally:
            prom2.stop()
        for args, want in zip(ptool, ptool_prom):
            cmd = ["promtool"] + [a.replace("{base}", f"http://127.0.0.1:{srv.port}/db/prom") for a in args]
            got = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            R.check(got.returncode == 0 and want.returncode == 0 and got.stdout == want.stdout and got.stdout.strip(),
                    f"promtool {' '.join(args[:2])}: same output as against Prometheus",
                    f"\n strata rc={got.returncode} {got.stdout[:400]!r} {got.stderr[:300]!r}"
                    f"\n prom   rc={want.returncode} {want.stdout[:400]!r}")
        for path, params, want in answers:
            st, body, _ = srv.request("GET", f"/db/prom{path}?" + urllib.parse.urlencode(params))
            got = json.loads(body) if body else {}

            def norm(o):
                d = o.get("data", {})
                return (o.get("status"), d.get("resultType"),
                        sorted(json.dumps(x, sort_keys=True) for x in d.get("result", [])))
            R.check(st == 200 and norm(got) == norm(want) and (len(norm(want)[2]) > 0 or "@" in params["query"]),
                    f"PromQL {params['query']!r} ({path.rsplit('/', 1)[1]}): same answer as Prometheus",
                    f"({len(norm(want)[2])} series)\n strata {str(got)[:600]}\n prom   {str(want)[:600]}")
        R.check(res.get("status") == "success", "prometheus query", str(res)[:300])
        prom = {}
        for s in res["data"]["result"]:
            key = tuple(sorted(s["metric"].items()))
            prom[key] = [(int(round(float(ts) * 1000)), v) for ts, v in s["values"]]
        nsamples = sum(len(v) for v in prom.values())
        R.check(len(prom) > 100 and nsamples > 1000,
                f"prometheus holds {len(prom)} series, {nsamples} samples after ~8 s")
        strata = export_json(srv, db="prom", start=f"{t0 - 60:.3f}", end=f"{at + 60:.3f}")
        missing_series, missing, wrong = [], 0, []
        for key, samples in prom.items():
            got = strata.get(key)
            if got is None:
                missing_series.append(key)
                continue
            have = {}
            for ts, v in got:
                have[ts] = v
            for ts, v in samples:
                if ts not in have:
                    missing += 1
                    continue
                pv = float(v)
                sv = have[ts]
                sv = float("nan") if sv is None or sv == "NaN" else float(sv)
                same = (math.isnan(pv) and math.isnan(sv)) or pv == sv
                if not same:
                    wrong.append((key, ts, v, have[ts]))
        R.check(not missing_series, f"every Prometheus series is in Strata ({len(prom)})",
                f"{len(missing_series)} missing, e.g. {missing_series[:3]}")
        R.check(missing == 0, f"every Prometheus sample is in Strata ({nsamples})", f"{missing} missing")
        R.check(not wrong, "values identical", repr(wrong[:5]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    max_decoded = 2 << 20
    srv = Server("--max-decoded-size", str(max_decoded), "--max-body-size", str(4 << 20)).start()
    try:
        run_all(srv, max_decoded)
    finally:
        rc = srv.stop()
        R.check(rc == 0, "strata exits cleanly", f"rc={rc} {srv.tail()[-1500:]}")
        srv.cleanup()
    return R.done()


def run_all(srv, max_decoded):
    check_protocol(srv)
    malformed_corpus(srv, max_decoded)
    check_limits()
    check_cache_rotation()
    check_threads_spread()
    if os.environ.get("STRATA_SMOKE") != "1":
        check_prometheus(srv)
    st, _, _ = srv.request("GET", "/-/healthy")
    R.check(st == 200, "server healthy at the end")


if __name__ == "__main__":
    sys.exit(main())
