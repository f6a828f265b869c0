"""Click-to-chart latency: the default Playground experiment in a real browser, from
the Train click until the final decision surface is drawn, against the bare cost of
the same work in-process (make the data, fit the estimator, evaluate the model on the
200x200 surface grid).

Browser side: a real `streamlit run` server and Chromium, each click once the page is
idle (script not running, no lazy placeholder left). "Drawn" means the surface chart's
picture is the finished run's: a few of its pixels, sampled on every animation frame,
equal those of the same experiment's finished surface (taken from the first click, once
it stopped changing), after differing from them since the click. The picture, not the
chart element, because the page updates the chart it has in place.

Two kinds of click, alternated so both meet the same load:
- again: Train pressed once more in the same page, as a student does after changing a
  setting; the chart code is loaded and the charts are on screen (the goal's figure);
- first in a page: the page reloaded just before (a new Streamlit session), so the
  browser also sets up its chart code and every chart for the first time.
The very first click on a fresh server is reported apart: it also warms the server.

Then, for contrast, the same-page clicks again with the browser on a core of its own
(the server, its workers and the bare runs pinned to CPU 0; Chromium and the driver to
CPU 1), as when students' browsers run on their own laptops. On a 2-core machine the
browser otherwise draws on the cores the training needs.
"""

from __future__ import annotations

import os
import time

from threadpoolctl import threadpool_limits

from bench.browser import Session, chromium, run_server
from bench.common import Figure, _proc_table, descendants, median, pin, tree_cpu_seconds
from core.charts.run import SURFACE_SIZE
from core.config import TrainConfig
from core.training import build_estimator, dataset_for, make_grid, model_outputs, train

REPS = 9


def bare(config: TrainConfig | None = None):
    """The least work a click must cause: data, fit, the final surface's values (what
    ui.results.final_surface computes), with BLAS on one thread as train() runs it."""
    config = config or TrainConfig()
    with threadpool_limits(1):
        data = dataset_for(config)
        model = build_estimator(config, data.task).fit(data.X_train, data.y_train)
        grid = make_grid(data, SURFACE_SIZE)
        return model_outputs(model, grid.points).reshape(*grid.shape, -1)


def click_to_chart(session: Session, server_pid: int, finished_picture: str) -> dict:
    """Seconds from the click to the drawn chart, where they went, and the CPU seconds
    the server (with any workers) and the browser side (Chromium, playwright) used."""
    session.watch_picture(finished_picture)
    # The server is a child of this process too: the browser side is this process's
    # tree (playwright's driver, Chromium) minus the server's.
    server_cpu, everything = tree_cpu_seconds(server_pid), tree_cpu_seconds()
    own_cpu = _proc_table()[server_pid][1]
    start = session.click_train()
    drawn = session.picture_back()
    script_end = session.wait_finished(surface=True)
    own_cpu = _proc_table()[server_pid][1] - own_cpu
    server_cpu = tree_cpu_seconds(server_pid) - server_cpu
    browser_cpu = tree_cpu_seconds() - everything - server_cpu
    runs = session.page.evaluate("m => window.__runs.slice(m)", session.mark)
    running = min(t for s, t in runs if s == "running") / 1000
    if session.errors():
        raise RuntimeError(f"the Playground shows an exception: {session.errors()}")
    return dict(
        total=drawn - start,
        to_running=running - start,
        script=script_end - running,
        drawing=drawn - script_end,
        server_cpu=server_cpu,
        server_process_cpu=own_cpu,
        workers_cpu=server_cpu - own_cpu,
        browser_cpu=browser_cpu,
    )


