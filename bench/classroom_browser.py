"""A class pressing Train together, in real browsers: 8 sessions on one server pressing
Train at the same moment, against the same 8 pressing it one after another (each
waiting for its run to finish); and how a 9th student's page responds meanwhile.

It measures whatever the Playground does: training in the script's thread (then the 8
share one GIL and the ratio is about 1x) or in core.parallel's worker processes.
Each session has its own seed (?seed=N); every session first trains once untimed, so
the browser has the chart code and the server its imports and workers. Phases: warm-up
together, one after another (timed), together (timed), together again while a 9th
session interacts (for its response times only). A run is done
when its script run has finished and the decision surface is drawn.

Responsiveness: the 9th session switches the language (a radio: a full rerun of the
Playground script) and waits until its title shows in the new language and the rerun
has finished, a few times idle and as often as it can while the 8 train together; only
interactions that end before the last of the 8 runs has finished count as "under
load".

The browser runs on the same 2 cores as the server here (a class's browsers would
not), so the CPU each side used is reported with the times.
"""

from __future__ import annotations

import os
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.browser import Session, chromium, run_server
from bench.common import Figure, _proc_table, median, tree_cpu_seconds
from ui.i18n import LANGUAGES, strings

STUDENTS = 8
IDLE_INTERACTIONS = 3
MAX_LOADED_INTERACTIONS = 6
SWITCH_TIMEOUT = 30_000  # ms
LOST: list[dict] = []  # language switches that never showed
TITLES = {lang: strings(lang)["playground.title"] for lang in LANGUAGES}


def switch_language(session: Session) -> float | None:
    """Pick the other language in the sidebar; seconds until the page shows its title
    in that language and the rerun has finished (read from the page, so a click that
    coincides with another rerun is still timed to what the student sees). None if the
    switch had not shown after SWITCH_TIMEOUT: the student's click was lost."""
    page = session.page
    now = "zh" if page.locator("h1").first.inner_text().strip() == TITLES["zh"] else "en"
    target = "en" if now == "zh" else "zh"
    radio = page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]')
    start = time.perf_counter()
    radio.get_by_text(LANGUAGES[target], exact=True).click()
    try:
        page.wait_for_function(_SHOWS_TITLE, arg=TITLES[target], timeout=SWITCH_TIMEOUT, polling=25)
    except PlaywrightTimeout:
        LOST.append(dict(target=target, shown=page.locator("h1").first.inner_text()))
        return None
    return time.perf_counter() - start


def finish(sessions: list[Session]) -> list[float]:
    ends = []
    for s in sessions:
        ends.append(s.wait_finished(surface=True))
        if s.errors():
            raise RuntimeError(f"the Playground shows an exception: {s.errors()}")
    return ends


def together(sessions: list[Session], observer: Session | None = None):
    """All press Train (one quick click after another), then wait for all. With an
    observer, it switches language while they run. Returns (seconds from the first
    click to the last run's end, interaction times that ended before that, seconds
    between the first and the last click)."""
    starts = [s.click_train() for s in sessions]
    loaded = []
    if observer is not None:
        for _ in range(MAX_LOADED_INTERACTIONS):
            begun = time.time()
            seconds = switch_language(observer)
            if seconds is not None:
                loaded.append((begun + seconds, seconds))
            if all(s.page.evaluate(_DONE, s.mark) for s in sessions):
                break
    end = max(finish(sessions))
    return (
        end - min(starts),
        [sec for ended, sec in loaded if ended <= end],
        max(starts) - min(starts),
    )


def one_after_another(sessions: list[Session]) -> float:
    first: float | None = None
    for s in sessions:
        start = s.click_train()
        first = first or start
        end = finish([s])[0]
    assert first is not None, "no session"
    return end - first


_SHOWS_TITLE = """(title) => {
  const h1 = document.querySelector('h1');
  return !!h1 && h1.innerText.trim() === title
      && document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state')
         === 'notRunning'
      && !document.querySelector('[data-testid="stSkeleton"]');
}"""
_DONE = """(mark) => window.__runs.slice(mark).some(s => s[0] === 'running')
    && document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state')
       === 'notRunning'"""


