"""Browser tests: Playwright drives Debian's chromium (``/usr/bin/chromium``, or
``CXGOV_CHROMIUM``), never a browser of Playwright's own (no ``playwright install``: it
downloads one, and fails offline).

Without the browser these tests skip and say why; with ``CXGOV_REQUIRE_BROWSER=1`` (CI) a
missing browser is an error instead, so a CI run cannot pass without having run them.
"""
import importlib.metadata
import os
import subprocess
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CXGOV_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("CXGOV_REQUIRE_BROWSER") == "1"
#: A name that is not localhost, resolved by the browser alone to 127.0.0.1: how an intranet
#: user reaches the docs (Swagger UI treats localhost and 127.0.0.1 specially).
INTRANET_HOST = "cxgov.intranet.test"
INSTALL_HINT = "install it with `apt-get update && apt-get install -y chromium` (as root)"

_seen = {}


def chromium_version(path=CHROMIUM):
    completed = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60, check=False)
    return completed.stdout.strip() or completed.stderr.strip()


@pytest.fixture(scope="session")
def chromium():
    """The browser's path; skips (or, when required, fails) when it is missing."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = f"no browser at {CHROMIUM}: {INSTALL_HINT}"
        if REQUIRED:
            pytest.fail(f"CXGOV_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message + "; the browser tests skip")
    _seen["chromium"] = chromium_version()
    _seen["playwright"] = importlib.metadata.version("playwright")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium):
    """pytest-playwright's launch options, on Debian's chromium with its phoning home switched off."""
    args = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--host-resolver-rules=MAP {INTRANET_HOST} 127.0.0.1"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # chromium refuses to run as root with its sandbox
    return {**browser_type_launch_args, "executable_path": chromium, "args": args}


@pytest.fixture
def live_server(app):
    """The app on a real port of 127.0.0.1, served from a thread; yields its port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def offline(context):
    """Every request to anywhere but ``allow(origin)`` is aborted and recorded: the list of
    requests that tried to leave."""
    state = {"origin": None, "attempted": []}

    def guard(route):
        url = route.request.url
        if state["origin"] and (url == state["origin"] or url.startswith(state["origin"] + "/")):
            route.continue_()
        else:
            state["attempted"].append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    return state


def pytest_terminal_summary(terminalreporter):
    if _seen:
        terminalreporter.write_line(
            f"browser tests: {_seen['chromium']} ({CHROMIUM}), driven by Playwright {_seen['playwright']}")
