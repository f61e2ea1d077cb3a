"""PromQL over line-protocol data, differential against a real Prometheus
2.42 (Debian's, remote-write receiver on).

Strata gets points as Telegraf writes them: line protocol at nanosecond
precision, several fields a point (float, integer, unsigned, boolean and
string), timestamps off the whole millisecond, some milliseconds holding
two points (the later one written first). Prometheus gets what PromQL
must see of them through the mapping of DESIGN.md: one series per numeric
field, named measurement_field (measurement alone for a field called
"value"), tags as labels, integers and booleans as floats, at millisecond
precision where the later point of a millisecond wins; string fields are
not PromQL series. The same instant and range queries must then answer
the same, with the data in memory and again from blocks."""
import os
import random
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Prometheus, Results, report_crash  # noqa: E402
from promwire import series_v1, snappy  # noqa: E402
from test_promql_diff import compare_data, http, post_form, RW_HEADERS  # noqa: E402

R = Results("test_promql_lp")
DB = "telegraf"
STEP_MS = 15000
N = 160  # points a host: 40 minutes
HOSTS = ["a", "b", "c"]

QUERIES = [
    "cpu_usage_user", "cpu_usage_system", "cpu_ticks", "cpu_busy", "cpu_state", "mem",
    "rate(cpu_usage_user[2m])", "sum by (host)(rate(cpu_ticks[5m]))", "sum(rate(cpu_ticks[5m]))",
    "increase(cpu_ticks{host=\"c\"}[10m])", "count_over_time(cpu_usage_user[1m])",
    "max_over_time(cpu_usage_system[3m])", "min_over_time(cpu_usage_user[3m])",
    "last_over_time(cpu_usage_user[1m])", "avg_over_time(cpu_busy[5m])", "timestamp(cpu_usage_user)",
    '{__name__=~"cpu_.*"}', 'count by (__name__)({__name__=~"cpu_.*|mem"})', "sum by (dc)(cpu_usage_user)",
    "cpu_usage_user > 50", "cpu_usage_user * on (host) group_left mem", "topk(2, cpu_usage_system)",
    "deriv(mem[5m])", "changes(cpu_busy[10m])", "resets(cpu_ticks[30m])",
]


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def plan(t0_ms):
    """(line-protocol lines, {labels tuple: {ms: value}}) for the same data."""
    rnd = random.Random(7)
    lines, want = [], {}

    def put(labels, ms, value):
        want.setdefault(tuple(sorted(labels.items())), {})[ms] = float(value)

    for h in HOSTS:
        ticks = 0
        for i in range(N):
            ms = t0_ms + i * STEP_MS + rnd.randint(0, 3)
            sub = rnd.randint(1, 999_999)
            user = round(rnd.uniform(0, 100), 3)
            system = rnd.randint(0, 1000)
            ticks = 0 if (h == "c" and i == 80) else ticks + rnd.randint(1, 50)  # a counter, reset once
            busy = rnd.random() < 0.5
            tags = {"host": h, "dc": "x" if h != "c" else "y"}
            tagstr = ",".join(f"{k}={v}" for k, v in sorted(tags.items()))
            point = (f'cpu,{tagstr} usage_user={user},usage_system={system}i,ticks={ticks}u,'
                     f'busy={"true" if busy else "false"},state="s{i}" {ms * 1_000_000 + sub}')
            lines.append(point)
            if i % 10 == 3:
                # an earlier point of the same millisecond, written after: it loses
                lines.append(f"cpu,{tagstr} usage_user=-1,usage_system=-1i {ms * 1_000_000 + sub - 1}")
            for field, v in (("usage_user", user), ("usage_system", system), ("ticks", ticks),
                             ("busy", 1.0 if busy else 0.0)):
                put({"__name__": f"cpu_{field}", **tags}, ms, v)
            if i % 4 == 0:
                mem = 1000 + i * 3.5 + rnd.random()
                lines.append(f"mem,host={h} value={mem} {ms * 1_000_000 + 250_000}")
                put({"__name__": "mem", "host": h}, ms, mem)
    return lines, want


