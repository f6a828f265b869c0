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
import tempfile
import time
from urllib.parse import urlencode

from bench.memory import rss_mb
from tests.e2e.harness import (
    CHROMIUM_ARGS,
    SURFACE_PICTURE_JS,
    chromium_path,
    run_server,
    surface_picture,
    wait_for_app,
)

__all__ = ["Session", "chromium", "run_server", "wait_for_app", "process_tree", "tree_memory"]

VIEWPORT = {"width": 1280, "height": 900}
RUN_TIMEOUT = 120_000  # ms: a run on a loaded 2-core machine with 20 others queued
SURFACE = ".st-key-surface canvas, .st-key-surface svg"

_OBSERVE = """() => {
  if (window.__runs) return;
  window.__runs = [];
  let last = null;
  const current = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state');
  };
  const note = (state) => {
    if (state !== last) { window.__runs.push([state, Date.now()]); last = state; }
  };
  note(current());
  // The whole document, not one element: should React ever replace stApp, the new
  // one is watched too. A state that came and went within one batch of mutations is
  // still recorded, from the attribute's old value.
  new MutationObserver(records => {
    for (const r of records) {
      if (r.type === 'attributes' && r.attributeName === 'data-test-script-state') note(r.oldValue);
    }
    note(current());
  }).observe(document.body, {subtree: true, childList: true, attributes: true,
                             attributeOldValue: true, attributeFilter: ['data-test-script-state']});
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


# The surface's picture watched on every animation frame: ``window.__surface``
# records when it first differed from ``ref`` after the watch began, and when it showed
# ``ref`` again after that.
_WATCH_PICTURE = """(ref) => {
  const w = window.__surface = {left: null, back: null};
  const step = () => {
    const now = PICTURE;
    if (w.left === null && now !== ref) w.left = Date.now();
    if (w.left !== null && now === ref) { w.back = Date.now(); return; }
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}""".replace("PICTURE", SURFACE_PICTURE_JS)


@contextlib.contextmanager
def chromium(nice: int = 0):
    """Debian's Chromium through playwright (no browser download). ``nice`` > 0 runs the
    browser's processes at that lower priority (see ``lower_priority``)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium not found: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        if nice:
            lower_priority(nice)
        try:
            yield browser
        finally:
            browser.close()


def lower_priority(nice: int) -> int:
    """Renice this process's Chromium processes (the browser, its zygotes; renderers
    forked later inherit it): a class's browsers run on the students' machines, not on
    the server's cores, and at a lower priority here they take only what the server and
    its workers leave. Returns how many processes were reniced."""
    import psutil

    done = 0
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name().lower():
                proc.nice(max(proc.nice(), nice))
                done += 1
        except psutil.NoSuchProcess:
            pass
    return done


class Session:
    """One browser context (one student) on one page of the app."""

    def __init__(
        self,
        browser,
        base_url: str,
        page: str = "Playground",
        query: dict | None = None,
        *,
        wait: bool = True,
    ):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(RUN_TIMEOUT)
        self.url = f"{base_url}/{page}" + (f"?{urlencode(query)}" if query else "")
        self.page.goto(self.url, wait_until="commit")
        self.mark = 0
        if wait:
            self.ready()

    def ready(self) -> Session:
        """Wait for the first run of the page to finish, then observe the script state."""
        wait_for_app(self.page, timeout=RUN_TIMEOUT)
        self.page.evaluate(_OBSERVE)
        return self

    def reload(self) -> Session:
        """A new Streamlit session in the same context (cached code chunks stay)."""
        self.page.goto(self.url, wait_until="commit")
        return self.ready()

    def click_train(self) -> float:
        """Press Train; returns the page's wall clock (s) when the click happened: the
        page notes it, since playwright's checks before clicking take a round trip or
        two that a student's click does not."""
        self.mark = self.page.evaluate("""() => {
          window.__clickAt = null;
          document.addEventListener('click', () => { window.__clickAt = Date.now(); },
                                    {capture: true, once: true});
          return window.__runs.length;
        }""")
        self.page.get_by_role("button", name=re.compile("^(Train|训练)$")).click()
        return self.page.evaluate("() => window.__clickAt") / 1000

    def wait_finished(self, surface: bool = True, timeout: float = RUN_TIMEOUT) -> float:
        """Wait until the run started since the last click has finished (and, with
        ``surface``, the final decision surface is drawn); returns the page's wall clock
        (s) when the script state last became notRunning. ``timeout`` in ms."""
        try:
            self.page.wait_for_function(
                _FINISHED,
                arg=[self.mark, SURFACE if surface else None],
                timeout=timeout,
                polling=25,
            )
        except Exception as exc:
            raise RuntimeError(f"{self.url}: the run did not finish: {self.describe()}") from exc
        runs = self.page.evaluate("m => window.__runs.slice(m)", self.mark)
        return max(t for s, t in runs if s == "notRunning") / 1000

    def describe(self) -> str:
        """What the page shows now, for a failure message: the script states seen since
        the last click, the state now, and the page's text (a screenshot is kept)."""
        fd, shot = tempfile.mkstemp(prefix="bench-page-", suffix=".png")
        os.close(fd)
        with contextlib.suppress(Exception):
            self.page.screenshot(path=shot, full_page=True)
        state = self.page.evaluate(
            """m => [window.__runs.slice(m),
          document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state'),
          document.body.innerText.slice(0, 1500)]""",
            self.mark,
        )
        return (
            f"states since the click {state[0]}, now {state[1]!r}; screenshot {shot}; "
            f"text: {state[2]!r}"
        )

    def picture(self) -> str | None:
        """The surface chart's picture now (its data URL, or sampled pixels; None: no
        chart)."""
        return surface_picture(self.page)

    def settled_picture(self, still: float = 0.5) -> str:
        """The surface's signature once it has stopped changing (animation, image loads)."""
        last = None
        while True:
            now = self.picture()
            if now is not None and now == last:
                return now
            last = now
            time.sleep(still)

    def watch_picture(self, expected: str) -> None:
        """From now on, note when the surface first differs from ``expected`` and when
        it shows ``expected`` again (see ``picture_back``)."""
        self.page.evaluate(_WATCH_PICTURE, expected)

    def picture_back(self) -> float:
        """Wait until the watched surface has left the expected picture and come back to
        it; returns the page's wall clock (s) of its return."""
        self.page.wait_for_function(
            "() => window.__surface && window.__surface.back !== null",
            timeout=RUN_TIMEOUT,
            polling=25,
        )
        return self.page.evaluate("() => window.__surface.back") / 1000

    def idle(self) -> bool:
        """Whether the app's script is not running now."""
        return self.page.evaluate(
            """() => document.querySelector('[data-testid="stApp"]')
                 .getAttribute('data-test-script-state') === 'notRunning'"""
        )

    def metrics(self) -> list[str]:
        return self.page.locator('[data-testid="stMetricValue"]').all_inner_texts()

    def errors(self) -> list[str]:
        return self.page.locator('[data-testid="stException"]').all_inner_texts()

    def close(self) -> None:
        self.context.close()


# ---------------------------------------------------------------- memory of a process tree


def _parents() -> dict[int, int]:
    """pid -> parent pid for every process (Linux /proc)."""
    table: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                table[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    return table


def process_tree(root: int) -> list[tuple[int, int]]:
    """(pid, parent pid) of the descendants of ``root`` (not root itself), nearest
    first."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    found, queue = [], [root]
    while queue:
        parent = queue.pop(0)
        kids = sorted(children.get(parent, []))
        found += [(kid, parent) for kid in kids]
        queue += kids
    return found


def _status(pid: int) -> dict:
    """Name, command line, RSS, PSS and USS (MB) of one process. PSS divides shared
    pages among the processes sharing them, so PSS figures add up where RSS figures
    count the pages a forked worker shares with its fork server twice; USS is what the
    process alone holds (what ending it would free)."""
    info = dict(pid=pid, name="?", rss_mb=rss_mb(pid), pss_mb=None, uss_mb=None)
    with open(f"/proc/{pid}/status") as fh:
        info["name"] = fh.readline().split()[1]
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            kb = {}
            for line in fh:
                key, _, rest = line.partition(":")
                if rest.strip().endswith("kB"):
                    kb[key] = int(rest.split()[0])
        info["pss_mb"] = kb.get("Pss", 0) / 1024
        info["uss_mb"] = (kb.get("Private_Clean", 0) + kb.get("Private_Dirty", 0)) / 1024
    with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as fh:
        info["cmd"] = fh.read().replace(b"\0", b" ").decode(errors="replace")[:200]
    return info


def _role(info: dict, parent: dict | None) -> str:
    """What a descendant of the server is. Workers forked by the fork server keep its
    command line, so a process whose parent is the fork server is a worker."""
    cmd = info.get("cmd", "")
    if parent is not None and parent.get("role") == "fork server":
        return "worker"
    if "resource_tracker" in cmd:
        return "resource tracker"
    if "forkserver" in cmd:
        return "fork server"
    if "loky" in cmd or "spawn_main" in cmd:
        return "worker"
    return info["name"]


def tree_memory(root: int) -> dict:
    """RSS/PSS/USS of a server process and of its descendants (pool workers, the fork
    server, the resource tracker), in MB."""
    server = _status(root)
    others: dict[int, dict] = {}
    for pid, ppid in process_tree(root):
        with contextlib.suppress(OSError):  # a process may end while we read
            info = _status(pid)
            info["role"] = _role(info, others.get(ppid))
            others[pid] = info
    kids = list(others.values())

    def total(key, ps):
        return sum(p[key] for p in ps) if all(p[key] is not None for p in ps) else None

    return dict(
        server_rss_mb=server["rss_mb"],
        server_pss_mb=server["pss_mb"],
        server_uss_mb=server["uss_mb"],
        children_rss_mb=total("rss_mb", kids),
        children_pss_mb=total("pss_mb", kids),
        total_rss_mb=total("rss_mb", [server, *kids]),
        total_pss_mb=total("pss_mb", [server, *kids]),
        children=[
            {k: (round(v, 1) if isinstance(v, float) else v) for k, v in p.items() if k != "cmd"}
            for p in kids
        ],
    )
