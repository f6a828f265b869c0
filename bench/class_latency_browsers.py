"""The class of bench/class_latency.py in 30 real Chromium pages, on the server's own
cores: what that bench leaves out, the browsers' share of a 2-core machine. No goal
here: a class's browsers run on the students' machines, and measured this way the
waits are mostly the browsers' own work (drawing 30 pages of charts), which the CPU
figures of each round show. The server's latency is class_latency's figure.

One `streamlit run` server; one headless Chromium with 30 contexts (students), each on
/Playground?seed=N (its own seed, the default config otherwise), loaded and idle. Each
page is armed to click Train itself at a set moment of the shared wall clock, the 30
moments spread evenly over one second: clicking them one by one from here would spread
them over several seconds of round trips. A click is then timed from the page's own
clock; its result is finished when the script run has finished and the final surface
is drawn (bench/browser.py Session.wait_finished, as the other browser benches define
it). One round: the class's first press on freshly loaded pages.

Queued message: the page notes, by a MutationObserver, when the progress text first
showed the waiting message and when it first showed an epoch (the run under way).

The browsers run at a lower priority (nice 10, bench.browser.lower_priority): they
take the CPU the server and its workers leave, rather than competing with them for it.
"""

from __future__ import annotations

import os
import time

from bench.browser import Session, chromium, run_server
from bench.class_latency import (
    SPREAD,
    STUDENTS,
    TEXT,
    WAITED,
    bare_cpu_seconds,
    class_configs,
    epoch_pattern,
    summarise,
)
from bench.common import Figure, tree_cpu_seconds

BROWSER_NICE = 10  # the browsers' priority: below the server's (see the docstring)
ARM_MARGIN = 1.5  # s before the first click, after all pages are armed
PER_ARM = 0.2  # s: a generous round trip to arm one page on a loaded machine
# s from the first click until every session must show its finished result: 30 pages
# drawing their results at once on a loaded 2-core machine took longer than the other
# benches' two minutes. A session still unfinished then is counted, described and left
# out of the percentiles, so one lost page does not cost the whole class's figures.
CLASS_DEADLINE = 300.0

# Arms one page: at ``at`` (ms, wall clock) it clicks Train and, from then on, notes
# when the progress text first shows the waiting messages and an epoch. Returns the
# index of the next script state, where Session.wait_finished starts looking.
_ARM = """([at, queued, starting, epoch]) => {
  const epochPattern = new RegExp(epoch);
  const w = window.__class = {click: null, queued: null, starting: null, epoch: null,
                              late: false};
  const look = () => {
    if (w.click === null) return;
    const bar = document.querySelector('[data-testid="stProgress"]');
    if (!bar) return;
    const text = bar.textContent;
    const now = Date.now();
    if (w.queued === null && text.includes(queued)) w.queued = now;
    if (w.starting === null && text.includes(starting)) w.starting = now;
    if (w.epoch === null && epochPattern.test(text)) w.epoch = now;
  };
  new MutationObserver(look).observe(document.body,
      {subtree: true, childList: true, characterData: true, attributes: true});
  // The button is looked up when clicked: a late redraw may have replaced the one
  // there was at arming, and a click on a detached button does nothing.
  const train = () => [...document.querySelectorAll('button')]
      .find(b => b.innerText.trim() === 'Train');
  if (!train()) throw new Error('no Train button');
  w.late = Date.now() > at;
  setTimeout(() => {
    const button = train();
    w.click = Date.now();
    w.found = !!button;
    if (button) button.click();
    look();
  }, Math.max(0, at - Date.now()));
  return window.__runs.length;
}"""


