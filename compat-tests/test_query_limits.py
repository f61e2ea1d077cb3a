"""Query limits and the keys-only endpoints, end to end.

- --query-timeout and ?timeout=: a query past its deadline answers 503
  "timeout" with Prometheus's words, and the server goes on serving; a
  server started with a short --query-timeout stops a query that runs past
  it (no ?timeout= given), and a longer ?timeout= does not extend it;
- --query-max-samples: 422 "execution" with Prometheus's words;
- 11,000 points per series: 400 "bad_data" with Prometheus's words;
- a client that disconnects mid-query: the query stops (counted as canceled
  in /metrics long before it could have finished) and the server serves;
- regexes over the matcher limits: the same status and errorType as a real
  Prometheus 2.42, and a backtracking-prone regex answered as Prometheus
  answers it, quickly;
- keys-only endpoints (/api/v1/series, /labels, /label/NAME/values, SHOW
  MEASUREMENTS, TAG KEYS, TAG VALUES, SERIES, FIELD KEYS) decode no sample
  (strata_scan_samples_decoded_total does not move; a query does move it),
  with the series in memory and again after a flush, read from blocks;
- --influxql-max-points: an InfluxQL SELECT that would hold more points
  (raw rows, median) or buckets answers the statement's error in
  InfluxDB's words; aggregates that fold as samples come (count, mean,
  max) hold buckets only and answer whatever the number of points;
- the label limit: a line-protocol point with more tags than a series may
  have is refused with a 400 naming the limit; one at the limit is stored
  and findable by its labels in memory and after a flush.
"""
import json
import os
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Prometheus, Results, report_crash  # noqa: E402

R = Results("test_query_limits")
NOW = int(time.time())
SERIES = 1500
STEP = 5  # seconds between samples
SPAN = 3600


