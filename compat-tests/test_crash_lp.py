"""SIGKILL under line-protocol load: three connections POST InfluxDB writes
(/write, one in two gzip-compressed as Telegraf sends them, and
/api/v2/write), the server is killed at a random moment, restarted, and
every line of every acknowledged (204) request must be readable with its
exact value and type. Rounds: 3 (2 under the ASan smoke run)."""
import gzip
import http.client
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, crash_rounds, qs, report_crash  # noqa: E402

# STRATA_SMOKE
R = Results("test_crash_lp")
SMOKE = os.environ.get("STRATA_SMOKE") == "1"
ROUNDS = 2 if SMOKE else 3
base_ns = (int(time.time()) - 3 * 3600) * 10**9


def batch_lines(b):
    """Request b: 100 lines on 20 hosts, three typed fields, a timestamp
    unique to the request and line."""
    out = []
    for i in range(100):
        ts = base_ns + (b * 100 + i) * 1000
        out.append(f"lpcrash,host=h{i % 20},dc=d{i % 3} a={b}i,b={i}.25,s=\"r{b}\" {ts}")
    return ("\n".join(out) + "\n").encode()


def send(port, b):
    body, headers = batch_lines(b), {"Content-Type": "text/plain; charset=utf-8"}
    if b % 3 == 2:
        path = "/api/v2/write?" + qs(bucket="lpc", org="")
        headers["Authorization"] = "Token x"
    else:
        path = "/write?" + qs(db="lpc")
    if b % 2:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status == 204
    finally:
        conn.close()


def missing_after(srv, done):
    st, body, _ = srv.request("GET", "/db/lpc/api/v1/export?" + urllib.parse.urlencode(
        {"format": "line", "match[]": '{__name__=~"lpcrash_.*"}'}))
    have = set(body.decode().splitlines())
    missing = 0
    for b in done:
        for line in batch_lines(b).decode().splitlines():
            key, fields, ts = line.split(" ")
            meas, tags = key.split(",", 1)
            tags = ",".join(sorted(tags.split(",")))
            for f in fields.split(","):
                if f"{meas},{tags} {f} {ts}" not in have:
                    missing += 1
    return st == 200 and missing == 0, f"status {st}, {missing} values missing"


def main():
    srv = Server("--maintenance-interval", "1s", "--memory-window", "1h", "--block-duration", "1h")
    try:
        crash_rounds(R, srv, ROUNDS, send, missing_after, per_round=60000, what="requests")
    except Exception as e:  # noqa: BLE001
        report_crash(R, e, srv)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
