"""End-to-end harness: a real `streamlit run` server per module and a real Chromium.

Fixtures: `browser` (session), `page` (per test, fresh context), `app_server` (one
fresh server per module, yields its base URL), `fresh_server` (factory for tests that
need a never-visited server, e.g. deep links), `screenshot` (saves this test's PNG).
Helpers for tests: wait_for_app, assert_no_exception, save_screenshot. Starting servers
and waiting for the app live in harness.py (no pytest), which bench/ uses too.
"""

import contextlib
import os
import re
from pathlib import Path

import pytest

from tests.e2e.harness import (
    CHROMIUM_ARGS,
    REPO_ROOT,
    chromium_path,
    run_server,
    tail,
)
from tests.e2e.harness import wait_for_app as wait_for_app  # re-exported: the tests import it here

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
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


def assert_no_exception(page):
    """Fail with the exceptions' text if the app shows any stException element.

    The app's config (client.showErrorDetails = "none") redacts the message in the
    page, so the failure also carries the server log, where the traceback is.
    """
    errors = page.locator('[data-testid="stException"]').all_inner_texts()
    if errors:
        log = _SERVER_LOGS.get(re.match(r"https?://[^/]+", page.url).group(0))
        pytest.fail(
            "the app shows exception(s):\n"
            + "\n---\n".join(errors)
            + (f"\n\nserver log tail:\n{tail(log)}" if log else "")
        )


def _artifact(name):
    return ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")


def save_screenshot(page, name):
    """Full-page PNG at test-artifacts/e2e/<name>.png (git-ignored); returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(_artifact(name)), full_page=True)
    return _artifact(name)


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    chromium = chromium_path()
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


@contextlib.contextmanager
def _run_server(*extra_args, script="app.py"):
    """harness.run_server, with its log registered for assert_no_exception; yields
    the base URL."""
    with run_server(*extra_args, script=script) as server:
        _SERVER_LOGS[server.url] = server.log
        try:
            yield server.url
        finally:
            _SERVER_LOGS.pop(server.url, None)


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
            _run_server(*extra_args, script=script)
        )
