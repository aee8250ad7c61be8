"""`cxgov serve` over real sockets: the server the command starts, in a subprocess, on a free
127.0.0.1 port and the test database (SQLite file, or the PostgreSQL database conftest names).

- Slow clients cannot starve fast ones: with 4 × (workers × threads) half-sent requests (or
  slow bodies, or idle connections) open, `GET /healthz` and an authenticated GET still answer
  within 1 s (the issue's bound; on the old sync workers they waited 61 s).
- Bodies over the limit are 413 however framed (chunked CSV and JSON included), and store
  nothing; transfer codings other than chunked are 501.
- The server's own refusals (header block too large, malformed framing) are problem+json, and
  what the old server refused (a 4 KiB request line, 8 KiB of headers, many headers) reaches
  the app, whose answers are problem+json too.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from cxgov.db import database
from tests.builders import build_world
from tests.conftest import close_database

WORKERS, THREADS = 2, 4  # `cxgov serve`'s default threads; `make run` uses two workers
LIMIT = 1024 * 1024
START_TIMEOUT = 30


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cxgov_command():
    script = shutil.which("cxgov", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "cxgov.cli"]


def exchange(port, raw, timeout=5.0):
    """Send ``raw`` on a new connection and read the answer until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the whole body was sent: the answer is still there to read
        data = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def request(method, path, headers=None, body=b""):
    lines = [f"{method} {path} HTTP/1.1", "Host: x", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body and not any(k.lower() in {"content-length", "transfer-encoding"} for k in headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(data, size=65536):
    return b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size])
                    for i in range(0, len(data), size)) + b"0\r\n\r\n"


