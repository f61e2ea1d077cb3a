"""test_http_fuzz: Strata fuzzed from outside, as its clients reach it.

A server is started (the ASan+UBSan build under `make test-asan`) and sent
mutated whole HTTP requests for a bounded time: remote_write (mutated before
and after compression, every Content-Encoding/Content-Type pair), remote_read,
line protocol v1 and v2 (odd precision, db, rp, bucket), import in both
formats, PromQL and InfluxQL texts, the series/label/export/status/admin
endpoints with odd time, start, end, step and match[] values, odd paths
(dot segments, percent-encoding, very long), methods and headers, chunked,
truncated and abandoned bodies, and, from a second thread, slow and
abandoned connections.

Every answer must be a 2xx, a 4xx with a message, or a documented
503/507/429 with a message: never another 5xx, a dropped connection, no
answer within the timeout, or a sanitizer report (the server dies: ASan
aborts). Three answers are libmicrohttpd's own, before any handler: 505 to
a request line whose version is not HTTP/1.0 or 1.1; a closed connection
for a request line it cannot split into method, target and version; and
no answer to a request whose bytes stop before it is complete (a request
mutated short, or cut and abandoned: the server waits for the rest, and
closes the connection after --http-timeout). Afterwards the server still answers, a series written before the
fuzzing reads back unchanged, and SIGTERM stops it with exit status 0 and no
leak or sanitizer report in its log.

Seeds come from the project's corpora (fuzz/corpus/*, the PromQL corpus).
A failing input is written to STRATA_FUZZ_OUT (default BUILD/http-fuzz-failures)
as a replayable file; copied into fuzz/http/ it becomes a regression case,
replayed at the start of every run. Replay by hand:
    python3 compat-tests/test_http_fuzz.py --replay FILE...

Environment: STRATA_FUZZ_SECONDS (default 60 under STRATA_SMOKE, else 15),
STRATA_FUZZ_SEED (the run's seed is printed), STRATA_FUZZ_OUT.
STRATA_SMOKE: runs under ASan too (make test-asan), and `make fuzz` runs it
longer (HTTP_FUZZ_SECONDS)."""
import gzip
import json
import http.client
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import BIN, ROOT, Results, Server, export_json, qs  # noqa: E402
import promwire as pw  # noqa: E402
from promql_corpus import queries as promql_queries  # noqa: E402

R = Results("test_http_fuzz")
SMOKE = os.environ.get("STRATA_SMOKE") == "1"
SECONDS = float(os.environ.get("STRATA_FUZZ_SECONDS", "60" if SMOKE else "15"))
OUT = os.environ.get("STRATA_FUZZ_OUT", os.path.join(os.path.dirname(BIN), "http-fuzz-failures"))
REGRESS = os.path.join(ROOT, "fuzz", "http")
QUERY_TIMEOUT_S = 10
HTTP_TIMEOUT_S = 5
ANSWER_WITHIN_S = QUERY_TIMEOUT_S + 30  # past this, the request hangs
RAW_WAIT_S = 2
REQUEST_LINE = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ \r\n]+ HTTP/[0-9]\.[0-9]\r?\n")
MAX_BODY = 8 << 20
SENTINEL_DB = "fuzzsentinel"  # no fuzzed request may name it
SANITIZER_MARKS = (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:",
                   b"SUMMARY: UndefinedBehaviorSanitizer", b"ThreadSanitizer")
FILE_MAGIC = b"strata-http-fuzz 1 "
# Modes of sending: "full" sends everything and expects an answer; "raw"
# has its framing mutated (the server may close without an answer, but must
# live); "truncated" stops mid-request and goes away.
MODES = ("full", "raw", "truncated")


# ---------------------------------------------------------------- seeds

def corpus(name, strip_first=False):
    d = os.path.join(ROOT, "fuzz", "corpus", name)
    out = []
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, f), "rb") as fh:
            b = fh.read()
        out.append(b[1:] if strip_first and b else b)
    return out or [b""]


class Seeds:
    def __init__(self):
        self.lp = corpus("lp", strip_first=True)
        self.import_json = corpus("import_json")
        self.influxql = [q for q in corpus("influxql") if SENTINEL_DB.encode() not in q]
        self.tsrec = corpus("tsrec")
        self.sql = [q for q in corpus("sql") if SENTINEL_DB.encode() not in q]
        self.promql = [q.encode() for _, q in promql_queries()] + corpus("promql")
        self.matchers = corpus("matcher", strip_first=True)
        self.prr = []
        for b in corpus("prr"):
            if b[:1] == b"\x00":
                self.prr.append(b[1:])
            elif b[:1] == b"\x01":
                try:
                    self.prr.append(pw.unsnappy(b[1:]))
                except Exception:  # noqa: BLE001  a corpus entry may be broken on purpose
                    pass
        self.prw = []  # (version, raw protobuf)
        for b in corpus("prw"):
            if not b:
                continue
            enc = (b[0] >> 1) & 3
            if enc == 0:
                self.prw.append((2 if b[0] & 1 else 1, b[1:]))
            elif enc == 1:
                try:
                    self.prw.append((2 if b[0] & 1 else 1, pw.unsnappy(b[1:])))
                except Exception:  # noqa: BLE001
                    pass


# ------------------------------------------------------------- mutation

INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"\xff" * 10, b"\x80" * 11, struct.pack("<q", -1),
               struct.pack("<Q", 1 << 63), struct.pack("<i", 2**31 - 1), b"\xef\xbf\xbd", b"\xc0\x80",
               b"\r\n", b"\n", b" ", b",", b"=", b"\\", b'"', b"'", b"{", b"}", b"[", b"]", b"(", b")",
               b"%", b"%00", b"NaN", b"-Inf", b"+Inf", b"1e309", b"-9223372036854775808",
               b"18446744073709551616", b"0x", b"\t"]
