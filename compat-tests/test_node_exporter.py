"""Real monitoring data: node_exporter scraped by Prometheus 2.42, which
remote-writes to Strata; then the queries of widely used node_exporter
dashboards, sent as Grafana sends them, must get the same answers from
Prometheus (its own TSDB, the same scrapes) and from Strata.

Set-up: two Debian prometheus-node-exporter processes on free loopback
ports (two instances of job "node"; their textfile collector reads an empty
directory), and Debian's Prometheus scraping them and itself every 1 s,
evaluating the node-mixin's recording rules (dashboards/node-mixin-rules.yml)
every 1 s, and remote-writing everything to Strata (one shard, so samples
arrive in write-ahead-log order; a 100 ms batch deadline). It runs for
STRATA_NODE_EXPORTER_SECONDS (default 75) so that rate windows fill. From
40% to 60% of that time the exporter whose instance sorts first (the one
single-instance dashboards show) is stopped, as a host that goes down:
failed scrapes, up == 0, stale markers, gaps, then the same series again.

Then END = now - 3 s (millisecond precision, as Grafana's "now"). Remote
write lags, so the test waits until Prometheus reports
(prometheus_remote_storage_queue_highest_sent_timestamp_seconds on its
/metrics) a sample sent at least 3 s after ceil(END): a sample is
committed to the WAL at most scrape_timeout (1 s) after its timestamp, and
one shard sends in WAL order, so Strata then holds every sample up to
ceil(END). Checks before any dashboard: no sample failed to send, and the
raw data agree bit for bit (range selectors such as
node_cpu_seconds_total[2m], and every series of the store over the last
hour, as instant queries at END on both servers; the test waits up to 20 s
more for the latter, in case a sample reached Prometheus's WAL late).

Dashboards (dashboards/*.txt, see dashboards/README.md): Node Exporter Full
(grafana.com 1860), Node Exporter for Prometheus Dashboard EN (grafana.com
11074), the node-mixin's Nodes, USE Method / Node and USE Method / Cluster.
Each is viewed with the time ranges "Last 5 minutes", "Last 15 minutes",
"Last 1 hour" and the dashboard's own default (now-24h, now-12h), all ending
at END, and with an absolute range zoomed on the outage (from 40 s before it
to its middle, so that instant queries see the stopped instance stale).
For each view and each server, the variables are refreshed as Grafana does:
label_values(SELECTOR, LABEL) through POST /api/v1/series (Grafana's default
when the data source has no Prometheus version set) with start/end as whole
seconds rounded up, label_values(LABEL) through GET
/api/v1/label/LABEL/values, query_result(EXPR) through POST /api/v1/query at
the end second, then the variable regex, uniq, sort; the first option is
current ("All" where includeAll), except select=all (every value, for the
multi-value $node of 11074). Each server's queries use its own variables
(compared as checks). Interpolation follows Grafana 10/11: single values
escaped with prometheusRegularEscape, multi/includeAll values with
prometheusSpecialRegexEscape, several values as "(a|b)", a custom all value
as is; then the backend (pkg/promlib/models/query.go): the panel's interval
is max(1s, roundInterval(range / maxDataPoints)) (1s: the data source's
scrape interval setting, like the data; maxDataPoints: the panel's, or its
width in pixels on a 1900-pixel dashboard), the step is that (or the
target's min step) times intervalFactor, $__rate_interval =
max(interval + 1s, 4 x 1s) printed as Go prints a duration, $__interval,
$__range, $__range_s and $__range_ms as Grafana prints them, start and end
aligned down to a multiple of the step (UTC). Range queries are POSTed to
/api/v1/query_range, instant queries (stat panels) to /api/v1/query at the
unaligned end, with Grafana's headers.

One check per (query, parameters): same HTTP status; on success the same
resultType, the same series (labels exactly), the same timestamps, values
within 1e-9 relative (1e-12 absolute near 0), NaN equal NaN, and equal
floats printed alike; on error the same errorType. Queries that Prometheus
rejects, or that both answer with no data, are counted and reported: they
test little. At least 80 distinct dashboard queries must return data.

Usage: test_node_exporter.py [-v] (-v also prints every passing check).
Environment: STRATA_BIN (default build/strata),
STRATA_NODE_EXPORTER_SECONDS. About 80 s on 2 cores (the queries take a
few seconds of it). The last line is
"test_node_exporter: N passed, N failed"."""
import concurrent.futures
import glob
import json
import math
import os
import re
import shlex
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from strata import Server, Prometheus, NodeExporter, Results, report_crash  # noqa: E402