def load(srv):
    """SERIES series 'lim' over the last hour, JSON lines import."""
    start = (NOW - SPAN) * 1000
    ts = [start + i * STEP * 1000 for i in range(SPAN // STEP)]
    lines = []
    for i in range(SERIES):
        vals = [i + k for k in range(len(ts))]
        lines.append(json.dumps({"metric": {"__name__": "lim", "host": f"h{i:04d}", "dc": f"dc{i % 5}"},
                                 "values": vals, "timestamps": ts}))
    st, body, _ = srv.request("POST", "/api/v1/import", "\n".join(lines).encode())
    R.check(st == 204, "data loaded", (st, body[:200]))


def query(srv, path, **params):
    data = urllib.parse.urlencode(params).encode()
    st, body, _ = srv.request("POST", path, data, {"Content-Type": "application/x-www-form-urlencoded"},
                              timeout=120)
    try:
        return st, json.loads(body)
    except ValueError:
        return st, {"raw": body[:200]}


HEAVY = "sum by (dc) (quantile_over_time(0.5, lim[10m]))"  # at 1 s steps over the hour: seconds of work
SHORT_TIMEOUT = "100ms"  # HEAVY takes seconds; count(lim) a few ms


def heavy_params():
    return {"query": HEAVY, "start": str(NOW - SPAN + 300), "end": str(NOW), "step": "1"}


def serving(srv):
    st, o = query(srv, "/api/v1/query", query="count(lim)", time=str(NOW))
    return st == 200 and o["data"]["result"][0]["value"][1] == str(SERIES)


def test_timeout(srv):
    st, o = query(srv, "/api/v1/query_range", timeout="0.05", **heavy_params())
    R.check(st == 503 and o.get("errorType") == "timeout" and o.get("error") == "query timed out in expression evaluation",
            "?timeout=50ms: 503 timeout in Prometheus's words", (st, o))
    R.check(serving(srv), "serving after a timeout")
    st, o = query(srv, "/api/v1/query_range", timeout="bogus", **heavy_params())
    R.check(st == 400 and o.get("errorType") == "bad_data" and 'invalid parameter "timeout"' in o.get("error", ""),
            "a bad ?timeout= is 400 bad_data", (st, o))


def test_server_timeout(short):
    """short: started with --query-timeout SHORT_TIMEOUT; no ?timeout= here."""
    t0 = time.time()
    st, o = query(short, "/api/v1/query_range", **heavy_params())
    took = time.time() - t0
    R.check(st == 503 and o.get("errorType") == "timeout" and o.get("error") == "query timed out in expression evaluation",
            f"--query-timeout {SHORT_TIMEOUT}: 503 timeout in Prometheus's words", (st, o))
    R.check(took < 3, f"--query-timeout {SHORT_TIMEOUT}: the query stopped near its deadline", f"{took:.2f}s")
    st, o = query(short, "/api/v1/query_range", timeout="60s", **heavy_params())
    R.check(st == 503 and o.get("errorType") == "timeout",
            f"?timeout=60s does not extend --query-timeout {SHORT_TIMEOUT}", (st, o))
    R.check(serving(short), f"a small query is answered within --query-timeout {SHORT_TIMEOUT}")


def test_points(srv):
    st, o = query(srv, "/api/v1/query_range", query="lim", start="0", end="11001", step="1")
    R.check(st == 400 and o.get("errorType") == "bad_data" and o.get("error") ==
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
            "11,001 points per series: 400 in Prometheus's words", (st, o))
    st, o = query(srv, "/api/v1/query_range", query="count(lim)", start="0", end="11000", step="1")
    R.check(st == 200, "11,000 intervals are allowed", (st, o))


def test_disconnect(srv):
    before = srv.metric("strata_promql_queries_total", '{result="canceled"}') or 0
    body = urllib.parse.urlencode(heavy_params()).encode()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"POST /api/v1/query_range HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    time.sleep(0.2)
    t0 = time.time()
    s.close()
    got = False
    while time.time() - t0 < 20:
        if (srv.metric("strata_promql_queries_total", '{result="canceled"}') or 0) > before:
            got = True
            break
        time.sleep(0.05)
    waited = time.time() - t0
    R.check(got, "a query whose client went away stops (counted as canceled)", f"{waited:.1f}s")
    # how long the whole query takes when the client waits for it
    t1 = time.time()
    st, _ = query(srv, "/api/v1/query_range", **heavy_params())
    full = time.time() - t1
    R.check(st == 200, "the same query completes when its client waits", st)
    R.check(got and waited < full / 2 + 0.5, "the canceled query stopped well before it would have finished",
            f"stopped after {waited:.2f}s, a full run takes {full:.2f}s")
    R.check(serving(srv), "serving after a disconnect")


def test_samples(srv_small):
    st, o = query(srv_small, "/api/v1/query", query="sum(lim)", time=str(NOW))
    R.check(st == 422 and o.get("errorType") == "execution" and o.get("error") ==
            "query processing would load too many samples into memory in query execution",
            "--query-max-samples: 422 execution in Prometheus's words", (st, o))
    st, o = query(srv_small, "/api/v1/query", query='lim{host="h0001"}', time=str(NOW))
    R.check(st == 200 and len(o["data"]["result"]) == 1, "a small query under the same limit is answered", (st, o))


def test_regex_limits(srv, prom):
    for expr in ['lim{host=~"a{1001}"}', 'lim{host=~"(a{100}){100}"}', 'lim{host=~"(((("}', 'lim{host=~"a**"}']:
        a = query(srv, "/api/v1/query", query=expr, time=str(NOW))
        b = query(prom, "/api/v1/query", query=expr, time=str(NOW))
        R.check(a[0] == b[0] and a[1].get("errorType") == b[1].get("errorType"),
                f"{expr}: the same status and errorType as Prometheus", f"strata {a} prometheus {b}")
    # backtracking-prone against long values: bounded work, Prometheus's answer
    expr = 'count(lim{host=~"(h|h0|0|00|000)*(x|9999)"})'
    t0 = time.time()
    a = query(srv, "/api/v1/query", query=expr, time=str(NOW))
    took = time.time() - t0
    R.check(a[0] == 200 and a[1]["data"]["result"] == [], f"{expr}: answered (no host ends in x or 9999)", a)
    R.check(took < 10, "a backtracking-prone regex is answered in bounded time", f"{took:.1f}s")
    R.check(serving(srv), "serving after the regexes")


def test_keys_only(srv, when):
    """Keys-only endpoints decode no sample; their answers hold every series
    of lim (SERIES hosts, 5 dcs), from memory or, after a flush, from blocks."""
    name = "strata_scan_samples_decoded_total"
    before = srv.metric(name)
    calls = [("GET", "/api/v1/series?" + urllib.parse.urlencode({"match[]": "lim", "start": str(NOW - 600)}), SERIES),
             ("GET", "/api/v1/labels", None),
             ("GET", "/api/v1/labels?" + urllib.parse.urlencode({"match[]": '{dc="dc1"}'}), 3),
             ("GET", "/api/v1/label/host/values", SERIES),
             ("GET", "/api/v1/label/dc/values?" + urllib.parse.urlencode({"match[]": "lim"}), 5),
             ("GET", "/api/v1/status/tsdb", None)]
    for stmt in ["SHOW MEASUREMENTS", "SHOW TAG KEYS FROM lim", 'SHOW TAG VALUES FROM lim WITH KEY = "dc"',
                 "SHOW SERIES FROM lim LIMIT 10", "SHOW FIELD KEYS FROM lim",
                 f"SHOW SERIES FROM lim WHERE time > {(NOW - 600) * 10**9}"]:
        calls.append(("GET", "/query?" + urllib.parse.urlencode({"db": "default", "q": stmt}), None))
    for method, path, count in calls:
        st, body, _ = srv.request(method, path)
        R.check(st == 200 and len(body) > 40, f"{path[:70]}: answered {when}", (st, body[:200]))
        if count is not None:
            data = json.loads(body).get("data") if st == 200 else None
            R.check(isinstance(data, list) and len(data) == count, f"{path[:70]}: {count} entries {when}",
                    (st, len(data) if isinstance(data, list) else body[:200]))
    after = srv.metric(name)
    R.check(before is not None and after == before, f"keys-only endpoints decoded no sample {when}",
            f"{name}: {before} -> {after}")
    st, _ = query(srv, "/api/v1/query", query="count(lim)", time=str(NOW))
    R.check(st == 200 and srv.metric(name) > after, f"a query does decode samples {when} (the counter works)")


def test_tsdb_status(srv):
    """/api/v1/status/tsdb, while lim is all in memory."""
    st, body, _ = srv.request("GET", "/api/v1/status/tsdb")
    o = json.loads(body) if st == 200 else {}
    d = o.get("data", {})
    top = d.get("seriesCountByMetricName", [])
    R.check(st == 200 and d.get("headStats", {}).get("numSeries") == SERIES and top[:1] == [{"name": "lim", "value": SERIES}],
            "/api/v1/status/tsdb: head series and the top metric", (st, d))
    pairs = {x["name"]: x["value"] for x in d.get("seriesCountByLabelValuePair", [])}
    R.check(pairs.get("__name__=lim") == SERIES and pairs.get("dc=dc0") == SERIES // 5,
            "/api/v1/status/tsdb: label pair counts", pairs)


def test_keys_only_blocks(srv):
    """The same endpoints once lim is flushed: the series come from blocks."""
    st, body, _ = srv.request("POST", "/api/v1/admin/flush")
    R.check(st == 204, "admin flush: 204", (st, body[:200]))
    blocks, head = srv.metric("strata_blocks"), srv.metric("strata_head_chunks")
    R.check(blocks is not None and blocks >= 1 and head == 0, "the flush moved lim into blocks",
            f"strata_blocks {blocks}, strata_head_chunks {head}")
    test_keys_only(srv, "after a flush")


def test_label_limit(srv):
    def point(ntags, meas):
        tags = ",".join(f"t{i:03d}=v" for i in range(ntags))
        return f"{meas},{tags} value=1 {NOW * 10**9}\n".encode()
    st, body, _ = srv.request("POST", "/write?db=wide", point(300, "wide300"))
    R.check(st == 400 and b"256" in body, "a point with 300 tags: 400 naming the limit", (st, body[:300]))
    st, body, _ = srv.request("POST", "/write?db=wide", point(255, "wide255"))
    R.check(st == 204, "a point with 255 tags (256 labels with the name) is stored", (st, body[:300]))
    for when in ("in memory", "after a flush"):
        st, o = query(srv, "/api/v1/series", **{"match[]": '{t254="v"}', "db": "wide"})
        names = sorted(s["__name__"] for s in o.get("data", []))
        R.check(st == 200 and names == ["wide255"], f"the widest series is found by its last tag {when}", (st, names))
        st, o = query(srv, "/api/v1/series", **{"match[]": '{t299="v"}', "db": "wide"})
        R.check(st == 200 and o.get("data") == [], f"nothing of the refused point exists {when}", o)
        st, body, _ = srv.request("POST", "/api/v1/admin/flush")
        R.check(st == 204, f"admin flush after the checks {when}: 204", (st, body[:200]))


def test_influxql_points(srv):
    """Started with --influxql-max-points 1000: 2,000 points in one series."""
    t0 = (NOW - 2000) * 10**9
    body = "".join(f"m,h=a v={i} {t0 + i * 10**9}\n" for i in range(2000)).encode()
    st, _, _ = srv.request("POST", "/query", b"q=CREATE+DATABASE+lim", {"Content-Type": "application/x-www-form-urlencoded"})
    st, b, _ = srv.request("POST", "/write?db=lim", body)
    R.check(st == 204, "2,000 points written", (st, b[:200]))

    def ask(q):
        st, js = query(srv, "/query", db="lim", q=q)
        res = js.get("results", [{}])[0] if st == 200 else {}
        return st, res
    for q, want in (("SELECT v FROM m", "max-select-point limit exceeded"),
                    ("SELECT median(v) FROM m", "max-select-point limit exceeded"),
                    ("SELECT mean(v) FROM m WHERE time >= now() - 1h GROUP BY time(1s)",
                     "max-select-buckets limit exceeded")):
        st, res = ask(q)
        R.check(st == 200 and want in res.get("error", ""), f"--influxql-max-points: {q} answers {want!r}", (st, res))
    st, res = ask("SELECT count(v), mean(v), max(v) FROM m")
    vals = res.get("series", [{}])[0].get("values", [[None]])[0]
    R.check(st == 200 and vals[1:] == [2000, 999.5, 1999], "count, mean and max over more points than the limit",
            (st, res))
    st, res = ask("SELECT max(v) FROM m WHERE time >= now() - 1h GROUP BY time(10s)")
    rows = res.get("series", [{}])[0].get("values", [])
    R.check(st == 200 and 360 <= len(rows) <= 361 and max(r[1] for r in rows if r[1] is not None) == 1999,
            "360 buckets under the limit of 1,000 are answered", (st, str(res)[:300]))


def main():
    srv = Server("--query-timeout", "60s")
    small = None
    short = None
    tiny = None
    prom = None
    try:
        srv.start()
        load(srv)
        small = Server("--query-max-samples", "5000", data_dir=srv.data_dir + "-small")
        small.own_dir = True
        small.start()
        load(small)
        short = Server("--query-timeout", SHORT_TIMEOUT, data_dir=srv.data_dir + "-short")
        short.own_dir = True
        short.start()
        load(short)
        prom = Prometheus()
        prom.start()
        test_timeout(srv)
        test_server_timeout(short)
        test_points(srv)
        test_samples(small)
        test_regex_limits(srv, prom)
        test_keys_only(srv, "in memory")
        test_tsdb_status(srv)
        test_keys_only_blocks(srv)
        test_disconnect(srv)
        test_label_limit(srv)
        tiny = Server("--influxql-max-points", "1000", "--retention", "0", data_dir=srv.data_dir + "-tiny")
        tiny.own_dir = True
        tiny.start()
        test_influxql_points(tiny)
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        if prom:
            prom.stop()
        for s in (srv, small, short, tiny):
            if s:
                s.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