QUERY_TOKENS = [b"(", b")", b"{", b"}", b"[5m]", b"[1s:1ms]", b"[0s]", b" offset -1h", b" @ 1e20",
                b" @ start()", b" by (job)", b" without (__name__)", b" on() group_left ", b" bool ",
                b"sum", b"rate", b"histogram_quantile(0.9, ", b"count_values(\"x\", ", b"topk(1e9, ",
                b"label_replace(", b"absent(", b"vector(1)", b"scalar(", b"time()", b"-", b"+", b"/",
                b"^", b"%", b" and ", b" or ", b" unless ", b"==", b"!=", b"=~", b"!~", b"\".*\"",
                b"\"(\"", b"__name__", b"1e308", b"0x7fffffffffffffff", b"NaN", b"Inf", b",", b"'",
                b"`", b"#", b"\\", b"SELECT ", b" FROM ", b" WHERE ", b" GROUP BY time(1ns)",
                b" fill(linear)", b" LIMIT 0", b"/.*/", b"\"a\".\"b\".\"c\"", b" time > now() - 1h",
                b"SHOW ", b"TAG VALUES WITH KEY = ", b"MEASUREMENTS", b"SERIES", b"DROP ", b";"]


def mutate_bytes(rng, b, others=(), rounds=None):
    b = bytearray(b)
    for _ in range(rounds or rng.randint(1, 4)):
        n = len(b)
        op = rng.randrange(9)
        if op == 0 and n:
            i = rng.randrange(n)
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            b[rng.randrange(n)] = rng.randrange(256)
        elif op == 2:
            i = rng.randint(0, n)
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 3 and n:
            i = rng.randrange(n)
            del b[i:i + rng.randint(1, max(1, min(64, n - i)))]
        elif op == 4 and n:
            i = rng.randrange(n)
            j = min(n, i + rng.randint(1, 64))
            k = rng.randint(0, n)
            b[k:k] = b[i:j] * rng.choice((1, 2, 16))
        elif op == 5:
            i = rng.randint(0, n)
            b[i:i] = rng.choice(INTERESTING)
        elif op == 6 and n:
            del b[rng.randint(0, n):]
        elif op == 7 and others:
            o = rng.choice(others)
            if o:
                i, j = sorted((rng.randint(0, len(o)), rng.randint(0, len(o))))
                k = rng.randint(0, n)
                b[k:k] = o[i:j]
        elif op == 8 and n >= 8:
            i = rng.randrange(n - 7)
            b[i:i + 8] = rng.choice(INTERESTING[4:10]).ljust(8, b"\x00")[:8]
    return bytes(b)


def mutate_text(rng, b, others=()):
    """Queries: mostly token edits, sometimes bytes."""
    b = bytearray(b)
    for _ in range(rng.randint(1, 3)):
        n = len(b)
        op = rng.randrange(5)
        if op == 0:
            i = rng.randint(0, n)
            b[i:i] = rng.choice(QUERY_TOKENS)
        elif op == 1 and n:
            i = rng.randrange(n)
            del b[i:i + rng.randint(1, 6)]
        elif op == 2 and others:
            o = rng.choice(others)
            k = rng.randint(0, n)
            b[k:k] = o[:rng.randint(0, len(o))]
        elif op == 3 and n:
            i = rng.randrange(n)
            b[i:i + 1] = b[i:i + 1] * rng.choice((2, 50, 1000))
        else:
            b = bytearray(mutate_bytes(rng, b, rounds=1))
    return bytes(b)


def maybe(rng, p):
    return rng.random() < p


# ------------------------------------------------------------ encodings

def zstd_raw(data):
    """A zstd frame of raw (stored) blocks: legal, not compressed."""
    out = bytearray(struct.pack("<I", 0xFD2FB528))
    out.append(0x20 | 0x00)  # single segment, 1-byte content size field: only when < 256
    if len(data) >= 256:
        out[-1] = 0x00  # no content size; a window descriptor follows
        out.append(0x58)  # window 8 MiB
    else:
        out.append(len(data))
    blocks = [data[i:i + 65536] for i in range(0, len(data), 65536)] or [b""]
    for k, blk in enumerate(blocks):
        hdr = (len(blk) << 3) | (0 << 1) | (1 if k == len(blocks) - 1 else 0)
        out += struct.pack("<I", hdr)[:3] + blk
    return bytes(out)


ENCODINGS = ["snappy", "gzip", "zstd", "deflate", "identity", None, "br", "SNAPPY", "gzip, snappy", ""]


def encode(rng, data, enc):
    if enc is None or enc in ("identity", ""):
        return data
    e = enc.lower()
    if e == "snappy":
        return pw.snappy(data, declared=len(data) + rng.choice((0, 0, 0, 1, -1, 1 << 40)) if maybe(rng, 0.05) else None)
    if e == "gzip":
        return gzip.compress(data, compresslevel=1)
    if e == "zstd":
        return zstd_raw(data)
    if e == "deflate":
        return zlib.compress(data)
    return data


def maybe_compress(rng, body, p, encodings, headers):
    """With probability p: encoded (and sometimes mutated after), the
    Content-Encoding header added."""
    if not maybe(rng, p):
        return body
    enc = rng.choice(encodings)
    body = encode(rng, body, enc)
    if maybe(rng, 0.2):
        body = mutate_bytes(rng, body)
    headers.append(("Content-Encoding", enc))
    return body


def now_ms():
    return int(time.time() * 1000)


# ------------------------------------------------------------ requests

