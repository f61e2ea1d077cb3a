"""vmalert (Debian's victoria-metrics 1.79) against Strata and against a real
Prometheus 2.42, on the same data: every answer vmalert gets, everything it
writes back and every alert it raises must be the same.

Data (gen_data): about 300 Prometheus-like series over the last 30 minutes
(END = a whole 10 s a little before now), scraped every 10 s at a per-host
offset of a few hundred ms: counters with resets (http_requests_total,
float node_cpu_seconds_total), a classic histogram (buckets, _sum, _count,
a reset), gauges with full-precision floats, node_info for group_left,
queue_depth and up with hand-placed episodes, and series that go away with a
Prometheus stale marker (one host's http_requests_total, one queue). Sent to
both servers by remote_write in the same requests; both must then hold the
same samples (checked through `{__name__=~".+"}[31m]`), or the test stops.

Rules (rules_text): three groups, each at 5 s: recording rules on the raw
data (rate, sum by, histogram_quantile, avg_over_time/max_over_time,
increase, a ratio with on(...) group_left(...)), recording rules that read
those (the "derived" group), and alerting rules: one that fires
(HighQueue, for 20s), one that stays pending (SlowRequests, for 1h, on a
recorded series), one that never fires (Overheat), two that fire and resolve
(InstanceDown: up goes back to 1; QueueBacklog: one queue series goes stale),
one instant alert with a templated label (ErrorBudget, on a derived series),
and HighErrorRate; annotations use $value, $labels.X, humanize,
humanizePercentage, humanizeDuration, printf, and in live mode the query
template function.

1. Replay (vmalert 1.79's -replay.timeFrom/-replay.timeTo): rules with the
   prefix "r" over END-28m..END, two vmalert processes at once (datasource
   and remote write = Strata, resp. = Prometheus), -datasource.queryStep=5s,
   -replay.rulesDelay=0.3s with -remoteWrite.flushInterval=100ms so chained
   rules read what the previous rule wrote (the default -datasource.
   queryStep of 5m would be the range queries' step). vmalert sends one
   POST /api/v1/query_range?start=&end=&step=5s&nocache=1&query= (all in
   the URL, Content-Type application/json, no body) per rule and
   writes every point back. Checked: both exit 0 and import the same number
   of samples; the written-back recording series and ALERTS /
   ALERTS_FOR_STATE (same labels, timestamps, values within 1e-9) from each
   server; each rule's query_range sent by hand to both servers (the exact
   request is printed on a difference); no error or warning in the logs.
2. Live (rules with the prefix "l"), two vmalert processes started at the
   same moment, -datasource.lookback so that they evaluate the data of 5
   minutes ago, notifications to a stub Alertmanager. vmalert 1.79 has no
   -rule.evalDelay; what makes the two runs comparable: it queries at
   time = trunc(now - lookback, interval) (-datasource.queryTimeAlignment,
   on by default; datasource/vm_prom_api.go at v1.79.5), and each group
   evaluates at the fixed offset interval * groupID / 2^64 of the 5 s cycle
   (group.go start(); groupID = FNV-1a of file, 0xff, name, type; the IDs
   vmalert reports are checked against the ones computed here). The rules
   file name is chosen so that the three groups evaluate >= 0.8 s apart
   and away from whole seconds, and the lookback puts the data-time bucket
   boundary in the middle of the longest quiet stretch. So both processes
   query the same data times; a rule reading another group's output reads
   the same sample in both (written >= 0.8 s earlier, remote write flushes
   every 200 ms); ALERTS timestamps (wall seconds) agree. Six evaluations,
   every alert state path happens (pending, firing, resolved by value,
   resolved by a stale series, never). Checked at each bucket boundary (no
   group due within 0.8 s): vmalert's /api/v1/alerts of both (names,
   labels, states, values, annotations, activeAt, restored); after
   stopping: the notifications each sent (labels, annotations, startsAt,
   endsAt), the written-back recording series, ALERTS and ALERTS_FOR_STATE
   (raw samples, and instant queries that must honour the stale markers
   vmalert writes), each rule's instant query as vmalert sends it at three
   evaluation times, /api/v1/rules health and the logs.
3. Restart with -remoteRead.url (state restore): vmalert sends
   last_over_time(ALERTS_FOR_STATE{alertname="..."}[3600s]) at start;
   restored alerts (restored: true, activeAt from the first run) must be
   the same before and after the first evaluation (HighErrorRate must fire
   at once); the restore queries are also sent by hand to both.

Every difference is printed with the request that shows it and both
answers. A Strata bug is never worked around here.

About 60 s on 2 cores. Python 3 stdlib, strata.py and promwire.py.
Environment: STRATA_BIN (default build/strata)."""
import http.server
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Prometheus, Results, free_port, report_crash  # noqa: E402
from promwire import series_v1, snappy, fbits, STALE  # noqa: E402

R = Results("test_vmalert")
IV = 5                    # evaluation interval of every group, seconds
IV_NS = IV * 1_000_000_000
RW_HEADERS = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
              "X-Prometheus-Remote-Write-Version": "0.1.0"}
PROM_CONFIG = """global:
  scrape_interval: 1h
storage:
  tsdb:
    out_of_order_time_window: 1h
"""
HOSTS = [f"host-{i:02d}" for i in range(10)]
SCRAPE_MS = 10_000
NPTS = 181                # END-30m .. END
IDX_S = 150               # scrape index of S = END - 5m, where the live runs start
REPLAY_SPAN = 28 * 60     # replay over END-28m .. END
MAX_PRINT = 6


def log(msg):
    print(f"# {msg}")
    sys.stdout.flush()


# ------------------------------------------------------------------ data

