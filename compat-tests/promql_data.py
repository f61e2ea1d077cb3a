"""promql_data: the data set of test_promql_diff.py, deterministic from a
seed (all times relative to the end time; the end time itself follows the
clock so that neither server refuses the samples as too old or in the
future).

About 6 hours of Prometheus-like data ending END (a few minutes before
now), timestamps in milliseconds:

* counters with resets: http_requests_total{job,instance,method,code}
  (jobs with 15 s, 30 s and 60 s scrape intervals, jitter of a few hundred
  ms, a label `canary` on one instance only), node_cpu_seconds_total
  (float counters), requests_ok_total / requests_failed_total (two metrics
  with identical label sets: functions that drop the name collide);
* classic histograms http_request_duration_seconds (le up to +Inf, _sum and
  _count consistent with the buckets, a reset) and rpc_duration_seconds
  (with a method label, few buckets);
* gauges: temperatures (negative, full float precision), special_gauge
  (NaN, +Inf, -Inf, huge and tiny values), memory used / total (one-to-one
  matching), node_cpu_cores and node_uname_info (many-to-one with
  group_left and extra labels), queue_depth with a series that starts late
  (the last hour only) and one that ends early (40 min before the flush);
* up{job="flaky"}: one series goes stale (a Prometheus stale marker, NaN
  with bits 0x7ff0000000000002) in the in-memory range and comes back 20
  minutes later, another does the same inside the flushed range;
* boundary_gauge: samples 1 ms before, at and 1 ms after FLUSH (the
  first goes into Strata's blocks, the others into its head) and around a
  2 h block boundary of Prometheus;
* escaping: label values with quotes, backslashes, newlines, tabs and
  unicode, a recording-rule-like name with colons, a label name starting
  with an underscore, metric names with quotes, a backslash, spaces and
  unicode (ODD_NAME) and with dots (otel.requests.count), reachable only
  through {__name__=...}.

Loading (see phases()): the samples older than FLUSH = END - 2h go first
(minus held-back ones) in 15-minute slices, every series in order as a
remote_write sender sends them, then Strata is flushed into blocks, then the newer
samples, then the held-back samples out of order: some inside the flushed
range (so Strata's head overlaps its blocks), some inside the newest two
hours. Prometheus gets the same requests in the same order (it needs
`out_of_order_time_window`)."""
import bisect
import math
import random
import struct
import time

STALE = 0x7FF0000000000002
NORMAL_NAN = 0x7FF8000000000001  # Prometheus's value.NormalNaN
ODD_NAME = 'odd metric "quoted" \\ Grüße'  # quotes, a backslash, unicode, spaces
HOUR = 3600_000
MIN = 60_000