@pytest.fixture
def served(app, database_url, tmp_path):
    """`cxgov serve --workers 2` on the test database, with the world built; always stopped."""
    world = build_world(app)
    close_database()
    port = _free_port()
    log = open(tmp_path / "serve.log", "wb")
    env = {**os.environ, "CXGOV_DATABASE_URL": database_url, "CXGOV_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(_cxgov_command() + ["serve", "--workers", str(WORKERS), "--threads", str(THREADS),
                                                "--bind", f"127.0.0.1:{port}"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if exchange(port, request("GET", "/healthz"), timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "cxgov serve did not answer /healthz within 30 s"
            time.sleep(0.1)
        yield {"port": port, "world": world, "proc": proc, "log": tmp_path / "serve.log"}
    finally:
        if proc.poll() is None:
            proc.terminate()  # gunicorn's master stops its workers gracefully
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()


def _timed(port, raw):
    start = time.monotonic()
    status, headers, body = exchange(port, raw, timeout=3)
    return time.monotonic() - start, status, headers, body


SLOW = {
    "half-sent headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
    "slow body (10 of 1000 bytes)": b"POST /api/v1/teams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    b"Content-Length: 1000\r\n\r\n{\"name\": \"",
    "idle connection": b"",
}


@pytest.mark.parametrize("kind", list(SLOW))
def test_slow_clients_do_not_starve_fast_ones(served, kind):
    port, token = served["port"], served["world"]["tokens"]["admin"]
    held = []
    try:
        for _ in range(4 * WORKERS * THREADS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if SLOW[kind]:
                sock.sendall(SLOW[kind])
            held.append(sock)
        time.sleep(0.3)  # let every held connection reach the server
        for _ in range(3):
            took, status, _, body = _timed(port, request("GET", "/healthz"))
            assert status == 200 and took < 1.0, (kind, took, status)
            took, status, _, body = _timed(port, request("GET", "/api/v1/teams",
                                                         {"Authorization": f"Bearer {token}"}))
            assert status == 200 and took < 1.0, (kind, took, status)
            assert len(json.loads(body)) >= 2  # the world's teams
    finally:
        for sock in held:
            sock.close()


def _measurements(app):
    from cxgov.models import Measurement

    with app.app_context():
        try:
            return Measurement.select().count()
        finally:
            close_database()


def _csv(size):
    from tests.api.test_request_bodies import big_csv

    return big_csv(size)


def test_chunked_bodies_over_the_limit_are_413_and_store_nothing(served, app):
    port, world = served["port"], served["world"]
    auth = {"Authorization": f"Bearer {world['tokens']['admin']}"}
    upload = f"/api/v1/metrics/{world['metric']}/measurements/upload"
    raw = _csv(1_220_000)
    for framing in ("chunked", "content-length"):
        headers = {**auth, "Content-Type": "text/csv"}
        if framing == "chunked":
            status, headers_out, body = exchange(port, request("POST", upload, {**headers, "Transfer-Encoding": "chunked"},
                                                               chunked(raw)))
        else:
            status, headers_out, body = exchange(port, request("POST", upload, headers, raw))
        assert status == 413 and headers_out["content-type"] == "application/problem+json", (framing, status, body)
        assert json.loads(body)["status"] == 413
        assert _measurements(app) == 0

    big_json = json.dumps({"name": "Big", "department": "x" * (LIMIT + 10), "lead_name": "L"}).encode()
    status, headers_out, body = exchange(port, request(
        "POST", "/api/v1/teams", {**auth, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        chunked(big_json)))
    assert status == 413 and headers_out["content-type"] == "application/problem+json"

    # a small chunked upload is de-chunked and stored whole
    small = _csv(20_000)
    status, _, body = exchange(port, request("POST", upload, {**auth, "Content-Type": "text/csv",
                                                              "Transfer-Encoding": "chunked"}, chunked(small, 1000)))
    assert status == 201 and json.loads(body)["stored"] == small.count(b"Z,31.98") == _measurements(app)


def test_transfer_codings_the_app_does_not_decode_are_501(served, app):
    port, world = served["port"], served["world"]
    payload = json.dumps({"name": "Gz", "department": "d", "lead_name": "l"}).encode()
    for coding in ("gzip, chunked", "gzip"):
        status, headers, body = exchange(port, request("POST", "/api/v1/teams", {
            "Authorization": f"Bearer {world['tokens']['admin']}", "Content-Type": "application/json",
            "Transfer-Encoding": coding}, chunked(payload)))
        assert status == 501 and headers["content-type"] == "application/problem+json", (coding, status, body)
    status, headers, _ = exchange(port, request("POST", "/api/v1/teams", {
        "Authorization": f"Bearer {world['tokens']['admin']}", "Content-Type": "application/json",
        "Content-Encoding": "gzip"}, payload))
    assert status == 415 and headers["content-type"] == "application/problem+json"
    with app.app_context():
        from cxgov.models import Team

        assert not Team.select().where(Team.name == "Gz").exists()
        close_database()


def test_what_the_server_refuses_or_passes_on_is_problem_json(served):
    port, token = served["port"], served["world"]["tokens"]["admin"]
    auth = f"Authorization: Bearer {token}\r\n".encode()
    cases = {
        # the old server's 414/431/400 (text/html): now the app answers
        "request line over 4 KiB": (b"GET /api/v1/teams?q=" + b"a" * 4100 + b" HTTP/1.1\r\nHost: x\r\n" + auth
                                    + b"Connection: close\r\n\r\n", {200, 422}),
        "headers over 8 KiB": (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 9000
                               + b"\r\nConnection: close\r\n\r\n", {200}),
        "200 headers": (b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(200))
                        + b"Connection: close\r\n\r\n", {200}),
        # the server's own refusals
        "headers over 64 KiB": (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 70_000
                                + b"\r\nConnection: close\r\n\r\n", {431}),
        "request line over 64 KiB": (b"GET /healthz?q=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", {431}),
        "two Content-Lengths": (b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n"
                                b"Connection: close\r\n\r\nhello!", {400}),
        "bad chunk framing": (b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                              b"Connection: close\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", {400}),
        "garbage request line": (b"GARBAGE\r\n\r\n", {400}),
        # RFC 9112 section 6.3: Transfer-Encoding overrides Content-Length; the body is the chunked one
        "Content-Length and Transfer-Encoding": (
            b"POST /api/v1/teams HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Type: application/json\r\n"
            b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + chunked(b'{"name": "Framed", "name": "Twice"}'), {400}),
    }
    for name, (raw, statuses) in cases.items():
        status, headers, body = exchange(port, raw)
        assert status in statuses, (name, status, body[:200])
        expected = "application/json" if status < 400 else "application/problem+json"
        assert headers["content-type"] == expected, (name, headers)
        parsed = json.loads(body)
        if status >= 400:
            assert parsed["status"] == status, (name, parsed)
    assert database.is_closed()


def test_the_servers_timeouts_and_limits_are_bounded():
    """What the README promises per worker: 30 s without a byte closes a connection (checked
    every 10 s), 64 KiB of request line and headers, the body limit, problem+json refusals."""
    from cxgov import server

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        made = server.make_server(lambda environ, start_response: [], [sock], LIMIT, threads=2)
        try:
            adj = made.adj
            assert (adj.channel_timeout, adj.cleanup_interval) == (30, 10)
            assert (adj.max_request_header_size, adj.max_request_body_size) == (64 * 1024, LIMIT)
            assert adj.connection_limit == 1000 and adj.threads == 2
            assert made.channel_class is server.ProblemChannel
        finally:
            made.task_dispatcher.shutdown(timeout=1)
            for dispatcher in list(made._map.values()):  # the listener and waitress's wake-up pipe
                dispatcher.close()
