"""A soak run: 15 students doing random things for 5 minutes on one server.

Each student (a browser context) repeats a random action: train, move the replay
slider, switch to another page and back, change the language, or upload a CSV and train
on it. After every action the page is checked for an error; an action that does not
finish within RUN_TIMEOUT counts as a hang. The server's memory (its process and the
training workers, RSS) is read after the first minute and at the end: a leak shows as
growth between the two. Students take turns (one action at a time across the class):
15 browsers at once would measure this machine's 2 cores, not the app.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

from bench.browser import Session, chromium, run_server, tree_memory
from bench.common import Figure
from tests.e2e.harness import wait_for_app
from ui.frame import PAGES

STUDENTS = 15
SECONDS = 300
WARM_UP = 60  # the memory baseline is read after this long
QUICK = {"n_samples": "200", "epochs": "60"}
SAMPLE_CSV = Path(__file__).resolve().parents[1] / "data" / "samples" / "exam_results.csv"
TRAIN = re.compile("^(Train|训练)$")


def _train(s: Session) -> None:
    s.click_train()
    s.wait_finished(surface=False)


def _replay(s: Session) -> None:
    slider = s.page.locator(".st-key-replay input[type=range]")
    if slider.count() == 0:
        return _train(s)
    slider.focus()
    s.page.keyboard.press("Home")
    wait_for_app(s.page, rerun=True)


def _switch_page(s: Session) -> None:
    page_id, script, _ = random.choice(PAGES[1:])
    path = re.sub(r"^\d+_", "", Path(script).stem)
    s.page.goto(s.url.split("/Playground")[0] + f"/{path}")
    wait_for_app(s.page)
    s.page.goto(s.url)
    s.ready()


def _language(s: Session) -> None:
    chinese = s.page.get_by_text("简体中文")
    (chinese if chinese.is_visible() else s.page.get_by_text("English")).first.click()
    wait_for_app(s.page, rerun=True)


def _upload(s: Session) -> None:
    s.page.get_by_text(re.compile("^(My CSV|我的 CSV)$")).first.click()
    wait_for_app(s.page, rerun=True)
    s.page.locator('input[type="file"]').set_input_files(str(SAMPLE_CSV))
    wait_for_app(s.page, rerun=True)
    _train(s)


ACTIONS = {
    "train": _train,
    "replay": _replay,
    "switch page": _switch_page,
    "language": _language,
    "upload": _upload,
}


def run(out) -> list[Figure]:
    rng = random.Random(0)
    random.seed(0)
    counts = dict.fromkeys(ACTIONS, 0)
    errors: list[str] = []
    hangs: list[str] = []
    with run_server() as server, chromium() as browser:
        students = [
            Session(browser, server.url, query={**QUICK, "seed": i}) for i in range(STUDENTS)
        ]
        start = time.perf_counter()
        baseline = None
        while time.perf_counter() - start < SECONDS:
            if baseline is None and time.perf_counter() - start >= WARM_UP:
                baseline = tree_memory(server.pid)
            s = rng.choice(students)
            name = rng.choice(list(ACTIONS))
            try:
                ACTIONS[name](s)
                counts[name] += 1
            except Exception as err:  # a timeout or a missing control: a hang to report
                hangs.append(f"{name}: {str(err).splitlines()[0][:200]}")
                s.reload()
            errors += [f"{name}: {e[:200]}" for e in s.errors()]
        end = tree_memory(server.pid)
        for s in students:
            s.close()
    baseline = baseline or end
    total = lambda m: m["server_rss_mb"] + (m["children_rss_mb"] or 0)  # noqa: E731
    growth = total(end) / total(baseline) - 1
    out(
        f"  {sum(counts.values())} actions by {STUDENTS} students in {SECONDS} s: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    out(f"  errors shown: {len(errors)}; hangs: {len(hangs)}")
    for line in (errors + hangs)[:10]:
        out(f"    {line}")
    out(
        f"  memory (server + workers, RSS): {total(baseline):.0f} MB after {WARM_UP} s, "
        f"{total(end):.0f} MB at the end"
    )
    return [
        Figure("soak: errors shown on any page", len(errors), "", goal="<= 0"),
        Figure("soak: actions that hung", len(hangs), "", goal="<= 0"),
        Figure("soak: memory growth after the first minute", growth * 100, "%", goal="<= 10"),
    ]
