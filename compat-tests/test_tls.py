"""TLS on both listeners (--tls-cert-file, --tls-key-file): HTTPS and the
PostgreSQL protocol's SSLRequest; what clients get and what they are
refused, certificate reloads, and real clients (Prometheus remote_write,
psql, psycopg2) over TLS.

Certificates come from Debian's openssl (a test CA, server certificates for
127.0.0.1 signed by it). TLS 1.0/1.1 and CBC suites are asked for with
`openssl s_client`; so that a refusal is the server's and not a client
that cannot speak the old version, the same client is first shown to
connect with it to `openssl s_server`.

STRATA_SMOKE: runs under ASan too (make test-asan)."""
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, Prometheus, free_port, make_ca, make_cert, qs, report_crash  # noqa: E402

R = Results("test_tls")


def run(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=60, **kw)


def peer_cn(port, ca):
    ctx = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            subj = dict(x[0] for x in t.getpeercert()["subject"])
            return subj.get("commonName"), t.version(), t.cipher()[0]


def s_client(port, *opts):
    """openssl s_client's verdict: the negotiated protocol and cipher, or
    None when no session was made."""
    p = run("openssl", "s_client", "-connect", f"127.0.0.1:{port}", *opts, input="")
    out = p.stdout + p.stderr
    for line in out.splitlines():
        if "Cipher is" in line:
            c = line.split("Cipher is", 1)[1].strip()
            return None if c == "(NONE)" else c
    return None


