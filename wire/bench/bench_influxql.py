"""InfluxQL side by side: TSBS's query shapes against Strata and Debian's
InfluxDB 1.6 on the same data, same run.

Per host count: a TSBS-like `cpu` measurement (tags hostname, region,
datacenter, rack, os, arch, team, service, service_version,
service_environment; the ten usage_* float fields) at --interval-s over
--span-h hours ending a few minutes ago, written to both servers by line
protocol (the same bytes). Then TSBS's query shapes as InfluxQL
(single-groupby-1-1-1, single-groupby-5-8-1, double-groupby-1,
cpu-max-all-1, groupby-orderby-limit, high-cpu-1, lastpoint): one untimed
request to each server whose answers are compared (floats within 1e-9
relative), then --reps timed requests per server, interleaved, over one
keep-alive connection each; the median and p90 of the client's wall time.
Goal: Strata's median at most a tenth of InfluxDB's.

usage: bench_influxql.py --strata BIN [--hosts 1000 10000] [--span-h 2]
       [--interval-s 10] [--reps 5]
Prints a table and BENCH lines (BENCH influxql-<hosts> <query> ...)."""
import argparse
import http.client
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

FIELDS = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq", "usage_softirq",
          "usage_steal", "usage_guest", "usage_guest_nice"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_http(port, path, want, proc, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status == want:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not start")


def start_strata(binary, d):
    port = free_port()
    p = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}", "--data-dir", os.path.join(d, "strata"),
                          "--retention", "0"], stdout=open(os.path.join(d, "strata.log"), "wb"), stderr=subprocess.STDOUT)
    wait_http(port, "/-/ready", 200, p)
    return p, port


def start_influx(d):
    port = free_port()
    conf = os.path.join(d, "influxdb.conf")
    with open(conf, "w") as f:
        f.write(f"""reporting-enabled = false
bind-address = "127.0.0.1:{free_port()}"
[meta]
  dir = "{d}/influx/meta"
  logging-enabled = false
[data]
  dir = "{d}/influx/data"
  wal-dir = "{d}/influx/wal"
  query-log-enabled = false
  cache-max-memory-size = "4g"
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:{port}"
  log-enabled = false
  max-body-size = 0
[continuous_queries]
  enabled = false
""")
    p = subprocess.Popen(["influxd", "run", "-config", conf], stdout=open(os.path.join(d, "influx.log"), "wb"),
                         stderr=subprocess.STDOUT)
    wait_http(port, "/ping", 204, p)
    return p, port


def stop(p):
    p.terminate()
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def tags_of(h):
    r = random.Random(h)
    return (f"hostname=host_{h},region={r.choice(['us-east-1', 'us-west-1', 'eu-west-1', 'ap-south-1'])},"
            f"datacenter=dc_{r.randrange(10)},rack={r.randrange(100)},os=Ubuntu{r.choice(['15.10', '16.04', '16.10'])},"
            f"arch={r.choice(['x64', 'x86'])},team={r.choice(['SF', 'NYC', 'LON', 'CHI'])},service={r.randrange(20)},"
            f"service_version={r.randrange(2)},service_environment={r.choice(['production', 'staging', 'test'])}")


def bodies(hosts, start_s, rounds, interval_s, lines_per_body=20000):
    """Line protocol in time order, host by host within a round, in bodies."""
    r = random.Random(7)
    tags = [tags_of(h) for h in range(hosts)]
    state = [[r.uniform(0, 100) for _ in FIELDS] for _ in range(hosts)]
    buf, n = [], 0
    for k in range(rounds):
        t = (start_s + k * interval_s) * 10**9
        for h in range(hosts):
            st = state[h]
            for i in range(len(FIELDS)):
                st[i] = min(100.0, max(0.0, st[i] + r.uniform(-5, 5)))
            buf.append(f"cpu,{tags[h]} " + ",".join(f"{f}={v:.2f}" for f, v in zip(FIELDS, st)) + f" {t}")
            n += 1
            if n == lines_per_body:
                yield ("\n".join(buf) + "\n").encode()
                buf, n = [], 0
    if buf:
        yield ("\n".join(buf) + "\n").encode()


def load(ports, hosts, start_s, rounds, interval_s):
    conns = {name: http.client.HTTPConnection("127.0.0.1", port, timeout=600) for name, port in ports.items()}
    took = {name: 0.0 for name in ports}
    for body in bodies(hosts, start_s, rounds, interval_s):
        for name, c in conns.items():
            t0 = time.time()
            c.request("POST", "/write?db=bench&precision=ns", body)
            r = c.getresponse()
            r.read()
            took[name] += time.time() - t0
            if r.status != 204:
                raise RuntimeError(f"{name}: write answered {r.status}")
    return took


