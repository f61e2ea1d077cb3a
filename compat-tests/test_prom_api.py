"""Prometheus HTTP API endpoints that need no PromQL: /api/v1/series,
/api/v1/labels, /api/v1/label/NAME/values, with Prometheus 2.42's exact
JSON (sorting, escaping, [] never null, errors with errorType), GET and
form-encoded POST, the /db/NAME/ prefix and unknown databases.
(STRATA_SMOKE: also runs under ASan.)"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, qs, report_crash  # noqa: E402

R = Results("test_prom_api")
now_ms = (int(time.time()) - 600) * 1000


def imp(srv, db, metric, n=3):
    line = json.dumps({"metric": metric, "values": list(range(n)),
                       "timestamps": [now_ms + i * 1000 for i in range(n)]})
    st, b, _ = srv.request("POST", f"/db/{db}/api/v1/import", (line + "\n").encode())
    assert st == 204, (st, b)


def get(srv, path, **params):
    st, body, hdr = srv.request("GET", path + ("?" + qs(**params) if params else ""))
    return st, json.loads(body) if body else None


def main():
    srv = Server()
    try:
        srv.start()
        imp(srv, "p", {"__name__": "up", "job": "node", "instance": "b:9100"})
        imp(srv, "p", {"__name__": "up", "job": "node", "instance": "a:9100"})
        imp(srv, "p", {"__name__": "up", "job": "api", "instance": "<c&d>"})
        imp(srv, "p", {"__name__": "go_goroutines", "job": "node", "zone": "z1"})
        st, o = get(srv, "/db/p/api/v1/series", **{"match[]": "up"})
        R.check(st == 200 and o == {"status": "success", "data": [
            {"__name__": "up", "instance": "<c&d>", "job": "api"},
            {"__name__": "up", "instance": "a:9100", "job": "node"},
            {"__name__": "up", "instance": "b:9100", "job": "node"}]},
            "series: label sets sorted as Prometheus sorts them", o)
        st, raw, _ = srv.request("GET", "/db/p/api/v1/series?" + qs(**{"match[]": 'up{job="api"}'}))
        R.check(b'"\\u003cc\\u0026d\\u003e"' in raw, "strings escaped as Go's encoding/json does", raw)
        st, o = get(srv, "/db/p/api/v1/series", **{"match[]": ["up{job=\"api\"}", "go_goroutines"]})
        R.check(st == 200 and [d["__name__"] for d in o["data"]] == ["go_goroutines", "up"],
                "several match[] give the union", o)
        st, o = get(srv, "/db/p/api/v1/labels")
        R.check(o == {"status": "success", "data": ["__name__", "instance", "job", "zone"]},
                "labels: every label name, sorted", o)
        st, o = get(srv, "/db/p/api/v1/labels", **{"match[]": "go_goroutines"})
        R.check(o["data"] == ["__name__", "job", "zone"], "labels with match[]", o)
        st, o = get(srv, "/db/p/api/v1/label/job/values")
        R.check(o == {"status": "success", "data": ["api", "node"]}, "label values", o)
        st, o = get(srv, "/db/p/api/v1/label/__name__/values")
        R.check(o["data"] == ["go_goroutines", "up"], "metric names", o)
        st, o = get(srv, "/db/p/api/v1/label/nope/values")
        R.check(st == 200 and o["data"] == [], "an unknown label has [] (never null)", o)
        st, o = get(srv, "/db/p/api/v1/series", **{"match[]": "up", "start": str(now_ms // 1000 + 3600)})
        R.check(st == 200 and o["data"] == [], "series outside the time range are not listed", o)
        # form-encoded POST, as Grafana sends it
        st, body, _ = srv.request("POST", "/db/p/api/v1/series", qs(**{"match[]": 'up{instance="a:9100"}'}).encode(),
                                  {"Content-Type": "application/x-www-form-urlencoded"})
        o = json.loads(body)
        R.check(st == 200 and len(o["data"]) == 1, "POST with a form body", o)
        # ?db= works as the prefix does; unknown databases answer an empty success
        st, o = get(srv, "/api/v1/label/job/values", db="p")
        R.check(o["data"] == ["api", "node"], "?db= addresses the database", o)
        st, o = get(srv, "/db/nowhere/api/v1/series", **{"match[]": "up"})
        R.check(st == 200 and o == {"status": "success", "data": []}, "unknown database: empty success", o)
        st, o = get(srv, "/api/v1/status/buildinfo")
        R.check(st == 200 and o["status"] == "success" and o["data"]["version"].startswith("2.")
                and o["data"]["application"] == "strata", "buildinfo answers as a Prometheus 2.x", o)
        # a string-valued series (line protocol) is not a PromQL series, but its
        # labels are listed (the README's one difference in these endpoints),
        # in memory and from blocks
        st, b, _ = srv.request("POST", "/write?db=s", f"strs,onlystr=v s=\"text\" {now_ms * 10**6}\n".encode())
        R.check(st == 204, "a string field written", b)
        for where in ("memory", "blocks"):
            st, o = get(srv, "/db/s/api/v1/labels")
            R.check(o["data"] == ["__name__", "onlystr"], f"labels of a string series ({where})", o)
            st, o = get(srv, "/db/s/api/v1/label/onlystr/values")
            R.check(o["data"] == ["v"], f"label values of a string series ({where})", o)
            st, _, _ = srv.request("POST", "/api/v1/admin/flush")
            R.check(st == 204, "flush", st)
        # errors, as Prometheus words and codes them
        st, o = get(srv, "/db/p/api/v1/series")
        R.check(st == 400 and o["errorType"] == "bad_data" and o["error"] == "no match[] parameter provided",
                "series without match[]", o)
        st, o = get(srv, "/db/p/api/v1/label/bad-name/values")
        R.check(st == 400 and o["error"] == 'invalid label name: "bad-name"', "invalid label name", o)
        st, o = get(srv, "/db/p/api/v1/series", **{"match[]": "up", "start": "x"})
        R.check(st == 400 and o["errorType"] == "bad_data" and "start" in o["error"], "bad start time", o)
        st, o = get(srv, "/db/p/api/v1/series", **{"match[]": '{job=~"("}'})
        R.check(st == 400 and o["errorType"] == "bad_data", "bad regex in match[]", o)
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