def gen_data(end_s):
    """[(labels, [(ts_ms, bits)])] over END-30m..END; deterministic for a
    given END. Scrape i of host h is at END-30m + i*10 s + (100 + 37h) ms.
    Episodes (scrape indexes; S = index 150 = END-5m):
      up{job="api",instance="host-07"} is 0 for 90..101 and 144..151;
      queue_depth host-03 is ~150 from 60 on, host-05 is 80 from 120 to 151
      and gets a stale marker at 152 (then nothing);
      http_requests_total{job="api",instance="host-09"} (40 % errors) ends
      at 150 with a stale marker at 151;
      counter resets: host-02 at 60 (requests and histogram), host-06 at 120."""
    rnd = random.Random(424242)
    start = end_s * 1000 - (NPTS - 1) * SCRAPE_MS
    out = []

    def t_of(h, i):
        return start + i * SCRAPE_MS + 100 + 37 * h

    def add(labels, values, h, stale_at=None):
        """values: [(i, float)]"""
        smp = [(t_of(h, i), fbits(v)) for i, v in values]
        if stale_at is not None:
            smp.append((t_of(h, stale_at), STALE))
        out.append((labels, smp))

    # counters: http_requests_total
    for job, hosts in (("api", range(10)), ("web", range(5))):
        for h in hosts:
            for method in ("GET", "POST"):
                base = rnd.uniform(5, 20) * (0.4 if method == "POST" else 1)
                for code in ("200", "500"):
                    rate = base if code == "200" else base * (0.6 if (job, h) == ("api", 9) else rnd.uniform(0.02, 0.07))
                    last = 150 if (job, h) == ("api", 9) else NPTS - 1
                    v = rnd.randint(1000, 90000)
                    vals = []
                    for i in range(last + 1):
                        inc = max(0, int(rate * 10 + rnd.randint(-3, 3)))
                        if (h == 2 and i == 60) or (h == 6 and i == 120 and job == "api"):
                            v = inc  # process restart
                        else:
                            v += inc
                        vals.append((i, float(v)))
                    add([("__name__", "http_requests_total"), ("job", job), ("instance", HOSTS[h]),
                         ("method", method), ("code", code)], vals, h,
                        stale_at=last + 1 if last < NPTS - 1 else None)
    # float counters: node_cpu_seconds_total
    for h in range(10):
        for cpu in ("0", "1"):
            for mode, share in (("idle", 0.7), ("user", 0.2), ("system", 0.07)):
                v = rnd.uniform(1e4, 1e5)
                vals = []
                for i in range(NPTS):
                    v += 10 * share * rnd.uniform(0.7, 1.3)
                    vals.append((i, v))
                add([("__name__", "node_cpu_seconds_total"), ("instance", HOSTS[h]), ("cpu", cpu),
                     ("mode", mode)], vals, h)
    # classic histogram, job api
    les = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    for h in range(10):
        counts = [0] * (len(les) + 1)
        ssum = 0.0
        rows = []
        for i in range(NPTS):
            if h == 2 and i == 60:
                counts = [0] * (len(les) + 1)
                ssum = 0.0
            for _ in range(rnd.randint(20, 60)):
                x = rnd.lognormvariate(-3.0 + 0.1 * h, 1.0)
                ssum += x
                for k, le in enumerate(les):
                    if x <= le:
                        counts[k] += 1
                counts[-1] += 1
            rows.append((i, list(counts), ssum))
        base = [("job", "api"), ("instance", HOSTS[h])]
        for k, le in enumerate(les + [math.inf]):
            add([("__name__", "http_request_duration_seconds_bucket")] + base +
                [("le", "+Inf" if le == math.inf else repr(float(le)) if le < 1 else str(le))],
                [(i, float(c[k])) for i, c, _ in rows], h)
        add([("__name__", "http_request_duration_seconds_sum")] + base, [(i, s) for i, _, s in rows], h)
        add([("__name__", "http_request_duration_seconds_count")] + base, [(i, float(c[-1])) for i, c, _ in rows], h)
    # gauges
    for h in range(10):
        total = float((16 if h % 2 else 32) << 30)
        add([("__name__", "node_memory_total_bytes"), ("instance", HOSTS[h])], [(i, total) for i in range(NPTS)], h)
        add([("__name__", "node_memory_used_bytes"), ("instance", HOSTS[h])],
            [(i, float(int(total * (0.5 + 0.3 * math.sin(i / 17 + h)) + rnd.randint(0, 1 << 20))))
             for i in range(NPTS)], h)
        add([("__name__", "node_info"), ("instance", HOSTS[h]), ("team", "team-" + "ab"[h % 2]),
             ("region", ("eu", "us", "ap")[h % 3])], [(i, 1.0) for i in range(NPTS)], h)
        for sensor in ("cpu", "board"):
            add([("__name__", "temperature_celsius"), ("instance", HOSTS[h]), ("sensor", sensor)],
                [(i, 45 + 12 * math.sin(i / 11 + h) + rnd.gauss(0, 0.7)) for i in range(NPTS)], h)
        q = []
        for i in range(NPTS):
            if h == 3 and i >= 60:
                q.append((i, float(140 + rnd.randint(0, 20))))
            elif h == 5 and 120 <= i <= 151:
                q.append((i, 80.0))
            elif h == 5 and i > 151:
                break
            else:
                q.append((i, float(rnd.randint(0, 20))))
        add([("__name__", "queue_depth"), ("instance", HOSTS[h])], q, h, stale_at=152 if h == 5 else None)
    for job, hosts in (("api", range(10)), ("web", range(5))):
        for h in hosts:
            down = (job, h) == ("api", 7)
            add([("__name__", "up"), ("job", job), ("instance", HOSTS[h])],
                [(i, 0.0 if down and (90 <= i < 102 or 144 <= i < 152) else 1.0) for i in range(NPTS)], h)
    return out


def load(targets, data):
    """Same remote_write requests (50 series each) to every target."""
    ok = True
    for k in range(0, len(data), 50):
        body = snappy(b"".join(series_v1(ls, [(b, t) for t, b in smp]) for ls, smp in data[k:k + 50]))
        for name, t in targets:
            st, resp, _ = t.request("POST", "/api/v1/write", body, RW_HEADERS)
            if st != 204:
                ok = R.check(False, f"{name} takes remote_write request {k // 50}", f"{st} {resp[:300]!r}")
    return ok


# ------------------------------------------------------------------ rules