def run(out) -> list[Figure]:
    with run_server() as server, chromium() as browser:
        sessions = [
            Session(browser, server.url, query={"seed": i}, wait=False)
            for i in range(1, STUDENTS + 1)
        ]
        observer = Session(browser, server.url, wait=False)
        for s in sessions + [observer]:
            s.ready()
        together(sessions)  # warm-up, untimed
        LOST.clear()
        idle = [
            x
            for x in (switch_language(observer) for _ in range(IDLE_INTERACTIONS))
            if x is not None
        ]

        def cpu():  # (server and workers, browser side, server process alone)
            server_cpu = tree_cpu_seconds(server.pid)
            return (server_cpu, tree_cpu_seconds() - server_cpu, _proc_table()[server.pid][1])

        c0 = cpu()
        serial_s = one_after_another(sessions)
        c1 = cpu()
        together_s, _, spread = together(sessions)
        c2 = cpu()
        metrics = [s.metrics() for s in sessions]
        # Once more with the 9th session busy meanwhile: its reruns would add to the
        # timed run above, so the two are measured apart.
        _, loaded, _ = together(sessions, observer)
        for s in sessions + [observer]:
            s.close()
    ratio = serial_s / together_s
    cores = {}
    for phase, (a, b), wall in (("serial", (c0, c1), serial_s), ("together", (c1, c2), together_s)):
        cores[f"{phase}_server"] = (b[0] - a[0]) / wall
        cores[f"{phase}_server_process"] = (b[2] - a[2]) / wall
        cores[f"{phase}_browser"] = (b[1] - a[1]) / wall
    distinct = len({tuple(m) for m in metrics})
    # CPU seconds one run costs each side (from the one-after-another phase), and the
    # least time 8 such runs can take on this machine's cores, however well scheduled.
    per_run = dict(server=(c1[0] - c0[0]) / STUDENTS, browser=(c1[1] - c0[1]) / STUDENTS)
    floor_s = STUDENTS * (per_run["server"] + per_run["browser"]) / (os.cpu_count() or 1)
    out(
        f"  {STUDENTS} sessions, Train one after another: {serial_s:.1f} s; at the same moment: "
        f"{together_s:.1f} s ({distinct} distinct results)"
    )
    out(
        f"  cores used: one after another server {cores['serial_server']:.2f} (its process "
        f"{cores['serial_server_process']:.2f}, the rest workers), browsers "
        f"{cores['serial_browser']:.2f}; together server {cores['together_server']:.2f} "
        f"(its process "
        f"{cores['together_server_process']:.2f}), browsers {cores['together_browser']:.2f} "
        f"(the browsers share the server's 2 cores here)"
    )
    out(
        f"  one run costs the server {per_run['server']:.2f} CPU-s and its browser "
        f"{per_run['browser']:.2f} CPU-s: on {os.cpu_count()} cores, {STUDENTS} runs with their "
        f"browsers cannot take less than {floor_s:.1f} s, so this machine allows at most "
        f"{serial_s / floor_s:.2f}x here; the {STUDENTS} clicks spanned {spread:.2f} s"
    )
    idle_s = median(idle) if idle else float("nan")
    loaded_s = median(loaded) if loaded else float("nan")
    out(
        f"  a 9th session switching language: idle {idle_s:.2f} s (median of {len(idle)}), "
        f"while the {STUDENTS} train {loaded_s:.2f} s (median of {len(loaded)}: "
        + ", ".join(f"{x:.2f}" for x in loaded)
        + f"); load average {os.getloadavg()[0]:.1f}"
    )
    if LOST:
        out(
            f"  {len(LOST)} language switch(es) never showed within {SWITCH_TIMEOUT / 1000:.0f} s "
            f"(the click was lost or undone): {LOST}"
        )
    detail = dict(
        serial_s=serial_s,
        together_s=together_s,
        cores_used=cores,
        cpu_per_run_s=per_run,
        cpu_floor_together_s=floor_s,
        best_ratio_this_machine=serial_s / floor_s,
        click_spread_s=spread,
        distinct_results=distinct,
        load_average_1min=os.getloadavg()[0],
    )
    return [
        Figure(
            f"{STUDENTS} browsers pressing Train together vs one after another",
            ratio,
            "x",
            ">= 1.6",
            detail,
        ),
        Figure(
            "9th session's language switch, during the class run vs idle",
            loaded_s / idle_s,
            "x",
            None,
            dict(
                idle_s=idle,
                loaded_s=loaded,
                idle_median_s=idle_s,
                loaded_median_s=loaded_s,
                lost_switches=list(LOST),
            ),
        ),
    ]
