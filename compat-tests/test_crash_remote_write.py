"""SIGKILL under remote_write load: three connections send remote_write 1.0
requests (snappy protobuf, as Prometheus sends them), the server is killed
at a random moment, restarted, and every sample of every acknowledged (2xx)
request must be readable. Rounds: 3 (2 under the ASan smoke run)."""
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, crash_rounds, export_json, report_crash  # noqa: E402
import promwire as rw  # noqa: E402  (protobuf and snappy encoders)

# STRATA_SMOKE
R = Results("test_crash_remote_write")
SMOKE = os.environ.get("STRATA_SMOKE") == "1"
ROUNDS = 2 if SMOKE else 3
base_ms = (int(time.time()) - 3 * 3600) * 1000


def batch(b):
    """Request b: 100 series x 1 sample, value = b, timestamp unique to b."""
    ts = base_ms + b
    body = b"".join(rw.series_v1([("__name__", "rwcrash"), ("s", f"s{i}")], [(rw.fbits(float(b)), ts)])
                    for i in range(100))
    return rw.snappy(body)


def send(port, b):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/db/rwc/api/v1/write", data=batch(b), method="POST",
                                 headers={"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
                                          "X-Prometheus-Remote-Write-Version": "0.1.0"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return 200 <= r.status < 300


def missing_after(srv, done):
    got = export_json(srv, db="rwc", match="rwcrash")
    have = {}
    for key, pts in got.items():
        for ts, v in pts:
            have.setdefault(ts - base_ms, set()).add((dict(key)["s"], v))
    missing = sum(1 for b in done if len(have.get(b, ())) != 100 or any(v != float(b) for _, v in have.get(b, ())))
    return missing == 0, f"{missing} requests incomplete"


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
