"""End to end against a real server (STRATA_SMOKE: also runs under ASan):
health endpoints, /metrics, import/export in both formats, deletes, flush,
restart, bad input, clean shutdown."""
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, export_json, free_port, qs, report_crash  # noqa: E402

R = Results("test_server")
now_ms = int(time.time() * 1000) // 1000 * 1000 - 600_000


def test_health(srv):
    st, body, hdr = srv.request("GET", "/health")
    o = json.loads(body)
    R.check(st == 200 and o["name"] == "strata" and o["status"] == "pass" and o["version"],
            "GET /health has InfluxDB v2's shape", body)
    R.check(srv.request("GET", "/-/healthy")[0] == 200, "/-/healthy")
    R.check(srv.request("GET", "/-/ready")[0] == 200, "/-/ready")
    st, _, hdr = srv.request("GET", "/ping")
    R.check(st == 204 and "X-Influxdb-Version" in hdr, "/ping 204 with X-Influxdb-Version", hdr)
    R.check(srv.request("HEAD", "/ping")[0] == 204, "HEAD /ping")
    R.check(srv.request("GET", "/nope")[0] == 404, "unknown path 404")


def test_routes(srv):
    """The route table: methods (405 with Allow), paths (404), and a request
    that names two databases for one refused before any work, in its
    protocol's format."""
    for method, path, allow in (("DELETE", "/api/v1/query", "GET, HEAD, POST"), ("GET", "/api/v1/admin/flush", "POST"),
                                ("POST", "/metrics", "GET, HEAD"), ("GET", "/api/v1/import", "POST, PUT")):
        st, body, hdr = srv.request(method, path)
        R.check(st == 405 and hdr.get("Allow") == allow and body.startswith(b"use "),
                f"{method} {path}: 405, Allow: {allow}", (st, hdr.get("Allow"), body[:80]))
    R.check(srv.request("GET", "/api/v1/label/job")[0] == 404, "/api/v1/label/NAME without /values: 404")
    R.check(srv.request("GET", "/api/v1/label/job/values")[0] == 200, "/api/v1/label/NAME/values: 200")
    st, body, _ = srv.request("GET", "/db/a/api/v1/labels?db=b")
    o = json.loads(body)
    R.check(st == 400 and o.get("errorType") == "bad_data" and "/db/a/" in o.get("error", "") and "db=b" in o["error"],
            "Prometheus API: /db/a/ with ?db=b is a 400 naming both", (st, body[:200]))
    st, body, _ = srv.request("GET", "/api/v1/query?query=1&db=a&db=b")
    R.check(st == 400 and b"two databases" in body, "?db=a&db=b is a 400", (st, body[:200]))
    R.check(srv.request("GET", "/api/v1/query?query=1&db=a&db=a")[0] == 200, "the same database twice is one")
    st, body, hdr = srv.request("GET", "/db/a/query?" + qs(q="SHOW MEASUREMENTS", db="b"))
    R.check(st == 400 and "error" in json.loads(body) and "two databases" in hdr.get("X-Influxdb-Error", ""),
            "InfluxQL: the 400 in InfluxDB's body and header", (st, body[:200], hdr))
    st, body, _ = srv.request("GET", "/api/v3/query_sql?" + qs(q="SELECT 1") + "&db=a&db=b")
    R.check(st == 400 and "two databases" in json.loads(body).get("error", ""), "SQL: the 400 as a JSON error",
            (st, body[:200]))
    # a write refused changes nothing: neither database gets the point
    st, body, _ = srv.request("POST", "/write?db=twodb_a&db=twodb_b", b"twodb v=1\n")
    R.check(st == 400, "a write naming two databases is refused", (st, body[:200]))
    for db in ("twodb_a", "twodb_b"):
        st, body, _ = srv.request("GET", "/query?" + qs(db=db, q="SELECT * FROM twodb"))
        R.check(b'"series"' not in body, f"...and {db} holds nothing", body[:200])


def local_address():
    """This host's address on its way out (not loopback), or None."""
    import socket
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("10.255.255.255", 1))
        addr = s.getsockname()[0]
        s.close()
        return None if addr.startswith("127.") else addr
    except OSError:
        return None


