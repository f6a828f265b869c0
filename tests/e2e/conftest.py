"""End-to-end harness: a real `streamlit run` server per module and a real Chromium.

Fixtures: `browser` (session), `page` (per test, fresh context), `app_server` (one
fresh server per module, yields its base URL), `fresh_server` (factory for tests that
need a never-visited server, e.g. deep links), `screenshot` (saves this test's PNG).
Helpers for tests: wait_for_app, assert_no_exception, save_screenshot.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parents[1]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-dev-shm-usage",
    "--disable-gpu",
    # Without these Chromium keeps calling home, which floods the closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT = 30  # seconds
_SERVER_LOGS = {}  # base URL -> log file of each running server


# ---------------------------------------------------------------- collection / reports


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session: mark only the items that live under tests/e2e.
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # The page is still open here (fixture teardown comes later): keep what it showed.
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        with contextlib.suppress(Exception):  # never hide the real failure
            save_screenshot(page, f"{item.name}-FAILED")
    return report


# ---------------------------------------------------------------- helpers for tests


def wait_for_app(page, timeout=30_000, rerun=False):
    """Wait until Streamlit is connected and has finished running the script.

    stApp carries data-test-connection-state (CONNECTED once the websocket is up) and
    data-test-script-state ("initial" -> "running" -> "notRunning"), which is what
    Streamlit's own e2e suite waits on. On a first load "initial" rules out a false
    early match. After an interaction pass rerun=True: the state only leaves
    "notRunning" once the server has the rerun, and widgets debounce ~200 ms first.
    """
    if rerun:
        page.wait_for_timeout(300)
    app = '[data-testid="stApp"]'
    page.wait_for_selector(f'{app}[data-test-connection-state="CONNECTED"]',
                           state="attached", timeout=timeout)
    page.wait_for_selector(f'{app}[data-test-script-state="notRunning"]',
                           state="attached", timeout=timeout)
    # The script has finished, but the browser may still be loading the code of some
    # elements (widgets, page links, charts are lazy chunks); each shows a stSkeleton
    # placeholder until then. On a cold server or a loaded machine that takes seconds.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout)


def assert_no_exception(page):
    """Fail with the exceptions' text if the app shows any stException element.

    The app's config (client.showErrorDetails = "none") redacts the message in the
    page, so the failure also carries the server log, where the traceback is.
    """
    errors = page.locator('[data-testid="stException"]').all_inner_texts()
    if errors:
        log = _SERVER_LOGS.get(re.match(r"https?://[^/]+", page.url).group(0))
        pytest.fail("the app shows exception(s):\n" + "\n---\n".join(errors)
                    + (f"\n\nserver log tail:\n{_tail(log)}" if log else ""))


def _tail(path, lines=30):
    return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])


def _artifact(name):
    return ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")


def save_screenshot(page, name):
    """Full-page PNG at test-artifacts/e2e/<name>.png (git-ignored); returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(_artifact(name)), full_page=True)
    return _artifact(name)


# ---------------------------------------------------------------- browser


def _chromium_path():
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    chromium = _chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    problem = None
    if chromium is None:
        problem = "Chromium not found: apt-get install chromium"
    elif sync_playwright is None:
        problem = "playwright not installed: pip install -r requirements-test.txt"
    if problem:
        # CI must never go green by skipping the browser tests.
        if os.environ.get("CI") == "true":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    # A failure shot from an earlier run must not outlive the test that now passes.
    _artifact(f"{request.node.name}-FAILED").unlink(missing_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """screenshot(suffix="") saves this test's page as test-artifacts/e2e/<test>.png."""
    return lambda suffix="": save_screenshot(page, request.node.name + suffix)


# ---------------------------------------------------------------- servers


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _run_server(*extra_args, script="app.py"):
    """Start `streamlit run <script>` on a free port; yield base URL; stop its group."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", script,
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           # Others edit the tree while tests run: no file watching, no surprise reruns.
           "--server.fileWatcherType", "none", *extra_args]
    # A file, not a pipe: a chatty server can never block on a full pipe.
    log = tempfile.NamedTemporaryFile(prefix="streamlit-e2e-", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}:\n"
                                   f"{_tail(log.name)}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.read().strip() == b"ok":
                        break
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit not healthy after {SERVER_START_TIMEOUT}s "
                                   f"({' '.join(cmd)}):\n{_tail(log.name)}")
            time.sleep(0.1)
        _SERVER_LOGS[url] = log.name
        yield url
    finally:
        _SERVER_LOGS.pop(url, None)
        # start_new_session made it a group leader: stop it and anything it spawned.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        os.unlink(log.name)


@pytest.fixture(scope="module")
def app_server():
    """Base URL of a fresh server shared by the tests of one module."""
    with _run_server() as url:
        yield url


@pytest.fixture
def fresh_server():
    """Factory: fresh_server(*extra_args, script="app.py") -> base URL of a server
    nobody has visited yet (stopped after the test)."""
    with contextlib.ExitStack() as stack:
        yield lambda *extra_args, script="app.py": stack.enter_context(
            _run_server(*extra_args, script=script))