def rules_text(p, live):
    """Rules with record names p:... and alert names p_...; live adds an
    annotation using the query template function (not allowed in replay)."""
    a = p + "_"
    query_ann = ("\n          targets: '{{ query \"count(up == 1)\" | first | value }} targets up'"
                 if live else "")
    return f"""groups:
  - name: {p}-recording
    interval: {IV}s
    rules:
      - record: {p}:http_requests:rate1m
        expr: 'sum by (job, instance) (rate(http_requests_total[1m]))'
      - record: {p}:http_errors:ratio_rate1m
        expr: 'sum by (job, instance) (rate(http_requests_total{{code=~"5.."}}[1m])) / sum by (job, instance) (rate(http_requests_total[1m]))'
      - record: {p}:http_request_duration_seconds:p90
        expr: 'histogram_quantile(0.9, sum by (job, le) (rate(http_request_duration_seconds_bucket[2m])))'
      - record: {p}:http_request_duration_seconds:p99_by_instance
        expr: 'histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[1m]))'
      - record: {p}:http_request_duration_seconds:mean2m
        expr: 'sum by (job) (rate(http_request_duration_seconds_sum[2m])) / sum by (job) (rate(http_request_duration_seconds_count[2m]))'
      - record: {p}:node_memory:utilisation
        expr: 'node_memory_used_bytes / on(instance) node_memory_total_bytes * on(instance) group_left(team, region) node_info'
      - record: {p}:temperature_celsius:avg5m
        expr: 'avg_over_time(temperature_celsius[5m])'
        labels:
          source: vmalert
      - record: {p}:node_cpu:busy_ratio1m
        expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{{mode="idle"}}[1m]))'
      - record: {p}:up:count
        expr: 'count by (job) (up == 1)'
      - record: {p}:queue_depth:max1m
        expr: 'max_over_time(queue_depth[1m])'
      - record: {p}:http_requests:increase5m_by_code
        expr: 'sum by (code) (increase(http_requests_total[5m]))'
  - name: {p}-derived
    interval: {IV}s
    rules:
      - record: {p}:job:http_requests:rate1m
        expr: 'sum by (job) ({p}:http_requests:rate1m)'
      - record: {p}:job:http_errors:ratio
        expr: 'sum by (job) ({p}:http_requests:rate1m * on(job, instance) {p}:http_errors:ratio_rate1m) / sum by (job) ({p}:http_requests:rate1m)'
      - record: {p}:team:node_memory:utilisation:max
        expr: 'max by (team) ({p}:node_memory:utilisation)'
  - name: {p}-alerts
    interval: {IV}s
    rules:
      - alert: {a}HighQueue
        expr: 'queue_depth > 100'
        for: 20s
        labels:
          severity: page
        annotations:
          summary: 'Queue on {{{{ $labels.instance }}}} is {{{{ $value }}}}'
          description: '{{{{ $value | humanize }}}} items waiting ({{{{ printf "%.1f" $value }}}})'
      - alert: {a}QueueBacklog
        expr: 'queue_depth > 50'
        for: 10s
        annotations:
          summary: 'backlog of {{{{ $value }}}} on {{{{ $labels.instance }}}}'
      - alert: {a}InstanceDown
        expr: 'up == 0'
        for: 10s
        labels:
          severity: critical
          team: '{{{{ if eq $labels.job "api" }}}}backend{{{{ else }}}}frontend{{{{ end }}}}'
        annotations:
          summary: '{{{{ $labels.instance }}}} of job {{{{ $labels.job }}}} is down'{query_ann}
      - alert: {a}Overheat
        expr: 'max_over_time(temperature_celsius[1m]) > 1000'
        annotations:
          summary: '{{{{ $labels.instance }}}} at {{{{ $value }}}}'
      - alert: {a}SlowRequests
        expr: '{p}:http_request_duration_seconds:p90 > 0.05'
        for: 1h
        annotations:
          summary: 'p90 of {{{{ $labels.job }}}} is {{{{ $value | humanizeDuration }}}}'
      - alert: {a}ErrorBudget
        expr: '{p}:job:http_errors:ratio > 0.02'
        labels:
          severity: '{{{{ if gt $value 0.1 }}}}critical{{{{ else }}}}warning{{{{ end }}}}'
        annotations:
          summary: 'error ratio of {{{{ $labels.job }}}} is {{{{ humanizePercentage $value }}}}'
      - alert: {a}HighErrorRate
        expr: '{p}:http_errors:ratio_rate1m > 0.2'
        for: 10s
        annotations:
          summary: '{{{{ $labels.instance }}}}: {{{{ printf "%.4f" $value }}}} of requests fail'
"""


def rule_exprs(text):
    """[(group, name, expr, for_seconds)] read back from rules_text's output."""
    out, group, name = [], None, None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("- name: "):
            group = s[8:]
        elif s.startswith("- record: ") or s.startswith("- alert: "):
            name = s.split(": ", 1)[1]
            out.append([group, name, None, 0])
        elif s.startswith("expr: "):
            out[-1][2] = s[6:].strip("'")
        elif s.startswith("for: "):
            out[-1][3] = int(s[5:-1]) * (3600 if s.endswith("h") else 1)
    return [tuple(x) for x in out]


# ----------------------------------------------- vmalert's group schedule

def fnv1a64(b):
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def group_id(path, name):
    """Group.ID() of vmalert 1.79: FNV-1a over file, 0xff, name, type."""
    return fnv1a64(path.encode() + b"\xff" + name.encode() + b"prometheus")


def group_phase_ns(path, name):
    """The offset inside the interval at which the group evaluates: Go's
    uint64(float64(interval) * (float64(id) / (1 << 64)))."""
    return int(float(IV_NS) * (float(group_id(path, name)) / 2.0 ** 64))


def circ(a, b):
    """Distance of two phases on the 5 s cycle, ns."""
    d = (a - b) % IV_NS
    return min(d, IV_NS - d)


def pick_live_file(tmp, groups):
    """A rules file path whose groups evaluate at least 0.8 s apart from
    each other on the 5 s cycle and 0.05-0.95 s past a whole second
    -> (path, [phase_ns])."""
    for n in range(100000):
        path = os.path.join(tmp, f"live-rules-{n}.yml")
        ph = [group_phase_ns(path, g) for g in groups]
        if (all(50_000_000 <= x % 1_000_000_000 <= 950_000_000 for x in ph) and
                all(circ(a, b) >= 800_000_000 for i, a in enumerate(ph) for b in ph[i + 1:])):
            return path, ph
    raise RuntimeError("no rules file name gives the wanted group phases")


def largest_gap(phases):
    """(start phase, length) of the longest stretch of the 5 s cycle
    without an evaluation, ns."""
    ps = sorted(p % IV_NS for p in phases)
    gaps = [((ps[(i + 1) % len(ps)] - ps[i]) % IV_NS or IV_NS, ps[i]) for i in range(len(ps))]
    length, start = max(gaps)
    return start, length