def check_users_from_afar(port):
    """With --auth=false, users made now would outlive the switch to --auth
    true: only the server's own host may make them."""
    import urllib.parse
    addr = local_address()
    R.check(addr is not None, "this host has a non-loopback address to test from (needed by the next checks)")
    if addr is None:
        return
    results = {}
    for host in (addr, "127.0.0.1"):
        req = urllib.request.Request(f"http://{host}:{port}/query", method="POST",
                                     data=urllib.parse.urlencode({"q": "CREATE TOKEN FOR nobody"}).encode())
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                results[host] = (r.status, r.read())
        except urllib.error.HTTPError as e:
            results[host] = (e.code, e.read())
    R.check(results[addr][0] == 403 and b"server's own host" in results[addr][1],
            f"--auth=false: user management from {addr} refused", results[addr])
    R.check(results["127.0.0.1"][0] == 200 and b"user not found" in results["127.0.0.1"][1],
            "--auth=false: ...from loopback it runs (here: no such user)", results["127.0.0.1"])


def test_open_address():
    """A listener on a non-loopback address starts with --auth true, or
    open only with --auth=false given; loopback ones need nothing."""
    binary = os.environ.get("STRATA_BIN", "build/strata")
    port, pg = free_port(), free_port()
    cases = [
        (["--listen", f"0.0.0.0:{port}"], "--listen 0.0.0.0 is not a loopback address"),
        (["--listen", f":{port}"], "--listen 0.0.0.0 is not a loopback address"),
        (["--listen", f"[::]:{port}"], "--listen :: is not a loopback address"),
        (["--listen", f"example.invalid:{port}"], "is not a loopback address"),
        (["--listen", f"127.0.0.1:{port}", "--pg-listen", f"0.0.0.0:{pg}"], "--pg-listen 0.0.0.0 is not a loopback"),
        (["--listen", f"127.0.0.1:{port}", "--admin-user", "a"], "--admin-user and --admin-password-file go together"),
        (["--listen", f"127.0.0.1:{port}", "--auth", "true", "--admin-user", "a", "--admin-password-file",
          "/nonexistent/pw"], "--admin-password-file /nonexistent/pw"),
    ]
    for args, want in cases:
        d = tempfile.mkdtemp(prefix="strata-open-")
        p = subprocess.run([binary, "--data-dir", d] + args, capture_output=True, text=True, timeout=30)
        shutil.rmtree(d, ignore_errors=True)
        R.check(p.returncode != 0 and want in p.stderr, f"refuses {' '.join(args)}", (p.returncode, p.stderr[-300:]))
    # an explicit acknowledgement, or authentication, lets a wildcard
    # listener start; with authentication a query needs credentials
    for flag, query_status in (("--auth=false", 200), ("--auth=true", 401)):
        port = free_port()
        d = tempfile.mkdtemp(prefix="strata-open-")
        proc = subprocess.Popen([binary, "--listen", f"0.0.0.0:{port}", "--data-dir", d, flag, "--pg-listen", ""],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ok, got = False, None
        try:
            for _ in range(200):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2) as r:
                        ok = r.status == 200
                        break
                except OSError:
                    time.sleep(0.05)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/query?query=1", timeout=5) as r:
                    got = r.status
            except urllib.error.HTTPError as e:
                got = e.code
            if flag == "--auth=false":
                check_users_from_afar(port)
        finally:
            proc.terminate()
            proc.wait(30)
            shutil.rmtree(d, ignore_errors=True)
        R.check(ok and got == query_status, f"--listen 0.0.0.0 with {flag} serves; a query answers {query_status}",
                got)


