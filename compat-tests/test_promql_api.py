"""Differential test of /api/v1/query and /api/v1/query_range against a real
Prometheus 2.42 (Debian's) with an empty TSDB: parse errors must get the same
400 bad_data and message, scalar and string expressions the same JSON, and
functions, aggregations and operators over no data the same answers
(compat-tests/test_promql_diff.py compares evaluation over real data)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, free_port, report_crash  # noqa: E402

R = Results("test_promql_api")

SAME = [  # answered identically by both
    "1+1", "2^3^2", "-2^2", "1 - -1", "7 % 3", "1/0", "-1/0", "0/0", "2 * 3 + 4 * 5",
    "(1+2)*3", "1 > bool 2", "3 >= bool 3", "1 == bool 1", "1 atan2 2",
    "0x10 + 010", "1e3", "1.5e-7", "Inf", "-Inf", "NaN", "+5", "123456789012345678901234",
    '"hello"', "'single'", "`raw\\n`",
    # parse errors
    "", "1+", "foo{", "foo{a=}", "sum(", "rate(x)", "unknown_fn(x)", "1 > 2", "foo[5m] + 1",
    "foo offset", "foo @", "x[5m:1m:2m]", "{}", '{a=""}', "a b", "1 and 2", "sum by (a) (x) by (b)",
    "topk(x)", 'label_replace(x, "a")', "foo[0m]", "((1)", "1)", '"unterminated', "foo{a!~}", "x[5m] offset 1m offset 1m",
    # selectors over no data
    "up", "up[5m]", 'up{job=~"a.*"} offset 5m', "(up)",
    # evaluation over no data
    "rate(x[5m])", "sum(x)", "x + 1", "time()", "vector(1)", "max_over_time(x[1h:1m])", "absent(x)",
    'absent(x{a="b",c=~"d"})', "scalar(x)", "count(x) or vector(0)", "sort_desc(x)", "pi()", "year()",
    'label_replace(vector(1), "a", "$1", "b", "(.*)")', "histogram_quantile(0.5, x)",
]


def q(port, path, params):
    data = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def main():
    if not shutil.which("prometheus"):
        R.check(False, "prometheus is installed (make deps installs it)")
        return R.done()
    tmp = tempfile.mkdtemp(prefix="strata-pq-")
    srv = Server()
    prom = None
    try:
        srv.start()
        pport = free_port()
        with open(os.path.join(tmp, "p.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1h\n")
        prom = subprocess.Popen(["prometheus", f"--config.file={tmp}/p.yml", f"--storage.tsdb.path={tmp}/data",
                                 f"--web.listen-address=127.0.0.1:{pport}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{pport}/-/ready", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        for expr in SAME:
            a = q(srv.port, "/api/v1/query", {"query": expr, "time": "4"})
            b = q(pport, "/api/v1/query", {"query": expr, "time": "4"})
            R.check(a == b, f"query {expr!r}: same answer as Prometheus", f"\n strata {a}\n prom   {b}")
        for expr in ["1+1", "2*3", '"s"', "1 > 2", "NaN"]:
            p = {"query": expr, "start": "0", "end": "100", "step": "15"}
            a = q(srv.port, "/api/v1/query_range", p)
            b = q(pport, "/api/v1/query_range", p)
            R.check(a == b, f"query_range {expr!r}: same answer as Prometheus", f"\n strata {a}\n prom   {b}")
        for p in [{"query": "1", "start": "10", "end": "0", "step": "1"},
                  {"query": "1", "start": "0", "end": "10", "step": "0"},
                  {"query": "1", "start": "0", "end": "100000", "step": "1"},
                  {"query": "1", "start": "x", "end": "1", "step": "1"},
                  {"query": "1", "start": "2023-01-01T00:00:00Z", "end": "2023-01-01T00:01:00Z", "step": "30s"}]:
            a = q(srv.port, "/api/v1/query_range", p)
            b = q(pport, "/api/v1/query_range", p)
            R.check(a[0] == b[0] and a[1].get("errorType") == b[1].get("errorType"),
                    f"query_range {p}: same status as Prometheus", f"\n strata {a}\n prom   {b}")
        # a matrix of more than 20,000 points is streamed as it is formatted;
        # with stats=all its tail holds a pair per step (11,000 here)
        big = {"query": 'vector(1) or label_replace(vector(2), "a", "b", "", "")',
               "start": "0", "end": "10999", "step": "1"}
        for stats in (None, "all"):
            p = dict(big, **({"stats": stats} if stats else {}))
            a = q(srv.port, "/api/v1/query_range", p)
            b = q(pport, "/api/v1/query_range", p)
            ok = a[0] == 200 and a[1]["data"]["result"] == b[1]["data"]["result"] and \
                sum(len(x["values"]) for x in a[1]["data"]["result"]) == 22000
            if stats:
                # (Prometheus 2.42 lists steps only with --enable-feature=promql-per-step-stats)
                per = a[1]["data"].get("stats", {}).get("samples", {}).get("totalQueryableSamplesPerStep") or []
                ok = ok and [t for t, _ in per] == list(range(11000))
            R.check(ok, f"streamed matrix of 22,000 points, stats={stats}: the same result as Prometheus",
                    f"\n strata {str(a)[:300]}\n prom   {str(b)[:300]}")
    except Exception as e:
        report_crash(R, e)
    finally:
        if prom:
            prom.terminate()
            prom.wait()
        srv.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
