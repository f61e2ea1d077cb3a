"""vmagent as a remote_write sender, and replayed requests from the senders
Debian does not package.

1. Debian's vmagent (1.79) scrapes Strata, a victoria-metrics single node,
   itself and a small target served by this test (hard values, hard label
   values, a series that goes away, then the whole target goes away) every
   second, and remote-writes to Strata and to victoria-metrics at once.
   Strata is restarted in the middle: meanwhile the recording proxy in
   front of it drops vmagent's requests unanswered, as a stopped server
   would, and vmagent must re-send them into the new process. After
   SIGTERM (vmagent 1.79 stops its scrapers without stale markers, then
   gives its queues up to 5 s to drain, see lib/persistentqueue/fastqueue.go
   UnblockAllReaders at v1.79.5):
   - what vmagent sent to Strata, recorded by a pass-through proxy and
     decoded here, is in Strata's export bit for bit, nothing more;
   - every series and sample victoria-metrics holds is in Strata. VM keeps a
     float as an int64 decimal mantissa with about 12 significant digits
     (lib/decimal FromFloat, conversionPrecision = 1e12, at v1.79.5), drops
     NaNs other than the stale marker, has no -0 and cannot represent
     magnitudes near the ends of the float64 range. So values VM holds
     exactly (integers below 2^53, and decimals of at most 12 significant
     digits between 1e-200 and 1e200) must be bit-identical; the others
     must agree to VM's precision (Strata's exact value is the one vmagent
     sent, checked against the proxy's record); VM's NaNs must be stale
     markers in Strata;
   - the protocol: vmagent 1.79 sends snappy with X-Prometheus-Remote-Write-
     Version 0.1.0 and never zstd (app/vmagent/remotewrite/client.go at
     v1.79.5 sets those headers unconditionally; zstd, the "VictoriaMetrics
     remote write protocol", came in 1.88, chosen by a handshake from 1.89
     to 1.115, and by default with the snappy fallback on 400/415 since
     1.116).
     So the fallback cannot be seen with 1.79; it is tested by replay (2a).
2. Replayed requests, built here with promwire and the headers the senders
   send (each set cites its source):
   a. newer vmagent: zstd (the Debian zstd CLI compresses) 1.0 bodies, 204
      and exact; undecodable zstd bodies answered exactly 400 or 415 (the
      codes on which vmagent re-packs the block as snappy), nothing written,
      and the snappy re-send of the same block written.
   b. Prometheus 3.x remote write 2.0, built the way its queue manager
      builds them: symbols, one TimeSeries per sample, metadata on every
      series (empty when it has none), stale markers, start timestamps
      (Sample.start_timestamp of 3.8+, TimeSeries.created_timestamp of
      3.0-3.7) that must be ignored; 204 with exact *-Written headers, also
      for a retried request, samples exact, metadata in /api/v1/metadata.
   c. 2,000 series x 6 samples in zstd 1.0, snappy 1.0 and snappy 2.0.

Python 3 stdlib only, plus strata.py and promwire.py."""
import http.client
import http.server
import json
import math
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import strata  # noqa: E402
from strata import Server, Results, free_port, report_crash  # noqa: E402
from promwire import (unsnappy, pb_fields, uvarint, f_bytes, f_varint, f_fixed64,  # noqa: E402
                      series_v1, snappy, STALE)

R = Results("test_vmagent")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
ALL = '{__name__=~".+"}'

# What vmagent 1.79 sends for every block (app/vmagent/remotewrite/client.go,
# sendBlockHTTP, at v1.79.5), and what newer vmagents send for a snappy block
# (doRequest, v1.116.0 up to HEAD b7ef6cc3ed35).
VMAGENT_SNAPPY = {"User-Agent": "vmagent", "Content-Type": "application/x-protobuf",
                  "Content-Encoding": "snappy", "X-Prometheus-Remote-Write-Version": "0.1.0"}
# Newer vmagent, a zstd block (same doRequest: the encoding is chosen by
# encoding.IsZstd(body), the version header goes with it).
VMAGENT_ZSTD = {"User-Agent": "vmagent", "Content-Type": "application/x-protobuf",
                "Content-Encoding": "zstd", "X-VictoriaMetrics-Remote-Write-Version": "1"}
# Prometheus 3.x with protobuf_message: io.prometheus.write.v2.Request
# (storage/remote/client.go, Client.Store, at v3.8.1; the User-Agent is
# prometheus/common version.PrometheusUserAgent(), "Prometheus/<version>").
PROM3_V2 = {"Content-Encoding": "snappy",
            "Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request",
            "User-Agent": "Prometheus/3.8.1", "X-Prometheus-Remote-Write-Version": "2.0.0"}


def now_ms():
    return int(time.time() * 1000)


