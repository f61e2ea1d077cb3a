"""Grafana's Prometheus data source against Strata, differential against
Debian's Prometheus 2.42.

Grafana is not packaged in Debian, so its requests are replayed here as its
backend sends them (Grafana pkg/promlib: client.go, healthcheck.go,
heuristics.go, querydata/request.go; frontend language_provider.ts; see
../shared/research/protocols.md 3.5): POST with form bodies by default,
times as float seconds, steps as float seconds, User-Agent Grafana/<ver>,
X-Grafana-Org-Id, and the "Save & test" health check `1+1` at time=4
followed by /api/v1/status/buildinfo. The same samples are remote-written to
a Prometheus (remote-write receiver on) and to Strata; every replayed
request must get the same status and the same JSON from both.
STRATA_SMOKE: fast enough to run under ASan too (make test-asan).
Python 3 stdlib only, plus strata.py and promwire.py."""
import json
import math
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Prometheus, Results, report_crash  # noqa: E402
from promwire import series_v1, snappy, fbits, STALE  # noqa: E402

R = Results("test_grafana_prom")

GRAFANA = {"User-Agent": "Grafana/10.4.2", "X-Grafana-Org-Id": "1", "Accept": "application/json, text/plain, */*"}
STEP_MS = 15000
NOW_MS = (int(time.time()) // 60) * 60 * 1000 - 60000
START_MS = NOW_MS - 30 * 60 * 1000


def dataset():
    """node_exporter- and app-like series, a stale marker, NaN, a gap."""
    out = []
    for inst in ("a:9100", "b:9100"):
        out.append(([("__name__", "up"), ("instance", inst), ("job", "node")], lambda i: 1.0))
        for cpu in ("0", "1"):
            for mode in ("idle", "user", "system"):
                out.append(([("__name__", "node_cpu_seconds_total"), ("cpu", cpu), ("instance", inst),
                             ("job", "node"), ("mode", mode)],
                            lambda i, c=cpu, m=mode: 1000.5 + i * (3.25 if m == "idle" else 0.5) + int(c)))
        out.append(([("__name__", "node_load1"), ("instance", inst), ("job", "node")],
                    lambda i: [0.1, 0.25, 1e-7, 3.5e21, float("nan")][i % 5]))
    for code in ("200", "500"):
        for handler in ("/api", "/metrics"):
            out.append(([("__name__", "http_requests_total"), ("code", code), ("handler", handler),
                         ("instance", "app:8080"), ("job", "app")],
                        lambda i, c=code: i * (7 if c == "200" else 1)))
    out.append(([("__name__", "app_temperature_celsius"), ("instance", "app:8080"), ("job", "app"),
                 ("room", "z\u00fcrich \"north\"")], lambda i: -12.5 + i / 8))
    return out


def load(port_request, series):
    """Remote-writes the data set in time order, one request per step."""
    n = (NOW_MS - START_MS) // STEP_MS + 1
    for i in range(n):
        t = START_MS + i * STEP_MS
        body = b""
        for labels, fn in series:
            name = labels[0][1]
            if name == "app_temperature_celsius" and 40 <= i < 60:
                continue  # a gap longer than the lookback
            if name == "up" and labels[1][1] == "b:9100" and i == n - 20:
                body += series_v1(labels, [(STALE, t)])  # the target went away
                continue
            if name == "up" and labels[1][1] == "b:9100" and i > n - 20:
                continue
            body += series_v1(labels, [(fbits(fn(i)), t)])
        st, resp, _ = port_request("POST", "/api/v1/write", snappy(body),
                                   {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
                                    "X-Prometheus-Remote-Write-Version": "0.1.0"})
        if st != 204:
            raise RuntimeError(f"remote write answered {st}: {resp[:300]}")


def secs(ms):
    """Grafana's FormatFloat(t, 'f', -1, 64) of seconds."""
    s = repr(ms / 1000)
    return s[:-2] if s.endswith(".0") else s


def grafana_requests():
    s, e = secs(START_MS), secs(NOW_MS)
    mid = secs(START_MS + 10 * 60 * 1000 + 123)
    form = "application/x-www-form-urlencoded"
    reqs = [
        # "Save & test"
        ("health check", "POST", "/api/v1/query", {"query": "1+1", "time": "4"}),
        # metric browser / code editor
        ("metric names", "GET", "/api/v1/label/__name__/values", {"start": s, "end": e}),
        ("label names", "POST", "/api/v1/labels", {"start": s, "end": e}),
        ("label names of a metric", "POST", "/api/v1/labels", {"match[]": "node_cpu_seconds_total", "start": s, "end": e}),
        ("label values", "GET", "/api/v1/label/instance/values", {"start": s, "end": e}),
        ("label values with match", "GET", "/api/v1/label/mode/values",
         {"match[]": 'node_cpu_seconds_total{instance="a:9100"}', "start": s, "end": e}),
        ("unicode label values", "GET", "/api/v1/label/room/values", {"start": s, "end": e}),
        ("series", "POST", "/api/v1/series", {"match[]": "up", "start": s, "end": e}),
        ("series regex", "POST", "/api/v1/series",
         {"match[]": '{__name__=~"http_.*", code!="500"}', "start": s, "end": e}),
        ("series two matches", "POST", "/api/v1/series",
         {"match[]": ["node_load1", 'app_temperature_celsius{room=~"z.*"}'], "start": s, "end": e}),
        # panels: raw series
        ("range up", "POST", "/api/v1/query_range", {"query": "up", "start": s, "end": e, "step": "15"}),
        ("range cpu", "POST", "/api/v1/query_range",
         {"query": 'node_cpu_seconds_total{mode="idle"}', "start": s, "end": e, "step": "60"}),
        ("range odd step", "POST", "/api/v1/query_range",
         {"query": "node_load1", "start": mid, "end": e, "step": "37.5"}),
        ("range gap", "POST", "/api/v1/query_range",
         {"query": "app_temperature_celsius", "start": s, "end": e, "step": "30"}),
        ("range regex", "POST", "/api/v1/query_range",
         {"query": '{__name__="http_requests_total", handler=~"/a.*"}', "start": s, "end": e, "step": "120"}),
        ("range too many points", "POST", "/api/v1/query_range", {"query": "up", "start": s, "end": e, "step": "0.1"}),
        ("range bad query", "POST", "/api/v1/query_range", {"query": "up{", "start": s, "end": e, "step": "15"}),
        ("instant", "POST", "/api/v1/query", {"query": "node_load1", "time": e}),
        ("instant after stale", "POST", "/api/v1/query", {"query": "up", "time": e}),
        ("instant range vector", "POST", "/api/v1/query", {"query": "http_requests_total[2m]", "time": mid}),
        ("instant offset", "POST", "/api/v1/query", {"query": "node_load1 offset 5m", "time": e}),
        # a GET with everything in the URL (Grafana's GET mode, and its retry after 405/400)
        ("GET range", "GET", "/api/v1/query_range", {"query": "up", "start": s, "end": e, "step": "300"}),
        ("exemplars", "POST", "/api/v1/query_exemplars", {"query": "http_requests_total", "start": s, "end": e}),
        ("exemplars bad query", "POST", "/api/v1/query_exemplars", {"query": "rate(", "start": s, "end": e}),
        ("exemplars end before start", "POST", "/api/v1/query_exemplars", {"query": "up", "start": e, "end": s}),
        ("exemplars bad start", "GET", "/api/v1/query_exemplars", {"query": "up", "start": "yesterday"}),
        ("series bad start", "POST", "/api/v1/series", {"match[]": "up", "start": "yesterday"}),
        ("series bad end", "POST", "/api/v1/series", {"match[]": "up", "end": "1e400"}),
        ("labels bad end", "POST", "/api/v1/labels", {"end": "x"}),
        ("label values bad start", "GET", "/api/v1/label/job/values", {"start": "2020-13-01T00:00:00Z"}),
        ("series RFC3339", "POST", "/api/v1/series",
         {"match[]": "node_load1", "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START_MS / 1000)),
          "end": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(NOW_MS / 1000))}),
    ]
    return reqs, form


