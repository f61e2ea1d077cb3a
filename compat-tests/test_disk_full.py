"""test_disk_full: a full disk, as each write API's clients see it.

The data directory is a small tmpfs that this test mounts in a mount
namespace of its own: it re-runs itself under `unshare -m` as root, or
`unshare -Urm` (a user namespace too, where an unprivileged user may mount
a tmpfs) otherwise or when the first is refused. Writes of every API go on until the disk is full. Then:
 - every write API answers 503 with Retry-After and a body that names the
   problem (no space left on device) and not the server's file layout (no
   path of the data directory); the server's log keeps the details;
 - reads still answer;
 - once space is freed (the tmpfs is made larger), writes are accepted
   again;
 - every sample acknowledged (204), before and after, reads back (each
   series' points are unique: counts per API tell).
STRATA_SMOKE: runs under ASan too (make test-asan)."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Results, Server, export_json, qs, report_crash  # noqa: E402
import promwire as pw  # noqa: E402

R = Results("test_disk_full")
SIZE_MB = 24


def mount_tmpfs(path, size_mb, remount=False):
    opts = f"size={size_mb}m" + (",remount" if remount else "")
    subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "strata-test", path], check=True)


def lp_batch(measurement):
    def make(rng, b):
        t = (int(time.time()) - 1800) * 10**9
        lines = [f"{measurement},host=h{i % 20},b=b{b} v={rng.random()},w={rng.random()} {t + (b * 400 + i) * 10**6}"
                 for i in range(400)]
        return ("\n".join(lines) + "\n").encode(), len(lines) * 2
    return make


def rw_batch(rng, b):
    t = int(time.time() * 1000) - 1800_000
    body = b"".join(pw.series_v1([("__name__", "fill_rw"), ("s", str(k)), ("b", str(b))],
                                 [(pw.fbits(rng.random()), t + j) for j in range(100)])
                    for k in range(4))
    return pw.snappy(body), 400


def import_batch(rng, b):
    t = int(time.time() * 1000) - 1800_000
    lines = [json.dumps({"metric": {"__name__": "fill_imp", "k": str(k), "b": str(b)},
                         "values": [rng.random() for _ in range(100)],
                         "timestamps": [t + j for j in range(100)]}) for k in range(4)]
    return ("\n".join(lines) + "\n").encode(), 400


RW_HEADERS = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
              "X-Prometheus-Remote-Write-Version": "0.1.0"}
APIS = [  # name, path, body maker, headers, the metric names' prefix
    ("line protocol v1", "/write?db=full", lp_batch("fill1"), {}, "fill1_"),
    ("line protocol v2", "/api/v2/write?bucket=full", lp_batch("fill2"), {}, "fill2_"),
    ("remote_write", "/db/full/api/v1/write", rw_batch, RW_HEADERS, "fill_rw"),
    ("import", "/db/full/api/v1/import", import_batch, {}, "fill_imp"),
]


def write_round(srv, rng, b, skip, acked, sent):
    """One batch to each API not in skip: (name, status, body, headers)."""
    out = []
    for name, path, make, hdr, prefix in APIS:
        if name in skip:
            continue
        body, n = make(rng, b)
        sent[prefix] += n
        st, resp, rh = srv.request("POST", path, body, hdr)
        if st == 204:
            acked[prefix] += n
        out.append((name, st, resp, rh))
    return out


def check_full_answer(name, st, body, hdr, data_dir):
    text = body.decode("utf-8", "replace")
    R.check(st == 503, f"{name}: a full disk answers 503", f"{st} {text[:300]}")
    R.check(hdr.get("Retry-After") is not None, f"{name}: with Retry-After", str(hdr))
    R.check("no space left on device" in text or "disk full" in text, f"{name}: the body names the problem", text[:300])
    leaks = [p for p in (data_dir, os.path.basename(os.path.dirname(data_dir)), "/wal", "segment ", "/tmp/")
             if p in text]
    R.check(not leaks, f"{name}: the body names no server path", f"{leaks}: {text[:300]}")


def run(root):
    data_dir = os.path.join(root, "data")
    os.makedirs(data_dir)
    mount_tmpfs(data_dir, SIZE_MB)
    srv = Server("--maintenance-interval", "1s", "--memory-window", "2h", data_dir=data_dir)
    rng = random.Random(7)
    acked = {prefix: 0 for *_, prefix in APIS}
    sent = dict(acked)
    try:
        srv.start()
        full = {}
        b = 0
        while len(full) < len(APIS) and b < 5000:
            for name, st, resp, rh in write_round(srv, rng, b, full, acked, sent):
                if st != 204:
                    R.check(st == 503, f"{name}: a write answers 204 or 503", f"{st} {resp[:300]!r}")
                    full[name] = (st, resp, rh)
            b += 1
        R.check(len(full) == len(APIS), "the disk filled up", f"after {b} rounds: {sorted(full)}")
        for name, (st, resp, rh) in sorted(full.items()):
            check_full_answer(name, st, resp, rh, data_dir)
        log = srv.tail()
        R.check("No space left on device" in log or "no space" in log.lower(), "the log keeps the details",
                log[-500:])
        st, resp, _ = srv.request("GET", "/api/v1/query?" + qs(query="count(count_over_time(fill1_v[1h]))", db="full"))
        R.check(st == 200 and json.loads(resp)["data"]["result"], "reads answer on a full disk",
                f"{st} {resp[:200]!r}")

        mount_tmpfs(data_dir, SIZE_MB + 64, remount=True)
        ok = {}
        deadline = time.time() + 60
        while len(ok) < len(APIS) and time.time() < deadline:
            for name, st, _, _ in write_round(srv, rng, b, ok, acked, sent):
                if st == 204:
                    ok[name] = True
            b += 1
            time.sleep(0.2)
        R.check(len(ok) == len(APIS), "writes are accepted again once space is freed", sorted(ok))

        got = {k: 0 for k in acked}
        for key, pts in export_json(srv, db="full").items():
            name = dict(key)["__name__"]
            got[next(p for p in acked if name.startswith(p))] += len(pts)
        # a refused batch may have reached memory before its WAL write failed
        # (it is not acknowledged: the client sends it again)
        R.check(all(acked[k] <= got[k] <= sent[k] for k in acked), "every acknowledged sample reads back",
                f"acknowledged {acked}, read {got}, sent {sent}")
    finally:
        srv.stop()
        subprocess.run(["umount", "-l", data_dir], check=False)


def main():
    if os.environ.get("STRATA_DISK_FULL_NS") != "1":
        # the tmpfs goes in a mount namespace of our own (gone with the test):
        # as root a plain one, else (or if that is refused) with a user one
        tries = ([["-m"]] if os.geteuid() == 0 else []) + [["-Urm"]]
        why = "unshare is not installed (util-linux)"
        for flags in tries if shutil.which("unshare") else []:
            env = dict(os.environ, STRATA_DISK_FULL_NS="1")
            r = subprocess.run(["unshare"] + flags + [sys.executable] + sys.argv, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out = r.stdout.decode("utf-8", "replace")
            if "test_disk_full:" in out:  # the test ran there: its verdict stands
                sys.stdout.write(out)
                return r.returncode
            why = f"unshare {' '.join(flags)}: {out.strip()[-300:]}"
        R.check(False, "a mount namespace for the test's tmpfs", why)
        return R.done()
    root = tempfile.mkdtemp(prefix="strata-diskfull-")
    try:
        run(root)
    except Exception as e:  # noqa: BLE001
        report_crash(R, e)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