def load(srv, prom, lines, want):
    body = "\n".join(lines).encode() + b"\n"
    st, b = http(srv.port, "POST", f"/write?db={DB}&precision=ns", body)
    R.check(st == 204, f"Strata takes {len(lines)} line-protocol points", f"{st} {b[:200]!r}")
    series = []
    for labels, pts in want.items():
        series.append(series_v1([(k.encode(), v.encode()) for k, v in labels],
                                [(f64_bits(v), t) for t, v in sorted(pts.items())]))
    st, b = http(prom.port, "POST", "/api/v1/write", snappy(b"".join(series)), RW_HEADERS)
    R.check(st in (200, 204), f"Prometheus takes the same {len(want)} series by remote_write", f"{st} {b[:200]!r}")


def compare_all(srv, prom, t0_ms, where):
    end_ms = t0_ms + (N - 1) * STEP_MS
    instants = [t0_ms + 30 * STEP_MS + 7, t0_ms + 83 * STEP_MS, end_ms + 2000]
    ranges = [(t0_ms, end_ms + 5000, 15), (t0_ms - 60000, end_ms, 60)]
    bad = nonempty = asked = 0
    for q in QUERIES:
        asks = [("/api/v1/query", {"query": q, "time": f"{t / 1000:.3f}"}) for t in instants]
        asks += [("/api/v1/query_range", {"query": q, "start": f"{a / 1000:.3f}", "end": f"{b / 1000:.3f}",
                                          "step": str(s)}) for a, b, s in ranges]
        for path, params in asks:
            ps, pb = post_form(prom.port, path, params)
            ss, sb = post_form(srv.port, f"/db/{DB}{path}", params)
            if ps != 200 or ss != 200:
                diff = f"status prometheus {ps} {pb.get('error')} strata {ss} {sb.get('error')}"
            else:
                diff = compare_data(pb["data"], sb["data"], ordered=False)
                nonempty += bool(pb["data"].get("result"))
            asked += 1
            if diff:
                bad += 1
                R.check(False, f"{where}: {path} {params}: the same answer", diff)
    R.check(bad == 0, f"{where}: {len(QUERIES)} queries at {len(instants)} times and {len(ranges)} ranges "
            "answer as Prometheus does", f"{bad} differ")
    # all but cpu_state's (a string field) and a few empty windows hold data
    R.check(nonempty >= asked - 8, f"{where}: the answers compared hold series ({nonempty} of {asked})")
    # the mapping itself, not only agreement: string fields are no series,
    # numeric ones are, and the later point of a millisecond won
    st, o = post_form(srv.port, f"/db/{DB}/api/v1/query", {"query": 'count({__name__=~"cpu_.*"})',
                                                             "time": f"{end_ms / 1000:.3f}"})
    R.check(st == 200 and o["data"]["result"] and o["data"]["result"][0]["value"][1] == str(4 * len(HOSTS)),
            f"{where}: four numeric fields a host are series, the string field is not", o)
    st, o = post_form(srv.port, f"/db/{DB}/api/v1/query", {"query": "min_over_time(cpu_usage_user[1h])",
                                                             "time": f"{end_ms / 1000:.3f}"})
    R.check(st == 200 and len(o["data"]["result"]) == len(HOSTS) and
            all(float(r["value"][1]) >= 0 for r in o["data"]["result"]),
            f"{where}: the earlier point of a millisecond (-1) is never seen", o)


def main():
    if not os.path.exists("/usr/bin/prometheus"):
        R.check(False, "prometheus is installed (make deps installs it)")
        return R.done()
    t0_ms = (int(time.time()) // 60 - 45) * 60_000
    lines, want = plan(t0_ms)
    srv = Server()
    prom = Prometheus(extra_args=["--web.enable-remote-write-receiver"])
    try:
        srv.start()
        prom.start()
        load(srv, prom, lines, want)
        compare_all(srv, prom, t0_ms, "in memory")
        st, b = http(srv.port, "POST", "/api/v1/admin/flush")
        R.check(st in (200, 204), "Strata flushes the data into blocks", f"{st} {b[:200]!r}")
        compare_all(srv, prom, t0_ms, "from blocks")
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()
        prom.stop()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