R = Results("test_node_exporter")
VERBOSE = "-v" in sys.argv[1:]
DASHBOARDS = os.path.join(HERE, "dashboards")
RULES = os.path.join(DASHBOARDS, "node-mixin-rules.yml")
SCRAPE_SECONDS = float(os.environ.get("STRATA_NODE_EXPORTER_SECONDS", "75"))
DS_SCRAPE = "1s"          # the data source's "Scrape interval" setting (timeInterval)
DASHBOARD_PX = 1900       # a panel of w grid columns is w/24 of this wide
MIN_USEFUL = 80           # distinct dashboard queries that must return data
OUTAGE = (0.4, 0.6)       # one exporter is stopped for this part of the scrape time
GRAFANA = {"User-Agent": "Grafana/10.4.2", "X-Grafana-Org-Id": "1",
           "Accept": "application/json, text/plain, */*"}
SEC, MIN, HOUR = 1000, 60000, 3600000


def quiet_check(cond, what, detail=""):
    """R.check, printing passes only with -v."""
    if cond and not VERBOSE:
        R.passed += 1
        return True
    return R.check(cond, what, detail)


# ------------------------------------------------------------------ HTTP

def http(port, method, path, params=None, timeout=60):
    """A request as Grafana sends it: POST form bodies, GET query strings.
    Returns (status, decoded JSON); status 0 when nothing answered."""
    headers = dict(GRAFANA)
    q = urllib.parse.urlencode(params or {}, doseq=True)
    body = None
    if method == "POST":
        body = q.encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif q:
        path += "?" + q
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            st, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        st, raw = e.code, e.read()
    except OSError as e:
        return 0, {"status": "no answer", "error": repr(e)}
    try:
        return st, json.loads(raw)
    except ValueError:
        return st, {"status": "unparsable", "error": raw[:300].decode("utf-8", "replace")}


def show_request(method, path, params):
    return f"{method} {path} " + " ".join(f"{k}={v}" for k, v in params.items())


def brief(st, js, n=700):
    return f"{st} {json.dumps(js, ensure_ascii=False)[:n]}"


# ------------------------------------------------------------------ Grafana's arithmetic

def go_format_seconds(x):
    """strconv.FormatFloat(x, 'f', -1, 64): Python's shortest repr, without
    an exponent and without a trailing '.0'."""
    s = repr(float(x))
    if "e" in s or "E" in s:
        s = format(float(x), "f")  # not reached for our magnitudes
    return s[:-2] if s.endswith(".0") else s


def format_time(ms):
    """Grafana's formatTime: float64(t.Unix()) + float64(t.Nanosecond())/1e9."""
    sec, rem = divmod(ms, 1000)
    return go_format_seconds(float(sec) + float(rem * 1000000) / 1e9)


ROUND_TABLE = [  # (bound ms, rounded ms): Grafana's roundInterval
    (10, 1), (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000),
    (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000), (45000, 30000),
    (90000, 60000), (210000, 120000), (450000, 300000), (750000, 600000), (1050000, 900000),
    (1500000, 1200000), (2700000, 1800000), (5400000, 3600000), (9000000, 7200000),
    (16200000, 10800000), (32400000, 21600000), (86400000, 43200000), (604800000, 86400000),
    (1814400000, 604800000), (3628800000, 2592000000)]


def round_interval(ms, inclusive):
    """The frontend (rangeutil.ts) compares with <, the backend (gtime) with <=."""
    for bound, out in ROUND_TABLE:
        if ms < bound or (inclusive and ms == bound):
            return out
    return 31536000000


def parse_duration_ms(s):
    """gtime.ParseIntervalStringToTimeDuration for the forms dashboards use."""
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d|w|y)", s.strip())
    if not m:
        raise ValueError(f"interval {s!r}")
    return int(m.group(1)) * {"ms": 1, "s": SEC, "m": MIN, "h": HOUR, "d": 24 * HOUR,
                              "w": 7 * 24 * HOUR, "y": 365 * 24 * HOUR}[m.group(2)]