def bits_of(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def float_of(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def is_nan_bits(b):
    return (b >> 52) & 0x7FF == 0x7FF and b & ((1 << 52) - 1) != 0


# ------------------------------------------------------------ decoders
# What the proxy records is decoded with promwire's decoders.

def decode_v1(buf):
    """prometheus.WriteRequest -> [(labels, [(ts_ms, bits)])], metadata count."""
    out, nmeta = [], 0
    for f, _, v in pb_fields(buf):
        if f == 3:
            nmeta += 1
        if f != 1:
            continue
        labels, samples = [], []
        for g, _, w in pb_fields(v):
            if g == 1:
                d = {h: x for h, _, x in pb_fields(w)}
                labels.append((d.get(1, b"").decode(), d.get(2, b"").decode()))
            elif g == 2:
                d = {h: x for h, _, x in pb_fields(w)}
                ts = d.get(2, 0)
                if ts >= 1 << 63:
                    ts -= 1 << 64
                samples.append((ts, d.get(1, 0)))
        out.append((labels, samples))
    return out, nmeta


def key_of(labels):
    """A series' identity as Prometheus sees it: an empty value is no label."""
    return tuple(sorted((n, v) for n, v in labels if v != ""))


# ------------------------------------------------------------- exports

def parse_vm_json(text):
    """VictoriaMetrics 1.79 JSON lines (also Strata's default export): bare
    NaN, +Inf, -Inf in "values", null for later NaNs.
    -> {key: [(ts, float or None)]}, {key: line}"""
    out, lines = {}, {}
    for line in text.splitlines():
        if not line.strip():
            continue
        i = line.rindex('"values":[')
        j = line.index("]", i)
        vals = []
        for tok in line[i + 10:j].split(","):
            tok = tok.strip()
            if tok == "null":
                vals.append(None)
            elif tok in ("NaN", "+Inf", "-Inf", "Infinity", "-Infinity"):
                vals.append(float(tok.replace("Infinity", "inf").replace("Inf", "inf")))
            else:
                vals.append(float(tok))
        o = json.loads(line[:i + 10] + line[j:])
        key = tuple(sorted(o["metric"].items()))
        out[key] = list(zip(o["timestamps"], vals))
        lines[key] = line
    return out, lines


LP_MEAS_ESC = ", \\"
LP_KEY_ESC = ",= \\"


def _lp_token(s, i, stops, esc):
    out = []
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in esc:
            out.append(s[i + 1])
            i += 2
            continue
        if c in stops:
            return "".join(out), i
        out.append(c)
        i += 1
    return "".join(out), i


def _lp_bits(tok):
    if tok == "NaN":
        return 0x7FF8000000000001
    if tok.startswith("NaN(0x"):
        return int(tok[4:-1], 16)
    if tok in ("+Inf", "-Inf"):
        return bits_of(float(tok.replace("Inf", "inf")))
    return bits_of(float(tok))


def parse_lp(text):
    """Strata's line-protocol export (lossless, typed, ns) of float series
    -> {key: {ts_ms: bits}}. Lines starting with # are Strata's notes about
    series line protocol cannot carry (a newline in a label)."""
    out = {}
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        meas, i = _lp_token(line, 0, ", ", LP_MEAS_ESC)
        labels = []
        while line[i] == ",":
            k, i = _lp_token(line, i + 1, "=", LP_KEY_ESC)
            v, i = _lp_token(line, i + 1, ", ", LP_KEY_ESC)
            labels.append((k, v))
        col, i = _lp_token(line, i + 1, "=", LP_KEY_ESC)
        val, ts = line[i + 1:].rsplit(" ", 1)
        name = meas if col == "value" else f"{meas}_{col}"
        key = key_of(labels + [("__name__", name)])
        out.setdefault(key, {})[int(ts) // 1000000] = _lp_bits(val)
    return out


class _SomeNaN:
    """A NaN read from the JSON export, which does not say which NaN: equal
    to any NaN bit pattern. Only for series line protocol cannot carry."""

    def __eq__(self, other):
        return isinstance(other, _SomeNaN) or (isinstance(other, int) and is_nan_bits(other))

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "NaN(json)"

    __hash__ = None


SOME_NAN = _SomeNaN()


def strata_samples(srv, db=None, match=ALL):
    """Everything Strata holds for match -> {key: {ts_ms: bits}}: bits from
    the line-protocol export; series it cannot carry (a newline in a label)
    from the JSON export, exact for every finite value but -0, and SOME_NAN
    for a NaN. Also the raw JSON lines by key."""
    prefix = f"/db/{db}" if db else ""
    st, body, _ = srv.request("GET", f"{prefix}/api/v1/export?" + urllib.parse.urlencode(
        {"match[]": match, "format": "line"}))
    if st != 200:
        raise RuntimeError(f"line export: {st} {body[:300]}")
    bits = parse_lp(body.decode())
    st, body, _ = srv.request("GET", f"{prefix}/api/v1/export?" + urllib.parse.urlencode({"match[]": match}))
    if st != 200:
        raise RuntimeError(f"json export: {st} {body[:300]}")
    js, lines = parse_vm_json(body.decode())
    for key, samples in js.items():
        if key not in bits:
            bits[key] = {ts: (SOME_NAN if v is None or math.isnan(v) else bits_of(v)) for ts, v in samples}
    return bits, lines


def expected_map(series_list):
    """[(labels, [(ts, bits)])] -> {key: {ts: bits}}, the later write winning."""
    out = {}
    for labels, samples in series_list:
        d = out.setdefault(key_of(labels), {})
        for ts, b in samples:
            d[ts] = b
    return out


def hexb(b):
    return hex(b) if isinstance(b, int) else repr(b)


def diff_maps(want, got, limit=3):
    """Differences between two {key: {ts: bits}} maps, as readable strings."""
    out = []
    for key in want:
        if key not in got:
            out.append(f"missing series {dict(key)}")
        elif got[key] != want[key]:
            w, g = want[key], got[key]
            ts = sorted(set(w) ^ set(g)) or [t for t in sorted(w) if w[t] != g[t]]
            t = ts[0]
            out.append(f"{dict(key)} @{t}: want {hexb(w.get(t))} got {hexb(g.get(t))}")
        if len(out) >= limit:
            break
    for key in got:
        if key not in want and len(out) < limit * 2:
            out.append(f"unexpected series {dict(key)}")
    return out


# ------------------------------------------------------------ processes

def wait_http(url, proc, what, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited at start (rc={proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} not ready")


def stop_proc(proc, timeout=30):
    """SIGTERM, then SIGKILL after timeout. -> (rc, seconds taken)"""
    if proc.poll() is not None:
        return proc.returncode, 0.0
    t = time.time()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.returncode, time.time() - t


def log_tail(path, n=2500):
    try:
        with open(path, "rb") as f:
            return f.read()[-n:].decode("utf-8", "replace")
    except OSError:
        return ""


def restart_same_port(srv):
    """Strata stopped (SIGTERM) and started again on the same port and data."""
    port = srv.port
    rc = srv.stop()
    orig = strata.free_port
    strata.free_port = lambda: port
    try:
        srv.start()
    finally:
        strata.free_port = orig
    return rc


class Recorder:
    """Pass-through proxy: vmagent -> here -> Strata. Records each request's
    headers and body and Strata's status. While paused (Strata restarting)
    it drops each new connection without an answer, as a stopped server
    would, and records the request with status None."""

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.gen = 1
        self.inflight = 0
        self.records = []
        self.cv = threading.Condition()
        rec = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                hdrs = {k: v for k, v in self.headers.items()}
                with rec.cv:
                    gen = rec.gen
                    if gen is not None:
                        rec.inflight += 1
                    else:
                        rec.records.append({"headers": hdrs, "body": body, "status": None, "gen": None})
                if gen is None:
                    self.close_connection = True
                    return
                try:
                    c = http.client.HTTPConnection("127.0.0.1", rec.upstream, timeout=30)
                    fwd = {k: v for k, v in hdrs.items() if k.lower() not in ("host", "connection")}
                    c.request("POST", self.path, body=body, headers=fwd)
                    r = c.getresponse()
                    rbody = r.read()
                    status, rh = r.status, r.getheaders()
                    c.close()
                except OSError:
                    status, rh, rbody = None, [], b""
                finally:
                    with rec.cv:
                        rec.inflight -= 1
                        rec.records.append({"headers": hdrs, "body": body, "status": status, "gen": gen})
                        rec.cv.notify_all()
                if status is None:
                    self.close_connection = True
                    return
                self.send_response(status)
                for k, v in rh:
                    if k.lower() in ("content-type", "retry-after"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(rbody)))
                self.end_headers()
                self.wfile.write(rbody)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def pause(self):
        """New requests are dropped; returns when the forwarded ones are done."""
        with self.cv:
            self.gen = None
            self.cv.wait_for(lambda: self.inflight == 0, timeout=60)

    def resume(self, gen):
        with self.cv:
            self.gen = gen

    def snapshot(self):
        with self.cv:
            return list(self.records)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# Label values the target exposes (text-format escaped when written), and
# what each must be once stored.
HARD_LABELS = {
    "quote": 'say "hi"',
    "backslash": "C:\\dir\\",
    "separators": "a,b=c d;e",
    "unicode": "naïve ☃ 日本",
    "newline": "line1\nline2",
    "braces": "{x=\"y\"}",
}
HARD_VALUES = {
    "third": "0.3333333333333333", "sum": "0.30000000000000004", "pi": "3.141592653589793",
    "decimal": "12.5", "neg": "-7.25", "big_int": "9007199254740993", "int": "123456789",
    "tiny": "1e-300", "denormal": "5e-324", "huge": "1.7976931348623157e308",
    "neg_zero": "-0", "pos_inf": "+Inf", "neg_inf": "-Inf", "nan": "NaN",
    "exp": "6.02214076e+23", "small": "1.5e-07",
}


class Target:
    """A scrape target with hard values and label values; the counter grows
    by 0.1 per scrape (float accumulation), one series goes away after the
    third scrape (stale marker), and the whole target goes away at close()."""

    def __init__(self):
        self.scrapes = 0
        tgt = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                tgt.scrapes += 1
                body = tgt.render(tgt.scrapes).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @staticmethod
    def esc(v):
        return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    def render(self, n):
        lines = ["# HELP tgt_hard Hard float values.", "# TYPE tgt_hard gauge"]
        lines += [f'tgt_hard{{case="{c}"}} {v}' for c, v in HARD_VALUES.items()]
        lines += ["# TYPE tgt_label gauge"]
        lines += [f'tgt_label{{case="{c}",v="{self.esc(v)}"}} {i}' for i, (c, v) in enumerate(HARD_LABELS.items())]
        lines += ['tgt_label{case="empty",v=""} 42']
        c = 0.0
        for _ in range(n):
            c += 0.1
        lines += ["# TYPE tgt_requests_total counter", f'tgt_requests_total{{code="200"}} {c!r}',
                  f'tgt:rule:rate5m{{code="200"}} {n * 1.1!r}']
        if n <= 3:
            lines += [f"tgt_goes_away {n}"]
        return "\n".join(lines) + "\n"

    def close(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


def metric_value(srv, name, labels=""):
    st, body, _ = srv.request("GET", "/metrics")
    m = re.search(r"^" + re.escape(name + labels) + r" (\S+)$", body.decode(), re.M)
    return float(m.group(1)) if m else None


# --------------------------------------------------------------- part 1

def sig_digits(x):
    """Significant decimal digits of the shortest round-trip form of x."""
    m = repr(abs(x)).split("e")[0].replace(".", "").lstrip("0").rstrip("0")
    return len(m)


def vm_holds_exactly(x):
    """Whether VictoriaMetrics 1.79's decimal storage gives x back bit for
    bit (see the module comment): integers below 2^53 and short decimals in
    a safe range. -0 is not (VM has no negative zero): compared as a float."""
    if math.isinf(x):
        return True
    if x == int(x) and abs(x) < 2 ** 53:
        return True
    return sig_digits(x) <= 12 and 1e-200 < abs(x) < 1e200


def check_vmagent(srv, tmp):
    for tool in ("vmagent", "victoria-metrics"):
        if not shutil.which(tool):
            R.check(False, f"{tool} is installed (Debian package victoria-metrics)")
            return
    procs, logs = [], []
    rec = Recorder(srv.port)
    target = Target()
    try:
        vm_port, vma_port = free_port(), free_port()
        vm_log = os.path.join(tmp, "vm.log")
        vm = subprocess.Popen(["victoria-metrics", f"-httpListenAddr=127.0.0.1:{vm_port}",
                               f"-storageDataPath={os.path.join(tmp, 'vmdata')}", "-retentionPeriod=100y"],
                              stdout=logs.append(open(vm_log, "ab")) or logs[-1], stderr=subprocess.STDOUT)
        procs.append(vm)
        wait_http(f"http://127.0.0.1:{vm_port}/health", vm, "victoria-metrics")
        cfg = os.path.join(tmp, "scrape.yml")
        with open(cfg, "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
scrape_configs:
  - job_name: strata
    static_configs: [{{targets: ['127.0.0.1:{srv.port}']}}]
  - job_name: victoria-metrics
    static_configs: [{{targets: ['127.0.0.1:{vm_port}']}}]
  - job_name: vmagent
    static_configs: [{{targets: ['127.0.0.1:{vma_port}']}}]
  - job_name: target
    static_configs: [{{targets: ['127.0.0.1:{target.port}']}}]
""")
        vma_log = os.path.join(tmp, "vmagent.log")
        vma = subprocess.Popen(["vmagent", f"-httpListenAddr=127.0.0.1:{vma_port}", f"-promscrape.config={cfg}",
                                f"-remoteWrite.url=http://127.0.0.1:{rec.port}/api/v1/write",
                                f"-remoteWrite.url=http://127.0.0.1:{vm_port}/api/v1/write",
                                f"-remoteWrite.tmpDataPath={os.path.join(tmp, 'vmagent-queue')}",
                                "-remoteWrite.flushInterval=200ms"],
                               stdout=logs.append(open(vma_log, "ab")) or logs[-1], stderr=subprocess.STDOUT)
        procs.append(vma)
        t0 = time.time()
        wait_http(f"http://127.0.0.1:{vma_port}/health", vma, "vmagent")
        time.sleep(max(0.0, t0 + 4 - time.time()))
        # Strata goes away for a moment; vmagent must retry into the new process
        rec.pause()
        rc = restart_same_port(srv)
        # back once vmagent has been refused at least once (or after 5 s)
        until = time.time() + 5
        while time.time() < until and not any(r["status"] is None for r in rec.snapshot()):
            time.sleep(0.05)
        rec.resume(2)
        R.check(rc == 0, "strata restarted (SIGTERM) while vmagent sends", f"rc={rc}")
        time.sleep(max(0.0, t0 + 7 - time.time()))
        target.close()  # scrape fails from now on: up=0 and stale markers
        time.sleep(max(0.0, t0 + 13 - time.time()))
        rc, took = stop_proc(vma, 40)
        R.check(rc == 0, f"vmagent stopped cleanly on SIGTERM ({took:.1f} s)", f"rc={rc} {log_tail(vma_log)}")
        # VM 1.79 acknowledges a write before its rows are searchable, and one
        # /internal/force_flush right away can miss the last of them: flush
        # and export until two exports hold as many samples (the order of
        # VM's export lines varies)
        vm_text, count, prev, deadline = None, None, None, time.time() + 20
        while time.time() < deadline:
            urllib.request.urlopen(f"http://127.0.0.1:{vm_port}/internal/force_flush", timeout=30).read()
            with urllib.request.urlopen(f"http://127.0.0.1:{vm_port}/api/v1/export?" +
                                        urllib.parse.urlencode({"match[]": ALL}), timeout=60) as r:
                vm_text = r.read().decode()
            count = vm_text.count("\n") + vm_text.count(",")
            if count == prev:
                break
            prev = count
            time.sleep(0.7)
        R.check(count == prev, "victoria-metrics export settled after the flush")
        compare(srv, rec, target, vm_text)
    finally:
        for p in reversed(procs):
            stop_proc(p, 15)
        for f in logs:
            f.close()
        target.close()
        rec.close()


def compare(srv, rec, target, vm_text):
    records = rec.snapshot()
    # ---- what vmagent 1.79 sends
    R.check(len(records) >= 10, f"vmagent sent {len(records)} requests to Strata")
    hdr_sets = {tuple(sorted((k, v) for k, v in r["headers"].items()
                             if k.lower() not in ("host", "content-length", "accept-encoding")))
                for r in records}
    want = tuple(sorted(VMAGENT_SNAPPY.items()))
    R.check(hdr_sets == {want}, "vmagent 1.79 sends snappy with X-Prometheus-Remote-Write-Version 0.1.0, "
            "User-Agent vmagent, never zstd or X-VictoriaMetrics-Remote-Write-Version", repr(hdr_sets)[:800])
    R.check(not any(r["body"].startswith(ZSTD_MAGIC) for r in records), "no body is a zstd frame")
    sent, copies, nmeta, bad = [], 0, 0, 0
    for r in records:
        try:
            plain, c = unsnappy(r["body"], count_copies=True)
            series, m = decode_v1(plain)
        except (ValueError, IndexError) as e:
            bad += 1
            print("undecodable body:", e)
            continue
        copies += c
        nmeta += m
        r["series"] = series
        if r["status"] == 204:
            sent += series
    R.check(bad == 0 and copies > 0, f"every body is snappy-compressed protobuf 1.0, with back-references "
            f"({copies} copies; {nmeta} metadata entries)", f"{bad} undecodable")
    # ---- Strata's answers, and the restart in the middle
    statuses = sorted({r["status"] for r in records}, key=str)
    R.check(set(statuses) <= {204, None}, "Strata answered every request that reached it 204", repr(statuses))
    failed = [r for r in records if r["status"] is None]
    delivered = {r["body"] for r in records if r["status"] == 204}
    R.check(len(failed) > 0 and all(r["body"] in delivered for r in failed),
            f"requests refused while Strata restarted ({len(failed)}) were re-sent by vmagent and answered 204")
    gen2 = [r for r in records if r["gen"] == 2 and r["status"] == 204]
    v1 = metric_value(srv, "strata_remote_write_requests_total", '{version="1.0"}')
    v2 = metric_value(srv, "strata_remote_write_requests_total", '{version="2.0"}')
    rej = metric_value(srv, "strata_remote_write_requests_rejected_total")
    recv = metric_value(srv, "strata_remote_write_samples_received_total")
    nsamp = sum(len(s) for r in gen2 for _, s in r["series"])
    R.check(v1 == len(gen2) and v2 == 0 and rej == 0 and recv == nsamp,
            "Strata's /metrics after the restart: every request counted as 1.0, none rejected, samples as sent",
            f"1.0={v1} 2.0={v2} rejected={rej} received={recv}; proxy saw {len(gen2)} requests, {nsamp} samples")
    # ---- everything vmagent sent is in Strata, bit for bit, nothing else
    exp = expected_map(sent)
    got, slines = strata_samples(srv)
    d = diff_maps(exp, got)
    nsent = sum(len(v) for v in exp.values())
    R.check(not d, f"what vmagent sent ({len(exp)} series, {nsent} samples) is what Strata exports, bit for bit",
            "; ".join(d))
    # the target's own series (not up, scrape_*) each end in a stale marker:
    # one went away after the third scrape, then the target did
    tgt = [k for k in exp if dict(k)["__name__"].startswith("tgt")]
    ends = [exp[k][max(exp[k])] == STALE and STALE == got.get(k, {}).get(max(exp[k])) for k in tgt]
    stale = sum(1 for v in exp.values() for b in v.values() if b == STALE)
    R.check(len(tgt) > 20 and all(ends),
            f"vmagent sent {stale} stale markers (a series, then the target went away), stored bit for bit",
            f"{ends.count(False)} of {len(tgt)} target series do not end in a stored stale marker")
    # ---- the target's hard label values arrived as exposed
    labels = {dict(k).get("case"): dict(k).get("v") for k in got if dict(k).get("__name__") == "tgt_label"}
    R.check(all(labels.get(c) == v for c, v in HARD_LABELS.items()) and
            (("__name__", "tgt_label"), ("case", "empty"), ("instance", f"127.0.0.1:{target.port}"),
             ("job", "target")) in got,
            "label values with quotes, backslashes, separators, unicode and a newline stored as exposed; "
            "an empty value is no label", repr(labels))
    hard = {dict(k)["case"]: v for k, v in got.items() if dict(k).get("__name__") == "tgt_hard"}
    # (only values vmagent's parser reads exactly whatever its rounding: the
    # rest is checked against what it sent, above)
    R.check(set(hard) == set(HARD_VALUES) and
            all(b == bits_of(float(HARD_VALUES[c].replace("Inf", "inf")))
                for c in ("third", "pi", "decimal", "neg", "int", "small", "pos_inf", "neg_inf")
                for b in hard[c].values() if b != STALE) and
            all(is_nan_bits(b) for b in hard["nan"].values()),
            "every hard value scraped (1/3, pi, 1e-300, 5e-324, 1.8e308, -0, +-Inf, NaN, ...), the exact ones exact",
            repr({c: [hex(b) for b in v.values()][:2] for c, v in hard.items()})[:600])
    # ---- every series and sample victoria-metrics holds is in Strata
    vm, vlines = parse_vm_json(vm_text)
    nvm = sum(len(v) for v in vm.values())
    R.check(len(vm) > 300 and nvm > 3000, f"victoria-metrics holds {len(vm)} series, {nvm} samples")
    missing_series = [k for k in vm if k not in got]
    R.check(not missing_series, "every victoria-metrics series is in Strata",
            f"{len(missing_series)} missing, e.g. {missing_series[:3]}")
    missing, exact, rounded, wrong, vm_nan, wrong_nan, out_of_range = 0, 0, 0, [], 0, [], 0
    for key, samples in vm.items():
        have = got.get(key, {})
        for ts, v in samples:
            if ts not in have:
                missing += 1
                continue
            b = have[ts]
            if v is None or math.isnan(v):
                vm_nan += 1
                if not STALE == b:
                    wrong_nan.append((key, ts, b))
                continue
            if not isinstance(b, int) or is_nan_bits(b):
                wrong.append((key, ts, v, b))
                continue
            sv = float_of(b)
            if sv == 0 and v == 0:
                exact += 1
            elif vm_holds_exactly(sv):
                if bits_of(v) == b:
                    exact += 1
                else:
                    wrong.append((key, ts, v, sv))
            elif 1e-200 < abs(sv) < 1e200:
                if abs(v - sv) <= 1e-11 * abs(sv):
                    rounded += 1
                else:
                    wrong.append((key, ts, v, sv))
            else:
                out_of_range += 1
    R.check(missing == 0, f"every victoria-metrics sample is in Strata ({nvm})", f"{missing} missing")
    R.check(not wrong and exact > 0.9 * nvm,
            f"values: {exact} bit-identical where VM keeps the exact value, {rounded} equal to VM's "
            f"12-digit precision, {out_of_range} beyond VM's decimal range", repr(wrong[:5]))
    R.check(not wrong_nan, f"VM's {vm_nan} NaNs are stale markers in Strata", repr(wrong_nan[:3]))
    # Strata's JSON export is VM 1.79's format: lines for series whose values
    # VM holds exactly must be byte-identical
    same, differ = 0, []
    for key, line in vlines.items():
        have = got.get(key, {})
        if sorted(have) == [ts for ts, _ in vm[key]] and all(
                v is not None and not math.isnan(v) and vm_holds_exactly(v) and have[ts] == bits_of(v)
                for ts, v in vm[key]):
            if slines.get(key) == line:
                same += 1
            else:
                differ.append((line[:300], (slines.get(key) or "")[:300]))
    R.check(not differ and same > 100, f"Strata's JSON export lines are byte-identical to VM's ({same} series)",
            repr(differ[:2]))


# --------------------------------------------------------------- part 2

def zstd(data, declare_size):
    """Compressed with the Debian zstd CLI. declare_size: the frame header
    carries the content size, as a one-shot compressor writes it; otherwise
    a streamed frame without it (Strata then enforces its limit while
    inflating)."""
    args = ["zstd", "-q", "-c", "-3"]
    if declare_size:
        args.append(f"--stream-size={len(data)}")
    p = subprocess.run(args, input=data, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"zstd failed: {p.stderr[:300]}")
    return p.stdout


def zstd_declares_size(frame):
    """Whether a zstd frame header carries Frame_Content_Size (RFC 8878
    3.1.1.1.1: FCS_Flag, or Single_Segment_flag)."""
    fhd = frame[4]
    return bool(fhd >> 6 or fhd & 0x20)


def zstd_with_dict_id(frame):
    """The same frame, but its header says a dictionary (ID 7) is needed."""
    fhd = frame[4]
    pos = 5 + (0 if fhd & 0x20 else 1)   # Window_Descriptor unless Single_Segment
    return frame[:4] + bytes([fhd | 1]) + frame[5:pos] + b"\x07" + frame[pos:]


def post(srv, body, headers, db):
    return srv.request("POST", f"/db/{db}/api/v1/write", body=body, headers=headers)


def realistic_v1(t, rnd, nseries=40, nsamples=5, prefix="vma"):
    """A vmagent-like 1.0 block: series with job/instance labels, counters
    and gauges, a stale marker, special values."""
    series = []
    for s in range(nseries):
        labels = [("__name__", f"{prefix}_metric_{s % 7}"), ("instance", f"10.1.{s // 250}.{s % 250}:9100"),
                  ("job", "node"), ("path", f"/api/v{s % 3}/items"), ("code", str(200 + (s % 5) * 100))]
        v = rnd.uniform(0, 1e4)
        pts = []
        for i in range(nsamples):
            v += rnd.uniform(0, 10)
            if s % 4 == 0:
                x = float(int(v))
            elif s % 4 == 1:
                x = round(v, 2)
            else:
                x = v
            pts.append((t + i * 1000, bits_of(x)))
        if s % 9 == 0:
            pts.append((t + nsamples * 1000, STALE))
        series.append((labels, pts))
    series.append(([("__name__", f"{prefix}_special"), ("kind", "specials")],
                   [(t, bits_of(float("inf"))), (t + 1, bits_of(float("-inf"))), (t + 2, bits_of(-0.0)),
                    (t + 3, 0x7FF8000000000001), (t + 4, bits_of(5e-324)), (t + 5, bits_of(1.7976931348623157e308))]))
    return series


def encode_v1(series):
    return b"".join(series_v1(labels, [(b, ts) for ts, b in pts]) for labels, pts in series)


def check_newer_vmagent(srv):
    t = now_ms() - 60000
    rnd = random.Random(11)
    for declare in (True, False):
        db = "vmz" + ("sized" if declare else "stream")
        series = realistic_v1(t, rnd)
        raw = encode_v1(series)
        body = zstd(raw, declare)
        what = "content size in the frame header" if declare else "streamed frame, no content size"
        R.check(body.startswith(ZSTD_MAGIC) and zstd_declares_size(body) == declare,
                f"zstd CLI wrote a zstd frame ({what})")
        st, resp, hdr = post(srv, body, VMAGENT_ZSTD, db)
        R.check(st == 204, f"newer vmagent's zstd block ({what}): 204", f"{st} {resp[:300]}")
        R.check("X-Prometheus-Remote-Write-Samples-Written" not in hdr, "1.0 request: no *-Written headers")
        got, _ = strata_samples(srv, db)
        d = diff_maps(expected_map(series), got)
        R.check(not d, f"zstd block ({what}) exported bit for bit ({len(series)} series)", "; ".join(d))

    # vmagent's fallback (client.go sendBlockHTTP since v1.116.0): on 400 or
    # 415 to a zstd block it re-packs the block as snappy and sends it again;
    # any other code is retried as zstd forever (5xx, 413, 429) or taken as
    # written (2xx). So an undecodable zstd body must be exactly 400 or 415,
    # must write nothing, and the snappy re-send must be written.
    series = realistic_v1(t, rnd, nseries=12, nsamples=4, prefix="fb")
    raw = encode_v1(series)
    good = zstd(raw, True)
    flipped = bytearray(good)
    flipped[len(flipped) // 2] ^= 0x5A
    cases = [
        ("truncated frame", good[:len(good) * 2 // 3]),
        ("frame without its last bytes (checksum)", good[:-3]),
        ("corrupted block data", bytes(flipped)),
        ("frame needing a dictionary", zstd_with_dict_id(good)),
        ("snappy body labelled zstd", snappy(raw)),
        ("gzip body labelled zstd", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + raw[:40]),
        ("zstd of something not protobuf", zstd(b"\xff" * 64 + b"not a WriteRequest", True)),
        ("empty body", b""),
    ]
    for i, (name, body) in enumerate(cases):
        db = f"fallback{i}"
        st, resp, _ = post(srv, body, VMAGENT_ZSTD, db)
        R.check(st in (400, 415), f"undecodable zstd ({name}): {st}, so vmagent falls back to snappy",
                f"got {st} {resp[:200]}")
        got, _ = strata_samples(srv, db)
        R.check(not got, f"undecodable zstd ({name}): nothing written", repr(list(got)[:2]))
        if i < 4:
            st, resp, _ = post(srv, snappy(raw), VMAGENT_SNAPPY, db)
            got, _ = strata_samples(srv, db)
            d = diff_maps(expected_map(series), got)
            R.check(st == 204 and not d, f"the snappy re-send after '{name}' is written exactly",
                    f"{st} {resp[:200]} {'; '.join(d)}")
    # vmagent 1.89-1.115 ask GET <url>?get_vm_proto_version=1 and send zstd
    # only on a 200 whose body is a version >= 1
    # (lib/protoparser/common/vmproto_handshake.go at v1.93.0)
    st, resp, _ = srv.request("GET", "/api/v1/write?get_vm_proto_version=1")
    R.check(st == 200 and resp.strip() == b"1",
            "vmagent 1.89-1.115 protocol handshake: 200 \"1\", so they send zstd (decoded above)",
            f"{st} {resp[:200]}")


# Prometheus 3.x remote write 2.0, as storage/remote/queue_manager.go
# (populateV2TimeSeries, v3.8.1) builds a request: the symbol table starts
# with "", every sample is its own TimeSeries with the full label refs and
# the series' metadata (an empty Metadata when Prometheus has none).

def v2_request(entries, ct_field=None):
    """entries: [(labels, (bits, ts, start_ts), (type, help, unit) or None)]
    ct_field: 'sample' puts start_ts in Sample.start_timestamp (field 3,
    v3.8+), 'series' in TimeSeries.created_timestamp (field 6, v3.0-3.7)."""
    syms = [""]

    def ref(s):
        if s not in syms:
            syms.append(s)
        return syms.index(s)

    body = b""
    for labels, (bits, ts, start), md in entries:
        refs = b"".join(uvarint(ref(x)) for n, v in sorted(labels) for x in (n, v))
        smp = f_fixed64(1, bits) + f_varint(2, ts)
        if start and ct_field == "sample":
            smp += f_varint(3, start)
        ser = f_bytes(1, refs) + f_bytes(2, smp)
        if md is None:
            ser += f_bytes(5, b"")
        else:
            typ, hlp, unit = md
            m = f_varint(1, typ) if typ else b""
            if ref(hlp):
                m += f_varint(3, ref(hlp))
            if ref(unit):
                m += f_varint(4, ref(unit))
            ser += f_bytes(5, m)
        if start and ct_field == "series":
            ser += f_varint(6, start)
        body += f_bytes(5, ser)
    return b"".join(f_bytes(4, s) for s in syms) + body


def check_prometheus3_v2(srv):
    t = now_ms() - 120000
    rnd = random.Random(3)
    md = {
        "http_requests_total": (1, "Total HTTP requests, by code & <handler>.", ""),
        "node_memory_free_bytes": (2, "Free memory in bytes.", "bytes"),
        "rpc_latency_seconds_last": (2, 'Last "RPC" latency — per call.', "seconds"),
        "process_open_fds": None,   # Prometheus has no metadata for it
    }
    series = []
    for i in range(4):
        series.append(([("__name__", "http_requests_total"), ("code", str(200 + i)), ("handler", "/api"),
                        ("instance", "a:9090"), ("job", "prom")], "http_requests_total"))
    series.append(([("__name__", "node_memory_free_bytes"), ("instance", "a:9100"), ("job", "node")],
                   "node_memory_free_bytes"))
    series.append(([("__name__", "rpc_latency_seconds_last"), ("instance", "a:9100"), ("job", "node")],
                   "rpc_latency_seconds_last"))
    series.append(([("__name__", "process_open_fds"), ("instance", "a:9100"), ("job", "node")],
                   "process_open_fds"))
    nsamples = 30
    per = []
    for labels, fam in series:
        v = rnd.uniform(1, 1e6)
        pts = []
        for i in range(nsamples):
            v += rnd.uniform(0, 5) if fam == "http_requests_total" else rnd.uniform(-5, 5)
            x = float(int(v)) if fam in ("http_requests_total", "process_open_fds") else v
            pts.append((bits_of(x), t + i * 1000 + rnd.randint(0, 3), t - 3600000))
        if fam != "http_requests_total":
            pts.append((STALE, t + nsamples * 1000 + 7, 0))
        per.append((labels, fam, pts))
    # interleaved as the queue shards batch them: per series in time order
    entries = []
    for i in range(nsamples + 1):
        for labels, fam, pts in per:
            if i < len(pts):
                entries.append((labels, pts[i], md[fam]))
    want = expected_map([(labels, [(ts, b) for b, ts, _ in pts]) for labels, _, pts in per])
    total = sum(len(v) for v in want.values())
    for ct_field, db in (("sample", "prom3"), ("series", "prom3ct")):
        body = snappy(v2_request(entries, ct_field))
        st, resp, hdr = post(srv, body, PROM3_V2, db)
        written = (hdr.get("X-Prometheus-Remote-Write-Samples-Written"),
                   hdr.get("X-Prometheus-Remote-Write-Histograms-Written"),
                   hdr.get("X-Prometheus-Remote-Write-Exemplars-Written"))
        where = "Sample.start_timestamp" if ct_field == "sample" else "TimeSeries.created_timestamp"
        R.check(st == 204 and written == (str(total), "0", "0"),
                f"Prometheus 3 remote write 2.0 ({len(entries)} TimeSeries, start times in {where}): 204, "
                f"Samples-Written {total}, Histograms/Exemplars-Written 0", f"{st} {resp[:200]} {written}")
        got, _ = strata_samples(srv, db)
        d = diff_maps(want, got)
        R.check(not d, f"2.0 samples (stale markers too) exported bit for bit; start times add no samples ({where})",
                "; ".join(d))
        # a retry of the same request: everything is (still) written, and a
        # 2xx with Samples-Written 0 would make Prometheus 3 log the batch as
        # failed (queue_manager.go: "got 2xx, but PRW 2.0 response header
        # statistics indicate ... assuming failure")
        st, resp, hdr = post(srv, body, PROM3_V2, db)
        R.check(st == 204 and hdr.get("X-Prometheus-Remote-Write-Samples-Written") == str(total),
                f"the same 2.0 request retried ({where}): 204, Samples-Written {total}",
                f"{st} {hdr.get('X-Prometheus-Remote-Write-Samples-Written')}")
    st, mb, _ = srv.request("GET", "/db/prom3/api/v1/metadata")
    meta = json.loads(mb)
    types = ["unknown", "counter", "gauge"]
    want_md = {f: [{"type": types[m[0]], "help": m[1], "unit": m[2]}] for f, m in md.items() if m}
    got_md = meta.get("data", {})
    R.check(st == 200 and meta.get("status") == "success" and
            all(got_md.get(f) == want_md[f] for f in want_md),
            "2.0 metadata (type, help and unit refs) in /api/v1/metadata as Prometheus shapes it", mb[:600])
    st, mb, _ = srv.request("GET", "/db/prom3/api/v1/metadata?metric=node_memory_free_bytes")
    R.check(json.loads(mb) == {"status": "success", "data": {"node_memory_free_bytes":
                                                              want_md["node_memory_free_bytes"]}},
            "/api/v1/metadata?metric= for a 2.0 family", mb[:300])
    # An empty Metadata (type METRIC_TYPE_UNSPECIFIED, help_ref and unit_ref
    # 0: "" is symbols[0], the spec's "empty or unspecified") is what
    # Prometheus 3 attaches when it has no metadata: it says nothing, so it
    # must neither appear as an entry nor replace one that was delivered.
    R.check("process_open_fds" not in got_md,
            "a series sent with an empty Metadata gets no invented /api/v1/metadata entry",
            repr(got_md.get("process_open_fds")))
    labels = series[0][0]
    body = snappy(v2_request([(labels, (bits_of(1e9), t + nsamples * 1000 + 50, 0), None)]))
    st, _, _ = post(srv, body, PROM3_V2, "prom3")
    st2, mb, _ = srv.request("GET", "/db/prom3/api/v1/metadata?metric=http_requests_total")
    R.check(st == 204 and json.loads(mb).get("data") == {"http_requests_total": want_md["http_requests_total"]},
            "a later sample with an empty Metadata keeps the family's delivered metadata", mb[:300])


def check_large(srv):
    t = now_ms() - 300000
    rnd = random.Random(7)
    series = realistic_v1(t, rnd, nseries=2000, nsamples=6, prefix="big")
    want = expected_map(series)
    total = sum(len(v) for v in want.values())
    raw = encode_v1(series)
    for name, body, hdrs, db in (("zstd 1.0 (newer vmagent)", zstd(raw, True), VMAGENT_ZSTD, "bigzstd"),
                                 ("snappy 1.0 (vmagent 1.79)", snappy(raw), VMAGENT_SNAPPY, "bigsnappy")):
        t1 = time.time()
        st, resp, _ = post(srv, body, hdrs, db)
        took = time.time() - t1
        got, _ = strata_samples(srv, db)
        d = diff_maps(want, got)
        R.check(st == 204 and not d, f"{len(want)} series x ~6 samples ({total}), {name}, {len(body) >> 10} KiB: "
                f"204 in {took:.2f} s, exported bit for bit", f"{st} {resp[:200]} {'; '.join(d)}")
    entries = [(labels, (b, ts, 0), (2, "A big gauge.", "")) for labels, pts in series for ts, b in pts]
    body = snappy(v2_request(entries))
    st, resp, hdr = post(srv, body, PROM3_V2, "bigv2")
    got, _ = strata_samples(srv, "bigv2")
    d = diff_maps(want, got)
    R.check(st == 204 and hdr.get("X-Prometheus-Remote-Write-Samples-Written") == str(total) and not d,
            f"the same batch as Prometheus 3 remote write 2.0 ({len(entries)} TimeSeries): 204, "
            f"Samples-Written {total}, exported bit for bit",
            f"{st} {resp[:200]} {hdr.get('X-Prometheus-Remote-Write-Samples-Written')} {'; '.join(d)}")


def main():
    t_start = time.time()
    if not shutil.which("zstd"):
        R.check(False, "the zstd CLI is installed (Debian package zstd)")
        return R.done()
    tmp = tempfile.mkdtemp(prefix="strata-vmagent-")
    srv = Server()
    try:
        srv.start()
        check_vmagent(srv, tmp)
        check_newer_vmagent(srv)
        check_prometheus3_v2(srv)
        check_large(srv)
        st, _, _ = srv.request("GET", "/-/healthy")
        R.check(st == 200, "server healthy at the end")
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        rc = srv.stop() if srv.proc else 0
        R.check(rc == 0, "strata exits cleanly", f"rc={rc} {srv.tail()[-1500:]}")
        srv.cleanup()
        # strata.py's cleanup unlinks "DATA/../DATA.log" after removing DATA,
        # which no longer resolves: remove the log by its normalised path
        try:
            os.unlink(os.path.normpath(srv.log_path))
        except OSError:
            pass
        shutil.rmtree(tmp, ignore_errors=True)
    took = time.time() - t_start
    R.check(took < 120, f"ran in {took:.0f} s")
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