def sleep_until_phase(phase_ns, earliest=0.0):
    """Sleeps until the wall clock is at phase_ns inside the 5 s cycle (and
    at least at time earliest); returns that wall time in ns."""
    now = time.time_ns()
    target = now - now % IV_NS + phase_ns % IV_NS
    while target <= now + 50_000_000 or target < earliest * 1e9:
        target += IV_NS
    time.sleep((target - time.time_ns()) / 1e9)
    return target


# ------------------------------------------------------------------ HTTP

def query(t, path, params, timeout=60):
    """POST form to a Prometheus API path -> (status, JSON or text)."""
    try:
        st, body, _ = t.request("POST", path, urllib.parse.urlencode(params).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout)
    except OSError as e:
        return 0, repr(e)
    try:
        return st, json.loads(body)
    except ValueError:
        return st, body[:500].decode("utf-8", "replace")


def vm_query(t, path, params, timeout=60):
    """A query as vmalert 1.79 sends it (datasource/vm.go newRequestPOST):
    POST with every parameter in the URL, Content-Type application/json,
    no body -> (status, JSON or text)."""
    try:
        st, body, _ = t.request("POST", path + "?" + urllib.parse.urlencode(params), b"",
                                {"Content-Type": "application/json"}, timeout=timeout)
    except OSError as e:
        return 0, repr(e)
    try:
        return st, json.loads(body)
    except ValueError:
        return st, body[:500].decode("utf-8", "replace")


def both(srv, prom, path, params):
    """The same vmalert-shaped request to both -> (same, detail, request text)."""
    ok, det = same_answer(vm_query(prom, path, params), vm_query(srv, path, params))
    return ok, det, f"POST {path}?{urllib.parse.urlencode(params)}"


def key_of(metric):
    return tuple(sorted(metric.items()))


def series_map(ans):
    """A success answer (vector or matrix) -> {labels: [(ts, value str)]}."""
    out = {}
    for s in ans["data"]["result"]:
        pts = s.get("values") or [s["value"]]
        out[key_of(s["metric"])] = [(p[0], p[1]) for p in pts]
    return out


def fval(s):
    return float(s.replace("Inf", "inf")) if isinstance(s, str) else float(s)