def control_accepts(d, *opts):
    """Whether s_client with opts connects to openssl s_server set up to
    allow them (the client can speak them at all)."""
    port = free_port()
    srv = subprocess.Popen(["openssl", "s_server", "-accept", str(port), "-cert", f"{d}/one.pem", "-key",
                            f"{d}/one.key", "-cipher", "ALL:@SECLEVEL=0", "-quiet"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        return s_client(port, *opts) is not None
    finally:
        srv.kill()
        srv.wait()


def test_basics(srv, d):
    st, body, _ = srv.request("GET", "/health")
    R.check(st == 200 and b'"pass"' in body, "HTTPS /health 200", (st, body[:100]))
    ts = (int(time.time()) - 60) * 10**9
    st, body, _ = srv.request("POST", "/write?db=tls", f"m,host=a v=1.5 {ts}\n".encode())
    R.check(st == 204, "line protocol over HTTPS", (st, body[:200]))
    st, body, _ = srv.request("GET", "/query?" + qs(db="tls", q="SELECT v FROM m", epoch="ns"))
    R.check(st == 200 and f"[{ts},1.5]".encode() in body, "...and read back over HTTPS", body[:200])
    # plain HTTP on the HTTPS port: no answer, the connection closed
    try:
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        c.request("GET", "/health")
        r = c.getresponse()
        R.check(False, "plain HTTP refused", f"answered {r.status}")
    except (http.client.HTTPException, OSError):
        R.check(True, "plain HTTP refused: no handler ran, the connection closed")
    cn, ver, cipher = peer_cn(srv.port, f"{d}/ca.pem")
    R.check(cn == "first" and ver in ("TLSv1.2", "TLSv1.3"), "the certificate given, TLS 1.2 or 1.3", (cn, ver))
    # what the default refuses, each shown possible for the client elsewhere
    for opts, what in ((["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"], "TLS 1.1"),
                       (["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"], "TLS 1.0"),
                       (["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"], "a CBC suite (TLS 1.2)")):
        able = control_accepts(d, *opts)
        R.check(able, f"control: openssl speaks {what} to openssl s_server")
        got = s_client(srv.port, *opts)
        R.check(got is None, f"{what} refused", got)
    got = s_client(srv.port, "-tls1_2")
    R.check(got is not None and "GCM" in got or "CHACHA20" in (got or ""), "TLS 1.2 with an AEAD suite", got)
    got = s_client(srv.port, "-tls1_3")
    R.check(got is not None, "TLS 1.3", got)
    # refused handshakes are logged through the server's log, a line a second at most
    t0 = time.time()
    for _ in range(20):
        s_client(srv.port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
    secs = time.time() - t0
    lines = [ln for ln in srv.tail().splitlines() if "handshake" in ln]
    R.check(lines and all(" warn " in ln for ln in lines), "failed handshakes logged as warnings", lines[-3:])
    R.check(len(lines) <= secs + 12, f"{len(lines)} lines for the handshakes of {secs:.1f} s: at most one a second",
            lines[-3:])
    # ...and every one counted, whatever the log passed over
    failures = srv.metric("strata_tls_handshake_failures_total")
    R.check(failures is not None and failures >= 20, "strata_tls_handshake_failures_total counts them all", failures)
    end = run("openssl", "x509", "-in", f"{d}/srv.pem", "-noout", "-enddate").stdout.strip().split("=", 1)[1]
    want = int(subprocess.run(["date", "-u", "-d", end, "+%s"], capture_output=True, text=True).stdout)
    got = srv.metric("strata_tls_cert_expiry_timestamp_seconds")
    R.check(got == want, "strata_tls_cert_expiry_timestamp_seconds is the certificate's notAfter", (got, want))


def test_reload(srv, d):
    """SIGHUP: new handshakes get the new certificate, a connection open
    across it keeps working; a bad file keeps the certificate in use."""
    ctx = ssl.create_default_context(cafile=f"{d}/ca.pem")
    kept = http.client.HTTPSConnection("127.0.0.1", srv.port, timeout=10, context=ctx)
    kept.request("GET", "/health")
    R.check(kept.getresponse().read() != b"", "a keep-alive HTTPS connection before the reload")
    stop = threading.Event()
    errors, done = [], [0]

    def load():
        c = http.client.HTTPSConnection("127.0.0.1", srv.port, timeout=10, context=ctx)
        while not stop.is_set():
            try:
                c.request("POST", "/write?db=tls", b"load v=1\n")
                r = c.getresponse()
                r.read()
                if r.status != 204:
                    errors.append(r.status)
                done[0] += 1
                if done[0] % 7 == 0:  # new connections too: new handshakes during the reloads
                    c.close()
                    c = http.client.HTTPSConnection("127.0.0.1", srv.port, timeout=10, context=ctx)
            except (OSError, http.client.HTTPException) as e:
                errors.append(repr(e))
                c = http.client.HTTPSConnection("127.0.0.1", srv.port, timeout=10, context=ctx)
    th = [threading.Thread(target=load) for _ in range(2)]
    for t in th:
        t.start()
    for i in range(5):
        name = "second" if i % 2 == 0 else "first"
        shutil.copy(f"{d}/{name}.pem", f"{d}/srv.pem")
        shutil.copy(f"{d}/{name}.key", f"{d}/srv.key")
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        cn = peer_cn(srv.port, f"{d}/ca.pem")[0]
        R.check(cn == name, f"reload {i + 1}: new handshakes get {name}", cn)
    stop.set()
    for t in th:
        t.join()
    R.check(not errors and done[0] > 20, f"{done[0]} writes over HTTPS during 5 reloads, none failed", errors[:5])
    kept.request("GET", "/health")
    R.check(kept.getresponse().status == 200, "the connection opened before the reloads still answers")
    # a broken file: the one in use stays, the failure is counted and logged
    last = peer_cn(srv.port, f"{d}/ca.pem")[0]
    with open(f"{d}/srv.pem", "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    srv.proc.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    R.check(peer_cn(srv.port, f"{d}/ca.pem")[0] == last, "a bad certificate file keeps the one in use")
    shutil.copy(f"{d}/first.pem", f"{d}/srv.pem")
    shutil.copy(f"{d}/second.key", f"{d}/srv.key")  # a key that is not the certificate's
    srv.proc.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    R.check(peer_cn(srv.port, f"{d}/ca.pem")[0] == last, "a key not matching the certificate keeps the one in use")
    R.check(srv.metric("strata_tls_reloads_total", '{result="failed"}') == 2 and
            srv.metric("strata_tls_reloads_total", '{result="ok"}') == 5, "reloads counted in /metrics")
    R.check("the certificate in use stays" in srv.tail(), "the failed reload is logged")


def s_client_pg(port, *opts):
    """openssl s_client through PostgreSQL's SSLRequest: (cipher or None,
    the certificate's CN)."""
    p = run("openssl", "s_client", "-starttls", "postgres", "-connect", f"127.0.0.1:{port}", *opts, input="")
    out = p.stdout + p.stderr
    cipher = cn = None
    for line in out.splitlines():
        if "Cipher is" in line:
            c = line.split("Cipher is", 1)[1].strip()
            cipher = None if c == "(NONE)" else c
        if line.startswith("subject=") and "CN" in line:
            cn = line.split("CN", 1)[1].lstrip(" =").split(",")[0].strip()
    return cipher, cn


def test_pgwire(srv, d):
    """The PostgreSQL listener: SSLRequest answered 'S', the same
    certificate and versions, sessions without TLS refused."""
    port = srv.pg_port
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    if shutil.which("psql"):
        p = run("psql", f"host=127.0.0.1 port={port} dbname=tls user=t sslmode=require", "-Atc", "SELECT 40 + 2",
                env=env)
        R.check(p.returncode == 0 and p.stdout.strip() == "42", "psql with sslmode=require", (p.stdout, p.stderr))
        p = run("psql", f"host=127.0.0.1 port={port} dbname=tls user=t sslmode=disable", "-Atc", "SELECT 1", env=env)
        R.check(p.returncode != 0 and "SSL is required" in p.stderr, "psql without TLS: refused, saying why",
                p.stderr[-300:])
    else:
        R.check(False, "psql installed (Debian: postgresql-client)")
    try:
        try:
            import psycopg2
        except ImportError:  # Debian's python3-psycopg2 lives outside a pyenv interpreter's path
            sys.path.append("/usr/lib/python3/dist-packages")
            import psycopg2
        c = psycopg2.connect(host="127.0.0.1", port=port, dbname="tls", user="t", sslmode="verify-full",
                             sslrootcert=f"{d}/ca.pem", connect_timeout=10)
        cur = c.cursor()
        cur.execute("SELECT v FROM m")
        rows = cur.fetchall()
        R.check(c.info.ssl_in_use and rows == [(1.5,)], "psycopg2 with sslmode=verify-full reads the data",
                (c.info.ssl_in_use, rows))
        c.close()
    except ImportError:
        R.check(False, "psycopg2 installed (Debian: python3-psycopg2)")
    cipher, cn = s_client_pg(port)
    R.check(cipher is not None and cn == peer_cn(srv.port, f"{d}/ca.pem")[0],
            "the same certificate as HTTPS", (cipher, cn))
    R.check(s_client_pg(port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")[0] is None, "TLS 1.1 refused there too")
    # bytes sent after SSLRequest and before the handshake are not taken as
    # the session's (a plaintext injection): the connection is closed
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sk:
        startup = b"\0\x03\0\0user\0t\0database\0tls\0\0"
        sk.sendall(b"\0\0\0\x08\x04\xd2\x16\x2f" + len(startup + b"1234").to_bytes(4, "big") + startup)
        first = sk.recv(1)
        rest = b""
        try:
            rest = sk.recv(100)
        except OSError:
            pass
        R.check(first == b"S" and rest == b"", "plaintext after SSLRequest: 'S', then the connection closed",
                (first, rest))


def https_status(port, d, cert=None):
    ctx = ssl.create_default_context(cafile=f"{d}/ca.pem")
    if cert:
        ctx.load_cert_chain(f"{d}/{cert}.pem", f"{d}/{cert}.key")
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
    try:
        c.request("GET", "/health")
        r = c.getresponse()
        return r.status, r.read()
    except (OSError, http.client.HTTPException) as e:
        return None, repr(e).encode()
    finally:
        c.close()


def test_client_certs(d):
    """--tls-client-ca-file: a certificate the CA signs, or nothing is
    served, on either listener; the CA file reloads with the pair."""
    make_cert(d, "client", "client")
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        f"{d}/stranger.key", "-out", f"{d}/stranger.pem", "-days", "30", "-subj", "/CN=stranger")
    shutil.copy(f"{d}/ca.pem", f"{d}/clientca.pem")
    pg_port = free_port()
    srv = Server("--tls-cert-file", f"{d}/one.pem", "--tls-key-file", f"{d}/one.key", "--tls-client-ca-file",
                 f"{d}/clientca.pem", "--pg-listen", f"127.0.0.1:{pg_port}", ca_file=f"{d}/ca.pem")
    srv.ctx.load_cert_chain(f"{d}/client.pem", f"{d}/client.key")  # the harness's own requests
    srv.start()
    try:
        st, body = https_status(srv.port, d)
        R.check(st == 403 and b"client certificate is required" in body, "HTTPS without a client certificate: 403",
                (st, body[:120]))
        st, body = https_status(srv.port, d, "stranger")
        R.check(st == 403 and b"not accepted" in body, "...with one another CA signed: 403 saying why",
                (st, body[:160]))
        st, body = https_status(srv.port, d, "client")
        R.check(st == 200, "...with one the CA signed: 200", (st, body[:120]))
        env = dict(os.environ, PGCONNECT_TIMEOUT="10")
        base = f"host=127.0.0.1 port={pg_port} dbname=default user=t sslmode=require"
        p = run("psql", f"{base} sslcert={d}/client.pem sslkey={d}/client.key", "-Atc", "SELECT 7", env=env)
        R.check(p.returncode == 0 and p.stdout.strip() == "7", "psql with a client certificate", p.stderr[-200:])
        p = run("psql", f"{base} sslcert={d}/none sslkey={d}/none", "-Atc", "SELECT 7", env=env)
        R.check(p.returncode != 0 and "client certificate is required" in p.stderr,
                "psql without one: FATAL, saying why", p.stderr[-200:])
        # a real client: Prometheus's remote_write with cert_file/key_file
        got, log = prometheus_writes(srv, "mtls", f"{{ca_file: {d}/ca.pem, cert_file: {d}/client.pem, "
                                                  f"key_file: {d}/client.key}}")
        R.check(got, "Prometheus's remote_write with a client certificate arrives", log)
        # another CA file on SIGHUP: the old client is refused, the new one let in
        shutil.copy(f"{d}/stranger.pem", f"{d}/clientca.pem")
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        R.check(https_status(srv.port, d, "client")[0] == 403 and https_status(srv.port, d, "stranger")[0] == 200,
                "a reloaded client CA file decides the next requests")
    finally:
        srv.cleanup()


def test_min_13(d):
    srv = Server("--tls-cert-file", f"{d}/one.pem", "--tls-key-file", f"{d}/one.key", "--tls-min-version", "1.3",
                 ca_file=f"{d}/ca.pem").start()
    try:
        R.check(s_client(srv.port, "-tls1_2") is None, "--tls-min-version 1.3 refuses TLS 1.2")
        R.check(s_client(srv.port, "-tls1_3") is not None, "...and takes TLS 1.3")
        # a priority string cannot bring back what the minimum version excludes
    finally:
        srv.cleanup()
    srv = Server("--tls-cert-file", f"{d}/one.pem", "--tls-key-file", f"{d}/one.key", "--tls-priorities", "NORMAL",
                 ca_file=f"{d}/ca.pem").start()
    try:
        R.check(s_client(srv.port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0") is None,
                "--tls-priorities NORMAL still refuses TLS 1.1")
        R.check(s_client(srv.port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA") is not None,
                "...and allows the CBC suite it asks for")
    finally:
        srv.cleanup()


def test_bad_flags(d):
    binary = os.environ.get("STRATA_BIN", "build/strata")
    cases = [
        (["--tls-cert-file", f"{d}/one.pem"], "give both or neither"),
        (["--tls-cert-file", f"{d}/none.pem", "--tls-key-file", f"{d}/one.key"], "cannot read the TLS certificate"),
        (["--tls-cert-file", f"{d}/one.pem", "--tls-key-file", f"{d}/second.key"], "one.pem with key"),
        (["--tls-min-version", "1.1", "--tls-cert-file", f"{d}/one.pem", "--tls-key-file", f"{d}/one.key"],
         "invalid --tls-min-version"),
        (["--tls-priorities", "NORMAL:+NOPE", "--tls-cert-file", f"{d}/one.pem", "--tls-key-file", f"{d}/one.key"],
         "--tls-priorities"),
        (["--tls-min-version", "1.3"], "need --tls-cert-file"),
        (["--tls-client-ca-file", f"{d}/ca.pem"], "need --tls-cert-file"),
        (["--tls-client-ca-file", f"{d}/none.pem", "--tls-cert-file", f"{d}/one.pem", "--tls-key-file",
          f"{d}/one.key"], "cannot read the TLS client CA file"),
    ]
    for args, want in cases:
        data = tempfile.mkdtemp(prefix="strata-tls-bad-")
        p = run(binary, "--listen", f"127.0.0.1:{free_port()}", "--data-dir", data, "--pg-listen", "", *args)
        shutil.rmtree(data, ignore_errors=True)
        R.check(p.returncode != 0 and want in p.stderr, f"refuses to start: {' '.join(args[:2])}... ({want})",
                (p.returncode, p.stderr[-300:]))


def prometheus_writes(srv, db, tls_config):
    """Prometheus 2.42 scrapes itself and sends remote_write to Strata's
    database db over HTTPS with tls_config (YAML flow mapping): whether its
    up series arrives, and Prometheus's log."""
    prom = Prometheus()
    prom.set_config(f"""
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: self
    static_configs: [{{targets: ['127.0.0.1:{prom.port}']}}]
remote_write:
  - url: https://127.0.0.1:{srv.port}/db/{db}/api/v1/write
    tls_config: {tls_config}
    queue_config: {{batch_send_deadline: 1s}}
""")
    prom.start()
    try:
        for _ in range(60):
            time.sleep(0.5)
            st, body, _ = srv.request("GET", f"/db/{db}/api/v1/query?" + qs(query='up{job="self"}'))
            if st == 200 and b'"result":[{' in body:
                return True, ""
        return False, prom.tail()
    finally:
        prom.stop()


def test_prometheus(srv, d):
    """A real client: Prometheus's remote_write over HTTPS, verifying
    Strata's certificate with tls_config."""
    if shutil.which("prometheus") is None:
        R.check(False, "prometheus binary installed")
        return
    got, log = prometheus_writes(srv, "promtls", f"{{ca_file: {d}/ca.pem}}")
    R.check(got, "Prometheus's remote_write over HTTPS arrives (its up series queried back)", log)

def main():
    if not shutil.which("openssl"):
        R.check(False, "openssl installed (Debian: openssl)")
        return R.done()
    d = tempfile.mkdtemp(prefix="strata-tls-")
    srv = None
    try:
        make_ca(d)
        make_cert(d, "first", "first")
        make_cert(d, "second", "second")
        shutil.copy(f"{d}/first.pem", f"{d}/one.pem")
        shutil.copy(f"{d}/first.key", f"{d}/one.key")
        shutil.copy(f"{d}/first.pem", f"{d}/srv.pem")
        shutil.copy(f"{d}/first.key", f"{d}/srv.key")
        pg_port = free_port()
        srv = Server("--tls-cert-file", f"{d}/srv.pem", "--tls-key-file", f"{d}/srv.key", "--pg-listen",
                     f"127.0.0.1:{pg_port}", ca_file=f"{d}/ca.pem").start()
        srv.pg_port = pg_port
        test_basics(srv, d)
        test_pgwire(srv, d)
        test_prometheus(srv, d)
        test_reload(srv, d)
        cipher, cn = s_client_pg(pg_port)
        R.check(cn == peer_cn(srv.port, f"{d}/ca.pem")[0], "after the reloads the PostgreSQL listener serves the "
                "certificate HTTPS does", (cipher, cn))
        test_min_13(d)
        test_client_certs(d)
        test_bad_flags(d)
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        if srv:
            srv.cleanup()
        shutil.rmtree(d, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
