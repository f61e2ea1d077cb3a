"""Helpers for end-to-end tests: start a real Strata server on a free
loopback port with its own data directory, talk HTTP to it, stop it.

Every test prints "name: N passed, N failed" last, like the unit tests."""
import json
import base64
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("STRATA_BIN", os.path.join(ROOT, "build", "strata"))
if not os.path.isabs(BIN):
    BIN = os.path.join(ROOT, BIN)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def basic_auth(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def make_ca(d):
    """A test CA (Debian's openssl): d/ca.pem, d/ca.key."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem", "-days", "30", "-subj", "/CN=strata test CA"],
                   capture_output=True, check=True, timeout=60)


def make_cert(d, name, cn, dns=()):
    """A certificate for 127.0.0.1 (and localhost, and the names in dns)
    signed by the test CA: d/name.pem, d/name.key."""
    def run(*cmd):
        subprocess.run(list(cmd), capture_output=True, check=True, timeout=60)
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        f"{d}/{name}.key", "-out", f"{d}/{name}.csr", "-subj", f"/CN={cn}")
    with open(f"{d}/ext", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost" + "".join(",DNS:" + n for n in dns) + "\n")
    run("openssl", "x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
        "-CAcreateserial", "-out", f"{d}/{name}.pem", "-days", "30", "-extfile", f"{d}/ext")


class Server:
    """Strata on a free loopback port; with ca_file= it speaks HTTPS (the
    args must then carry --tls-cert-file and --tls-key-file) and requests
    verify its certificate against that CA."""
    def __init__(self, *args, data_dir=None, ca_file=None, auth=None):
        self.ctx = ssl.create_default_context(cafile=ca_file) if ca_file else None
        self.auth = auth  # (user, password): sent as Basic by request() and metric()
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="strata-compat-")
        self.args = list(args)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(os.path.dirname(os.path.abspath(self.data_dir)),
                                     os.path.basename(self.data_dir) + ".log")

    def start(self):
        self.port = free_port()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BIN, "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir] + self.args,
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("strata exited at start: " + self.tail())
            try:
                st, _, _ = self.request("GET", "/-/ready")
                if st == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("strata did not become ready: " + self.tail())

    def tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-3000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def url(self, path):
        return f"{'https' if self.ctx else 'http'}://127.0.0.1:{self.port}{path}"

    def request(self, method, path, body=None, headers=None, timeout=60, auth=True):
        """auth: True = the server's credentials (if any), None/False = none,
        or a (user, password) pair."""
        headers = dict(headers or {})
        pair = getattr(self, "auth", None) if auth is True else auth or None
        if pair and "Authorization" not in headers:
            headers["Authorization"] = basic_auth(*pair)
        req = urllib.request.Request(self.url(path), data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.ctx) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)


    def metric(self, name, labels=""):
        """The value of a /metrics line `name{labels} value`, or None."""
        st, body, _ = self.request("GET", "/metrics")
        for line in body.decode().splitlines():
            if line.startswith(name + labels + " "):
                return float(line.split()[-1])
        return None
    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def cleanup(self):
        if self.proc:
            self.kill()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            try:
                os.unlink(self.log_path)
            except OSError:
                pass


def report_crash(results, exc, srv=None):
    """A test that raised is a failure with its reason and the server's log."""
    import traceback
    traceback.print_exc()
    results.check(False, "test ran to the end", repr(exc))
    if srv is not None:
        print(srv.tail())


class Results:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print(f"ok {what}" + (f" ({detail})" if os.environ.get("STRATA_VERBOSE") and detail else ""))
        else:
            self.failed += 1
            print(f"not ok {what} {detail}"[:2000])
        sys.stdout.flush()
        return cond

    def done(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def qs(**kw):
    return urllib.parse.urlencode(kw, doseq=True)


def export_json(srv, db=None, match='{__name__=~".+"}', start=None, end=None):
    params = {"match[]": match}
    if start is not None:
        params["start"] = start
    if end is not None:
        params["end"] = end
    prefix = f"/db/{db}" if db else ""
    st, body, _ = srv.request("GET", f"{prefix}/api/v1/export?" + qs(**params))
    if st != 200:
        raise RuntimeError(f"export: {st} {body[:300]}")
    out = {}
    for line in body.decode().splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        key = tuple(sorted(o["metric"].items()))
        out[key] = list(zip(o["timestamps"], o["values"]))
    return out


class Daemon:
    """A peer server the tests start (Prometheus, InfluxDB): its own temp
    dir (removed by stop()), a free loopback port, a log; start_process runs
    argv and waits until GET ready_path answers ready_status."""
    ctx = None  # Server.request's TLS context: daemons speak plain HTTP

    name = "daemon"

    def _init_dir(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.port = free_port()
        self.proc = None
        self.log_path = os.path.join(self.dir, f"{self.name}.log")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def start_process(self, argv, ready_path, ready_status, timeout):
        if shutil.which(argv[0]) is None:
            raise RuntimeError(f"{argv[0]} is not installed (make deps)")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: " + self.tail())
            try:
                with urllib.request.urlopen(self.url(ready_path), timeout=2) as r:
                    if r.status == ready_status:
                        return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready: " + self.tail())

    def tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-3000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, timeout=90):
        """SIGTERM (then SIGKILL); removes the temp dir; the exit code."""
        rc = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            rc = self.proc.returncode
            self.log.close()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc


class Prometheus(Daemon):
    """Debian's prometheus on a free loopback port (self.port, known before
    start() so a config can name it). Its TSDB lives in the temp dir, or in
    tsdb= (kept, e.g. to restart on the same data); extra_args e.g.
    ["--web.enable-remote-write-receiver"]."""

    name = "prometheus"

    def __init__(self, config="global:\n  scrape_interval: 1h\n", extra_args=(), tsdb=None):
        self._init_dir("strata-prom-")
        self.config_path = os.path.join(self.dir, "prometheus.yml")
        self.set_config(config)
        self.args = ["prometheus", f"--config.file={self.config_path}",
                     f"--storage.tsdb.path={tsdb or os.path.join(self.dir, 'tsdb')}",
                     f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"] + list(extra_args)

    def set_config(self, text):
        with open(self.config_path, "w") as f:
            f.write(text)

    def start(self, timeout=60):
        return self.start_process(self.args, "/-/ready", 200, timeout)

    request = Server.request  # a Daemon has url() and no TLS (ctx None)

    def get_json(self, path, timeout=30):
        with urllib.request.urlopen(self.url(path), timeout=timeout) as r:
            return json.loads(r.read())


class InfluxDB(Daemon):
    """Debian's influxd 1.6 with its own config: meta/data/wal in a temp dir,
    HTTP and RPC on free loopback ports, reporting and monitoring off (so
    SHOW DATABASES lists only what a test creates)."""

    name = "influxd"

    def __init__(self):
        self._init_dir("strata-influx-")

    def start(self, timeout=30):
        conf = os.path.join(self.dir, "influxdb.conf")
        with open(conf, "w") as f:
            f.write(f"""reporting-enabled = false
bind-address = "127.0.0.1:{free_port()}"
[meta]
  dir = "{self.dir}/meta"
  logging-enabled = false
[data]
  dir = "{self.dir}/data"
  wal-dir = "{self.dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:{self.port}"
  log-enabled = false
  pprof-enabled = false
  max-body-size = 25000000
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
""")
        return self.start_process(["influxd", "run", "-config", conf], "/ping", 204, timeout)

    def query(self, db, q, method="GET"):
        """Runs q (epoch=ns) and returns the decoded JSON; non-200 raises."""
        url = f"http://127.0.0.1:{self.port}/query?" + urllib.parse.urlencode({"db": db, "epoch": "ns", "q": q})
        req = urllib.request.Request(url, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"influx query {q!r}: {e.code} {e.read()[:300]}")

    def create_db(self, db):
        self.query(db, f'CREATE DATABASE "{db}"', method="POST")


def crash_rounds(results, srv, rounds, send, missing_after, per_round=30000, what="batches"):
    """The crash test from outside, for any write protocol: 3 writer
    threads send batches send(port, b) -> True when acknowledged (2xx), the
    server is SIGKILLed at a random moment, restarted, and every batch
    acknowledged so far must be readable: missing_after(srv, acked) returns
    (ok, detail). Batch numbers never repeat across rounds."""
    import random
    import threading
    acked, lock = [], threading.Lock()

    def writer(ids, stop):
        for b in ids:
            if stop.is_set():
                return
            try:
                ok = send(srv.port, b)
            except Exception:  # the server died under us
                return
            if ok:
                with lock:
                    acked.append(b)

    srv.start()
    nxt = 0
    for rnd in range(rounds):
        before = len(acked)
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(range(nxt + w, nxt + per_round, 3), stop)) for w in range(3)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.5, 1.5))
        srv.kill()
        stop.set()
        for t in threads:
            t.join()
        nxt += per_round
        srv.start()
        with lock:
            done = list(acked)
        ok, detail = missing_after(srv, done)
        results.check(ok and len(done) > before,
                      f"round {rnd}: all {len(done)} acknowledged {what} ({len(done) - before} new) survive SIGKILL",
                      detail)


class NodeExporter(Daemon):
    """Debian's prometheus-node-exporter on a free loopback port (self.port).
    Its textfile collector reads an empty directory of its own, so files a
    system install drops into /var/lib/prometheus/node-exporter stay out;
    a system service instance (port 9100) is never the one scraped."""

    name = "node-exporter"

    def __init__(self, extra_args=()):
        self._init_dir("strata-node-exporter-")
        textfiles = os.path.join(self.dir, "textfile")
        os.mkdir(textfiles)
        self.args = ["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{self.port}",
                     f"--collector.textfile.directory={textfiles}"] + list(extra_args)

    def start(self, timeout=30):
        return self.start_process(self.args, "/metrics", 200, timeout)