def go_duration(ms):
    """time.Duration.String() of a whole number of milliseconds."""
    if ms == 0:
        return "0s"
    if ms < SEC:
        return f"{ms}ms"
    h, rem = divmod(ms, HOUR)
    m, rem = divmod(rem, MIN)
    s = str(rem // SEC) if rem % SEC == 0 else f"{rem / SEC:.3f}".rstrip("0")
    if h:
        return f"{h}h{m}m{s}s"
    if m:
        return f"{m}m{s}s"
    return f"{s}s"


def format_interval(ms):
    """gtime.FormatInterval: the largest whole unit."""
    for unit, name in ((365 * 24 * HOUR, "y"), (24 * HOUR, "d"), (HOUR, "h"), (MIN, "m"), (SEC, "s"), (1, "ms")):
        if ms >= unit:
            return f"{ms // unit}{name}"
    return "1ms"


RATE_VARS = ("$__rate_interval", "${__rate_interval}")
VARIABLE_INTERVALS = ("$__interval", "$__interval_ms", "$__rate_interval", "$__rate_interval_ms",
                      "${__interval}", "${__interval_ms}", "${__rate_interval}", "${__rate_interval_ms}")


def rate_interval(interval_ms, min_step):
    scrape = parse_duration_ms(min_step or "15s")
    return max(interval_ms + scrape, 4 * scrape)


def grafana_query(expr, range_ms, target):
    """What Grafana's backend makes of a panel target for a time range:
    (step ms, expr with the built-in variables replaced)."""
    mdp = target.mdp or max(1, (target.w * DASHBOARD_PX) // 24)
    # frontend: rangeUtil.calculateInterval(range, maxDataPoints, ds.interval)
    interval_ms = max(round_interval(range_ms / mdp, False), parse_duration_ms(DS_SCRAPE))
    # backend: calculatePrometheusInterval
    query_interval = target.minstep or ""
    original = query_interval
    if query_interval in VARIABLE_INTERVALS:
        query_interval = ""
    if query_interval in ("", "0s"):
        min_interval = interval_ms  # gtime.GetIntervalFrom: the frontend's intervalMs
    else:
        min_interval = parse_duration_ms(query_interval)
    calc = range_ms / mdp
    calculated = min_interval if calc < min_interval else round_interval(calc, True)
    safe = round_interval(range_ms / 11000, True)
    adjusted = calculated if calculated > safe else safe
    if original in RATE_VARS:
        step = rate_interval(adjusted, DS_SCRAPE)
        rate = step
    else:
        step = adjusted * (target.factor or 1)
        requested = original
        if requested in ("$__interval", "${__interval}"):
            requested = go_duration(step)
        if requested == "":
            requested = DS_SCRAPE
        rate = rate_interval(interval_ms, requested)
    range_s = int(math.floor(range_ms / 1000 + 0.5))
    for alt in ("", "alt"):
        def v(name):
            return "${" + name + "}" if alt else "$" + name
        expr = expr.replace(v("__interval_ms"), str(step))
        expr = expr.replace(v("__interval"), format_interval(step))
        expr = expr.replace(v("__range_ms"), str(range_ms))
        expr = expr.replace(v("__range_s"), str(range_s))
        expr = expr.replace(v("__range"), f"{range_s}s")
        expr = expr.replace(v("__rate_interval_ms"), str(rate))
        expr = expr.replace(v("__rate_interval"), go_duration(rate))
    return step, expr


def align(ms, step):
    return (ms // step) * step


# ------------------------------------------------------------------ dashboards

class Var:
    def __init__(self, name, kind, arg, label, opts):
        self.name, self.kind, self.arg, self.label, self.opts = name, kind, arg, label, opts
        self.multi = "multi" in opts
        self.include_all = "includeAll" in opts
        self.all_value = opts.get("allValue")
        self.sort = int(opts.get("sort", 0))
        self.regex = opts.get("regex")


class Target:
    def __init__(self, dash, where, ptype, opts, expr, origin):
        self.dash, self.where, self.ptype, self.expr, self.origin = dash, where, ptype, expr, origin
        self.ref = opts.get("ref", "A")
        self.w = int(opts.get("w", 12))
        self.mdp = int(opts["mdp"]) if "mdp" in opts else None
        self.minstep = opts.get("minstep")
        self.factor = int(opts.get("factor", 1))
        self.instant = "instant" in opts
        self.range = "range" in opts or not self.instant

    def name(self):
        return f"{self.dash.title} / {self.where} {self.ref}"


class Dashboard:
    def __init__(self, title, origin):
        self.title, self.origin = title, origin
        self.time_ms = self.time_text = None
        self.vars = []
        self.targets = []


def matching_paren(s, i):
    """Index of the parenthesis closing s[i], skipping quoted strings."""
    depth, quote, j = 0, None, i
    while j < len(s):
        c = s[j]
        if quote:
            if c == "\\":
                j += 1
            elif c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ValueError(f"unbalanced: {s}")


def split_top_comma(s):
    """label_values(SELECTOR, LABEL): the last comma outside braces/quotes."""
    depth, quote, last = 0, None, -1
    i = 0
    while i < len(s):
        c = s[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif c == "," and depth == 0:
            last = i
        i += 1
    return (s[:last].strip(), s[last + 1:].strip()) if last >= 0 else (None, s.strip())


def parse_var_opts(s):
    """key=value, flags, and regex=/RE/ (which may hold spaces)."""
    opts, i = {}, 0
    while i < len(s):
        if s[i].isspace():
            i += 1
            continue
        m = re.match(r"(\w+)(=?)", s[i:])
        if not m:
            raise ValueError(f"variable options {s!r}")
        key = m.group(1)
        i += m.end()
        if not m.group(2):
            opts[key] = True
        elif s.startswith("/", i):
            j = i + 1
            while True:
                j = s.index("/", j)
                if j + 1 == len(s) or s[j + 1].isspace():
                    break
                j += 1
            opts[key] = s[i:j + 1]
            i = j + 1
        else:
            j = i
            while j < len(s) and not s[j].isspace():
                j += 1
            opts[key] = s[i:j]
            i = j
    return opts


def parse_dashboards():
    out = []
    for path in sorted(glob.glob(os.path.join(DASHBOARDS, "*.txt"))):
        fname = os.path.basename(path)
        dash, meta = None, None
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                line = line.rstrip("\n")
                origin = f"{fname}:{no}"
                if not line.strip():
                    meta = None
                    continue
                if line.startswith("#%"):
                    meta = None
                    d = line[2:].strip()
                    if d.startswith("dashboard "):
                        dash = Dashboard(d[len("dashboard "):].strip(), origin)
                        out.append(dash)
                    elif d.startswith("time "):
                        m = re.fullmatch(r"now-(\d+\w+)", d[5:].strip())
                        dash.time_ms = parse_duration_ms(m.group(1))
                        dash.time_text = m.group(1)
                    elif d.startswith("var "):
                        name, rest = d[4:].split("=", 1)
                        rest = rest.strip()
                        m = re.match(r"(label_values|query_result|interval)\(", rest)
                        close = matching_paren(rest, m.end() - 1)
                        inner = rest[m.end():close]
                        opts = parse_var_opts(rest[close + 1:])
                        if m.group(1) == "label_values":
                            sel, label = split_top_comma(inner)
                            v = Var(name.strip(), "label_values", sel, label, opts)
                        else:
                            v = Var(name.strip(), m.group(1), inner.strip(), None, opts)
                        dash.vars.append(v)
                    else:
                        raise ValueError(f"{origin}: unknown directive {line}")
                    continue
                if line.startswith("#"):
                    meta = line[1:].strip()
                    continue
                if dash is None or meta is None:
                    raise ValueError(f"{origin}: a query without its panel comment")
                where, ptype, opt_text = meta.rsplit(" | ", 2)
                opts = {}
                for tok in shlex.split(opt_text):
                    k, _, v = tok.partition("=")
                    opts[k] = v if _ else True
                dash.targets.append(Target(dash, where, ptype, opts, line.strip(), origin))
                meta = None
    return out


# ------------------------------------------------------------------ variables

ALL = "$__all"


def regular_escape(v):
    return v.replace("\\", "\\\\").replace("'", "\\\\'")


def special_regex_escape(v):
    v = v.replace("\\", "\\\\\\\\")
    return re.sub(r"[$^*{}\[\]+?.()|]", lambda m: "\\\\" + m.group(0), v)


class VarState:
    """A refreshed variable: its options and its current value."""

    def __init__(self, var, options):
        self.var, self.options = var, options
        if var.include_all:
            self.current = ALL
        elif var.opts.get("select") == "all" and var.multi:
            self.current = list(options)
        elif options:
            self.current = [options[0]] if var.multi else options[0]
        else:
            self.current = [] if var.multi else ""

    def formatted(self):
        """templateSrv.replace with the data source's interpolateQueryExpr."""
        var, value = self.var, self.current
        if value == ALL:
            if var.all_value:
                return var.all_value  # a custom all value goes in as it is
            value = list(self.options)
        if not var.multi and not var.include_all:
            return regular_escape(value)
        if isinstance(value, str):
            return special_regex_escape(value)
        esc = [special_regex_escape(v) for v in value]
        return esc[0] if len(esc) == 1 else "(" + "|".join(esc) + ")"

    def describe(self):
        cur = "All" if self.current == ALL else self.current
        return f"${self.var.name}: options {self.options}, current {cur!r} -> {self.formatted()!r}"


VAR_RE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}")


def interpolate(text, states):
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(4)
        st = states.get(name)
        return st.formatted() if st else m.group(0)
    return VAR_RE.sub(repl, text)


def sort_options(options, sort):
    if sort == 0:
        return options
    kind, reverse = (sort + 1) // 2, sort % 2 == 0
    if kind == 1:
        options = sorted(options)
    elif kind == 3:
        options = sorted(options, key=lambda s: s.lower())
    elif kind == 2:
        def num(s):
            m = re.match(r".*?(\d+).*", s)
            return int(m.group(1)) if m else -1
        options = sorted(options, key=num)
    return list(reversed(options)) if reverse else options


def js_regex(spec):
    m = re.fullmatch(r"/(.*)/([gimsuy]*)", spec, re.S)
    return re.compile(m.group(1), re.I if "i" in m.group(2) else 0)


def refresh_variables(dash, port, from_ms, to_ms):
    """Grafana's variable refresh against one server. Returns (states,
    [(what, request, status, json)]) with every request it made."""
    states, log = {}, []
    start, end = str(-(-from_ms // 1000)), str(-(-to_ms // 1000))  # Math.ceil(ms / 1000)
    for var in dash.vars:
        texts = []
        if var.kind == "interval":
            texts = [var.arg]
        elif var.kind == "label_values":
            label = interpolate(var.label, states)
            if var.arg is None:
                req = ("GET", f"/api/v1/label/{urllib.parse.quote(label)}/values", {"start": start, "end": end})
                st, js = http(port, *req)
                log.append((f"${var.name}", req, st, js))
                if st == 200:
                    texts = [str(v) for v in js.get("data") or []]
            else:
                sel = interpolate(var.arg, states)
                req = ("POST", "/api/v1/series", {"match[]": sel, "start": start, "end": end})
                st, js = http(port, *req)
                log.append((f"${var.name}", req, st, js))
                if st == 200:
                    seen = []
                    for s in js.get("data") or []:
                        v = s.get(label, "")
                        if v and v not in seen:
                            seen.append(v)
                    texts = seen
                # the same values through the label values API (Prometheus >= 2.24 set in the data source)
                req = ("GET", f"/api/v1/label/{urllib.parse.quote(label)}/values",
                       {"match[]": sel, "start": start, "end": end})
                st, js = http(port, *req)
                log.append((f"${var.name} (label values API)", req, st, js))
        else:  # query_result
            expr = interpolate(var.arg, states)
            req = ("POST", "/api/v1/query", {"query": expr, "time": end})
            st, js = http(port, *req)
            log.append((f"${var.name}", req, st, js))
            if st == 200:
                data = js.get("data") or {}
                if data.get("resultType") in ("scalar", "string"):
                    texts = [str(data["result"][1])]
                elif data.get("resultType") == "vector":
                    for r in data.get("result") or []:
                        metric = dict(r.get("metric", {}))
                        text = metric.pop("__name__", "")
                        text += "{" + ",".join(f'{k}="{v}"' for k, v in metric.items()) + "}"
                        t = r["value"][0] * 1000
                        text += f" {r['value'][1]} {int(t) if t == int(t) else t}"
                        texts.append(text)
        values = []
        for text in texts:
            if var.regex:
                m = js_regex(var.regex).search(text)
                if not m:
                    continue
                if m.groups():
                    text = m.group(1)
            if text not in values:
                values.append(text)
        states[var.name] = VarState(var, sort_options(values, var.sort))
    return states, log


# ------------------------------------------------------------------ comparing answers

def feq(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    if a == b:
        return True
    d = abs(a - b)
    return d <= 1e-12 or d <= 1e-9 * max(abs(a), abs(b))


def lkey(metric):
    return tuple(sorted(metric.items()))


def show_labels(k):
    d = dict(k)
    name = d.pop("__name__", "")
    return name + "{" + ",".join(f"{n}={json.dumps(v, ensure_ascii=False)}" for n, v in sorted(d.items())) + "}"


def compare_point(where, a, b, exact):
    try:
        ta, tb = float(a[0]), float(b[0])
        va, vb = float(a[1]), float(b[1])
    except (TypeError, ValueError, IndexError):
        return f"{where}: malformed point prometheus {a} strata {b}"
    if ta != tb:
        return f"{where}: timestamp prometheus {a[0]} strata {b[0]}"
    same = (math.isnan(va) and math.isnan(vb)) or va == vb
    if exact and not same:
        return f"{where} @{a[0]}: value prometheus {a[1]} strata {b[1]} (raw data must be identical)"
    if not feq(va, vb):
        return f"{where} @{a[0]}: value prometheus {a[1]} strata {b[1]}"
    if same and a[1] != b[1]:
        return f"{where} @{a[0]}: the same value printed as {a[1]!r} by prometheus, {b[1]!r} by strata"
    return None


def compare_data(pd, sd, exact=False):
    """None, or where two successful `data` objects differ."""
    pt, st = pd.get("resultType"), sd.get("resultType")
    if pt != st:
        return f"resultType prometheus {pt} strata {st}"
    pr, sr = pd.get("result"), sd.get("result")
    if pt in ("scalar", "string"):
        if not isinstance(sr, list) or len(sr) != 2:
            return f"malformed {st}: {str(sr)[:200]}"
        if pt == "string":
            return None if pr == sr else f"string prometheus {pr} strata {sr}"
        return compare_point("scalar", pr, sr, exact)
    if not isinstance(sr, list):
        return f"malformed result: {str(sr)[:200]}"
    field = "value" if pt == "vector" else "values"
    pm, sm = {}, {}
    for src, dst, who in ((pr, pm, "prometheus"), (sr, sm, "strata")):
        for s in src:
            k = lkey(s.get("metric", {}))
            if k in dst:
                return f"{who} answers the series {show_labels(k)} twice"
            dst[k] = s.get(field)
    missing = sorted(k for k in pm if k not in sm)
    extra = sorted(k for k in sm if k not in pm)
    if missing or extra:
        out = f"series: prometheus {len(pm)}, strata {len(sm)}"
        if missing:
            out += f"; missing in strata ({len(missing)}): " + ", ".join(show_labels(k) for k in missing[:3])
        if extra:
            out += f"; extra in strata ({len(extra)}): " + ", ".join(show_labels(k) for k in extra[:3])
        return out
    for k in sorted(pm):
        a, b = pm[k], sm[k]
        if pt == "vector":
            d = compare_point(show_labels(k), a, b, exact)
            if d:
                return d
            continue
        if not isinstance(b, list):
            return f"{show_labels(k)}: malformed values {str(b)[:100]}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = compare_point(f"{show_labels(k)} point #{i}", x, y, exact)
            if d:
                return d
        if len(a) != len(b):
            i = min(len(a), len(b))
            nxt = a[i] if len(a) > i else b[i]
            return (f"{show_labels(k)}: {len(a)} points in prometheus, {len(b)} in strata; "
                    f"first unmatched {'prometheus' if len(a) > i else 'strata'} {nxt}")
    return None


def has_data(js):
    data = js.get("data") or {}
    if data.get("resultType") in ("scalar", "string"):
        return True
    return any(r.get("value") or r.get("values") for r in data.get("result") or [])


def compare_answers(p, s, exact=False):
    """(same, kind, detail): kind is 'data', 'empty' (no data on either),
    'rejected' (Prometheus answered an error)."""
    (sp, jp), (ss, js) = p, s
    if sp != 200:
        same = ss == sp and js.get("errorType") == jp.get("errorType")
        return same, "rejected", "" if same else (
            f"prometheus rejects it ({jp.get('errorType')}: {jp.get('error')}), strata answers {brief(ss, js, 300)}")
    if ss != 200 or js.get("status") != "success":
        return False, "data", f"status prometheus {sp}, strata {brief(ss, js, 400)}"
    d = compare_data(jp.get("data") or {}, js.get("data") or {}, exact)
    kind = "data" if has_data(jp) or has_data(js) else "empty"
    return d is None, kind, d or ""


# ------------------------------------------------------------------ set-up

def prometheus_config(prom_port, strata_port, exporters):
    targets = ", ".join(f'"127.0.0.1:{e.port}"' for e in exporters)
    return f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - {RULES}
scrape_configs:
  - job_name: node
    static_configs:
      - targets: [{targets}]
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:{prom_port}"]
remote_write:
  - url: http://127.0.0.1:{strata_port}/api/v1/write
    queue_config:
      # one shard sends in write-ahead-log order: the wait for Strata relies on it
      min_shards: 1
      max_shards: 1
      batch_send_deadline: 100ms
      min_backoff: 50ms
      max_backoff: 500ms
"""


def prom_self_metrics(prom):
    """Prometheus's own /metrics as {name: [(labels text, value)]}."""
    with urllib.request.urlopen(prom.url("/metrics"), timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][\w:]*)(\{.*\})?\s+(\S+)", line)
        if m:
            out.setdefault(m.group(1), []).append((m.group(2) or "", float(m.group(3))))
    return out


def remote_total(metrics, name):
    return sum(v for _, v in metrics.get(name, []))


def wait_for_remote_write(prom, upto_ms, timeout=60):
    """Until Prometheus has sent a sample 3 s younger than upto_ms."""
    deadline = time.time() + timeout
    want = upto_ms / 1000 + 3
    sent = None
    while time.time() < deadline:
        m = prom_self_metrics(prom)
        vals = [v for _, v in m.get("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", [])]
        sent = max(vals) if vals else None
        if sent is not None and sent >= want:
            return m, sent
        time.sleep(0.2)
    raise RuntimeError(f"remote write did not catch up: highest sent {sent}, want {want}")


RAW_QUERIES = ["node_cpu_seconds_total[2m]", "node_network_receive_bytes_total[2m]", "up[2m]",
               "node_memory_MemFree_bytes[2m]", "node_load1[2m]", "prometheus_http_requests_total[2m]",
               "instance:node_cpu_utilisation:rate5m[2m]", "scrape_duration_seconds[2m]"]


STORE_QUERY = '{__name__=~".+"}[1h]'


def wait_for_store(prom, strata, end_ms, timeout=20):
    """Until every series and sample up to END is the same on both (a
    belt to the braces of wait_for_remote_write: a sample committed late
    to Prometheus's WAL is sent late)."""
    params = {"query": STORE_QUERY, "time": format_time(end_ms)}
    deadline = time.time() + timeout
    while True:
        same, _, _ = compare_answers(http(prom.port, "POST", "/api/v1/query", params),
                                     http(strata.port, "POST", "/api/v1/query", params), exact=True)
        if same or time.time() > deadline:
            return
        time.sleep(1)


def check_raw(prom, strata, end_ms):
    """The same samples on both: raw range selectors at the end time."""
    t = format_time(end_ms)
    for q in RAW_QUERIES + [STORE_QUERY]:
        params = {"query": q, "time": t}
        p = http(prom.port, "POST", "/api/v1/query", params)
        s = http(strata.port, "POST", "/api/v1/query", params)
        same, kind, detail = compare_answers(p, s, exact=True)
        n = sum(len(r.get("values", [])) for r in (p[1].get("data") or {}).get("result") or [])
        R.check(same and kind == "data" and n > 0,
                f"raw data: {q} at {t} identical ({n} samples)",
                f"\n  {show_request('POST', '/api/v1/query', params)}\n  {detail}"
                f"\n  prometheus {brief(*p)}\n  strata     {brief(*s)}")


# ------------------------------------------------------------------ running the dashboards

def views_of(dash, end_ms, outage):
    """(name, from ms, to ms): relative ranges ending at END, and an
    absolute range zoomed on the outage (40 s before it to its middle, at
    odd milliseconds, as a drag-zoom makes it)."""
    views = [("Last 5 minutes", 5 * MIN), ("Last 15 minutes", 15 * MIN), ("Last 1 hour", HOUR)]
    if dash.time_ms and dash.time_ms not in (v for _, v in views):
        views.append((f"now-{dash.time_text} (the dashboard's default)", dash.time_ms))
    out = [(name, end_ms - r, end_ms) for name, r in views]
    down_ms, up_ms = outage
    out.append(("zoomed on the outage", down_ms - 40123, (down_ms + up_ms) // 2 + 7))
    return out


def target_requests(target, states, range_ms, end_ms):
    """Grafana's requests for one panel target: [(method, path, params)]."""
    expr = interpolate(target.expr, states)
    step, expr = grafana_query(expr, range_ms, target)
    out = []
    if target.range:
        out.append(("POST", "/api/v1/query_range", {
            "query": expr, "start": format_time(align(end_ms - range_ms, step)),
            "end": format_time(align(end_ms, step)), "step": go_format_seconds(step / 1000)}))
    if target.instant:
        out.append(("POST", "/api/v1/query", {"query": expr, "time": format_time(end_ms)}))
    return out


class Stats:
    def __init__(self):
        self.checks = self.empty = self.rejected = self.failed = 0
        self.with_data = set()   # (file:line of the dashboard query)
        self.templates = set()
        self.failures = []       # (target name, view, request, detail, prometheus, strata)


def run_dashboard(dash, prom, strata, end_ms, outage, stats, pool):
    for view, from_ms, to_ms in views_of(dash, end_ms, outage):
        range_ms = to_ms - from_ms
        per_server = {}
        for who, srv in (("prometheus", prom), ("strata", strata)):
            per_server[who] = refresh_variables(dash, srv.port, from_ms, to_ms)
        (pst, plog), (sst, slog) = per_server["prometheus"], per_server["strata"]
        for (what, req, sp, jp), (_, _, ss, js) in zip(plog, slog):
            same = sp == ss and jp.get("status") == js.get("status")
            if same and sp == 200:
                a, b = jp.get("data"), js.get("data")
                if "/series" in req[1]:
                    a, b = sorted(map(lkey, a or [])), sorted(map(lkey, b or []))
                elif isinstance(a, dict):
                    same = compare_data(a, b) is None
                    a = b = None
                same = same and a == b
            quiet_check(same, f"{dash.title} [{view}] variable {what}: same answer",
                        f"\n  {show_request(*req)}\n  prometheus {brief(sp, jp)}\n  strata     {brief(ss, js)}")
        for name in pst:
            p, s = pst[name], sst[name]
            quiet_check(p.options == s.options and p.current == s.current,
                        f"{dash.title} [{view}] variable ${name}: same options",
                        f"\n  prometheus {p.describe()}\n  strata     {s.describe()}")
        if VERBOSE:
            print(f"# {dash.title} [{view}]: " + "; ".join(st.describe() for st in pst.values()))
        jobs = []
        for target in dash.targets:
            preqs = target_requests(target, pst, range_ms, to_ms)
            sreqs = target_requests(target, sst, range_ms, to_ms)
            for preq, sreq in zip(preqs, sreqs):
                jobs.append((target, preq, sreq, pool.submit(
                    lambda a, b: (http(prom.port, *a), http(strata.port, *b)), preq, sreq)))
        for target, preq, sreq, fut in jobs:
            p, s = fut.result()
            same, kind, detail = compare_answers(p, s)
            stats.checks += 1
            stats.templates.add(target.expr)
            if kind == "empty":
                stats.empty += 1
            elif kind == "rejected":
                stats.rejected += 1
            elif p[0] == 200 and has_data(p[1]):
                stats.with_data.add(target.expr)
            req = show_request(*sreq) + ("" if preq == sreq else f"\n  (prometheus: {show_request(*preq)})")
            what = f"{target.name()} [{view}] {'instant' if sreq[1].endswith('/query') else 'range'}"
            ok = quiet_check(same, what, f"({target.origin})\n  {req}\n  {detail}"
                             f"\n  prometheus {brief(*p)}\n  strata     {brief(*s)}")
            if not ok:
                stats.failed += 1
                stats.failures.append((target, view, sreq, detail, p, s))


def summarize(stats, dashboards, elapsed):
    nq = sum(len(d.targets) for d in dashboards)
    print(f"# {len(dashboards)} dashboards, {nq} panel targets ({len(stats.templates)} distinct queries), "
          f"{stats.checks} (query, parameters) checks in {elapsed:.0f} s")
    print(f"# {stats.checks - stats.empty - stats.rejected} with data, {stats.empty} with no data on "
          f"either server, {stats.rejected} rejected by Prometheus; "
          f"{len(stats.with_data)} distinct queries returned data; {stats.failed} differ")
    if stats.failures:
        print("# differences, one per distinct query (the first request that differed):")
        seen = set()
        for target, view, req, detail, p, s in stats.failures:
            if target.expr in seen:
                continue
            seen.add(target.expr)
            n = sum(1 for f in stats.failures if f[0].expr == target.expr)
            print(f"#  {target.name()} ({target.origin}), {n} check(s); [{view}] {show_request(*req)}"
                  f"\n#    {detail}")
    R.check(len(stats.with_data) >= MIN_USEFUL,
            f"at least {MIN_USEFUL} distinct dashboard queries return data ({len(stats.with_data)})")


def main():
    t0 = time.time()
    strata = prom = None
    exporters = []
    try:
        strata = Server().start()
        for _ in range(2):
            exporters.append(NodeExporter())
            exporters[-1].start()
        prom = Prometheus()
        prom.set_config(prometheus_config(prom.port, strata.port, exporters))
        prom.start()
        print(f"# scraping 2 node exporters and Prometheus every 1 s for {SCRAPE_SECONDS:.0f} s; "
              f"one exporter is down from {OUTAGE[0] * SCRAPE_SECONDS:.0f} s to {OUTAGE[1] * SCRAPE_SECONDS:.0f} s")
        t_scrape = time.time()
        down = down_ms = up_ms = None
        # the instance that sorts first goes down: the one the single-instance dashboards show
        victim = min(exporters, key=lambda e: f"127.0.0.1:{e.port}")
        while time.time() < t_scrape + SCRAPE_SECONDS:
            elapsed = (time.time() - t_scrape) / SCRAPE_SECONDS
            if down is None and elapsed >= OUTAGE[0]:
                down = True  # the host goes away: stale markers, up == 0, gaps
                down_ms = int(time.time() * 1000)
                victim.proc.terminate()
                victim.proc.wait(30)
            elif down and elapsed >= OUTAGE[1]:
                down = False
                up_ms = int(time.time() * 1000)
                victim.start()
                print(f"# {victim.name} 127.0.0.1:{victim.port} down from {down_ms / 1000:.3f} "
                      f"to {up_ms / 1000:.3f}")
            for d in [prom, strata] + [e for e in exporters if not (down and e is victim)]:
                if d.proc.poll() is not None:
                    raise RuntimeError(f"{getattr(d, 'name', 'strata')} exited: {d.tail()}")
            time.sleep(0.5)
        if down:
            up_ms = int(time.time() * 1000)
            victim.start()
        end_ms = int(time.time() * 1000) - 3000
        metrics, sent = wait_for_remote_write(prom, -(-end_ms // 1000) * 1000)
        failed = remote_total(metrics, "prometheus_remote_storage_samples_failed_total")
        total = remote_total(metrics, "prometheus_remote_storage_samples_total")
        R.check(failed == 0 and total > 0,
                f"remote write: {total:.0f} samples sent, none failed (highest sent {sent:.3f}, end {end_ms / 1000})",
                f"failed={failed} retried="
                f"{remote_total(metrics, 'prometheus_remote_storage_samples_retried_total')}\n{strata.tail()}")
        wait_for_store(prom, strata, end_ms)
        check_raw(prom, strata, end_ms)
        dashboards = parse_dashboards()
        stats = Stats()
        t1 = time.time()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for dash in dashboards:
                run_dashboard(dash, prom, strata, end_ms, (down_ms, up_ms), stats, pool)
        summarize(stats, dashboards, time.time() - t1)
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, strata)
    finally:
        if prom:
            prom.stop()
        for e in exporters:
            e.stop()
        if strata:
            rc = strata.stop()
            R.check(rc == 0, "strata exits cleanly", f"rc={rc} {strata.tail()[-1500:]}")
            strata.cleanup()
    print(f"# {time.time() - t0:.0f} s in all")
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
