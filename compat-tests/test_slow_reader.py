"""A slow export client must not stall the server: while one client reads a
large export very slowly, flushes, health checks, other exports and
shutdown go on (regression: a query once held the database's view lock for
as long as its client took to read)."""
import os
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strata import Server, Results, qs, report_crash  # noqa: E402

R = Results("test_slow_reader")
base_ns = (int(time.time()) - 5 * 3600) * 10**9


def lines(n, off):
    return ("".join(f"slow,host=h{i % 500} value={i}.5 {base_ns + (off + i) * 1_000_000}\n"
                    for i in range(n))).encode()


def main():
    srv = Server("--http-threads", "2", "--maintenance-interval", "1s", "--memory-window", "1h")
    try:
        srv.start()
        for k in range(4):
            st, b, _ = srv.request("POST", "/api/v1/import?format=line", lines(50000, k * 50000))
            R.check(st == 204, f"import batch {k}", (st, b[:200]))
        # a client that asks for a big export and then reads almost nothing
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        path = "/api/v1/export?" + qs(**{"format": "line", "match[]": '{__name__=~"slow.*"}'})
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        s.recv(1024)
        # more old data, then a flush: it must not wait for the slow reader
        st, _, _ = srv.request("POST", "/api/v1/import?format=line", lines(1000, 300000))
        t0 = time.time()
        st, b, _ = srv.request("POST", "/api/v1/admin/flush", timeout=30)
        R.check(st == 204 and time.time() - t0 < 20, "flush completes while a client reads slowly",
                (st, round(time.time() - t0, 1)))
        st, _, _ = srv.request("GET", "/health", timeout=10)
        R.check(st == 200, "health answers", st)
        st, body, _ = srv.request("GET", "/api/v1/export?" + qs(**{"match[]": 'slow{host="h7"}'}), timeout=30)
        R.check(st == 200 and len(body) > 0, "another export answers", st)
        t0 = time.time()
        rc = srv.stop(timeout=60)
        R.check(rc == 0 and time.time() - t0 < 45, "SIGTERM stops the server despite the slow reader",
                (rc, round(time.time() - t0, 1)))
        s.close()
    except Exception as e:
        report_crash(R, e, srv)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