def queries(hosts, start_s, end_s, rng):
    def host():
        return f"host_{rng.randrange(hosts)}"
    t0 = f"{start_s}s"
    t1 = f"{end_s}s"
    hs8 = " OR ".join(f"hostname = '{host()}'" for _ in range(8))
    five = ", ".join(f"max({f})" for f in FIELDS[:5])
    ten = ", ".join(f"max({f})" for f in FIELDS)
    return [
        ("single-groupby-1-1-1", f"SELECT max(usage_user) FROM cpu WHERE (hostname = '{host()}') AND time >= {t0} "
                                 f"AND time < {t1} GROUP BY time(1m)"),
        ("single-groupby-5-8-1", f"SELECT {five} FROM cpu WHERE ({hs8}) AND time >= {t0} AND time < {t1} "
                                 f"GROUP BY time(1m)"),
        ("double-groupby-1", f"SELECT mean(usage_user) FROM cpu WHERE time >= {t0} AND time < {t1} "
                             f"GROUP BY time(1h), hostname"),
        ("cpu-max-all-1", f"SELECT {ten} FROM cpu WHERE (hostname = '{host()}') AND time >= {t0} AND time < {t1} "
                          f"GROUP BY time(1h)"),
        ("groupby-orderby-limit", f"SELECT max(usage_user) FROM cpu WHERE time < {t1} GROUP BY time(1m) "
                                  f"ORDER BY time DESC LIMIT 5"),
        ("high-cpu-1", f"SELECT * FROM cpu WHERE usage_user > 90.0 AND time >= {t0} AND time < {t1} AND "
                       f"(hostname = '{host()}')"),
        ("lastpoint", "SELECT last(*) FROM cpu GROUP BY hostname"),
    ]


def ask(conn, q):
    path = "/query?" + urllib.parse.urlencode({"db": "bench", "q": q, "epoch": "ns"})
    t0 = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    return time.perf_counter() - t0, r.status, body


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or isinstance(a, bool):
            return False
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", required=True)
    ap.add_argument("--hosts", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--span-h", type=float, default=2)
    ap.add_argument("--interval-s", type=int, default=10)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    print(f"== InfluxQL: Strata ({args.strata}) and InfluxDB {subprocess.run(['influxd', 'version'], capture_output=True, text=True).stdout.strip()}, side by side")
    met = total = under_floor = 0
    for hosts in args.hosts:
        d = tempfile.mkdtemp(prefix="strata-bench-iql-")
        procs = []
        try:
            sp, sport = start_strata(args.strata, d)
            procs.append(sp)
            ip, iport = start_influx(d)
            procs.append(ip)
            for port in (sport, iport):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                c.request("POST", "/query?" + urllib.parse.urlencode({"q": "CREATE DATABASE bench"}))
                c.getresponse().read()
            interval = args.interval_s if hosts <= 1000 else max(args.interval_s, 60)
            rounds = int(args.span_h * 3600 / interval)
            end_s = (int(time.time()) - 300) // 3600 * 3600
            start_s = end_s - rounds * interval
            took = load({"strata": sport, "influx": iport}, hosts, start_s, rounds, interval)
            print(f"\n== {hosts} hosts, {args.span_h:g} h at {interval} s: {hosts * rounds} points of 10 fields "
                  f"({hosts * rounds * 10} values); load: Strata {took['strata']:.1f} s, InfluxDB {took['influx']:.1f} s")
            conns = {n: http.client.HTTPConnection("127.0.0.1", p, timeout=600) for n, p in
                     (("strata", sport), ("influx", iport))}
            # the floor: what a request that reads nothing costs over the same connection
            floor = {}
            for n in ("strata", "influx"):
                floor[n] = statistics.median(ask(conns[n], "SHOW DATABASES")[0] * 1000 for _ in range(21))
            print(f"  round trip of an empty request (SHOW DATABASES): Strata {floor['strata']:.2f} ms, "
                  f"InfluxDB {floor['influx']:.2f} ms")
            print(f"BENCH influxql-{hosts} floor strata_ms {floor['strata']:.3f} influx_ms {floor['influx']:.3f}")
            print(f"  {'query (median ms)':<24} {'Strata':>9} {'InfluxDB':>9} {'S/I':>6} | {'p90 S':>8} {'p90 I':>8} | answers")
            for name, q in queries(hosts, start_s, end_s, random.Random(hosts)):
                _, ss, sb = ask(conns["strata"], q)
                _, is_, ib = ask(conns["influx"], q)
                try:
                    verdict = "same" if ss == is_ == 200 and same(json.loads(sb), json.loads(ib)) else "DIFF"
                except ValueError:
                    verdict = "DIFF"
                if verdict == "DIFF":
                    print(f"  BENCHIQL diff {name}: strata {sb[:300]!r} influx {ib[:300]!r}")
                ts, ti = [], []
                for _ in range(args.reps):
                    ts.append(ask(conns["strata"], q)[0] * 1000)
                    ti.append(ask(conns["influx"], q)[0] * 1000)
                ms, mi = statistics.median(ts), statistics.median(ti)
                p90s, p90i = sorted(ts)[math.ceil(0.9 * len(ts)) - 1], sorted(ti)[math.ceil(0.9 * len(ti)) - 1]
                ratio = ms / mi if mi else float("inf")
                total += 1
                met += ratio <= 0.1 and verdict == "same"
                under_floor += ratio > 0.1 and 0.1 * mi < floor["strata"]
                print(f"  {name:<24} {ms:>9.2f} {mi:>9.2f} {ratio:>6.2f} | {p90s:>8.1f} {p90i:>8.1f} | {verdict}")
                print(f"BENCH influxql-{hosts} {name} strata_ms {ms:.3f} influx_ms {mi:.3f} ratio {ratio:.3f} {verdict}")
        finally:
            for p in procs:
                stop(p)
            shutil.rmtree(d, ignore_errors=True)
    print(f"\n  goal (median <= 0.1 x InfluxDB's, answers equal): met for {met} of {total} queries")
    print(f"  of the others, {under_floor} ask for less than Strata's round trip of an empty request")
    print(f"BENCH influxql goal_met {met} of {total}")


if __name__ == "__main__":
    sys.exit(main())