def press_together(sessions: list[Session]) -> list[dict]:
    """Arm every page to press Train within SPREAD seconds, starting once all are
    armed; wait for every run to finish. Per session: the click, the first waiting
    message, the first epoch and the finish, in seconds from its click."""
    first = time.time() + ARM_MARGIN + PER_ARM * len(sessions)
    args = [TEXT["playground.queued"], TEXT["playground.starting"], epoch_pattern().pattern]
    for i, s in enumerate(sessions):
        at = first + SPREAD * i / len(sessions)
        s.mark = s.page.evaluate(_ARM, [at * 1000, *args])
    rows: list[dict] = []
    deadline = first + CLASS_DEADLINE
    for s in sessions:
        try:
            left_ms = max(1.0, deadline - time.time()) * 1000
            end = s.wait_finished(surface=True, timeout=left_ms)
        except RuntimeError as exc:
            w = s.page.evaluate("() => window.__class")
            rows.append(dict(seed=s.url.rsplit("=", 1)[-1], unfinished=f"{exc}; armed: {w}"))
            continue
        w = s.page.evaluate("() => window.__class")
        if w["late"]:
            raise RuntimeError(f"{s.url}: armed after its click time; raise ARM_MARGIN")
        runs = s.page.evaluate("m => window.__runs.slice(m)", s.mark)
        click = w["click"] / 1000

        def since(ms, click=click):
            return None if ms is None else ms / 1000 - click

        rows.append(
            dict(
                seed=s.url.rsplit("=", 1)[-1],
                click=click,
                to_running=since(min((t for st, t in runs if st == "running"), default=None)),
                to_queued=since(w["queued"]),
                to_starting=since(w["starting"]),
                to_epoch=since(w["epoch"]),
                total=end - click,
                metrics=tuple(s.metrics()),
                exceptions=s.errors(),  # summarise raises on any
            )
        )
    return rows


def run(out) -> list[Figure]:
    cores = os.cpu_count() or 1
    class_cpu = bare_cpu_seconds(class_configs(), playground=True)  # class_latency's bound
    bound = class_cpu / cores
    with run_server() as server, chromium(nice=BROWSER_NICE) as browser:
        sessions = [
            Session(browser, server.url, query={"seed": i}, wait=False)
            for i in range(1, STUDENTS + 1)
        ]
        for s in sessions:
            s.ready()
        load = os.getloadavg()[0]
        server_cpu, everything = tree_cpu_seconds(server.pid), tree_cpu_seconds()
        wall = time.perf_counter()
        rows = press_together(sessions)
        wall = time.perf_counter() - wall
        server_cpu = tree_cpu_seconds(server.pid) - server_cpu
        browser_cpu = tree_cpu_seconds() - everything - server_cpu
        f = dict(
            summarise(rows, bound),
            server_cpu_s=server_cpu,
            browser_cpu_s=browser_cpu,
            wall_s=wall,
            load_average_1min=(load, os.getloadavg()[0]),
        )
        for s in sessions:
            s.close()
    out(
        f"  lower bound (as class_latency's): the class's {STUDENTS} runs cost "
        f"{class_cpu:.1f} CPU-s on all {cores} cores at once: at least {bound:.1f} s"
    )
    out(
        f"  {STUDENTS} clicks within {f['click_spread_s']:.2f} s; click to finished result "
        f"p50 {f['p50_s']:.1f} s, p95 {f['p95_s']:.1f} s ({f['ratio_p95']:.2f}x the bound), "
        f"longest {f['max_s']:.1f} s; {f['distinct_results']} distinct results"
    )
    if f["unfinished"]:
        out(
            f"    {f['unfinished']} sessions not seen to finish within "
            f"{CLASS_DEADLINE:.0f} s of the clicks (left out of the percentiles): "
            + " | ".join(f["unfinished_detail"])
        )
    out(
        f"    CPU over its {f['wall_s']:.0f} s: server and workers {f['server_cpu_s']:.0f} "
        f"CPU-s ({f['server_cpu_s'] / STUDENTS:.2f} per run), browsers and driver "
        f"{f['browser_cpu_s']:.0f} CPU-s: the browsers share the server's {cores} cores here; "
        f"load average {f['load_average_1min'][0]:.1f} -> {f['load_average_1min'][1]:.1f}"
    )
    out(
        f"    {f['waited']} sessions waited over {WAITED:.0f} s for their first epoch: "
        f"{f['saw_queued']} saw the queued message, {f['saw_starting']} the workers "
        f"starting message, {f['waited_untold']} neither; from the click to the first "
        f"message (or epoch): median {f['to_message_p50_s']:.1f} s, longest "
        f"{f['to_message_max_s']:.1f} s"
    )
    detail = dict(lower_bound_s=bound, cores=cores, students=STUDENTS, round=f)
    return [
        Figure(
            f"in {STUDENTS} Chromium pages on the server's own cores: p95 click to drawn "
            "result vs the bound (no goal: the browsers' own share)",
            f["ratio_p95"],
            "x",
            None,
            detail,
        ),
        Figure(
            "browsers' CPU per CPU-s of the server and its workers in that round",
            f["browser_cpu_s"] / max(f["server_cpu_s"], 1e-9),
            "x",
            None,
            {},
        ),
    ]
