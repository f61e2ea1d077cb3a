"""Encryption at rest (--encryption-key-file, issue 12 §4), end to end:
  - line protocol and remote_write data, some flushed to blocks, some only
    in the WAL, all read back after a restart, and no label value, metric
    or field name readable in any file of the data directory (database
    names are directory names: not hidden, by design);
  - SIGKILL under line-protocol load, rounds: every acknowledged line comes
    back, with the WAL and the blocks sealed;
  - refusals at start: no key file for an encrypted directory, a wrong
    key, a key file readable by others, a missing file;
  - rotation: a new key first and SIGHUP rewraps every seed (metrics show
    it), after which the old key's line can go;
  - a block copied into another database does not open there: set aside
    as damaged, never served;
  - turned on over a plaintext directory: its data and users kept, the
    catalog and users file sealed at that start, and a users file put there
    in the clear afterwards refused;
  - /metrics: seeds per master key, the segment cache.

STRATA_SMOKE: runs under ASan too (fewer crash rounds)."""
import base64
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, crash_rounds, qs, report_crash  # noqa: E402
from promwire import fbits, series_v1, snappy  # noqa: E402

R = Results("test_encryption")
SMOKE = os.environ.get("STRATA_SMOKE") == "1"
BASE_NS = (int(time.time()) - 3 * 3600) * 10**9
SECRETS = [b"hiddenhost", b"cipher_metric", b"secret_field", b"topsecretlabel"]


def key_line(kid):
    return f"{kid} {base64.b64encode(os.urandom(32)).decode()}\n"


def write_keys(path, text, mode=0o600):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def lines(b, n=50):
    return "".join(f"enccrash,host=h{i % 7} v={b}i,w={i}.5 {BASE_NS + (b * n + i) * 1000}\n" for i in range(n)).encode()


def send(port, b):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/write?db=enc", body=lines(b))
        r = conn.getresponse()
        r.read()
        return r.status == 204
    finally:
        conn.close()


def missing_after(srv, done):
    st, body, _ = srv.request("GET", "/db/enc/api/v1/export?" + urllib.parse.urlencode(
        {"format": "line", "match[]": '{__name__=~"enccrash_.*"}'}))
    have = set(body.decode().splitlines())
    missing = []
    for b in done:
        for ln in lines(b).decode().splitlines():
            key, fields, ts = ln.split(" ")
            for f in fields.split(","):
                name, val = f.split("=")
                if f"{key} {name}={val} {ts}" not in have:
                    missing.append(ln)
    return not missing, missing[:3]


def files_with_secrets(d):
    found = []
    for root, _, names in os.walk(d):
        for n in names:
            p = os.path.join(root, n)
            with open(p, "rb") as f:
                data = f.read()
            found += [(p, s) for s in SECRETS if s in data]
    return found


