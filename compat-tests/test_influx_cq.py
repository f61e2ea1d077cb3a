"""InfluxQL continuous queries: CREATE/SHOW/DROP CONTINUOUS QUERY against a
real InfluxDB 1.6 (Debian's) where both answer (validation, errors, the
shape of SHOW), and Strata's runs on their own: a continuous query writes
the same points as the equivalent SELECT INTO run by hand; RESAMPLE EVERY
reruns and picks up late points; the queries survive a restart and run at
start for the window a downtime missed; one over a dropped measurement
keeps running without failing; /metrics counts runs, failures and points.
(InfluxDB runs its own queries only on its schedule, minutes apart, so the
runs themselves are checked against hand-run SELECT INTO, not against it.)
(STRATA_SMOKE: also runs under ASan.)"""
import json
import os
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, InfluxDB, Results, report_crash  # noqa: E402

R = Results("test_influx_cq")
DB = "cqdb"


def q(srv, text, method="POST"):
    path = "/query?" + urllib.parse.urlencode({"db": DB, "q": text, "epoch": "ns"})
    st, body, _ = srv.request(method, path)
    try:
        return st, json.loads(body)
    except ValueError:
        return st, {"raw": body[:300]}


def influx_q(ix, text, method="POST"):
    req = urllib.request.Request(ix.url("/query?" + urllib.parse.urlencode({"db": DB, "q": text, "epoch": "ns"})),
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def series(ans):
    return ans.get("results", [{}])[0].get("series", [])


def wait_for(cond, timeout=15):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if cond():
            return True
        time.sleep(0.2)
    return False


def write(srv, lines):
    st, b, _ = srv.request("POST", f"/write?db={DB}&precision=s", ("\n".join(lines) + "\n").encode())
    return st


def points(now_s, first_ago, last_ago, hosts=("a", "b"), start_value=0):
    out, k = [], start_value
    for t in range(now_s - first_ago, now_s - last_ago, 10):
        for h in hosts:
            k += 1
            out.append(f"cpu,host={h} v={(k * 37) % 101}.5,n={k}i {t}")
    return out


import urllib.request  # noqa: E402  (after the helpers that use it by name)


def differential(ix, srv):
    """What both servers answer the same."""
    cases = [
        "SHOW CONTINUOUS QUERIES",
        "CREATE CONTINUOUS QUERY bad1 ON cqdb BEGIN SELECT mean(v) AS m FROM cpu GROUP BY time(1m) END",
        "CREATE CONTINUOUS QUERY bad2 ON cqdb BEGIN SELECT mean(v) AS m INTO x FROM cpu GROUP BY host END",
        "CREATE CONTINUOUS QUERY bad3 ON cqdb BEGIN SELECT mean(v) AS m INTO x FROM cpu END",
        "CREATE CONTINUOUS QUERY bad4 ON nosuchdb BEGIN SELECT mean(v) AS m INTO x FROM cpu GROUP BY time(1m) END",
        "CREATE CONTINUOUS QUERY same ON cqdb BEGIN SELECT max(v) INTO x FROM cpu GROUP BY time(1m) END",
        "CREATE CONTINUOUS QUERY same ON cqdb BEGIN SELECT max(v) INTO x FROM cpu GROUP BY time(1m) END",
        "DROP CONTINUOUS QUERY same ON cqdb",
        "DROP CONTINUOUS QUERY nosuchcq ON cqdb",
        "CREATE CONTINUOUS QUERY bad5 ON cqdb RESAMPLE BEGIN SELECT max(v) INTO x FROM cpu GROUP BY time(1m) END",
    ]
    for text in cases:
        a = influx_q(ix, text)
        b = q(srv, text)
        if text == "SHOW CONTINUOUS QUERIES":  # Strata also has its "default" database
            b = (b[0], {"results": [{"statement_id": 0, "series": [s for s in series(b[1]) if s["name"] != "default"]}]})
        R.check(a == b, f"as InfluxDB: {text[:90]}", f"\n influx {a}\n strata {b}")


def main():
    srv = Server("--retention", "0")
    ix = InfluxDB()
    try:
        srv.start()
        ix.start()
        ix.create_db(DB)
        st, _ = q(srv, f"CREATE DATABASE {DB}")
        R.check(st == 200, "database created")
        differential(ix, srv)
        now_s = int(time.time())
        R.check(write(srv, points(now_s, 480, 180)) == 204, "points of 8 to 3 minutes ago written")

        # 1. a continuous query writes what the same SELECT INTO writes by hand
        runs0 = srv.metric("strata_continuous_query_runs_total") or 0
        st, a = q(srv, "CREATE CONTINUOUS QUERY m1 ON cqdb RESAMPLE FOR 10m BEGIN SELECT mean(v) AS m, "
                       "count(n) AS c INTO cpu_1m FROM cpu GROUP BY time(1m), host END")
        R.check(st == 200 and "error" not in a["results"][0], "CREATE CONTINUOUS QUERY", a)
        R.check(wait_for(lambda: (srv.metric("strata_continuous_query_runs_total") or 0) > runs0),
                "it runs at once for the window behind it")
        # (an interval without points writes nothing: fill(none))
        hand_q = ("SELECT mean(v) AS m, count(n) AS c INTO hand_1m FROM cpu WHERE time >= {t}s "
                  "GROUP BY time(1m), host fill(none)")
        st, hand = q(srv, hand_q.format(t=now_s - 600))
        R.check(st == 200 and series(hand) and series(hand)[0]["values"][0][1] > 0, "the same SELECT INTO by hand", hand)
        _, got = q(srv, "SELECT * FROM cpu_1m GROUP BY host")
        _, want = q(srv, "SELECT * FROM hand_1m GROUP BY host")
        strip = [dict(s, name="x") for s in series(got)]
        R.check(strip and strip == [dict(s, name="x") for s in series(want)],
                "the continuous query's points equal the hand-run SELECT INTO's", f"\n cq {got}\n hand {want}")
        st, show = q(srv, "SHOW CONTINUOUS QUERIES", "GET")
        mine = [s for s in series(show) if s["name"] == DB]
        R.check(mine and mine[0]["values"][0][0] == "m1" and "INTO cpu_1m" in mine[0]["values"][0][1],
                "SHOW CONTINUOUS QUERIES lists it with its statement", show)

        # 2. RESAMPLE EVERY: reruns pick up points that arrive late
        q(srv, "CREATE CONTINUOUS QUERY r1 ON cqdb RESAMPLE EVERY 1s FOR 10m BEGIN SELECT sum(n) AS s INTO cpu_sum "
               "FROM cpu GROUP BY time(1m) END")
        R.check(wait_for(lambda: bool(series(q(srv, "SELECT * FROM cpu_sum", "GET")[1]))), "RESAMPLE EVERY runs")
        late_t = (now_s - 300) // 60 * 60 + 5  # inside an interval already computed
        before = {r[0]: r[1] for r in series(q(srv, "SELECT * FROM cpu_sum", "GET")[1])[0]["values"]}
        write(srv, [f"cpu,host=c v=1.5,n=1000000i {late_t}"])
        bucket = late_t // 60 * 60 * 10**9

        def updated():
            s = series(q(srv, "SELECT * FROM cpu_sum", "GET")[1])
            rows = {r[0]: r[1] for r in s[0]["values"]} if s else {}
            return rows.get(bucket, 0) == before.get(bucket, 0) + 1000000
        R.check(wait_for(updated), "a late point is in the interval's sum after the next run", before.get(bucket))

        # 3. a dropped measurement: the query keeps running, nothing fails
        q(srv, "CREATE CONTINUOUS QUERY d1 ON cqdb RESAMPLE EVERY 1s BEGIN SELECT max(v) INTO gone_max FROM gone "
               "GROUP BY time(1m) END")
        write(srv, [f"gone,host=a v=1 {now_s - 90}"])
        q(srv, "DROP MEASUREMENT gone")
        runs1 = srv.metric("strata_continuous_query_runs_total")
        R.check(wait_for(lambda: srv.metric("strata_continuous_query_runs_total") >= runs1 + 3),
                "queries keep running after their measurement was dropped")
        R.check(srv.metric("strata_continuous_query_failures_total") == 0, "no run failed",
                srv.metric("strata_continuous_query_failures_total"))
        R.check(srv.metric("strata_continuous_query_points_written_total") > 0, "points written are counted")
        st, _ = q(srv, "DROP CONTINUOUS QUERY r1 ON cqdb")
        st, _ = q(srv, "DROP CONTINUOUS QUERY d1 ON cqdb")
        R.check(srv.metric("strata_continuous_queries") is not None and
                wait_for(lambda: srv.metric("strata_continuous_queries") == 1),
                "dropped queries leave the runner", srv.metric("strata_continuous_queries"))

        # 4. a restart: the query is still there and runs at start for the window missed
        q(srv, "DROP MEASUREMENT cpu_1m")
        R.check(not series(q(srv, "SELECT * FROM cpu_1m", "GET")[1]), "its output dropped before the restart")
        rc = srv.stop()
        R.check(rc == 0, "stopped", srv.tail()[-500:])
        srv.start()
        st, show = q(srv, "SHOW CONTINUOUS QUERIES", "GET")
        mine = [s for s in series(show) if s["name"] == DB]
        R.check(mine and [v[0] for v in mine[0]["values"]] == ["m1"], "after a restart it is still there", show)
        R.check(wait_for(lambda: bool(series(q(srv, "SELECT * FROM cpu_1m GROUP BY host", "GET")[1]))),
                "and it ran at start: the window's intervals are written again")
        _, got = q(srv, "SELECT * FROM cpu_1m GROUP BY host")
        q(srv, "DROP MEASUREMENT hand_1m")
        q(srv, hand_q.format(t=now_s - 600))  # the data changed since (a late point): run it by hand again
        _, want = q(srv, "SELECT * FROM hand_1m GROUP BY host")
        R.check(series(got) and [dict(s, name="x") for s in series(got)] == [dict(s, name="x") for s in series(want)],
                "with the points the SELECT INTO gives by hand", f"\n cq {got}\n hand {want}")
        st, _, _ = srv.request("GET", "/-/healthy")
        R.check(st == 200, "Strata healthy at the end")
    except Exception as e:  # noqa: BLE001
        report_crash(R, e, srv)
    finally:
        rc = srv.stop()
        R.check(rc == 0, "strata exits cleanly", f"rc={rc}")
        srv.cleanup()
        ix.stop()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