def cpu_timed(fn, *args) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def run(out) -> list[Figure]:
    config = TrainConfig()
    bare(config)  # warm: imports, allocator
    epochs = len(train(config).history)
    rows: dict[str, list[dict]] = {"again": [], "new page": []}
    with run_server() as server, chromium() as browser:
        session = Session(browser, server.url)
        start = session.click_train()
        session.wait_finished(surface=True)
        finished = session.settled_picture()
        first = dict(total=time.time() - start)  # an upper bound: includes settling
        metrics = session.metrics()
        # Paired: each click next to an in-process run, so both meet about the same load;
        # the two kinds of click alternate for the same reason.
        for rep in range(2 * REPS):
            kind = "again" if rep % 2 == 0 else "new page"
            if kind == "new page":
                session.reload()
            time.sleep(0.3)  # let the page go idle (no pending chart work)
            click = click_to_chart(session, server.pid, finished)
            time.sleep(0.2)  # the page's last work (curves, metrics) is not the bare run's
            click["bare"], click["bare_cpu"] = cpu_timed(bare, config)
            click["train"], click["train_cpu"] = cpu_timed(train, config)
            rows[kind].append(click)
        if len(os.sched_getaffinity(0)) >= 2:
            everything = set(os.sched_getaffinity(0))
            server_side = {server.pid, *descendants(server.pid)}
            browser_side = set(descendants(os.getpid())) - server_side
            pin(server_side, {0})
            pin(browser_side, {1})
            try:
                rows["own core"] = []
                for _ in range(REPS):
                    time.sleep(0.3)
                    click = click_to_chart(session, server.pid, finished)
                    time.sleep(0.2)
                    os.sched_setaffinity(0, {0})
                    click["bare"], click["bare_cpu"] = cpu_timed(bare, config)
                    click["train"], click["train_cpu"] = cpu_timed(train, config)
                    os.sched_setaffinity(0, everything)
                    rows["own core"].append(click)
            finally:
                pin(server_side | browser_side, everything)
        session.close()
    med = {kind: {k: median([r[k] for r in rs]) for k in rs[0]} for kind, rs in rows.items()}
    ratios = {kind: median([r["total"] / r["bare"] for r in rs]) for kind, rs in rows.items()}
    m, n = med["again"], med["new page"]
    out(
        f"  default experiment ({config.dataset}, {config.hidden_layers}, {config.activation}, "
        f"{epochs} epochs before the loss flattened); in-process: data + fit + "
        f"{SURFACE_SIZE}x{SURFACE_SIZE} surface {m['bare']:.2f} s, train() (history, "
        f"replay frames) {m['train']:.2f} s"
    )
    out(
        f"  Train click to the finished surface on screen (medians of {REPS}): pressed again "
        f"in the same page {m['total']:.2f} s; first click in a newly loaded page "
        f"{n['total']:.2f} s; first click on a fresh server under {first['total']:.1f} s"
    )
    for label, k in (("again", m), ("new page", n)):
        out(
            f"  {label}: click to script running {k['to_running']:.2f} s, script run "
            f"(training, live redraws, final charts) {k['script']:.2f} s, picture on screen "
            f"{k['drawing']:+.2f} s from the script's end; CPU per click: server "
            f"{k['server_cpu']:.2f} s (its process {k['server_process_cpu']:.2f} s, training "
            f"workers {k['workers_cpu']:.2f} s), browser side (Chromium + driver) "
            f"{k['browser_cpu']:.2f} s"
        )
    if "own core" in med:
        k = med["own core"]
        out(
            f"  browser on a core of its own: pressed again {k['total']:.2f} s "
            f"({ratios['own core']:.2f}x of bare {k['bare']:.2f} s on the server's core); script "
            f"run {k['script']:.2f} s, picture {k['drawing']:+.2f} s from the script's end"
        )
    out(
        f"  bare work CPU {m['bare_cpu']:.2f} s, train() CPU {m['train_cpu']:.2f} s; "
        f"metrics shown: {', '.join(metrics)}; load average {os.getloadavg()[0]:.1f}"
    )
    detail = dict(
        click_to_chart_s=m["total"],
        new_page_click_s=n["total"],
        bare_s=m["bare"],
        train_s=m["train"],
        server_cpu_per_click_s=m["server_cpu"],
        bare_cpu_s=m["bare_cpu"],
        browser_cpu_per_click_s=m["browser_cpu"],
        epochs=epochs,
        first_click_upper_bound_s=first["total"],
        median_s=med,
        clicks=rows,
        load_average_1min=os.getloadavg()[0],
    )
    # CPU seconds do not wait for a busy machine: what the server spends per click over
    # what the work itself needs, whatever the load.
    cpu_ratio = median([r["server_cpu"] / r["bare_cpu"] for r in rows["again"]])
    return [
        Figure(
            "click-to-chart latency vs bare fit + surface", ratios["again"], "x", "<= 2", detail
        ),
        Figure(
            "first click in a newly loaded page vs bare fit + surface",
            ratios["new page"],
            "x",
            None,
            {},
        ),
        *(
            [
                Figure(
                    "click-to-chart, browser on a core of its own (contrast)",
                    ratios["own core"],
                    "x",
                    None,
                    {},
                )
            ]
            if "own core" in ratios
            else []
        ),
        Figure(
            "server CPU per click vs bare fit + surface CPU (contrast)", cpu_ratio, "x", None, {}
        ),
    ]