def test_round_trip(d):
    keys = f"{d}/keys"
    write_keys(keys, key_line("k1"))
    data = f"{d}/data1"
    srv = Server("--encryption-key-file", keys, "--pg-listen", "", data_dir=data)
    try:
        srv.start()
        ts = (int(time.time()) - 7200) * 10**9
        body = "".join(f"cipher_metric,host=hiddenhost,label=topsecretlabel secret_field={i}.25 {ts + i * 10**9}\n"
                       for i in range(1000)).encode()
        st, resp, _ = srv.request("POST", "/write?db=encdb", body)
        R.check(st == 204, "line protocol write", (st, resp[:200]))
        rw = snappy(series_v1([("__name__", "cipher_metric_rw"), ("job", "topsecretlabel")],
                              [(fbits(7.5), ts // 10**6 + i * 1000) for i in range(100)]))
        st, resp, _ = srv.request("POST", "/api/v1/write?db=encdb", rw,
                                  {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy"})
        R.check(st == 204, "remote_write", (st, resp[:200]))
        st, _, _ = srv.request("POST", "/api/v1/admin/flush")
        R.check(st == 204, "flushed to blocks")
        recent = f"cipher_metric,host=hiddenhost secret_field=99 {int(time.time()) * 10**9}\n".encode()
        st, _, _ = srv.request("POST", "/write?db=encdb", recent)  # only in the WAL and memory
        rc = srv.stop()
        R.check(rc == 0, "clean stop", rc)
        found = files_with_secrets(data)
        R.check(not found, "no label value, metric or field name in any file of the data directory", found[:5])
        R.check(os.path.exists(f"{data}/keys/seed-1") and os.stat(f"{data}/keys/seed-1").st_mode & 0o777 == 0o600,
                "the seed is kept wrapped in keys/, mode 0600")
        srv.start()
        st, resp, _ = srv.request("GET", "/query?" + qs(db="encdb", q="SELECT count(secret_field) FROM cipher_metric"))
        R.check(st == 200 and b"1001" in resp, "after a restart every line reads back (blocks and WAL)", resp[:300])
        st, resp, _ = srv.request("GET", "/db/encdb/api/v1/query?" + qs(query="count_over_time(cipher_metric_rw[3h])"))
        R.check(st == 200 and b'"100"' in resp, "...and the remote_write series", resp[:300])
        st, resp, _ = srv.request("GET", "/metrics")
        R.check(b'strata_encryption_seeds{kek_id="k1"} 1' in resp, "/metrics: one seed under k1",
                [ln for ln in resp.decode().splitlines() if "encryption" in ln])
        srv.stop()
        # refusals at start
        cases = [([], "holds encrypted data"),
                 (["--encryption-key-file", f"{d}/other"], "does not hold"),
                 (["--encryption-key-file", f"{d}/wrongbytes"], "does not open with key"),
                 (["--encryption-key-file", f"{d}/open"], "readable by others"),
                 (["--encryption-key-file", f"{d}/nonexistent"], "nonexistent")]
        write_keys(f"{d}/other", key_line("k9"))
        write_keys(f"{d}/wrongbytes", key_line("k1"))
        write_keys(f"{d}/open", open(keys).read(), 0o644)
        binary = os.environ.get("STRATA_BIN", "build/strata")
        for args, want in cases:
            p = subprocess.run([binary, "--listen", "127.0.0.1:0", "--pg-listen", "", "--data-dir", data] + args,
                               capture_output=True, text=True, timeout=60)
            R.check(p.returncode != 0 and want in p.stderr, f"refused to start: {want}", p.stderr[-300:])
        # rotation: a new key first, SIGHUP, then the old line can go
        write_keys(keys, key_line("k2") + open(keys).read())
        srv.start()
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        st, resp, _ = srv.request("GET", "/metrics")
        R.check(b'strata_encryption_seeds{kek_id="k2"} 2' in resp and b'strata_encryption_seeds{kek_id="k1"} 0' in resp,
                "SIGHUP with a new first key: every seed wrapped by it, a new one drawn",
                [ln for ln in resp.decode().splitlines() if "seeds{" in ln])
        srv.stop()
        with open(keys) as f:
            first = f.readline()
        write_keys(keys, first)
        srv.start()
        st, resp, _ = srv.request("GET", "/query?" + qs(db="encdb", q="SELECT count(secret_field) FROM cipher_metric"))
        R.check(st == 200 and b"1001" in resp, "the old key removed: everything still reads", resp[:200])
        # a block's sealed chunks copied into another block: that one is set aside
        st, resp, _ = srv.request("POST", "/write?db=encdb2", f"cipher_metric,host=h2 secret_field=1 {ts}\n".encode())
        R.check(st == 204, "a second database", (st, resp[:200]))
        srv.request("POST", "/api/v1/admin/flush")
        srv.stop()
        a = sorted(os.listdir(f"{data}/db/encdb/blocks"))
        b = sorted(os.listdir(f"{data}/db/encdb2/blocks"))
        R.check(a and b, "a block in each database", (a, b))
        if a and b:
            # the whole block, intact, copied into the other database: in the
            # clear it would open there and serve encdb's data under encdb2;
            # sealed, its keys are bound to its path
            shutil.copytree(f"{data}/db/encdb/blocks/{a[0]}", f"{data}/db/encdb2/blocks/{a[0]}")
            srv.start()
            corr = srv.metric("strata_block_corruptions_total")
            st, resp, _ = srv.request("GET", "/query?" + qs(db="encdb2", q="SELECT count(secret_field) FROM cipher_metric"))
            R.check(corr is not None and corr >= 1 and b"1001" not in resp and b'"count"' in resp,
                    "a sealed block copied to another path does not open there: set aside, its data not served",
                    (corr, resp[:200]))
            srv.stop()
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()


def test_turn_on(d):
    """Encryption turned on over a plaintext directory: its data stays
    readable, the catalog and the users file are sealed at that start, and
    a plaintext users file put there afterwards is refused."""
    data = f"{d}/turnon"
    plain = Server("--pg-listen", "", data_dir=data)
    srv = None
    try:
        plain.start()
        ts = (int(time.time()) - 3600) * 10**9
        st, _, _ = plain.request("POST", "/write?db=old", f"oldm,host=topsecretlabel v=5 {ts}\n".encode())
        R.check(st == 204, "a plaintext server's write")
        st, _, _ = plain.request("POST", "/query", urllib.parse.urlencode(
            {"q": "CREATE USER alice WITH PASSWORD 'pw12345'"}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        plain.request("POST", "/api/v1/admin/flush")
        plain.stop()
        with open(f"{data}/users", "rb") as f:
            clear_users = f.read()
        R.check(clear_users.startswith(b"strata-users"), "the users file was in the clear")
        keys = f"{d}/turnon.keys"
        write_keys(keys, key_line("t1"))
        srv = Server("--encryption-key-file", keys, "--pg-listen", "", data_dir=data)
        srv.start()
        st, resp, _ = srv.request("GET", "/query?" + qs(db="old", q="SELECT v FROM oldm"))
        R.check(st == 200 and b"5" in resp, "data from before encryption reads", resp[:200])
        st, resp, _ = srv.request("GET", "/query?" + qs(q="SHOW USERS"))
        R.check(b"alice" in resp, "users from before encryption kept", resp[:200])
        with open(f"{data}/users", "rb") as f:
            u = f.read()
        with open(f"{data}/catalog", "rb") as f:
            c = f.read()
        R.check(not u.startswith(b"strata-users") and not c.startswith(b"strata-catalog") and b"alice" not in u,
                "the catalog and the users file are sealed at the start that turns encryption on")
        srv.stop()
        srv.start()
        srv.stop()
        with open(f"{data}/users", "wb") as f:  # one planted in the clear by someone without the keys
            f.write(clear_users)
        binary = os.environ.get("STRATA_BIN", "build/strata")
        p = subprocess.run([binary, "--listen", "127.0.0.1:0", "--pg-listen", "", "--data-dir", data,
                            "--encryption-key-file", keys], capture_output=True, text=True, timeout=60)
        R.check(p.returncode != 0 and "users" in p.stderr, "a users file in the clear is refused once encryption is on",
                p.stderr[-300:])
    except Exception as e:
        report_crash(R, e, srv or plain)
    finally:
        plain.cleanup()
        if srv:
            srv.proc = None


def test_crash(d):
    keys = f"{d}/crashkeys"
    write_keys(keys, key_line("c1"))
    srv = Server("--encryption-key-file", keys, "--pg-listen", "", data_dir=f"{d}/crash")
    try:
        crash_rounds(R, srv, 2 if SMOKE else 4, send, missing_after, per_round=20000, what="line batches")
        srv.stop()
        found = []
        for root, _, names in os.walk(f"{d}/crash"):
            for n in names:
                with open(os.path.join(root, n), "rb") as f:
                    if b"enccrash" in f.read():
                        found.append(os.path.join(root, n))
        R.check(not found, "after the crashes, still nothing readable on disk", found[:5])
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()


def main():
    d = tempfile.mkdtemp(prefix="strata-enc-")
    try:
        test_round_trip(d)
        test_turn_on(d)
        test_crash(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
