"""The `influx` CLI (Debian's influxdb-client 1.6) against Strata and against
a real InfluxDB 1.6 holding the same data: `-execute` with SELECT and SHOW
statements in `-format json|csv|column`, with `-precision rfc3339` and
without, and `-pretty`; the CLI's output (what a person at the prompt sees,
after the client's own formatting) must be the same from both servers.
(STRATA_SMOKE: also runs under ASan.)"""
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, InfluxDB, Results, report_crash  # noqa: E402
import influxql_data  # noqa: E402

R = Results("test_influx_cli")
DB = "clidb"

QUERIES = [
    "SELECT usage_user, usage_system FROM cpu WHERE hostname = 'host_1' AND time >= {start} LIMIT 5",
    "SELECT mean(usage_user), max(usage_idle) FROM cpu WHERE time >= {start} AND time < {end} "
    "GROUP BY time(30m), hostname LIMIT 2",
    "SELECT last(status), last(online), last(reading) FROM sensors GROUP BY device",
    "SELECT count(temperature) FROM weather WHERE time >= {start} GROUP BY location",
    "SELECT * FROM sensors WHERE device = 'd1' AND time >= {start} LIMIT 3",
    "SELECT non_negative_derivative(max(reading), 1m) FROM sensors WHERE time >= {start} AND time < {end} "
    "GROUP BY time(20m), device",
    "SELECT mean(usage_user) FROM cpu WHERE time >= {start}; SELECT count(temp) FROM sensors",
    "SHOW MEASUREMENTS",
    "SHOW TAG VALUES FROM cpu WITH KEY = hostname",
    "SHOW FIELD KEYS FROM sensors",
]


NUM = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def same_output(a, b):
    """Equal, but for the last digits of floats (a sum of thousands of points
    taken in another order: within 1e-9 relative, as the other tests)."""
    if a[0] != b[0] or NUM.sub("#", a[1]) != NUM.sub("#", b[1]):
        return False
    for x, y in zip(NUM.findall(a[1]), NUM.findall(b[1])):
        fx, fy = float(x), float(y)
        if fx != fy and abs(fx - fy) > 1e-9 * max(abs(fx), abs(fy)):
            return False
    return True


def cli(port, query, args):
    p = subprocess.run(["influx", "-host", "127.0.0.1", "-port", str(port), "-database", DB, "-execute", query] + args,
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def main():
    srv, ix = Server("--retention", "0"), InfluxDB()
    try:
        srv.start()
        ix.start()
        data = influxql_data.generate()
        body = data.text.encode()
        ix.create_db(DB)
        st, _, _ = srv.request("POST", "/query?q=" + f"CREATE+DATABASE+{DB}")
        for port, name in ((ix.port, "InfluxDB"), (srv.port, "Strata")):
            import urllib.request
            req = urllib.request.Request(f"http://127.0.0.1:{port}/write?db={DB}&precision=ns", data=body,
                                         method="POST")
            with urllib.request.urlopen(req, timeout=60) as r:
                R.check(r.status == 204, f"{name} takes the data ({len(data.lines)} lines)")
        values = {"start": str(data.first), "end": str(data.end)}
        time.sleep(0.2)
        for q in QUERIES:
            text = q.format(**values)
            for args in (["-format", "column"], ["-format", "csv"], ["-format", "json"], ["-format", "json", "-pretty"],
                         ["-format", "column", "-precision", "rfc3339"], ["-format", "csv", "-precision", "ms"]):
                a, b = cli(ix.port, text, args), cli(srv.port, text, args)
                R.check(same_output(a, b) and a[0] == 0 and a[1].strip(), f"influx {' '.join(args)} -execute {q[:70]}",
                        f"\n influx {a!r:.600}\n strata {b!r:.600}")
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