def send(target, method, path, params, form):
    body = None
    headers = dict(GRAFANA)
    if method == "POST":
        body = urllib.parse.urlencode(params, doseq=True).encode()
        headers["Content-Type"] = form
    else:
        path += "?" + urllib.parse.urlencode(params, doseq=True)
    st, resp, hdr = target.request(method, path, body, headers)
    try:
        return st, json.loads(resp), hdr
    except ValueError:
        return st, resp.decode("utf-8", "replace"), hdr


def run(prom, strata):
    series = dataset()
    load(prom.request, series)
    load(strata.request, series)
    reqs, form = grafana_requests()
    for what, method, path, params in reqs:
        sp, jp, _ = send(prom, method, path, params, form)
        ss, js, hs = send(strata, method, path, params, form)
        same = sp == ss and jp == js
        R.check(same, f"{what}: {method} {path}",
                f"\n  prometheus {sp} {json.dumps(jp)[:700]}\n  strata     {ss} {json.dumps(js)[:700]}")
        if what == "health check":
            R.check(ss == 200 and js.get("data") == {"resultType": "scalar", "result": [4, "2"]},
                    "health check: the scalar Grafana expects", repr(js))
    # buildinfo: Grafana reads the version; a non-empty "features" would make it treat us as Mimir
    st, bi, _ = send(strata, "GET", "/api/v1/status/buildinfo", {}, form)
    ver = bi.get("data", {}).get("version", "") if isinstance(bi, dict) else ""
    R.check(st == 200 and bi.get("status") == "success" and len(ver.split(".")) == 3 and
            all(p.isdigit() for p in ver.split(".")) and not bi["data"].get("features"),
            "buildinfo: a semantic version, no features field", repr(bi))
    # the database prefix Grafana users put in the data source URL
    st, js, _ = send(strata, "POST", "/db/default/api/v1/query", {"query": "1+1", "time": "4"}, form)
    R.check(st == 200 and js.get("data", {}).get("result") == [4, "2"], "health check through /db/default/", repr(js))
    st, js, _ = send(strata, "POST", "/db/nosuch/api/v1/query_range",
                     {"query": "up", "start": secs(START_MS), "end": secs(NOW_MS), "step": "15"}, form)
    R.check(st == 200 and js.get("data") == {"resultType": "matrix", "result": []},
            "an unknown database answers an empty success", repr(js))
    # sanity: the comparisons above compared real data
    st, js, _ = send(strata, "POST", "/api/v1/query", {"query": "node_cpu_seconds_total", "time": secs(NOW_MS)}, form)
    R.check(st == 200 and len(js["data"]["result"]) == 12 and not any(math.isnan(float(r["value"][1]))
                                                                     for r in js["data"]["result"]),
            "the data set is there (12 cpu series)", repr(js)[:300])


def main():
    prom = strata = None
    try:
        prom = Prometheus(extra_args=["--web.enable-remote-write-receiver"]).start()
        strata = Server().start()
        run(prom, strata)
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, strata)
    finally:
        if strata:
            rc = strata.stop()
            # under ASan (make test-asan) a leak or an error makes this nonzero
            R.check(rc == 0, "strata exits cleanly", f"rc={rc} {strata.tail()[-1500:]}")
            strata.cleanup()
        if prom:
            prom.stop()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