def close(a, b, rel=1e-9):
    x, y = fval(a), fval(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= max(rel * max(abs(x), abs(y)), 1e-12)


def fmt_key(k):
    d = dict(k)
    name = d.pop("__name__", "")
    return name + "{" + ",".join(f'{n}="{v}"' for n, v in sorted(d.items())) + "}"


def diff_maps(want, got, wname="Prometheus", gname="Strata"):
    """Readable differences between two series maps (timestamps exact,
    values within 1e-9 relative)."""
    out = []
    for k in sorted(set(want) | set(got)):
        if k not in got:
            out.append(f"{fmt_key(k)}: only in {wname} ({len(want[k])} points, first {want[k][:2]})")
        elif k not in want:
            out.append(f"{fmt_key(k)}: only in {gname} ({len(got[k])} points, first {got[k][:2]})")
        else:
            w, g = want[k], got[k]
            wt, gt = [p[0] for p in w], [p[0] for p in g]
            if wt != gt:
                miss = sorted(set(wt) - set(gt))[:3]
                extra = sorted(set(gt) - set(wt))[:3]
                out.append(f"{fmt_key(k)}: timestamps differ ({len(w)} vs {len(g)} points; "
                           f"only in {wname} {miss}, only in {gname} {extra})")
            else:
                for (t, a), (_, b) in zip(w, g):
                    if not close(a, b):
                        out.append(f"{fmt_key(k)} @{t}: {wname} {a}, {gname} {b}")
                        break
    return out


def same_answer(pa, sa):
    """(equal, detail) for two (status, JSON) answers of Prometheus and Strata."""
    (ps, pj), (ss, sj) = pa, sa
    if ps != ss or not isinstance(pj, dict) or not isinstance(sj, dict):
        return False, f"status Prometheus {ps} {str(pj)[:300]} / Strata {ss} {str(sj)[:300]}"
    if pj.get("status") != "success" or sj.get("status") != "success":
        same = pj.get("errorType") == sj.get("errorType")
        return same, f"Prometheus {str(pj)[:300]} / Strata {str(sj)[:300]}"
    if pj["data"]["resultType"] != sj["data"]["resultType"]:
        return False, f"resultType Prometheus {pj['data']['resultType']} / Strata {sj['data']['resultType']}"
    if pj["data"]["resultType"] in ("scalar", "string"):
        pr, sr = pj["data"]["result"], sj["data"]["result"]
        return pr[0] == sr[0] and close(pr[1], sr[1]), f"Prometheus {pr} / Strata {sr}"
    d = diff_maps(series_map(pj), series_map(sj))
    return not d, "; ".join(d[:4])


NUM = re.compile(r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|NaN|[-+]?Inf)")


def same_text(a, b):
    """Templated text: equal apart from numbers, which may differ by 1e-9."""
    if a == b:
        return True
    if a is None or b is None:
        return False
    na, nb = NUM.findall(a), NUM.findall(b)
    return (NUM.sub("#", a) == NUM.sub("#", b) and len(na) == len(nb) and
            all(close(x, y) for x, y in zip(na, nb)))


def unix_s(rfc3339):
    """RFC 3339 with up to ns and any offset -> whole unix seconds (floor)."""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", rfc3339)
    if not m:
        return rfc3339
    import calendar
    y, mo, d, hh, mi, ss = (int(x) for x in m.groups()[:6])
    t = calendar.timegm((y, mo, d, hh, mi, ss, 0, 0, 0))
    off = m.group(8)
    if off != "Z":
        sign = 1 if off[0] == "+" else -1
        t -= sign * (int(off[1:3]) * 3600 + int(off[4:6]) * 60)
    if t < 0:  # Go's zero time
        return 0
    return t


# ------------------------------------------------------------- processes

STARTED = []  # every vmalert started, stopped at the end whatever happened


class VMAlert:
    """One vmalert process with its own log (stdout and stderr)."""

    def __init__(self, name, args, tmp, live=True):
        self.name = name
        self.port = free_port() if live else None
        self.args = ["vmalert"] + args + ([f"-httpListenAddr=127.0.0.1:{self.port}"] if live else [])
        self.log_path = os.path.join(tmp, name + ".log")
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        STARTED.append(self)
        return self

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited (rc={self.proc.returncode}): {self.tail()}")
            try:
                self.api("/api/v1/alerts", timeout=1)
                return
            except (OSError, ValueError):
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready: {self.tail()}")

    def api(self, path, timeout=10):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as r:
            return json.loads(r.read())

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and not self.log.closed:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def tail(self, n=2000):
        return self.text()[-n:]

    def problems(self):
        """Log lines at warn level or worse (lib/logger's tab-separated format)."""
        return [ln for ln in self.text().splitlines()
                if re.search(r"\t(warn|error|fatal|panic)\t", ln)]


class AlertSink:
    """A stub Alertmanager: records every POST body under its path prefix
    (/strata or /prom) and answers 200."""

    def __init__(self):
        self.posts = {}
        self.lock = threading.Lock()
        sink = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                who = self.path.strip("/").split("/")[0]
                try:
                    alerts = json.loads(body)
                except ValueError:
                    alerts = [{"unparsable": body[:200].decode("utf-8", "replace")}]
                with sink.lock:
                    sink.posts.setdefault(who, []).append((self.path, alerts))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def take(self, who):
        with self.lock:
            return self.posts.pop(who, [])

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ------------------------------------------------------------ comparisons

def check_same_series(srv, prom, q, at, what, want_min=1, explain=None):
    """One instant query to both (usually a range selector: raw samples,
    stale markers left out); the same series, timestamps and values.
    -> Prometheus's series map."""
    pa, sa = query(prom, "/api/v1/query", {"query": q, "time": at}), query(srv, "/api/v1/query", {"query": q, "time": at})
    if pa[0] != 200 or sa[0] != 200:
        R.check(False, what, f"query {q!r} time={at}: Prometheus {pa[0]} {str(pa[1])[:300]} / "
                             f"Strata {sa[0]} {str(sa[1])[:300]}")
        return {}, False
    pm, sm = series_map(pa[1]), series_map(sa[1])
    d = diff_maps(pm, sm)
    npts = sum(len(v) for v in pm.values())
    ok = R.check(not d and len(pm) >= want_min,
                   f"{what}: {len(pm)} series, {npts} samples, the same from both servers",
                   f"(query {q!r} time={at}) " + " | ".join(d[:MAX_PRINT]) +
                   ("" if len(pm) >= want_min else f" only {len(pm)} series from Prometheus, want >= {want_min}"))
    if not ok and explain:
        explain(d)
    return pm, ok


def norm_api_alerts(ans):
    """vmalert's /api/v1/alerts -> sorted comparable tuples."""
    out = []
    for a in ans["data"]["alerts"]:
        out.append({"name": a["name"], "labels": a.get("labels") or {}, "state": a["state"],
                    "value": a["value"], "annotations": a.get("annotations") or {},
                    "activeAt": unix_s(a["activeAt"]), "restored": a.get("restored", False)})
    return sorted(out, key=lambda a: (a["name"], sorted(a["labels"].items())))


def same_alerts(pa, sa):
    """Lists of normalised alerts (sorted the same way) -> differences."""
    d = []
    pk = {(a["name"], tuple(sorted(a["labels"].items()))): a for a in pa}
    sk = {(a["name"], tuple(sorted(a["labels"].items()))): a for a in sa}
    for k in sorted(set(pk) | set(sk)):
        if k not in sk:
            d.append(f"only with Prometheus: {k[0]} {dict(k[1])} {pk[k]['state']}")
            continue
        if k not in pk:
            d.append(f"only with Strata: {k[0]} {dict(k[1])} {sk[k]['state']}")
            continue
        p, s = pk[k], sk[k]
        for f in ("state", "activeAt", "restored"):
            if p[f] != s[f]:
                d.append(f"{k[0]} {dict(k[1])}: {f} Prometheus {p[f]!r} / Strata {s[f]!r}")
        if not close(p["value"], s["value"], 1e-6):
            d.append(f"{k[0]} {dict(k[1])}: value Prometheus {p['value']} / Strata {s['value']}")
        for n in sorted(set(p["annotations"]) | set(s["annotations"])):
            if not same_text(p["annotations"].get(n), s["annotations"].get(n)):
                d.append(f"{k[0]} {dict(k[1])}: annotation {n}: Prometheus {p['annotations'].get(n)!r} / "
                         f"Strata {s['annotations'].get(n)!r}")
    return d


def norm_notifications(posts):
    """Stub Alertmanager posts -> [{name, labels, annotations, times}],
    times = (startsAt, endsAt) in whole seconds; generatorURL (vmalert's
    host and port) is left out. Sorted."""
    out = []
    for _, alerts in posts:
        for a in alerts:
            labels = a.get("labels", {})
            out.append({"name": labels.get("alertname"), "labels": labels,
                        "annotations": a.get("annotations", {}),
                        "times": (unix_s(a.get("startsAt", "")), unix_s(a.get("endsAt", "")))})
    return sorted(out, key=notif_key)


def notif_key(a):
    return (a["name"], sorted(a["labels"].items()), a["times"])


def rule_of(diff):
    """The rule a difference line is about: a recorded name, or the
    alertname of ALERTS / ALERTS_FOR_STATE."""
    name = diff.split("{", 1)[0]
    m = re.search(r'alertname="([^"]+)"', diff)
    return m.group(1) if name in ("ALERTS", "ALERTS_FOR_STATE") and m else name


def explain_range(srv, prom, rules, params):
    """For series that differ: the rule's own query_range to both servers."""
    by_name = {name: expr for _, name, expr, _ in rules}

    def run(diffs):
        seen = set()
        for d in diffs:
            name = rule_of(d)
            if name in by_name and name not in seen and len(seen) < 3:
                seen.add(name)
                ok, det, req = both(srv, prom, "/api/v1/query_range", dict(params, query=by_name[name]))
                print(f"#   rule {name}: {req}\n#     " + ("same answers" if ok else det[:1500]))
    return run


def explain_instant(srv, prom, rules):
    """For live series that differ: the rule's instant query, as vmalert
    sent it, at the first differing timestamp, to both servers."""
    by_name = {name: expr for _, name, expr, _ in rules}

    def run(diffs):
        seen = set()
        for d in diffs:
            name = rule_of(d)
            m = re.search(r" @([0-9.]+):", d) or re.search(r"only in \w+ \[([0-9.]+)", d) or \
                re.search(r"first \[\(([0-9.]+)", d)
            if name in by_name and name not in seen and m and len(seen) < 3:
                seen.add(name)
                ok, det, req = both(srv, prom, "/api/v1/query",
                                    {"time": int(float(m.group(1))), "query": by_name[name], "step": f"{IV}s"})
                print(f"#   rule {name}: {req}\n#     " + ("same answers" if ok else det[:1500]))
    return run


def group_rules_health(vm):
    """Rules whose health is not ok, from vmalert's /api/v1/rules."""
    bad = []
    for g in vm.api("/api/v1/rules")["data"]["groups"]:
        for r in g["rules"]:
            if r.get("health") != "ok" or r.get("lastError"):
                bad.append(f"{g['name']}/{r['name']}: {r.get('health')} {r.get('lastError', '')[:400]}")
    return bad


# ------------------------------------------------------------------ phases

def phase_replay(srv, prom, tmp, end_s):
    text = rules_text("r", live=False)
    path = os.path.join(tmp, "replay-rules.yml")
    with open(path, "w") as f:
        f.write(text)
    rules = rule_exprs(text)
    t_from, t_to = end_s - REPLAY_SPAN, end_s
    iso = lambda s: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s))  # noqa: E731
    procs = {}
    for who, t in (("strata", srv), ("prom", prom)):
        base = f"http://127.0.0.1:{t.port}"
        procs[who] = VMAlert(f"vmalert-replay-{who}", [
            f"-rule={path}", f"-datasource.url={base}", f"-remoteWrite.url={base}",
            f"-evaluationInterval={IV}s", f"-datasource.queryStep={IV}s",
            f"-replay.timeFrom={iso(t_from)}", f"-replay.timeTo={iso(t_to)}",
            "-replay.rulesDelay=300ms", "-remoteWrite.flushInterval=100ms",
            "-replay.disableProgressBar", "-replay.ruleRetryAttempts=2", "-loggerLevel=INFO"],
            tmp, live=False).start()
    t0 = time.time()
    rcs = {who: p.wait(60) for who, p in procs.items()}
    log(f"replay of {len(rules)} rules over {REPLAY_SPAN // 60} min took {time.time() - t0:.1f} s")
    imported = {}
    for who, p in procs.items():
        m = re.search(r"replay finished! Imported (\d+) samples", p.text())
        imported[who] = int(m.group(1)) if m else None
        R.check(rcs[who] == 0 and m is not None, f"replay against {who} exits 0 and reports its import",
                f"rc={rcs[who]} {p.tail()}")
        probs = p.problems()
        R.check(not probs, f"replay against {who}: no warning or error in vmalert's log",
                "\n".join(probs[:MAX_PRINT])[:1800])
    R.check(imported["strata"] == imported["prom"] and imported["prom"],
            f"replay imported the same number of samples into both ({imported['prom']})",
            f"Prometheus {imported['prom']}, Strata {imported['strata']}")

    params = {"start": t_from, "end": t_to, "step": f"{IV}s", "nocache": "1"}
    explain = explain_range(srv, prom, rules, params)
    rec, _ = check_same_series(srv, prom, f'{{__name__=~"r:.+"}}[{REPLAY_SPAN + 60}s]', t_to,
                            "replay: recording rule series written back", want_min=40, explain=explain)
    names = {dict(k)["__name__"] for k in rec}
    R.check(len(names) == 14, "replay: every recording rule wrote series (sanity of the data)",
            f"{sorted(names)}")
    alerts, _ = check_same_series(srv, prom, f'{{__name__=~"ALERTS|ALERTS_FOR_STATE",alertname=~"r_.+"}}[{REPLAY_SPAN + 60}s]',
                               t_to, "replay: ALERTS and ALERTS_FOR_STATE written back", want_min=5, explain=explain)
    states = {(dict(k)["alertname"], dict(k).get("alertstate")) for k in alerts if dict(k)["__name__"] == "ALERTS"}
    want = {("r_HighQueue", "firing"), ("r_SlowRequests", "pending"), ("r_InstanceDown", "firing"),
            ("r_QueueBacklog", "firing"), ("r_ErrorBudget", "firing"), ("r_HighErrorRate", "firing")}
    R.check(want <= states and not any(n == "r_Overheat" for n, _ in states),
            "replay: the alerts reach the designed states with Prometheus (sanity of the data)", f"{sorted(states)}")
    # every query vmalert sent, by hand
    bad = []
    for g, name, expr, _ in rules:
        ok, det, req = both(srv, prom, "/api/v1/query_range", dict(params, query=expr))
        if not ok:
            bad.append(f"{name}: {req}\n    {det[:1200]}")
    R.check(not bad, f"replay: each of the {len(rules)} query_range requests vmalert sent answers the same",
            "\n".join(bad[:MAX_PRINT]))