def parse_metrics(text):
    """Prometheus text format: every sample line is name{labels} value."""
    vals = {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        if not m:
            raise ValueError("bad metrics line: " + line)
        vals[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return vals


def test_metrics(srv, appended_at_least):
    st, body, hdr = srv.request("GET", "/metrics")
    R.check(st == 200 and hdr.get("Content-Type", "").startswith("text/plain"), "/metrics 200 text")
    try:
        v = parse_metrics(body.decode())
    except ValueError as e:
        R.check(False, "/metrics parses", str(e))
        return
    R.check(v.get("strata_samples_appended_total", -1) >= appended_at_least,
            "strata_samples_appended_total counts the imports", v.get("strata_samples_appended_total"))
    for name in ["strata_active_series", "strata_wal_disk_bytes", "strata_blocks",
                 'strata_wal_fsync_duration_seconds_bucket{le="+Inf"}',
                 'strata_samples_rejected_total{reason="type_conflict"}',
                 "strata_wal_replay_duration_seconds", "strata_compactions_total"]:
        R.check(name in v, f"/metrics has {name}")


def test_json_roundtrip(srv):
    lines = []
    want = {}
    for i in range(20):
        metric = {"__name__": "jr_metric", "instance": f"host-{i}", "job": "node"}
        ts = [now_ms + k * 15000 for k in range(50)]
        vals = [round(i * 1.5 + k * 0.25, 2) for k in range(50)]
        lines.append(json.dumps({"metric": metric, "values": vals, "timestamps": ts}))
        want[tuple(sorted(metric.items()))] = list(zip(ts, vals))
    body = ("\n".join(lines) + "\n").encode()
    st, b, _ = srv.request("POST", "/db/jr/api/v1/import", body)
    R.check(st == 204, "JSON import 204", (st, b[:300]))
    got = export_json(srv, db="jr", match="jr_metric")
    R.check(got == want, "JSON export equals what was imported",
            f"{len(got)} vs {len(want)} series")
    # a time range restricts the export
    got = export_json(srv, db="jr", match='jr_metric{instance="host-3"}',
                      start=(now_ms + 15000) / 1000, end=(now_ms + 45000) / 1000)
    pts = list(got.values())[0] if got else []
    R.check(len(got) == 1 and [p[0] for p in pts] == [now_ms + 15000, now_ms + 30000, now_ms + 45000],
            "export honours start and end", pts)
    # RFC 3339 times
    t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((now_ms + 15000) / 1000))
    got = export_json(srv, db="jr", match='jr_metric{instance="host-3"}', start=t, end=t)
    pts = list(got.values())[0] if got else []
    R.check([p[0] for p in pts] == [now_ms + 15000], "export takes RFC 3339 times", pts)
    return 20 * 50


def f2b(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def test_line_roundtrip(srv):
    ns = now_ms * 1_000_000
    lines = [
        f'weather,city=Paris,country=FR temp=12.5,hum=81i,ok=true,note="sunny \\"mostly\\"",cnt=18446744073709551615u {ns}',
        f'weather,city=Paris,country=FR temp=-0.0,hum=-9223372036854775808i,ok=false,note="",cnt=0u {ns + 1}',
        f'weather,city=S\\ Paulo,country=BR temp=1e-300,hum=9223372036854775807i,ok=t,note="ünï",cnt=7u {ns + 2}',
        f'm,tag\\=x=a\\,b value=3.25 {ns + 3}',
    ]
    body = ("\n".join(lines) + "\n").encode()
    st, b, _ = srv.request("POST", "/db/lp/api/v1/import?format=line", body)
    R.check(st == 204, "line-protocol import 204", (st, b[:300]))
    st, out, _ = srv.request("GET", "/db/lp/api/v1/export?" + qs(**{"format": "line", "match[]": '{__name__=~".+"}'}))
    R.check(st == 200, "line-protocol export 200", st)
    got = sorted(l for l in out.decode().splitlines() if l)
    # every field comes back as its own line, typed and exact
    expect = sorted([
        f'weather,city=Paris,country=FR temp=12.5 {ns}',
        f'weather,city=Paris,country=FR hum=81i {ns}',
        f'weather,city=Paris,country=FR ok=true {ns}',
        f'weather,city=Paris,country=FR note="sunny \\"mostly\\"" {ns}',
        f'weather,city=Paris,country=FR cnt=18446744073709551615u {ns}',
        f'weather,city=Paris,country=FR temp=-0 {ns + 1}',
        f'weather,city=Paris,country=FR hum=-9223372036854775808i {ns + 1}',
        f'weather,city=Paris,country=FR ok=false {ns + 1}',
        f'weather,city=Paris,country=FR note="" {ns + 1}',
        f'weather,city=Paris,country=FR cnt=0u {ns + 1}',
        f'weather,city=S\\ Paulo,country=BR temp=1e-300 {ns + 2}',
        f'weather,city=S\\ Paulo,country=BR hum=9223372036854775807i {ns + 2}',
        f'weather,city=S\\ Paulo,country=BR ok=true {ns + 2}',
        f'weather,city=S\\ Paulo,country=BR note="ünï" {ns + 2}',
        f'weather,city=S\\ Paulo,country=BR cnt=7u {ns + 2}',
        f'm,tag\\=x=a\\,b value=3.25 {ns + 3}',
    ])
    R.check(got == expect, "line-protocol export is exact and typed",
            "\n got: " + "\n      ".join(got) + "\n want: " + "\n      ".join(expect))
    # re-importing the export into another database gives the same export
    st, _, _ = srv.request("POST", "/db/lp2/api/v1/import?format=line", out)
    st2, out2, _ = srv.request("GET", "/db/lp2/api/v1/export?" + qs(**{"format": "line", "match[]": '{__name__=~".+"}'}))
    R.check(st == 204 and sorted(out2.decode().splitlines()) == sorted(out.decode().splitlines()),
            "export -> import -> export is the identity")
    # a type conflict is refused with the InfluxDB wording, good lines kept
    st, b, _ = srv.request("POST", "/db/lp/api/v1/import?format=line",
                           f'weather,city=Paris,country=FR hum=1.5 {ns + 10}\nweather,city=Rome,country=IT hum=2i {ns + 10}\n'.encode())
    R.check(st == 400 and b"field type conflict" in b, "type conflict -> 400 naming it", (st, b[:300]))
    st, out, _ = srv.request("GET", "/db/lp/api/v1/export?" + qs(**{"format": "line", "match[]": 'weather_hum{city="Rome"}'}))
    R.check(out.decode().strip() == f'weather,city=Rome,country=IT hum=2i {ns + 10}', "the good line was kept", out)


def test_nan_and_stale(srv):
    # the stale marker and other NaNs survive the lossless format bit for bit
    ns = now_ms * 1_000_000
    body = f'st value=NaN(0x7ff0000000000002) {ns}\nst value=+Inf {ns + 1}\nst value=-Inf {ns + 2}\nst value=NaN {ns + 3}\n'
    # sent as curl -d sends it: a form Content-Type that must not turn '+' into ' '
    st, b, _ = srv.request("POST", "/db/nan/api/v1/import?format=line", body.encode(),
                           {"Content-Type": "application/x-www-form-urlencoded"})
    R.check(st == 204, "non-finite extension tokens import", (st, b[:200]))
    st, out, _ = srv.request("GET", "/db/nan/api/v1/export?" + qs(**{"format": "line", "match[]": "st"}))
    R.check(sorted(out.decode().splitlines()) == sorted(body.strip().splitlines()),
            "NaN payloads, +Inf and -Inf round-trip", out)


def test_delete(srv):
    st, _, _ = srv.request("POST", "/db/jr/api/v1/admin/tsdb/delete_series?" + qs(**{"match[]": 'jr_metric{instance="host-1"}'}))
    R.check(st == 204, "delete_series 204", st)
    got = export_json(srv, db="jr", match="jr_metric")
    R.check(len(got) == 19 and not any(dict(k).get("instance") == "host-1" for k in got),
            "deleted series is gone", len(got))
    st, _, _ = srv.request("POST", "/db/jr/api/v1/admin/tsdb/delete_series?" + qs(
        **{"match[]": 'jr_metric{instance="host-2"}', "start": (now_ms + 15000) / 1000, "end": (now_ms + 30000) / 1000}))
    got = export_json(srv, db="jr", match='jr_metric{instance="host-2"}')
    pts = list(got.values())[0] if got else []
    R.check(len(pts) == 48 and (now_ms + 15000) not in [p[0] for p in pts],
            "a time-range delete removes exactly that range", len(pts))
    st, b, _ = srv.request("POST", "/api/v1/admin/tsdb/delete_series")
    R.check(st == 400, "delete without match[] is 400", st)


def test_gzip(srv):
    import gzip
    a = (json.dumps({"metric": {"__name__": "gz", "p": "1"}, "values": [1], "timestamps": [now_ms]}) + "\n").encode()
    b = (json.dumps({"metric": {"__name__": "gz", "p": "2"}, "values": [2], "timestamps": [now_ms]}) + "\n").encode()
    # two gzip members back to back, as RFC 1952 allows
    st, r, _ = srv.request("POST", "/db/gz/api/v1/import", gzip.compress(a) + gzip.compress(b),
                           {"Content-Encoding": "gzip"})
    R.check(st == 204 and len(export_json(srv, db="gz", match="gz")) == 2, "gzip import, every member read", (st, r[:200]))
    st, r, _ = srv.request("POST", "/db/gz/api/v1/import", b"\x1f\x8bnot gzip", {"Content-Encoding": "gzip"})
    R.check(st == 400, "corrupt gzip is 400", (st, r[:200]))
    st, r, _ = srv.request("POST", "/db/gz/api/v1/import", a, {"Content-Encoding": "br"})
    R.check(st == 415, "unknown Content-Encoding is 415", (st, r[:200]))


def test_bad_input(srv):
    cases = [
        ("POST", "/api/v1/import", b'{"metric":{"__name__":"x"},"values":[1,2],"timestamps":[1]}\n', 400, "values/timestamps length mismatch"),
        ("POST", "/api/v1/import", b'not json\n', 400, "garbage JSON"),
        ("POST", "/api/v1/import", b'{"metric":{},"values":[1],"timestamps":[1]}\n', 400, "missing metric name"),
        ("POST", "/api/v1/import?format=line", b'cpu,host=a\n', 400, "line protocol without fields"),
        ("POST", "/api/v1/import?format=line", b'cpu value="unterminated\n', 400, "unbalanced quotes"),
        ("POST", "/api/v1/import?format=line", b'cpu value=1 99999999999999999999\n', 400, "timestamp out of range"),
        ("POST", "/api/v1/import?format=line", b'cpu value=1 ' + str((int(time.time()) + 86400) * 10**9).encode() + b'\n', 400, "timestamp in the future"),
        ("GET", "/api/v1/export?" + qs(**{"match[]": "{a=~\"(\"}"}), None, 400, "bad regex"),
        ("GET", "/api/v1/export?" + qs(**{"match[]": '{a=""}'}), None, 400, "selector matching everything"),
        ("GET", "/api/v1/export?" + qs(**{"match[]": "x", "start": "yesterday"}), None, 400, "bad time"),
        ("POST", "/db/..%2F..%2Fetc/api/v1/import", b'{"metric":{"__name__":"x"},"values":[1],"timestamps":[1]}\n', 400, "database name with a path"),
        ("GET", "/api/v1/admin/flush", None, 405, "flush needs POST"),
    ]
    for method, path, body, want, what in cases:
        st, b, _ = srv.request(method, path, body)
        R.check(st == want, f"bad input: {what} -> {want}", (st, b[:200]))
    R.check(srv.request("GET", "/-/healthy")[0] == 200, "server still serving after bad input")


def test_flush_and_restart(srv):
    before = export_json(srv, db="jr", match="jr_metric")
    st, _, _ = srv.request("POST", "/api/v1/admin/flush")
    R.check(st == 204, "admin flush 204", st)
    wal = os.path.join(srv.data_dir, "wal")
    wal_bytes = sum(os.path.getsize(os.path.join(wal, f)) for f in os.listdir(wal))
    R.check(wal_bytes < 64 * 1024, "WAL is truncated after a flush", wal_bytes)
    R.check(export_json(srv, db="jr", match="jr_metric") == before, "same export after flush")
    rc = srv.stop()
    R.check(rc == 0, "SIGTERM: clean exit", rc)
    srv.start()
    R.check(export_json(srv, db="jr", match="jr_metric") == before, "same export after restart")


def test_connection_limit():
    """--http-max-connections 3 over 2 HTTP threads: with 3 keep-alive
    connections open, a 4th waits in the listen backlog (it is neither
    answered nor dropped) and is served as soon as one of the 3 closes; a
    server started with --http-max-connections 0 refuses to start."""
    import http.client
    import socket
    srv = Server("--http-max-connections", "3", "--http-threads", "2").start()
    try:
        time.sleep(0.3)  # the readiness probe's connection closes
        held = []
        for _ in range(3):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            c.request("GET", "/-/healthy")
            r = c.getresponse()
            r.read()
            held.append(c)
        R.check(all(c.sock is not None for c in held), "connection limit: 3 keep-alive connections open")
        s4 = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s4.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        s4.settimeout(0.7)
        try:
            early = s4.recv(100)
        except socket.timeout:
            early = None
        R.check(early is None, "connection limit: a 4th connection waits (no answer, not closed)", repr(early))
        held.pop().close()
        s4.settimeout(10)
        got = b""
        try:
            while True:
                part = s4.recv(4096)
                if not part:
                    break
                got += part
        except socket.timeout:
            pass
        R.check(got.startswith(b"HTTP/1.1 200"), "connection limit: served once one of the 3 closes", repr(got[:80]))
        s4.close()
        for c in held:
            c.close()
    finally:
        srv.cleanup()
    bad = Server("--http-max-connections", "0")
    try:
        bad.start()
        started = True
    except RuntimeError as e:
        started = False
        msg = str(e)
    R.check(not started and "--http-max-connections" in msg, "connection limit: 0 is refused at start",
            msg if not started else "started")
    bad.cleanup()


def main():
    srv = Server().start()
    try:
        test_health(srv)
        test_routes(srv)
        n = test_json_roundtrip(srv)
        test_line_roundtrip(srv)
        test_nan_and_stale(srv)
        test_delete(srv)
        test_gzip(srv)
        test_bad_input(srv)
        test_metrics(srv, n)
        test_flush_and_restart(srv)
        test_connection_limit()
        test_open_address()
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