def fbits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def bits_float(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


class Dataset:
    """series: [(labels as a sorted tuple of (name, value), [(ts_ms, bits)])]
    with samples sorted by time; held: the (labels, ts) pairs sent out of
    order; times: named points in ms."""

    def __init__(self, end_ms, seed):
        self.end = end_ms
        self.start = end_ms - 6 * HOUR
        self.flush = end_ms - 2 * HOUR
        # a 2 h-aligned block boundary inside the flushed range
        self.block = (self.start // (2 * HOUR) + 1) * 2 * HOUR
        if self.block - self.start < 20 * MIN:
            self.block += 2 * HOUR
        self.seed = seed
        self.rng = random.Random(seed)
        self.series = []
        self.held = set()
        self.times = {}

    # ---------------------------------------------------------------- building

    def add(self, name, labels, samples):
        ls = dict(labels)
        ls["__name__"] = name
        key = tuple(sorted(ls.items()))
        assert all(a[0] < b[0] for a, b in zip(samples, samples[1:])), key
        assert not any(k == key for k, _ in self.series), key
        self.series.append((key, samples))
        return key

    def stamps(self, interval_ms, start=None, end=None, jitter=250):
        """Scrape times: a per-series phase, jitter on most scrapes (some
        exactly on the grid), strictly increasing, inside [start, end]."""
        rng = self.rng
        start = self.start if start is None else start
        end = self.end - 1000 if end is None else end
        phase = rng.randrange(0, interval_ms, 1000) + rng.choice([0, 0, 123, 7])
        t = start + phase
        out = []
        while t <= end:
            j = rng.randint(-jitter, jitter) if jitter and rng.random() < 0.8 else 0
            ts = t + j
            if ts <= end and (not out or ts > out[-1]) and ts >= start:
                out.append(ts)
            t += interval_ms
        return out

    def counter(self, ts, per_sec, resets=(), integer=True, reset_prob=0.002):
        """Values of a counter at ts: increments around per_sec, resets at
        the given times (the first scrape at or after each) and at random."""
        rng = self.rng
        v, out, prev = 0.0, [], None
        pending = sorted(resets)
        for t in ts:
            dt = (t - prev) / 1000 if prev is not None else 15
            inc = per_sec * dt * rng.uniform(0.3, 1.7)
            inc = float(int(inc)) if integer else inc
            reset = False
            while pending and t >= pending[0]:
                pending.pop(0)
                reset = True
            if prev is not None and rng.random() < reset_prob:
                reset = True
            v = (inc * rng.uniform(0.1, 0.9) if not integer else float(int(inc * 0.5))) if reset else v + inc
            out.append(v)
            prev = t
        return out

    # -------------------------------------------------------------- the set

    def build(self):
        rng = self.rng
        S, E, F = self.start, self.end, self.flush
        # http_requests_total: api 15 s (3 instances), web 30 s (2, one with
        # a canary label), batch 60 s (1)
        jobs = [
            ("api", ["10.0.0.1:9090", "10.0.0.2:9090", "10.0.0.3:9090"], 15000,
             [("GET", "200", 20.0), ("GET", "500", 0.4), ("POST", "200", 5.0)]),
            ("web", ["web-1", "web-2"], 30000, [("GET", "200", 8.0), ("GET", "404", 0.7)]),
            ("batch", ["batch-1"], 60000, [("POST", "200", 1.5)]),
        ]
        for job, insts, iv, combos in jobs:
            for inst in insts:
                for method, code, r in combos:
                    ts = self.stamps(iv)
                    resets = []
                    if inst == "10.0.0.2:9090" and code == "200":
                        resets = [F - 7 * MIN, E - 20 * MIN]
                    if inst == "web-1":
                        resets = [S + 95 * MIN]
                    vals = self.counter(ts, r, resets)
                    labels = {"job": job, "instance": inst, "method": method, "code": code}
                    if inst == "web-2":
                        labels["canary"] = "true"
                    self.add("http_requests_total", labels, [(t, fbits(v)) for t, v in zip(ts, vals)])
        # two metrics with the same label sets
        for inst in ("a", "b"):
            ts = self.stamps(15000)
            self.add("requests_ok_total", {"instance": inst}, list(zip(ts, map(fbits, self.counter(ts, 3.0)))))
            ts = self.stamps(15000)
            self.add("requests_failed_total", {"instance": inst},
                     list(zip(ts, map(fbits, self.counter(ts, 0.25)))))
        # node-exporter-like: cpu counters (float), cores, uname info, memory
        for inst, iv in (("node-1", 15000), ("node-2", 30000)):
            for cpu in ("0", "1"):
                for mode, share in (("idle", 0.7), ("user", 0.2), ("system", 0.1)):
                    ts = self.stamps(iv)
                    vals = self.counter(ts, share, integer=False, reset_prob=0,
                                        resets=[E - 3 * HOUR - 11 * MIN] if inst == "node-2" else [])
                    self.add("node_cpu_seconds_total", {"instance": inst, "cpu": cpu, "mode": mode},
                             list(zip(ts, map(fbits, vals))))
            ts = self.stamps(iv)
            self.add("node_cpu_cores", {"instance": inst}, [(t, fbits(2.0)) for t in ts])
            ts = self.stamps(iv)
            self.add("node_uname_info", {"instance": inst, "release": "6.1.0-" + inst[-1], "nodename": inst + ".lan"},
                     [(t, fbits(1.0)) for t in ts])
            total = float(rng.choice([8, 16]) * 1024 ** 3)
            ts = self.stamps(iv)
            self.add("node_memory_total_bytes", {"instance": inst}, [(t, fbits(total)) for t in ts])
            ts = self.stamps(iv)
            used, vals = total * 0.4, []
            for _ in ts:
                used = min(total, max(0.0, used + rng.gauss(0, total * 0.01)))
                vals.append(float(int(used)))
            self.add("node_memory_used_bytes", {"instance": inst}, list(zip(ts, map(fbits, vals))))
        # temperatures: random walks through negative values, full precision
        for inst, sensor, base in (("node-1", "cpu", 45.0), ("node-1", "ambient", -3.5),
                                   ("node-2", "cpu", 52.25), ("node-2", "ambient", -12.0)):
            ts = self.stamps(15000 if inst == "node-1" else 30000)
            v, vals = base, []
            for _ in ts:
                v += rng.gauss(0, 0.7) + (base - v) * 0.05
                vals.append(v)  # full-precision doubles
            self.add("node_temperature_celsius", {"instance": inst, "sensor": sensor},
                     list(zip(ts, map(fbits, vals))))
        # special values
        ts = self.stamps(15000)
        vals = []
        for i, _ in enumerate(ts):
            r = rng.random()
            vals.append(NORMAL_NAN if r < 0.06 else fbits(rng.uniform(-50, 50)))
        self.add("special_gauge", {"kind": "nan"}, list(zip(ts, vals)))
        ts = self.stamps(15000)
        self.add("special_gauge", {"kind": "inf"},
                 [(t, fbits(math.inf) if i % 17 in (3, 4) else fbits(rng.uniform(0, 1e6))) for i, t in enumerate(ts)])
        ts = self.stamps(15000)
        self.add("special_gauge", {"kind": "neginf"},
                 [(t, fbits(-math.inf) if i % 23 == 5 else fbits(-rng.uniform(0, 1e3))) for i, t in enumerate(ts)])
        ts = self.stamps(30000)
        cyc = [0.1, 0.2, 0.30000000000000004, 1 / 3, 2 / 3, math.pi, -math.e, 1e-300, -1e-300, 1.7976931348623157e308,
               -1.7976931348623157e308, 5e-324, 123456789.98765432, -0.5, 0.5, 1.5, 2.5, -2.5, 1e21, 1e-7, 0.0]
        self.add("special_gauge", {"kind": "precise"}, [(t, fbits(cyc[i % len(cyc)])) for i, t in enumerate(ts)])
        ts = self.stamps(15000)
        self.add("special_gauge", {"kind": "mixed"},
                 [(t, [fbits(1.0), NORMAL_NAN, fbits(math.inf), fbits(-math.inf), fbits(-7.25), fbits(0.0),
                       fbits(42.0)][i % 7]) for i, t in enumerate(ts)])
        # classic histograms
        les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
        for job, inst, iv, resets in (("api", "10.0.0.1:9090", 15000, [E - 50 * MIN]),
                                      ("api", "10.0.0.2:9090", 15000, [S + 2 * HOUR + 3 * MIN]),
                                      ("web", "web-1", 30000, [])):
            self.histogram("http_request_duration_seconds", {"job": job, "instance": inst}, les, iv, resets,
                           scale=0.08 if job == "api" else 0.4)
        for method in ("Get", "Put"):
            self.histogram("rpc_duration_seconds", {"service": "store", "method": method},
                           ["0.1", "1", "10", "+Inf"], 15000, [], scale=0.5 if method == "Get" else 2.0)
        # up, with the stale series
        for job, insts in (("api", ["10.0.0.1:9090", "10.0.0.2:9090", "10.0.0.3:9090"]), ("web", ["web-1", "web-2"])):
            for inst in insts:
                ts = self.stamps(15000 if job == "api" else 30000)
                self.add("up", {"job": job, "instance": inst},
                         [(t, fbits(0.0 if inst == "web-2" and (t - S) // (17 * MIN) % 5 == 2 else 1.0)) for t in ts])
        self.times["stale_head"] = self.stale_series("flaky-1", E - 70 * MIN, 20 * MIN)
        self.times["stale_block"] = self.stale_series("flaky-2", S + 100 * MIN, 25 * MIN)
        # late and early series
        for q, start, end in (("main", None, None), ("late", E - HOUR, None), ("early", None, F - 40 * MIN)):
            ts = self.stamps(15000, start=start, end=end)
            v, vals = 10.0, []
            for _ in ts:
                v = max(0.0, v + rng.choice([-2, -1, 0, 1, 1, 2]))
                vals.append(v)
            self.add("queue_depth", {"queue": q}, list(zip(ts, map(fbits, vals))))
            if q == "late":
                self.times["late_start"] = ts[0]  # its first sample
            if q == "early":
                self.times["early_end"] = ts[-1]  # its last sample
        # escaping
        esc = [("backslash", {"path": "C:\\Program Files\\strata\\", "quote": "none"}),
               ("quotes", {"path": "/var/lib", "quote": 'say "hi" \'there\''}),
               ("unicode", {"path": "/Zürich/東京/📈", "quote": "ünïcödé"}),
               ("newline", {"path": "line1\nline2\ttab", "quote": "`backtick`"}),
               ("regexy", {"path": "a.b*c+(d)[e]{f}|g^$", "quote": "?"})]
        for case, ls in esc:
            ts = self.stamps(30000)
            self.add("escape_metric", dict(ls, case=case), [(t, fbits(rng.uniform(0, 10))) for t in ts])
        for job in ("api", "web"):
            ts = self.stamps(60000)
            self.add("job:http_requests:rate5m", {"job": job, "_origin": "recording rule"},
                     [(t, fbits(rng.uniform(1, 100))) for t in ts])
        # samples 1 ms before, at and after the flush time and the block
        # boundary (Strata: blocks end at FLUSH - 1 ms, the head starts at
        # FLUSH; Prometheus: a block ends at BLOCK)
        for at, b in (("flush", F), ("block", self.block)):
            ts = [t for t in self.stamps(15000) if abs(t - b) > 1000] + [b - 1, b, b + 1]
            ts.sort()
            self.add("boundary_gauge", {"at": at}, [(t, fbits(float(t % 100000))) for t in ts])
        # metric names PromQL can only reach through __name__
        for k in ("a", "b"):
            ts = self.stamps(30000)
            self.add(ODD_NAME, {"k": k}, [(t, fbits(rng.uniform(-1, 1))) for t in ts])
        ts = self.stamps(15000)
        self.add("otel.requests.count", {"service": "checkout"}, list(zip(ts, map(fbits, self.counter(ts, 2.0)))))
        self.hold_back()
        return self

    def histogram(self, name, labels, les, iv, resets, scale):
        rng = self.rng
        ts = self.stamps(iv)
        bounds = [float(x) for x in les]
        counts = [0] * len(les)
        total = 0.0
        pending = sorted(resets)
        rows = []  # (t, counts, sum)
        for t in ts:
            if pending and t >= pending[0]:
                pending.pop(0)
                counts = [0] * len(les)
                total = 0.0
            for _ in range(rng.randint(0, 3 * iv // 15000 * 4)):
                x = rng.lognormvariate(math.log(scale), 1.0)
                total += x
                for i, b in enumerate(bounds):
                    if x <= b:
                        counts[i] += 1
            rows.append((t, list(counts), total))
        for i, le in enumerate(les):
            self.add(name + "_bucket", dict(labels, le=le), [(t, fbits(float(c[i]))) for t, c, _ in rows])
        self.add(name + "_sum", labels, [(t, fbits(s)) for t, _, s in rows])
        self.add(name + "_count", labels, [(t, fbits(float(c[-1]))) for t, c, _ in rows])

    def stale_series(self, inst, stale_at, gap):
        """up{job="flaky",instance=inst}: 1 every 15 s, a stale marker 15 s
        after the last scrape before stale_at, again from stale_at + gap.
        Returns the stale marker's time."""
        ts = self.stamps(15000)
        before = [t for t in ts if t < stale_at]
        after = [t for t in ts if t >= stale_at + gap]
        marker = before[-1] + 15000
        samples = [(t, fbits(1.0)) for t in before] + [(marker, STALE)] + [(t, fbits(1.0)) for t in after]
        self.add("up", {"job": "flaky", "instance": inst}, samples)
        return marker

    def hold_back(self):
        """Samples that are sent last, out of order: from a few series,
        every 7th sample in [FLUSH - 150m, FLUSH - 5m] (flushed range, Strata
        then holds head data overlapping its blocks) and every 11th in
        [END - 100m, END - 10m]."""
        pick = [k for k, _ in self.series
                if dict(k)["__name__"] in ("node_temperature_celsius", "queue_depth")
                or (dict(k)["__name__"] == "http_requests_total" and dict(k).get("instance") in
                    ("10.0.0.1:9090", "web-2"))
                or (dict(k)["__name__"] == "http_request_duration_seconds_bucket" and
                    dict(k).get("instance") == "web-1")]
        F, E = self.flush, self.end
        for k, smp in self.series:
            if k not in pick:
                continue
            for i, (t, b) in enumerate(smp):
                if b == STALE or i == 0:
                    continue
                if (F - 150 * MIN <= t <= F - 5 * MIN and i % 7 == 3) or (E - 100 * MIN <= t <= E - 10 * MIN and i % 11 == 5):
                    self.held.add((k, t))

    # ---------------------------------------------------------------- loading

    def phases(self, slice_ms=15 * MIN):
        """The loading plan, a list of ("write", what, [(labels, [(ts, bits)])])
        and ("flush",) steps: the samples before FLUSH in time slices of
        slice_ms (every series' samples of a slice in one request, as a
        remote_write sender sends them: each series in order), the flush,
        the samples from FLUSH on in slices, then the held-back samples out
        of order."""
        steps = []

        def slices(lo, hi, what):
            t = lo
            while t < hi:
                u = min(hi, t + slice_ms)
                part = []
                for k, smp in self.series:
                    i, j = bisect.bisect_left(smp, (t,)), bisect.bisect_left(smp, (u,))
                    s = [(ts, b) for ts, b in smp[i:j] if (k, ts) not in self.held]
                    if s:
                        part.append((k, s))
                if part:
                    steps.append(("write", what, part))
                t = u
        slices(self.start, self.flush, "old")
        steps.append(("flush",))
        slices(self.flush, self.end + 1, "new")
        ooo = [(k, [(t, b) for t, b in smp if (k, t) in self.held]) for k, smp in self.series]
        ooo = [(k, s) for k, s in ooo if s]
        half = len(ooo) // 2
        steps.append(("write", "out of order", ooo[:half]))
        steps.append(("write", "out of order", ooo[half:]))
        return steps

    def n_samples(self):
        return sum(len(s) for _, s in self.series)

    def placeholders(self):
        """Named times (seconds with 3 decimals) for the query corpus."""
        sec = lambda ms: f"{ms / 1000:.3f}"  # noqa: E731
        return {
            "$END": sec(self.end), "$START": sec(self.start), "$FLUSH": sec(self.flush),
            "$MID": sec(self.start + 2 * HOUR + 10 * MIN + 777), "$BLOCK": sec(self.block),
            "$STALE": sec(self.times["stale_head"]), "$STALEB": sec(self.times["stale_block"]),
            "$STALE_AFTER": sec(self.times["stale_head"] + 10_000),
            "$STALEB_AFTER": sec(self.times["stale_block"] + 10_000),
            "$LATE": sec(self.times["late_start"]), "$EARLY": sec(self.times["early_end"]),
        }


def generate(end_ms=None, seed=20261207):
    """The data set ending at end_ms (default: 3 minutes before the current
    minute)."""
    if end_ms is None:
        end_ms = int(time.time() * 1000) // 60_000 * 60_000 - 3 * MIN
    return Dataset(end_ms, seed).build()


def fmt_times(d):
    """The named times in words (UTC), for the test's log."""
    import datetime
    f = lambda ms: datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]  # noqa: E731
    return (f"start {f(d.start)}, block boundary {f(d.block)}, stale marker in blocks {f(d.times['stale_block'])}, "
            f"flush {f(d.flush)}, stale marker in memory {f(d.times['stale_head'])}, end {f(d.end)} (UTC)")


if __name__ == "__main__":
    d = generate()
    ph = d.phases()
    print(f"{len(d.series)} series, {d.n_samples()} samples, {len(d.held)} out of order; "
          f"{sum(1 for p in ph if p[0] == 'write')} requests")
    print(d.placeholders())