def live_args(t, path, lookback_ms, sink, who, restore=False):
    base = f"http://127.0.0.1:{t.port}"
    args = [f"-rule={path}", f"-datasource.url={base}", f"-remoteWrite.url={base}",
            f"-evaluationInterval={IV}s", f"-datasource.queryStep={IV}s",
            f"-datasource.lookback={lookback_ms}ms", "-datasource.queryTimeAlignment=true",
            "-remoteWrite.flushInterval=200ms",
            f"-notifier.url=http://127.0.0.1:{sink.port}/{who}", "-loggerLevel=INFO"]
    if restore:
        args += [f"-remoteRead.url={base}", "-remoteRead.lookback=1h"]
    return args


def snapshot(vms, label, snaps):
    """/api/v1/alerts of both vmalerts, taken back to back."""
    got = {who: norm_api_alerts(vm.api("/api/v1/alerts")) for who, vm in vms.items()}
    snaps.append((label, got))
    d = same_alerts(got["prom"], got["strata"])
    R.check(not d, f"{label}: vmalert's /api/v1/alerts the same with both ({len(got['prom'])} alerts: "
                   f"{summary(got['prom'])})", " | ".join(d[:MAX_PRINT]))
    return got


def summary(alerts):
    c = {}
    for a in alerts:
        s = a["state"] + ("/restored" if a["restored"] else "")
        c[f"{a['name']}:{s}"] = c.get(f"{a['name']}:{s}", 0) + 1
    return ", ".join(f"{k} x{v}" if v > 1 else k for k, v in sorted(c.items()))


