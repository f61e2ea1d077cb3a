"""The files under grafana/ work: every expression of the Strata dashboard is
evaluated by a real Prometheus (Debian's 2.42) that scrapes a real Strata's
/metrics, and must succeed and return series (so a renamed metric or a
typo breaks this test); the provisioned data sources point at Strata's
default address and their health checks succeed against Strata (Grafana's
Prometheus "Save & test" is `1+1` at time=4; its InfluxDB check is
`SHOW measurements` on the configured database).
STRATA_SMOKE: fast enough to run under ASan too (make test-asan).
Python 3 stdlib only, plus strata.py and promwire.py."""
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import BIN, ROOT, Server, Prometheus, Results, report_crash  # noqa: E402
from promwire import series_v1, snappy, fbits  # noqa: E402

R = Results("test_grafana_files")
DASH = os.path.join(ROOT, "grafana", "dashboards", "strata.json")
DS = os.path.join(ROOT, "grafana", "provisioning", "datasources", "strata.yaml")


def exprs_of(dash):
    out = []
    for p in dash.get("panels", []):
        for t in p.get("targets", []):
            out.append((p.get("title", "?"), t["expr"]))
    return out


def load_some(strata):
    """Writes through both write paths so that their counters move."""
    t = int(time.time() * 1000)
    body = b"".join(series_v1([("__name__", "g_files"), ("i", str(i))], [(fbits(i), t)]) for i in range(20))
    st, _, _ = strata.request("POST", "/api/v1/write", snappy(body),
                              {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"})
    R.check(st == 204, "remote_write accepted", str(st))
    st, _, _ = strata.request("POST", "/write?db=telegraf", b"cpu,host=a usage_user=1\nbad line\n")
    R.check(st == 400, "line protocol partial write", str(st))
    st, _, _ = strata.request("POST", "/api/v1/admin/flush")
    R.check(st in (200, 204), "flush", str(st))


def main():
    strata = prom = None
    try:
        with open(DASH) as f:
            dash = json.load(f)
        exprs = exprs_of(dash)
        R.check(len(exprs) >= 10, f"dashboard has {len(exprs)} expressions")
        strata = Server().start()
        load_some(strata)
        _, metrics, _ = strata.request("GET", "/metrics")
        exposed = set(re.findall(r"^(strata_[a-z0-9_]+)", metrics.decode(), re.M))
        for title, e in exprs:
            names = set(re.findall(r"\bstrata_[a-z0-9_]+", e))
            missing = names - exposed
            R.check(names and not missing, f"panel '{title}': its metrics are exposed", repr(missing))
        cfg = (f"global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: strata\n"
               f"    static_configs:\n      - targets: ['127.0.0.1:{strata.port}']\n")
        prom = Prometheus(cfg).start()
        # enough scrapes for rate() over the window
        deadline = time.time() + 30
        while time.time() < deadline:
            st, b, _ = prom.request("GET", "/api/v1/query?" + urllib.parse.urlencode(
                {"query": "count_over_time(up{job=\"strata\"}[1m])"}))
            r = json.loads(b)["data"]["result"] if st == 200 else []
            if r and float(r[0]["value"][1]) >= 4:
                break
            time.sleep(0.5)
        load_some(strata)
        time.sleep(2.5)
        for title, e in exprs:
            st, b, _ = prom.request("POST", "/api/v1/query", urllib.parse.urlencode({"query": e}).encode(),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
            j = json.loads(b)
            ok = st == 200 and j.get("status") == "success" and len(j["data"]["result"]) > 0
            R.check(ok, f"panel '{title}': Prometheus evaluates {e}", b[:300])
        st, b, _ = prom.request("GET", "/api/v1/query?" + urllib.parse.urlencode(
            {"query": "sum(rate(strata_samples_appended_total[5m]))"}))
        v = float(json.loads(b)["data"]["result"][0]["value"][1])
        R.check(v > 0, "the ingest panel shows the writes", repr(v))
        check_datasources(strata)
    except Exception as exc:  # noqa: BLE001
        report_crash(R, exc, strata)
    finally:
        if prom:
            prom.stop()
        if strata:
            rc = strata.stop()
            # under ASan (make test-asan) a leak or an error makes this nonzero
            R.check(rc == 0, "strata exits cleanly", f"rc={rc} {strata.tail()[-1500:]}")
            strata.cleanup()
    return R.done()


def check_datasources(strata):
    with open(DS) as f:
        text = f.read()
    types = re.findall(r"^\s+type:\s*(\S+)", text, re.M)
    urls = re.findall(r"^\s+url:\s*(\S+)", text, re.M)
    R.check(types == ["prometheus", "influxdb"], "data sources: PromQL and InfluxQL", repr(types))
    help_text = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
    m = re.search(r"--listen HOST:PORT.*\(default ([0-9.]+:[0-9]+)\)", help_text)
    R.check(m is not None and urls == [f"http://{m.group(1)}"] * 2,
            "data sources point at Strata's default --listen", f"{urls} {m and m.group(1)}")
    db = re.search(r"dbName:\s*(\S+)", text)
    R.check(db is not None, "the InfluxQL data source names a database")
    # Grafana's health checks, sent to the test server
    st, b, _ = strata.request("POST", "/api/v1/query", b"query=1%2B1&time=4",
                              {"Content-Type": "application/x-www-form-urlencoded"})
    R.check(st == 200 and json.loads(b)["data"] == {"resultType": "scalar", "result": [4, "2"]},
            "PromQL data source: Save & test", b[:200])
    st, b, _ = strata.request("POST", "/query?" + urllib.parse.urlencode({"db": db.group(1), "epoch": "ms"}),
                              b"q=SHOW+measurements", {"Content-Type": "application/x-www-form-urlencoded"})
    j = json.loads(b) if st == 200 else {}
    names = [v[0] for s in j.get("results", [{}])[0].get("series", []) for v in s.get("values", [])]
    R.check(st == 200 and names == ["cpu"], "InfluxQL data source: Save & test finds the measurement", b[:300])


if __name__ == "__main__":
    sys.exit(main())
