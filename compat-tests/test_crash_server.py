"""The crash test from outside: import under load from several connections,
SIGKILL the server at a random moment, restart it, export, and check that
every acknowledged sample is there. Rounds: STRATA_SERVER_CRASH_ROUNDS
(default 4; 2 under the ASan smoke run)."""
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, crash_rounds, qs, report_crash  # noqa: E402

# STRATA_SMOKE
R = Results("test_crash_server")
SMOKE = os.environ.get("STRATA_SMOKE") == "1"
ROUNDS = int(os.environ.get("STRATA_SERVER_CRASH_ROUNDS", "2" if SMOKE else "4"))
base_ns = (int(time.time()) - 6 * 3600) * 10**9


def batch_lines(b):
    # batch b: 50 lines, 2 fields each, on 10 hosts; unique timestamps per batch
    out = []
    for i in range(50):
        ts = base_ns + (b * 50 + i) * 1_000_000
        out.append(f"load,host=h{i % 10} a={b}i,b={i}.5 {ts}")
    return ("\n".join(out) + "\n").encode()


def send(port, b):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/db/crash/api/v1/import?format=line",
                                 data=batch_lines(b), method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status == 204


def missing_after(srv, done):
    st, body, _ = srv.request("GET", "/db/crash/api/v1/export?" + qs(**{"format": "line", "match[]": '{__name__=~"load_.*"}'}))
    have = set(body.decode().splitlines())
    missing = 0
    for b in done:
        for line in batch_lines(b).decode().splitlines():
            meas_tags, fields, ts = line.split(" ")
            for f in fields.split(","):
                if f"{meas_tags} {f} {ts}" not in have:
                    missing += 1
    return st == 200 and missing == 0, f"status {st}, missing {missing} samples"


def main():
    srv = Server("--maintenance-interval", "1s", "--memory-window", "10m", "--block-duration", "1h")
    try:
        crash_rounds(R, srv, ROUNDS, send, missing_after)
    except Exception as e:  # noqa: BLE001
        report_crash(R, e, srv)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