def run_live(srv, prom, sink, path, phases, end_ms, data_t0_ms, n_evals, label, restore=False):
    """Starts both vmalerts at the same moment, 0.2 s into the longest
    stretch of the cycle without a group due (so both are up before any
    group is due), with a lookback that puts the data-time bucket boundary
    (time = trunc(now - lookback, 5s)) in the middle of that stretch, at
    data_t0_ms: every group's first evaluation queries data_t0_ms. Runs
    n_evals cycles, snapshots /api/v1/alerts at each bucket boundary (no
    group evaluates within 0.8 s of it), stops both at the last one.
    -> (vms, snapshots, wall ns of the first boundary)"""
    gap_start, gap = largest_gap(phases)
    launch = sleep_until_phase(gap_start + 200_000_000)
    boundary = (launch - 200_000_000 + gap // 2) // 1_000_000 * 1_000_000
    first_eval = launch - 200_000_000 + gap
    lookback_ms = boundary // 1_000_000 - data_t0_ms
    vms = {}
    for who, t in (("strata", srv), ("prom", prom)):
        vms[who] = VMAlert(f"vmalert-{label}-{who}", live_args(t, path, lookback_ms, sink, who, restore),
                           os.path.dirname(path)).start()
    for vm in vms.values():
        vm.wait_ready()
    log(f"{label}: both vmalerts answer {(time.time_ns() - launch) / 1e9:.2f} s after the start, "
        f"{(first_eval - time.time_ns()) / 1e9:.2f} s before the first evaluation")
    if not restore:
        for who, vm in vms.items():
            got = {g["name"]: int(g["id"]) for g in vm.api("/api/v1/rules")["data"]["groups"]}
            want = {g: group_id(path, g) for g in got}
            R.check(got == want and len(got) == 3, f"{label}: vmalert against {who} has the group IDs computed "
                    "here (so the evaluation phases are known)", f"vmalert {got}, computed {want}")
    snaps = []
    if restore and time.time_ns() < first_eval - 200_000_000:
        snapshot(vms, f"{label}: restored state before the first evaluation", snaps)
    elif restore:
        log(f"{label}: vmalert was ready only {(time.time_ns() - first_eval) / 1e9:.2f} s after its first "
            "evaluation: the restored state is seen after it only")
    for k in range(1, n_evals + 1):
        sleep_until_phase(boundary % IV_NS, earliest=(boundary + k * IV_NS) / 1e9 - 0.01)
        snapshot(vms, f"{label}: after evaluation {k} (data time END-{(end_ms - data_t0_ms) // 1000 - (k - 1) * IV}s)",
                 snaps)
    for who, vm in vms.items():
        bad = group_rules_health(vm)
        R.check(not bad, f"{label}: every rule healthy in vmalert against {who} (/api/v1/rules)",
                " | ".join(bad[:MAX_PRINT]))
    # still in the quiet part of the cycle: stop both now
    for vm in vms.values():
        vm.proc.send_signal(signal.SIGTERM)
    for who, vm in vms.items():
        rc = vm.stop()
        R.check(rc == 0, f"{label}: vmalert against {who} stops cleanly", f"rc={rc} {vm.tail()}")
        probs = vm.problems()
        R.check(not probs, f"{label}: no warning or error in the log of vmalert against {who}",
                "\n".join(probs[:MAX_PRINT])[:1800])
    return vms, snaps, boundary


def check_notifications(sink, label):
    """What both vmalerts sent to the stub Alertmanager: the same alerts
    (labels, startsAt, endsAt: so the same sends) with the same annotations."""
    p, s = norm_notifications(sink.take("prom")), norm_notifications(sink.take("strata"))
    kp, ks = [notif_key(a) for a in p], [notif_key(a) for a in s]
    d = []
    if kp != ks:
        d += [f"only with Prometheus: {k[0]} {dict(k[1])} startsAt/endsAt {k[2]}" for k in kp if k not in ks][:3]
        d += [f"only with Strata: {k[0]} {dict(k[1])} startsAt/endsAt {k[2]}" for k in ks if k not in kp][:3]
    else:
        for a, b in zip(p, s):
            for n in sorted(set(a["annotations"]) | set(b["annotations"])):
                if not same_text(a["annotations"].get(n), b["annotations"].get(n)):
                    d.append(f"{a['name']} {a['labels']}: annotation {n}: Prometheus "
                             f"{a['annotations'].get(n)!r} / Strata {b['annotations'].get(n)!r}")
    R.check(not d and p, f"{label}: the notifications sent to the Alertmanager are the same ({len(p)} alerts "
                         f"in {len({a['times'] for a in p})} sends)", " | ".join(d[:MAX_PRINT]) or "none sent")
    return p


def phase_live(srv, prom, sink, tmp, end_s):
    text = rules_text("l", live=True)
    groups = ["l-recording", "l-derived", "l-alerts"]
    path, phases = pick_live_file(tmp, groups)
    with open(path, "w") as f:
        f.write(text)
    rules = rule_exprs(text)
    log(f"live rules file {os.path.basename(path)}: group phases "
        + ", ".join(f"{g} {p / 1e9:.3f} s" for g, p in zip(groups, phases)))
    s_ms = end_s * 1000 - (NPTS - 1 - IDX_S) * SCRAPE_MS

    # ---- run 1: six evaluations from data time S
    t0 = time.time()
    _, snaps, first_b = run_live(srv, prom, sink, path, phases, end_s * 1000, s_ms, 6, "live")
    log(f"live run: {time.time() - t0:.1f} s")
    # the designed episodes, seen with Prometheus
    seen = {}
    for _, got in snaps:
        for a in got["prom"]:
            seen.setdefault(a["name"], set()).add(a["state"])
    final = {a["name"] + "/" + a["labels"].get("instance", a["labels"].get("job", "")): a["state"]
             for a in snaps[-1][1]["prom"]}
    want_seen = {"l_HighQueue": {"pending", "firing"}, "l_QueueBacklog": {"pending", "firing"},
                 "l_InstanceDown": {"pending", "firing"}, "l_SlowRequests": {"pending"},
                 "l_ErrorBudget": {"firing"}, "l_HighErrorRate": {"pending", "firing"}}
    R.check(all(seen.get(n) == s for n, s in want_seen.items()) and "l_Overheat" not in seen and
            "l_InstanceDown/host-07" not in final and "l_QueueBacklog/host-05" not in final and
            final.get("l_HighQueue/host-03") == "firing",
            "live: the alerts go through the designed states with Prometheus (sanity of the data and timing)",
            f"seen {sorted((k, sorted(v)) for k, v in seen.items())}; at the end {final}")
    check_notifications(sink, "live")

    # written back: recording rules at data time, ALERTS at wall time
    wall_first = first_b // 1_000_000_000
    explain = explain_instant(srv, prom, rules)
    rec, _ = check_same_series(srv, prom, '{__name__=~"l:.+"}[10m]', end_s,
                            "live: recording rule series written back", want_min=40, explain=explain)
    ts = sorted({p[0] for v in rec.values() for p in v})
    R.check(len(ts) >= 5 and ts[0] - s_ms / 1000 in (0, IV) and all(b - a == IV for a, b in zip(ts, ts[1:])),
            "live: recording samples at the aligned data times S, S+5s, ... (sanity of the schedule)", f"{ts}")
    now_s = int(time.time()) + 1
    alerts, _ = check_same_series(srv, prom, '{__name__=~"ALERTS|ALERTS_FOR_STATE",alertname=~"l_.+"}[5m]', now_s,
                               "live: ALERTS and ALERTS_FOR_STATE written back", want_min=5)
    ats = sorted({p[0] for v in alerts.values() for p in v})
    R.check(ats and ats[0] >= wall_first - 1, "live: ALERTS at the wall times of the evaluations (sanity)",
            f"{ats[:8]} first evaluation {wall_first}")
    # instant queries over ALERTS at each evaluation: the stale markers
    # vmalert writes (pending -> firing, resolved) must hide old series
    bad, hidden = [], 0
    for t in ats:
        for q in ('ALERTS{alertname=~"l_.+"}', 'ALERTS_FOR_STATE{alertname=~"l_.+"}'):
            p = {"query": q, "time": t + 0.5}
            pa = query(prom, "/api/v1/query", p)
            ok, det = same_answer(pa, query(srv, "/api/v1/query", p))
            if not ok:
                bad.append(f"POST /api/v1/query {urllib.parse.urlencode(p)}: {det[:600]}")
            elif pa[0] == 200:
                # series with a sample in the last 5 minutes that the
                # instant query does not show: hidden by a stale marker
                name = q.split("{")[0]
                recent = {k for k, v in alerts.items() if dict(k)["__name__"] == name and
                          any(t - 300 < x[0] <= t for x in v)}
                hidden += len(recent - set(series_map(pa[1])))
    R.check(not bad and hidden > 0, f"live: ALERTS and ALERTS_FOR_STATE instant queries at each of {len(ats)} "
                                    f"evaluations the same ({hidden} times a series hidden by vmalert's stale marker)",
            "\n".join(bad[:MAX_PRINT]) or "no stale marker seen: the check proves nothing")
    # each rule's instant query as vmalert sent it, at three evaluations
    bad = []
    for t in (ts[0], ts[len(ts) // 2], ts[-1]):
        for name, expr in [(n, e) for _, n, e, _ in rules] + [("query template", "count(up == 1)")]:
            ok, det, req = both(srv, prom, "/api/v1/query", {"time": int(t), "query": expr, "step": f"{IV}s"})
            if not ok:
                bad.append(f"{name}: {req}\n    {det[:1200]}")
    R.check(not bad, f"live: each of the {len(rules) + 1} instant queries vmalert sends answers the same "
                     f"at 3 evaluation times", "\n".join(bad[:MAX_PRINT]))

    # ---- run 2: restart with -remoteRead.url, data time continuing
    t0 = time.time()
    restore_time = int(time.time())
    _, snaps2, _ = run_live(srv, prom, sink, path, phases, end_s * 1000, s_ms + 35_000, 2, "restart",
                               restore=True)
    log(f"restart run: {time.time() - t0:.1f} s")
    restored = [a for a in snaps2[0][1]["prom"] if a["restored"]] if snaps2 else []
    after = {a["name"] + "/" + a["labels"].get("instance", a["labels"].get("job", "")): (a["state"], a["restored"])
             for a in snaps2[-1][1]["prom"]} if snaps2 else {}
    R.check(len(restored) >= 4 and after.get("l_HighErrorRate/host-09") == ("firing", True),
            "restart: Prometheus's vmalert restores the alerts and fires HighErrorRate at once (sanity)",
            f"restored {summary(restored)}; after {after}")
    check_notifications(sink, "restart")
    bad = []
    for _, name, _, for_s in rules:
        if for_s:
            ok, det, req = both(srv, prom, "/api/v1/query", {
                "time": restore_time + 1,
                "query": f'last_over_time(ALERTS_FOR_STATE{{alertname="{name}"}}[3600s])'})
            if not ok:
                bad.append(f"{req}\n    {det[:1200]}")
    R.check(not bad, "restart: the restore queries (last_over_time(ALERTS_FOR_STATE{alertname=...}[3600s])) "
                     "answer the same", "\n".join(bad[:MAX_PRINT]))


def main():
    t_start = time.time()
    if shutil.which("vmalert") is None:
        R.check(False, "vmalert is installed (Debian package victoria-metrics)")
        return R.done()
    tmp = tempfile.mkdtemp(prefix="strata-vmalert-")
    srv = Server()
    prom = None
    sink = None
    try:
        srv.start()
        prom = Prometheus(PROM_CONFIG, ["--web.enable-remote-write-receiver"]).start()
        sink = AlertSink()
        end_s = int(time.time()) // 10 * 10 - 10
        data = gen_data(end_s)
        nsmp = sum(len(s) for _, s in data)
        if not load([("Strata", srv), ("Prometheus", prom)], data):
            return R.done()
        raw, ok = check_same_series(srv, prom, '{__name__=~".+"}[31m]', end_s + 1,
                                f"the loaded data ({nsmp} samples with stale markers)", want_min=len(data) - 5)
        if not ok:
            log("the servers do not hold the same data: stopping")
            return R.done()
        log(f"{len(data)} series loaded and checked in {time.time() - t_start:.1f} s")
        phase_replay(srv, prom, tmp, end_s)
        phase_live(srv, prom, sink, tmp, end_s)
        st, _, _ = srv.request("GET", "/-/healthy")
        R.check(st == 200, "Strata healthy at the end")
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        for vm in STARTED:
            vm.stop()
        if sink:
            sink.close()
        if prom:
            prom.stop()
        rc = srv.stop() if srv.proc else 0
        R.check(rc == 0, "strata exits cleanly", f"rc={rc} {srv.tail()[-1500:]}")
        srv.cleanup()
        try:
            os.unlink(os.path.normpath(srv.log_path))
        except OSError:
            pass
        shutil.rmtree(tmp, ignore_errors=True)
    took = time.time() - t_start
    log(f"{took:.1f} s in all")
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
