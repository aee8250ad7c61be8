"""What ``cxgov serve`` runs: gunicorn's arbiter for the processes, waitress for HTTP in each.

Why (measured over real sockets, see the README "how cxgov serve is safe against slow clients"):
gunicorn's own workers give a thread (gthread) or the whole process (sync) to a connection
whose request has not fully arrived, so a few half-sent requests starve everyone.  waitress
reads every request, headers and body, in its asynchronous loop and hands it to a thread only
once it is whole; a slow or idle client costs a socket, not a thread.  gunicorn still forks the
workers (after ``cxgov serve`` released every database connection), restarts one that dies,
and stops them gracefully.

waitress answers its own refusals (431, 413, 501, 400 for a malformed request) in text/plain:
``ProblemChannel`` makes them application/problem+json like every other error of the API.
"""
import json
import logging
import os
import threading
import time

from gunicorn.app.base import BaseApplication
from gunicorn.workers.base import Worker
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

log = logging.getLogger("cxgov")

#: The settings ``cxgov serve`` gives waitress in each worker (the README lists them).
SERVER_DEFAULTS = {
    "threads": 4,
    # Seconds a connection may stay without any byte moving (an idle keep-alive, or a
    # request arriving too slowly) before it is closed.
    "channel_timeout": 30,
    # How often waitress looks for such connections: one is closed 30-40 s after its last byte.
    "cleanup_interval": 10,
    # Open connections per worker; past it the worker stops accepting until some close.
    # Each costs a socket, no thread, so this is far above the thread count.
    "connection_limit": 1000,
    # Request line plus headers, in bytes (431 above it).
    "max_request_header_size": 64 * 1024,
}


class ProblemErrorTask(ErrorTask):
    """waitress's error response, as RFC 9457 problem+json."""

    def execute(self):
        error = self.request.error
        body = json.dumps({
            "type": "about:blank",
            "title": error.reason,
            "status": error.code,
            "detail": str(error.body),
        }).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/problem+json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class ProblemChannel(HTTPChannel):
    error_task_class = ProblemErrorTask


def make_server(app, sockets, max_body, **options):
    """A waitress server on already-bound ``sockets`` whose own refusals are problem+json."""
    settings = dict(SERVER_DEFAULTS, **options)
    server = create_server(app, sockets=sockets, max_request_body_size=max_body, ident="cxgov",
                           clear_untrusted_proxy_headers=True, **settings)
    for dispatcher in list(getattr(server, "map", server._map).values()) + [server]:
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = ProblemChannel
    return server


def access_logged(app, logger):
    """``app`` writing one line per request to ``logger`` (gunicorn's access log)."""

    def logged(environ, start_response):
        started = time.monotonic()
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        try:
            return app(environ, recording_start_response)
        finally:
            logger.info('%s "%s %s %s" %s %.1f ms', environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD"),
                        environ.get("PATH_INFO"), environ.get("SERVER_PROTOCOL"), seen.get("status", "-"),
                        (time.monotonic() - started) * 1000)

    return logged


class WaitressWorker(Worker):
    """A gunicorn worker whose HTTP is waitress's: the main thread only keeps the heartbeat."""

    server_options = {}
    max_body = 1024 * 1024

    def run(self):
        app = access_logged(self.wsgi, self.log.access_log) if self.cfg.accesslog else self.wsgi
        server = make_server(app, [listener.sock for listener in self.sockets], self.max_body,
                             threads=self.cfg.threads, **self.server_options)
        loop = threading.Thread(target=server.run, name="cxgov-http", daemon=True)
        loop.start()
        try:
            while self.alive and loop.is_alive():
                self.notify()
                if self.ppid != os.getppid():
                    self.log.info("Parent changed, shutting down: %s", self)
                    break
                time.sleep(0.5)
        finally:
            # Let requests already running finish (bounded), then give their answers a moment
            # to be written; the loop thread ends with the process.
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=self.cfg.graceful_timeout)
            time.sleep(0.2)


def run_server(app, bind, workers, threads, timeout=60):
    """Serve ``app`` in this process: gunicorn forks ``workers`` waitress workers on ``bind``."""
    WaitressWorker.max_body = app.config["MAX_CONTENT_LENGTH"]

    class _Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", WaitressWorker)
            self.cfg.set("timeout", timeout)
            self.cfg.set("accesslog", "-")
            self.cfg.set("proc_name", "cxgov")
            if "control_socket_disable" in self.cfg.settings:  # gunicorn ≥ 25: no shared ~/.gunicorn socket
                self.cfg.set("control_socket_disable", True)

        def load(self):
            return app

    _Server().run()
