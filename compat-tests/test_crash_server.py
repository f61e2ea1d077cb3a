"""The crash test from outside: import under load from several connections,
SIGKILL the server at a random moment, restart it, export, and check that
every acknowledged sample is there. Rounds: STRATA_SERVER_CRASH_ROUNDS
(default 4; 2 under the ASan smoke run)."""
import os
import random
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, qs, report_crash  # noqa: E402

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


def writer(port, ids, acked, lock, stop):
    for b in ids:
        if stop.is_set():
            return
        req = urllib.request.Request(f"http://127.0.0.1:{port}/db/crash/api/v1/import?format=line",
                                     data=batch_lines(b), method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                if r.status == 204:
                    with lock:
                        acked.append(b)
        except Exception:
            return


def main():
    srv = Server("--maintenance-interval", "1s", "--memory-window", "10m", "--block-duration", "1h")
    acked, lock = [], threading.Lock()
    next_id = 0
    try:
        srv.start()
        for rnd in range(ROUNDS):
            stop = threading.Event()
            threads = []
            before = len(acked)
            for w in range(3):
                ids = range(next_id + w, next_id + 30000, 3)
                t = threading.Thread(target=writer, args=(srv.port, ids, acked, lock, stop))
                t.start()
                threads.append(t)
            time.sleep(random.uniform(0.5, 1.5))
            srv.kill()
            stop.set()
            for t in threads:
                t.join()
            next_id += 30000
            srv.start()
            st, body, _ = srv.request("GET", "/db/crash/api/v1/export?" + qs(**{"format": "line", "match[]": '{__name__=~"load_.*"}'}))
            have = set(body.decode().splitlines())
            with lock:
                done = list(acked)
            missing = 0
            for b in done:
                for line in batch_lines(b).decode().splitlines():
                    meas_tags, fields, ts = line.split(" ")
                    for f in fields.split(","):
                        if f"{meas_tags} {f} {ts}" not in have:
                            missing += 1
            R.check(st == 200 and missing == 0 and len(done) > before,
                    f"round {rnd}: all {len(done)} acknowledged batches ({len(done) - before} new) survive SIGKILL",
                    f"missing {missing} samples")
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
