"""What the browser benchmarks share: a real server and Chromium (through
tests/e2e/harness.py, as the e2e tests start them), Playground sessions whose script
runs are observed inside the page, and the memory of a process tree.

A session's script state (stApp's data-test-script-state) is recorded by a
MutationObserver with the page's wall clock, so "this click's run has finished" means
"seen `running` since the click, and now `notRunning`", which stays right when a run is
so short or the machine so slow that polling alone would miss the change, and when a
page already shows an older chart.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from urllib.parse import urlencode

from bench.memory import rss_mb
from tests.e2e.harness import CHROMIUM_ARGS, chromium_path, run_server, wait_for_app

__all__ = ["Session", "chromium", "run_server", "wait_for_app", "process_tree", "tree_memory"]

VIEWPORT = {"width": 1280, "height": 900}
RUN_TIMEOUT = 120_000  # ms: a run on a loaded 2-core machine with 20 others queued
SURFACE = ".st-key-surface canvas, .st-key-surface svg"

_OBSERVE = """() => {
  if (window.__runs) return;
  const app = document.querySelector('[data-testid="stApp"]');
  window.__runs = [];
  const note = () => window.__runs.push([app.getAttribute('data-test-script-state'), Date.now()]);
  new MutationObserver(note).observe(app, {attributes: true,
                                           attributeFilter: ['data-test-script-state']});
}"""
# Finished: a `running` seen since the mark, the script now not running, no lazy
# placeholder left and, if asked, the decision surface chart drawn (canvas or svg).
_FINISHED = """([mark, surface]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const since = window.__runs.slice(mark);
  return since.some(s => s[0] === 'running')
      && app.getAttribute('data-test-script-state') === 'notRunning'
      && !document.querySelector('[data-testid="stSkeleton"]')
      && (!surface || !!document.querySelector(surface));
}"""


@contextlib.contextmanager
def chromium():
    """Debian's Chromium through playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium not found: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Session:
    """One browser context (one student) on one page of the app."""

    def __init__(self, browser, base_url: str, page: str = "Playground", query: dict | None = None,
                 *, wait: bool = True):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(RUN_TIMEOUT)
        self.url = f"{base_url}/{page}" + (f"?{urlencode(query)}" if query else "")
        self.page.goto(self.url, wait_until="commit")
        self.mark = 0
        if wait:
            self.ready()

    def ready(self) -> "Session":
        """Wait for the first run of the page to finish, then observe the script state."""
        wait_for_app(self.page, timeout=RUN_TIMEOUT)
        self.page.evaluate(_OBSERVE)
        return self

    def reload(self) -> "Session":
        """A new Streamlit session in the same context (cached code chunks stay)."""
        self.page.goto(self.url, wait_until="commit")
        return self.ready()

    def click_train(self) -> float:
        """Press Train; returns the wall clock (s) just before the click."""
        self.mark = self.page.evaluate("() => window.__runs.length")
        start = time.time()
        self.page.get_by_role("button", name=re.compile("^(Train|训练)$")).click()
        return start

    def interact(self, action) -> float:
        """Run ``action(page)`` (something that makes the script rerun) and wait for the
        rerun to finish; returns the seconds it took."""
        self.mark = self.page.evaluate("() => window.__runs.length")
        start = time.perf_counter()
        action(self.page)
        self.wait_finished(surface=False)
        return time.perf_counter() - start

    def wait_finished(self, surface: bool = True) -> float:
        """Wait until the run started since the last click has finished (and, with
        ``surface``, the final decision surface is drawn); returns the page's wall clock
        (s) when the script state last became notRunning."""
        self.page.wait_for_function(_FINISHED, arg=[self.mark, SURFACE if surface else None],
                                    timeout=RUN_TIMEOUT, polling=25)
        runs = self.page.evaluate("m => window.__runs.slice(m)", self.mark)
        return max(t for s, t in runs if s == "notRunning") / 1000

    def metrics(self) -> list[str]:
        return self.page.locator('[data-testid="stMetricValue"]').all_inner_texts()

    def errors(self) -> list[str]:
        return self.page.locator('[data-testid="stException"]').all_inner_texts()

    def close(self) -> None:
        self.context.close()


# ---------------------------------------------------------------- memory of a process tree


def _children() -> dict[int, list[int]]:
    table: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        table.setdefault(ppid, []).append(int(entry))
    return table


def process_tree(root: int) -> list[int]:
    """The descendants of ``root`` (not root itself), nearest first."""
    children, found, queue = _children(), [], [root]
    while queue:
        pid = queue.pop(0)
        kids = sorted(children.get(pid, []))
        found += kids
        queue += kids
    return found


def _status(pid: int) -> dict:
    """Name, RSS and PSS (MB) of one process; PSS divides shared pages among the
    processes sharing them, so PSS figures add up where RSS figures double-count."""
    info = dict(pid=pid, name="?", rss_mb=rss_mb(pid), pss_mb=None)
    with open(f"/proc/{pid}/status") as fh:
        info["name"] = fh.readline().split()[1]
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    info["pss_mb"] = int(line.split()[1]) / 1024
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        info["role"] = ("forkserver" if "forkserver" in cmd else
                        "resource tracker" if "resource_tracker" in cmd else
                        "loky worker" if "loky" in cmd else
                        "worker" if "multiprocessing" in cmd or "spawn_main" in cmd else
                        info["name"])
    return info


def tree_memory(root: int) -> dict:
    """RSS/PSS of a server process and of its descendants (pool workers, the fork
    server, the resource tracker), in MB."""
    server = _status(root)
    others = []
    for pid in process_tree(root):
        with contextlib.suppress(OSError):  # a process may end while we read
            others.append(_status(pid))
    pss = [p["pss_mb"] for p in [server, *others]]
    return dict(server_rss_mb=server["rss_mb"], server_pss_mb=server["pss_mb"],
                children_rss_mb=sum(p["rss_mb"] for p in others),
                children_pss_mb=(sum(p["pss_mb"] for p in others)
                                 if None not in pss else None),
                total_rss_mb=server["rss_mb"] + sum(p["rss_mb"] for p in others),
                children=[{k: (round(v, 1) if isinstance(v, float) else v)
                           for k, v in p.items()} for p in others])