class Req:
    def __init__(self, family, method, target, headers=(), body=b"", mode="full"):
        self.family, self.method, self.target = family, method, target
        self.headers, self.body, self.mode = list(headers), body, mode
        self.raw = None

    def bytes(self, rng=None):
        if self.raw is not None:
            return self.raw
        hdr = [f"{self.method} {self.target} HTTP/1.1", "Host: 127.0.0.1"]
        body = self.body
        chunked = rng is not None and body and maybe(rng, 0.15)
        if chunked:
            hdr.append("Transfer-Encoding: chunked")
            parts, i = [], 0
            while i < len(body):
                piece = body[i:i + rng.randint(1, max(1, len(body) // 3 + 1))]
                parts.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
                i += len(piece)
            body = b"".join(parts) + b"0\r\n\r\n"
        elif self.method != "GET" or body:
            hdr.append(f"Content-Length: {len(body)}")
        hdr += [f"{k}: {v}" for k, v in self.headers]
        head = ("\r\n".join(hdr) + "\r\n\r\n").encode("latin-1", "replace")
        self.raw = head + body
        return self.raw


def urlencode(params):
    """Mutated texts hold arbitrary bytes (as surrogate escapes)."""
    return urllib.parse.urlencode(params, doseq=True, errors="surrogateescape")


def q(path, params, db=None, rng=None):
    """A target with the database in the path or in ?db=."""
    if db is not None and rng is not None and maybe(rng, 0.5):
        path = f"/db/{urllib.parse.quote(db, safe='', errors='surrogateescape')}{path}"
    elif db is not None:
        params = list(params) + [("db", db)]
    s = urlencode(params)
    return path + ("?" + s if s else "")


DBS = ["default", "fuzz", "f2", "", "x" * 200, "../etc", "a/b", "a b", "%2e%2e", "db.rp", "_internal",
       "\u00e9t\u00e9", "-", "0", "a\x00b"]
TIMES = ["", "0", "-1", "1e20", "-1e20", "NaN", "Inf", "-Inf", "1.5", "1700000000.123456789",
         "2024-01-01T00:00:00Z", "2024-13-45T99:99:99Z", "9223372036854775807", "now", "abc", "1e-9",
         "0x10", "1_000", " 1", "2024-01-01T00:00:00.123456789+05:30"]
STEPS = ["", "0", "-1", "1", "0.001", "1ms", "1s", "15s", "1h", "1e9", "1d", "abc", "NaN", "0.0000001",
         "9223372036854775807", "1y", "5m30s"]
PRECISIONS = ["", "n", "ns", "u", "us", "\u00b5", "ms", "s", "m", "h", "x", "1s", "NS"]


def pick_time(rng):
    if maybe(rng, 0.5):
        return str(rng.choice([now_ms() / 1000, now_ms() / 1000 - 3600, now_ms() / 1000 - 86400 * 7]))
    return rng.choice(TIMES)


def gen_labels(rng):
    n = rng.choice((0, 1, 2, 3, 5, 300))
    ls = [("__name__", rng.choice(["fz_metric", "fz_other", "", "up", "a" * 300, "9bad", "fz:rule"]))]
    for i in range(n):
        ls.append((rng.choice(["job", "instance", f"l{i}", "", "__meta", "x" * 100, "le"]),
                   rng.choice(["a", "", "b" * 5000, "\u00e9", "0.5", "+Inf"])))
    return ls


def gen_prw(rng, S):
    v2 = maybe(rng, 0.4)
    if S.prw and maybe(rng, 0.4):
        ver, body = rng.choice(S.prw)
        v2 = ver == 2
    else:
        t = now_ms()
        samples = [(pw.fbits(rng.choice([1.0, -0.0, float("nan"), 1e308, 0.5])), t - rng.randint(-10**6, 10**8))
                   for _ in range(rng.randint(0, 5))]
        if maybe(rng, 0.1):
            samples.append((pw.STALE, t))
        if v2:
            body = pw.request_v2(lambda syms: [pw.series_v2(syms, gen_labels(rng), samples)
                                               for _ in range(rng.randint(0, 3))])
        else:
            body = b"".join(pw.series_v1(gen_labels(rng), samples) for _ in range(rng.randint(0, 3)))
    if maybe(rng, 0.5):
        body = mutate_bytes(rng, body, [x for _, x in S.prw[:8]])
    enc = rng.choice(ENCODINGS) if maybe(rng, 0.3) else "snappy"
    wire = encode(rng, body, enc)
    if maybe(rng, 0.3):
        wire = mutate_bytes(rng, wire)
    ct = "application/x-protobuf;proto=io.prometheus.write.v2.Request" if v2 else "application/x-protobuf"
    if maybe(rng, 0.25):
        ct = rng.choice([None, "", "text/plain", "application/x-protobuf;proto=prometheus.WriteRequest",
                         "application/x-protobuf; proto=io.prometheus.write.v2.Request; charset=utf-8",
                         "application/x-protobuf;proto=bogus", "application/json", ";;;", "x" * 3000])
    h = []
    if ct is not None:
        h.append(("Content-Type", ct))
    if enc is not None:
        h.append(("Content-Encoding", enc))
    if maybe(rng, 0.7):
        h.append(("X-Prometheus-Remote-Write-Version", rng.choice(["0.1.0", "2.0.0", "", "9", "1.0"])))
    db = rng.choice(DBS) if maybe(rng, 0.3) else "fuzz"
    return Req("remote_write", rng.choice(["POST"] * 9 + ["PUT"]), q("/api/v1/write", [], db if maybe(rng, 0.8) else None, rng), h, wire)


def gen_prr(rng, S):
    if S.prr and maybe(rng, 0.5):
        body = rng.choice(S.prr)
    else:
        t = now_ms()
        ms = [(rng.randrange(5), rng.choice(["__name__", "job", "", "x" * 300]),
               rng.choice([b"fz_metric", b".*", b"", b"(", b"a|b|c", b"x" * 5000]
                          + [m[:200] for m in S.matchers[:30]]))
              for _ in range(rng.randint(0, 4))]
        qs_ = [(t - rng.choice([0, 3600_000, 10**12, -5]), t + rng.choice([0, 1, -10**6]), ms)
               for _ in range(rng.randint(0, 3))]
        body = b"".join(pw.f_bytes(1, pw.f_varint(1, a & (2**64 - 1)) + pw.f_varint(2, b & (2**64 - 1))
                                   + b"".join(pw.f_bytes(3, (pw.f_varint(1, ty) if ty else b"")
                                                         + pw.f_bytes(2, n) + pw.f_bytes(3, v)) for ty, n, v in m))
                        for a, b, m in qs_)
        if maybe(rng, 0.5):
            body += pw.f_bytes(2, b"".join(pw.uvarint(x) for x in rng.sample([0, 1, 2, 7], rng.randint(1, 3))))
    if maybe(rng, 0.5):
        body = mutate_bytes(rng, body, S.prr)
    enc = "snappy" if maybe(rng, 0.8) else rng.choice(ENCODINGS)
    wire = encode(rng, body, enc)
    if maybe(rng, 0.2):
        wire = mutate_bytes(rng, wire)
    h = [("Content-Type", rng.choice(["application/x-protobuf", "text/plain", ""]))]
    if enc is not None:
        h.append(("Content-Encoding", enc))
    h.append(("X-Prometheus-Remote-Read-Version", rng.choice(["0.1.0", "", "2"])))
    if maybe(rng, 0.3):
        h.append(("Accept-Encoding", rng.choice(["snappy", "gzip", "x"])))
    return Req("remote_read", "POST", q("/api/v1/read", [], rng.choice(DBS + ["fuzz"] * 5), rng), h, wire)


def gen_lp(rng, S):
    body = rng.choice(S.lp)
    if maybe(rng, 0.3):
        t = time.time_ns()
        body = "".join(f"fz_lp,host=h{i},r=x f={i}.5,i={i}i,s=\"x\",b=t {t - i * 10**9}\n"
                       for i in range(rng.randint(1, 20))).encode()
    if maybe(rng, 0.6):
        body = mutate_bytes(rng, body, S.lp[:30])
    v2 = maybe(rng, 0.4)
    params = []
    if v2:
        if maybe(rng, 0.9):
            params.append(("bucket", rng.choice(DBS + ["fuzz"] * 4 + ["fuzz/autogen", "fuzz/", "/x"])))
        if maybe(rng, 0.5):
            params.append(("org", rng.choice(["", "o", "x" * 500])))
    else:
        if maybe(rng, 0.9):
            params.append(("db", rng.choice(DBS + ["fuzz"] * 4)))
        if maybe(rng, 0.3):
            params.append(("rp", rng.choice(["", "autogen", "x", "a/b"])))
        if maybe(rng, 0.2):
            params += [("u", "admin"), ("p", rng.choice(["", "pw", "x" * 1000]))]
    if maybe(rng, 0.5):
        params.append(("precision", rng.choice(PRECISIONS)))
    h = []
    body = maybe_compress(rng, body, 0.3, ["gzip", "identity", "snappy", "", "GZIP"], h)
    if maybe(rng, 0.3):
        h.append(("Content-Type", rng.choice(["text/plain; charset=utf-8", "application/x-www-form-urlencoded", ""])))
    if maybe(rng, 0.2):
        h.append(("Authorization", rng.choice(["Token x", "Bearer y", "Basic Zm9vOmJhcg==", "Basic !!!", ""])))
    path = "/api/v2/write" if v2 else "/write"
    s = urlencode(params)
    return Req("line_protocol", rng.choice(["POST"] * 9 + ["GET"]), path + ("?" + s if s else ""), h, body)


def gen_import(rng, S):
    line = maybe(rng, 0.4)
    if line:
        body = rng.choice(S.lp)
    else:
        body = rng.choice(S.import_json)
        if maybe(rng, 0.3):
            t = now_ms()
            body = ('{"metric":{"__name__":"fz_imp","job":"j"},"values":[1,2.5,null,"NaN"],'
                    f'"timestamps":[{t},{t - 1000},{t - 2000},{t - 3000}]}}\n').encode()
    if maybe(rng, 0.6):
        body = mutate_bytes(rng, body, S.import_json[:30] if not line else S.lp[:30])
    if maybe(rng, 0.08):
        body = b""
    params = []
    if line or maybe(rng, 0.1):
        params.append(("format", "line" if line else rng.choice(["json", "csv", "", "LINE"])))
    if maybe(rng, 0.3):
        params.append(("precision", rng.choice(PRECISIONS)))
    h = []
    body = maybe_compress(rng, body, 0.25, ["gzip", "identity", "zstd", ""], h)
    if maybe(rng, 0.3):
        h.append(("Content-Type", rng.choice(["application/x-www-form-urlencoded", "application/json", ""])))
    return Req("import", rng.choice(["POST"] * 8 + ["PUT", "GET"]),
               q("/api/v1/import", params, rng.choice(DBS + ["fuzz"] * 5), rng), h, body)


def query_text(rng, S):
    t = rng.choice(S.promql)
    if maybe(rng, 0.7):
        t = mutate_text(rng, t, S.promql)
    return t.decode("utf-8", "surrogateescape")


def send_params(rng, family, path, params, db):
    """GET with a query string, or POST with a form body."""
    if maybe(rng, 0.35):
        body = urlencode(params).encode()
        h = [("Content-Type", "application/x-www-form-urlencoded")] if maybe(rng, 0.9) else []
        return Req(family, "POST", q(path, [], db, rng), h, body)
    return Req(family, rng.choice(["GET"] * 12 + ["HEAD", "DELETE"]), q(path, params, db, rng))


def gen_promql(rng, S):
    params = [("query", query_text(rng, S))]
    rng_q = maybe(rng, 0.5)
    if rng_q:
        t = now_ms() / 1000
        if maybe(rng, 0.7):
            span = rng.choice([60, 3600, 86400, 86400 * 30])
            params += [("start", str(t - span)), ("end", str(t)),
                       ("step", rng.choice(["15", "1", "60", "0.5", str(span / 10000)]))]
        else:
            params += [(k, rng.choice(STEPS if k == "step" else TIMES)) for k in ("start", "end", "step")
                       if maybe(rng, 0.8)]
    elif maybe(rng, 0.6):
        params.append(("time", pick_time(rng)))
    for k, vals in (("timeout", ["", "1s", "0", "-1", "1ms", "abc", "1e9"]), ("stats", ["all", "x", ""]),
                    ("lookback_delta", ["1m", "0", "-5m", "x"]), ("limit", ["0", "-1", "10", "x"])):
        if maybe(rng, 0.08):
            params.append((k, rng.choice(vals)))
    path = "/api/v1/query_range" if rng_q else "/api/v1/query"
    return send_params(rng, "promql", path, params, rng.choice(DBS + ["fuzz"] * 10) if maybe(rng, 0.5) else None)


def selector(rng, S):
    base = rng.choice(['{__name__=~".+"}', "fz_metric", '{job="a"}', "up", '{__name__="fz_lp_f"}',
                       '{a=~"(("}', "", "{}", '{__name__!=""}', "fz_metric{job=~\"a|b\"}"])
    if maybe(rng, 0.15) and S.matchers:
        m = rng.choice(S.matchers)[:300].decode("utf-8", "surrogateescape").replace('"', '\\"')
        base = '{job=~"%s"}' % m
    return mutate_text(rng, base.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape") if maybe(rng, 0.4) else base


def gen_meta(rng, S):
    """series, labels, label values, export, status, metadata, admin."""
    which = rng.randrange(9)
    db = rng.choice(DBS + ["fuzz"] * 8) if maybe(rng, 0.6) else None
    params = [("match[]", selector(rng, S)) for _ in range(rng.choice((0, 1, 1, 2, 70)))]
    for k in ("start", "end"):
        if maybe(rng, 0.4):
            params.append((k, pick_time(rng)))
    if which == 0:
        return send_params(rng, "series", "/api/v1/series", params, db)
    if which == 1:
        return send_params(rng, "labels", "/api/v1/labels", params, db)
    if which == 2:
        name = rng.choice(["__name__", "job", "", "x" * 400, "a%2Fb", "..", "%zz", "\u00e9", "host/values"])
        return Req("label_values", rng.choice(["GET"] * 5 + ["POST"]),
                   q(f"/api/v1/label/{name}/values", params, db, rng))
    if which == 3:
        if maybe(rng, 0.3):
            params.append(("format", rng.choice(["line", "json", "x"])))
        if maybe(rng, 0.1):
            params.append(("max_rows_per_line", rng.choice(["0", "-1", "5", "x"])))
        return send_params(rng, "export", "/api/v1/export", params, db)
    if which == 4:
        return Req("status", "GET", q("/api/v1/status/tsdb", [("limit", rng.choice(["", "0", "5", "-1", "x", "1e9"]))], db, rng))
    if which == 5:
        return Req("metadata", rng.choice(["GET", "POST"]),
                   q(rng.choice(["/api/v1/metadata", "/api/v1/status/buildinfo", "/api/v1/query_exemplars",
                                 "/metrics", "/health", "/-/healthy", "/-/ready", "/ping"]),
                     [("limit", "1"), ("metric", "x")] if maybe(rng, 0.3) else [], db, rng))
    if which == 6:
        return Req("admin", rng.choice(["POST", "PUT", "GET"]),
                   q("/api/v1/admin/tsdb/delete_series", params, db, rng))
    if which == 7 and maybe(rng, 0.2):
        return Req("admin", rng.choice(["POST", "GET"]), "/api/v1/admin/flush")
    return Req("series", "GET", q("/api/v1/series", params, db, rng))


def gen_influxql(rng, S):
    t = rng.choice(S.influxql)
    if maybe(rng, 0.7):
        t = mutate_text(rng, t, S.influxql)
    if SENTINEL_DB.encode() in t.lower():
        t = b"SHOW DATABASES"
    params = [("q", t.decode("utf-8", "surrogateescape"))]
    if maybe(rng, 0.6):
        params.append(("db", rng.choice(DBS + ["fuzz"] * 4)))
    for k, vals in (("epoch", ["ns", "u", "\u00b5", "ms", "s", "m", "h", "x", ""]), ("pretty", ["true", "x"]),
                    ("chunked", ["true", "false", "1"]), ("chunk_size", ["0", "-1", "1", "x"]),
                    ("rp", ["autogen", ""]), ("params", ['{"a":1}', "{", "[]"])):
        if maybe(rng, 0.1):
            params.append((k, rng.choice(vals)))
    r = send_params(rng, "influxql", "/query", params, None)
    if maybe(rng, 0.1):
        r.headers.append(("Accept", rng.choice(["application/csv", "application/x-msgpack", "*/*"])))
    return r


PATHS = ["/api/v1/query", "/api/v1/write", "/write", "/query", "/api/v1/series", "/api/v1/label/job/values",
         "/api/v1/export", "/api/v1/import", "/api/v2/write", "/api/v1/read", "/health", "/ping", "/metrics",
         "/api/v1/status/tsdb", "/api/v1/admin/flush"]


def gen_odd(rng, S):
    """Odd paths, methods, headers and framing."""
    which = rng.randrange(8)
    path = rng.choice(PATHS)
    if which == 0:
        path = rng.choice([f"/db/../{path}", "/db/", "/db//api/v1/query", "/db/x/../../api/v1/query",
                           "/%2e%2e/%2e%2e/etc/passwd", "/api/v1/%71uery?query=1", "/api/v1/query%00",
                           "//api/v1/query", "/api/v1/query/", "/db/%zz/api/v1/query", "/db/a%2Fb/write",
                           "/API/V1/QUERY", "/api/v1/label//values", "/api/v1/label/values", "*", "",
                           "http://127.0.0.1/api/v1/query?query=1", "/db/" + "x" * 130 + "/query"]) + \
            ("?query=1&q=SHOW%20DATABASES" if maybe(rng, 0.5) else "")
        return Req("odd_path", rng.choice(["GET", "POST"]), path)
    if which == 1:
        n = rng.choice([2000, 9000, 70000, 300000])
        return Req("odd_path", "GET", path + "?" + rng.choice(["query=", "match[]=", "q=", "a", "x="]) + "a" * n)
    if which == 2:
        qs_ = "&".join(rng.choice(["a", "=", "&", "a=b", "%", "%g0", "match[]", "query=%ff", "x=%00"])
                       for _ in range(rng.randint(1, 3000)))
        return Req("odd_path", rng.choice(["GET", "POST"]), path + "?" + qs_)
    if which == 3:
        return Req("odd_method", rng.choice(["PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT", "FOO", "get",
                                             "G E T", "X" * 500]), path, [], b"x" if maybe(rng, 0.5) else b"")
    if which == 4:
        h = rng.choice([[("X-Long", "v" * rng.choice([100, 8000, 70000]))],
                        [(f"X-H{i}", "v") for i in range(rng.choice([50, 500, 5000]))],
                        [("Content-Encoding", "gzip"), ("Content-Encoding", "snappy")],
                        [("Content-Type", "multipart/form-data; boundary=x")],
                        [("Expect", "100-continue")], [("Connection", "keep-alive, close, upgrade")],
                        [("Transfer-Encoding", "gzip")], [("Host", "")], [("\x01bad", "x")],
                        [("Content-Type", "application/x-www-form-urlencoded; charset=\u00e9")]])
        body = b"query=1&q=SHOW+DATABASES" if maybe(rng, 0.5) else b""
        return Req("odd_header", "POST" if body else "GET", path + "?db=fuzz", h, body)
    if which == 5:
        # framing: declared lengths that disagree with the body, bad chunks
        body = b"fz_lp f=1\n" * rng.randint(0, 5)
        raw = rng.choice([
            b"POST /write?db=fuzz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n" + body,
            b"POST /write?db=fuzz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\n" + body,
            b"POST /write?db=fuzz HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n" + body,
            b"POST /write?db=fuzz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + body,
            b"POST /write?db=fuzz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"ffffffffffffffffff\r\n" + body,
            b"POST /write?db=fuzz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
            b"3\r\nabc\r\n0\r\n\r\n",
            b"GET /api/v1/query?query=1 HTTP/1.0\r\n\r\n",
            b"GET /api/v1/query?query=1 HTTP/9.9\r\nHost: x\r\n\r\n",
            b"GET /api/v1/query?query=1\r\n\r\n",
            b"GET /api/v1/query?query=1 HTTP/1.1\nHost: x\n\n",
            b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /api/v1/query?query=1 HTTP/1.1\r\nHost: x\r\n folded: header\r\n\r\n",
        ])
        r = Req("framing", "?", "?", mode="raw")
        r.raw = raw
        return r
    if which == 6:
        # a valid request whose bytes are mutated anywhere (request line, headers, body)
        inner = rng.choice([gen_promql, gen_lp, gen_import, gen_meta])(rng, S)
        r = Req("raw_mutation", inner.method, inner.target, mode="raw")
        r.raw = mutate_bytes(rng, inner.bytes(rng), rounds=rng.randint(1, 3))
        return r
    # truncated: a request cut anywhere, then the sending side closed
    inner = rng.choice([gen_prw, gen_lp, gen_import, gen_promql, gen_prr])(rng, S)
    raw = inner.bytes(rng)
    r = Req("truncated", inner.method, inner.target, mode="truncated")
    r.raw = raw[:rng.randint(0, max(0, len(raw) - 1))]
    return r


RW_TYPES = [None, "", "application/x-protobuf", "application/x-protobuf;proto=prometheus.WriteRequest",
            "application/x-protobuf;proto=io.prometheus.write.v2.Request", "application/x-protobuf;proto=bogus",
            "text/plain", "application/json"]


def sweep():
    """Every Content-Encoding with every Content-Type, on valid bodies of
    each write API (remote_write 1.0 and 2.0, line protocol v1 and v2,
    import in both formats) and on remote_read: not left to chance."""
    rng = random.Random(0)
    t = now_ms()
    v1 = pw.series_v1([("__name__", "fz_sweep"), ("job", "s")], [(pw.fbits(1.0), t)])
    v2 = pw.request_v2(lambda syms: [pw.series_v2(syms, [("__name__", "fz_sweep2")], [(pw.fbits(2.0), t)])])
    lp = f"fz_sweep_lp,h=a f=1 {t * 10**6}\n".encode()
    imp = ('{"metric":{"__name__":"fz_sweep_imp"},"values":[1],"timestamps":[%d]}\n' % t).encode()
    rr = pw.f_bytes(1, pw.f_varint(1, t - 60000) + pw.f_varint(2, t) +
                    pw.f_bytes(3, pw.f_bytes(2, "__name__") + pw.f_bytes(3, "fz_sweep")))
    out = []
    for enc in ENCODINGS:
        def hdrs(ct):
            h = [("Content-Encoding", enc)] if enc is not None else []
            return h + ([("Content-Type", ct)] if ct is not None else [])
        for ct in RW_TYPES:
            for body in (v1, v2):
                out.append(Req("sweep", "POST", "/api/v1/write?db=fuzz", hdrs(ct), encode(rng, body, enc)))
            out.append(Req("sweep", "POST", "/api/v1/read?db=fuzz", hdrs(ct), encode(rng, rr, enc)))
        for path, body in (("/write?db=fuzz", lp), ("/api/v2/write?bucket=fuzz", lp),
                           ("/api/v1/import?db=fuzz", imp), ("/api/v1/import?db=fuzz&format=line", lp)):
            out.append(Req("sweep", "POST", path, hdrs("text/plain"), encode(rng, body, enc)))
    return out


TS_OPS = ["WriteRecords", "Query", "DescribeEndpoints", "CreateDatabase", "DescribeDatabase", "ListDatabases",
          "UpdateDatabase", "DeleteDatabase", "CreateTable", "DescribeTable", "ListTables", "UpdateTable",
          "DeleteTable", "TagResource", "UntagResource", "ListTagsForResource", "CancelQuery", "PrepareQuery",
          "CreateScheduledQuery", "DescribeScheduledQuery", "ListScheduledQueries", "UpdateScheduledQuery",
          "DeleteScheduledQuery", "ExecuteScheduledQuery", "Nope"]


def gen_timestream(rng, S):
    """Timestream's API: POST / with an X-Amz-Target and a JSON body, from
    the WriteRecords corpus, the SQL corpus and the other operations'
    shapes, mutated (never naming the sentinel database)."""
    op = rng.choice(TS_OPS + ["WriteRecords", "Query"] * 4)
    name = rng.choice(["fuzz", "fuzzts", "ab", "a" * 300, "x.y-z", "", "default"])
    table = rng.choice(["tbl", "DevOps", "cpu", "t", ""])
    if op == "WriteRecords":
        body = rng.choice(S.tsrec)
    elif op in ("Query", "PrepareQuery"):
        sql = rng.choice(S.sql).decode("utf-8", "surrogateescape")
        args = {"QueryString": sql}
        if maybe(rng, 0.3):
            args["MaxRows"] = rng.choice([1, 0, 1000, 1001, -1, "x"])
        if maybe(rng, 0.2):
            args["NextToken"] = rng.choice(["AEDQC00000000001-0-0", "", "x" * 500])
        if op == "PrepareQuery":
            args["ValidateOnly"] = rng.choice([True, False, "x"])
        body = json.dumps(args, ensure_ascii=False).encode("utf-8", "surrogateescape")
    else:
        args = {"DatabaseName": name, "TableName": table, "MaxResults": rng.choice([1, 20, 0, 21]),
                "ResourceARN": rng.choice([f"arn:aws:timestream:us-east-1:0:database/{name}/table/{table}", "arn:x", ""]),
                "Tags": [{"Key": "k", "Value": "v"}], "TagKeys": ["k"], "KmsKeyId": "k", "QueryId": "q",
                "RetentionProperties": {"MemoryStoreRetentionPeriodInHours": rng.choice([1, 0, 9000]),
                                        "MagneticStoreRetentionPeriodInDays": 1},
                "ScheduledQueryArn": "arn:aws:timestream:us-east-1:0:scheduled-query/x", "State": "DISABLED"}
        for k in list(args):
            if maybe(rng, 0.4):
                del args[k]
        body = json.dumps(args).encode()
    if SENTINEL_DB.encode() in body.lower():
        body = b"{}"
    if maybe(rng, 0.6):
        body = mutate_bytes(rng, body, S.tsrec[:10])
    if SENTINEL_DB.encode() in body.lower():
        body = b"{}"
    h = [("X-Amz-Target", "Timestream_20181101." + op if maybe(rng, 0.95) else rng.choice(["", "x", "Timestream_20181101."])),
         ("Content-Type", "application/x-amz-json-1.0")]
    if maybe(rng, 0.1):
        h.append(("Authorization", rng.choice(["AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/timestream/aws4_request, "
                                               "SignedHeaders=host, Signature=00", "Basic !!!", ""])))
    return Req("timestream", rng.choice(["POST"] * 19 + ["GET"]), "/", h, body)


FAMILIES = [(gen_prw, 4), (gen_prr, 2), (gen_lp, 4), (gen_import, 3), (gen_promql, 5), (gen_influxql, 3),
            (gen_meta, 4), (gen_odd, 3), (gen_timestream, 3)]


# ------------------------------------------------------------ sending and judging

def send(port, raw, mode, method):
    """Returns (status, body, error): status None when no answer came."""
    s = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN_S)
    try:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early (a 413, a 400 on the headers): read it
        if mode == "truncated":
            return None, b"", "abandoned"  # the client goes away mid-request
        if mode == "raw":
            # its framing may leave the request incomplete: the server then
            # waits for the rest, which never comes (not a hang)
            s.settimeout(RAW_WAIT_S)
        resp = http.client.HTTPResponse(s, method="HEAD" if method == "HEAD" else "GET")
        try:
            resp.begin()
            body = resp.read()
            return resp.status, body, None
        except socket.timeout:
            if mode == "raw":
                return None, b"", "no answer (incomplete request?)"
            return None, b"", "no answer within %d s" % ANSWER_WITHIN_S
        except (http.client.HTTPException, ConnectionError, OSError) as e:
            return None, b"", f"connection closed without an answer ({type(e).__name__}: {e})"
    finally:
        s.close()


def judge(status, body, err, mode, method, raw):
    """None when the answer is acceptable, else what is wrong with it."""
    if status is None:
        if mode == "truncated" or (mode == "raw" and "incomplete" in err):
            return None
        if mode == "raw" and "closed" in err and not REQUEST_LINE.match(raw):
            return None  # libmicrohttpd drops a request line it cannot split, before any handler
        return err  # a hang, or a connection dropped without an answer
    if 200 <= status < 300:
        return None
    if status == 505 and not re.match(rb"[^\r\n]* HTTP/1\.[01]\r?\n", raw):
        return None  # HTTP's own answer to a request line without HTTP/1.0 or 1.1
    if 400 <= status < 500 or status in (503, 507, 429):
        if method != "HEAD" and not body.strip():
            return f"status {status} with an empty body"
        if b"/" + SENTINEL_DB.encode() in body or b"strata-compat-" in body:
            return f"status {status}: the body names a server path"
        return None
    return f"status {status}: {body[:300]!r}"


def save(req, why):
    os.makedirs(OUT, exist_ok=True)
    raw = req.bytes()
    name = f"{req.family}-{zlib.crc32(raw):08x}.req"
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(FILE_MAGIC + req.mode.encode() + b" " + req.method.encode("latin-1", "replace")[:20] + b"\n" + raw)
    print(f"   saved {path} ({why}); replay: python3 compat-tests/test_http_fuzz.py --replay {path}")
    return path


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(FILE_MAGIC):
        raise ValueError(f"{path}: not a saved fuzz input")
    head, raw = data.split(b"\n", 1)
    mode, method = head[len(FILE_MAGIC):].decode().split(" ", 1)
    r = Req("replay", method, "?", mode=mode if mode in MODES else "full")
    r.raw = raw
    return r


def probe(srv):
    """Waits for the server to answer /-/ready, or to die trying."""
    for _ in range(50):
        try:
            st, _, _ = srv.request("GET", "/-/ready", timeout=ANSWER_WITHIN_S)
            return st == 200
        except OSError:
            if not alive(srv):
                return False
            time.sleep(0.1)
    return False


def alive(srv):
    return srv.proc is not None and srv.proc.poll() is None


def sanitizer_report(srv):
    try:
        with open(srv.log_path, "rb") as f:
            log = f.read()
    except OSError:
        return None
    for m in SANITIZER_MARKS:
        i = log.find(m)
        if i >= 0:
            return log[max(0, i - 200):i + 2500].decode("utf-8", "replace")
    return None


# ------------------------------------------------------------ slow connections

def slow_worker(port, stop, rng, stats):
    """Slow, abandoned and half-sent connections beside the fuzzing."""
    while not stop.is_set():
        kind = rng.randrange(5)
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN_S)
            try:
                if kind == 0:  # opened, nothing sent, dropped
                    pass
                elif kind == 1:  # half the headers, then dropped
                    s.sendall(b"POST /write?db=fuzz HTTP/1.1\r\nHost: x\r\nContent-Le")
                elif kind == 2:  # a body shorter than declared, then dropped
                    s.sendall(b"POST /api/v1/import?db=fuzz HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"metric\"")
                elif kind == 3:  # a request sent a few bytes at a time; its answer must come
                    req = b"GET /api/v1/query?query=vector(1) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    for i in range(0, len(req), 7):
                        s.sendall(req[i:i + 7])
                        if stop.wait(0.05):
                            break
                    else:
                        resp = http.client.HTTPResponse(s)
                        resp.begin()
                        body = resp.read()
                        stats["slow_ok" if resp.status == 200 and b"success" in body else "slow_bad"] += 1
                else:  # a query whose client goes away before the answer
                    s.sendall(b"GET /api/v1/query_range?db=fuzz&query=count_over_time({__name__=~%22.%2B%22}[1h])"
                              b"&start=0&end=1e10&step=100 HTTP/1.1\r\nHost: x\r\n\r\n")
                    stop.wait(0.01)
            finally:
                s.close()
            stats["slow_conns"] += 1
        except (OSError, http.client.HTTPException):
            stats["slow_errors"] += 1
        stop.wait(rng.uniform(0.05, 0.3))


# ------------------------------------------------------------ the run

def sentinel_write(srv):
    t = (int(time.time()) - 600) * 1000
    lp = "".join(f"fz_sentinel,host=a value={i}.25 {(t + i * 1000) * 10**6}\n" for i in range(50))
    st, body, _ = srv.request("POST", f"/write?db={SENTINEL_DB}", lp.encode())
    R.check(st == 204, "sentinel line protocol written", f"{st} {body[:200]!r}")
    rw = pw.series_v1([("__name__", "fz_sentinel_rw"), ("job", "s")],
                      [(pw.fbits(i * 1.5), t + i * 1000) for i in range(50)])
    st, body, _ = srv.request("POST", f"/db/{SENTINEL_DB}/api/v1/write", pw.snappy(rw),
                              {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
                               "X-Prometheus-Remote-Write-Version": "0.1.0"})
    R.check(st == 204, "sentinel remote_write written", f"{st} {body[:200]!r}")
    return export_json(srv, db=SENTINEL_DB)


def start_server():
    return Server("--query-timeout", f"{QUERY_TIMEOUT_S}s", "--http-timeout", str(HTTP_TIMEOUT_S),
                  "--max-body-size", str(MAX_BODY), "--maintenance-interval", "2s",
                  "--memory-window", "1h", "--block-duration", "1h").start()


def run_one(srv, req, rng, counts, failures):
    raw = req.bytes(rng)
    if SENTINEL_DB.encode() in raw.lower():
        return True
    t0 = time.time()
    status, body, err = send(srv.port, raw, req.mode, req.method)
    took = time.time() - t0
    counts["requests"] += 1
    if took > float(os.environ.get("STRATA_FUZZ_SLOW", "1")) and os.environ.get("STRATA_VERBOSE"):
        print(f"   slow answer {took:.1f}s {req.family} {status} {raw[:150]!r}")
    key = f"{req.family}:{status if status is not None else 'none'}"
    if status is None and os.environ.get("STRATA_VERBOSE") and req.mode == "raw":
        print(f"   no answer ({err}): {raw[:200]!r}")
    counts[key] = counts.get(key, 0) + 1
    recent = counts.setdefault("recent", [])
    recent[:] = recent[-2:] + [req]
    if status is None:
        probe(srv)  # a server that dropped the answer may be dying of it
    if not alive(srv):
        report = sanitizer_report(srv) or srv.tail()
        # the request that killed it is this one, or one just before whose
        # answer did not wait for the process to end: all are kept
        for i, r in enumerate(recent):
            failures.append((r, "the server died" + (" (one of the last requests)" if len(recent) > 1 else ""),
                             report if i == len(recent) - 1 else None))
        return False
    why = judge(status, body, err, req.mode, req.method, raw)
    if why:
        failures.append((req, why, None))
    return True


def replay_regressions(srv, counts, failures):
    n = 0
    if os.path.isdir(REGRESS):
        for f in sorted(os.listdir(REGRESS)):
            if f.endswith(".req"):
                n += 1
                if not run_one(srv, load(os.path.join(REGRESS, f)), None, counts, failures):
                    return n
    return n


def finish(srv, before, failures):
    ok = alive(srv)
    R.check(ok, "the server is alive after the fuzzing", sanitizer_report(srv) or "")
    if ok:
        st, body, _ = srv.request("GET", "/api/v1/query?" + qs(query="vector(1)"))
        R.check(st == 200 and b"success" in body, "the server still answers", f"{st} {body[:200]!r}")
        after = export_json(srv, db=SENTINEL_DB)
        R.check(after == before and len(before) == 2, "the series written first read back unchanged",
                f"{len(before)} series before, {len(after)} after")
        rc = srv.stop()
        R.check(rc == 0, "SIGTERM stops the server cleanly", f"exit status {rc}: {srv.tail()[-1500:]}")
    rep = sanitizer_report(srv)
    R.check(rep is None, "no sanitizer or leak report in the server's log", rep or "")
    shown = 0
    for req, why, report in failures:
        if shown < 20:
            print(f"   {req.family} {req.method} {req.target[:120]!r}: {why}")
            save(req, why)
            if report:
                print(report[-4000:])
        shown += 1
    R.check(not failures, "every answer is a 2xx, a 4xx with a message or a documented 503/507/429",
            f"{len(failures)} bad answers")


def fuzz():
    seed = int(os.environ.get("STRATA_FUZZ_SEED", str(random.SystemRandom().randrange(1 << 32))))
    print(f"seed {seed} (STRATA_FUZZ_SEED={seed} repeats the sequence); {SECONDS:.0f} s; server {BIN}")
    rng = random.Random(seed)
    S = Seeds()
    srv = start_server()
    counts, failures = {"requests": 0}, []
    stop = threading.Event()
    slow = {"slow_conns": 0, "slow_ok": 0, "slow_bad": 0, "slow_errors": 0}
    th = None
    try:
        before = sentinel_write(srv)
        nreg = replay_regressions(srv, counts, failures)
        R.check(alive(srv), f"{nreg} saved regression inputs replayed", "")
        pairs = sweep()
        for req in pairs:
            if not run_one(srv, req, None, counts, failures):
                break
        R.check(alive(srv), f"{len(pairs)} requests: every Content-Encoding with every Content-Type", "")
        th = threading.Thread(target=slow_worker, args=(srv.port, stop, random.Random(seed + 1), slow), daemon=True)
        th.start()
        weights = [w for _, w in FAMILIES]
        deadline = time.time() + SECONDS
        while time.time() < deadline and alive(srv) and len(failures) < 50:
            gen = rng.choices([g for g, _ in FAMILIES], weights)[0]
            if not run_one(srv, gen(rng, S), rng, counts, failures):
                break
        stop.set()
        th.join(ANSWER_WITHIN_S + 5)
        fams = {}
        for k, v in counts.items():
            if ":" in k:
                f, st = k.split(":")
                fams.setdefault(f, []).append(f"{st}x{v}")
        print(f"{counts['requests']} requests; slow connections {slow}")
        for f in sorted(fams):
            print(f"   {f}: {' '.join(sorted(fams[f]))}")
        R.check(counts["requests"] > 50, "the fuzzer sent requests", str(counts["requests"]))
        R.check(len(fams) >= 12, "every endpoint family was reached", ", ".join(sorted(fams)))
        R.check(slow["slow_bad"] == 0 and slow["slow_conns"] > 0,
                "slow and abandoned connections never broke an answer", str(slow))
        finish(srv, before, failures)
    finally:
        stop.set()
        srv.cleanup()


def replay(paths):
    srv = start_server()
    counts, failures = {"requests": 0}, []
    try:
        before = sentinel_write(srv)
        for p in paths:
            req = load(p)
            req.family = os.path.basename(p)
            if not run_one(srv, req, None, counts, failures):
                break
            print(f"   {p}: answered")
        finish(srv, before, failures)
    finally:
        srv.cleanup()


def main():
    try:
        if len(sys.argv) > 2 and sys.argv[1] == "--replay":
            replay(sys.argv[2:])
        else:
            fuzz()
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        R.check(False, "test ran to the end", repr(e))
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
