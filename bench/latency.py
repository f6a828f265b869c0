"""Click-to-chart latency: the default Playground experiment in a real browser, from
the Train click until the final decision surface is drawn, against the bare cost of
the same work in-process (make the data, fit the estimator, evaluate the model on the
200x200 surface grid).

Browser side: a real `streamlit run` server and Chromium. Each timed click happens in
a fresh Streamlit session (the page reloaded, so no earlier chart is on screen), once
the page is idle (script not running, no lazy placeholder left). "Drawn" means: the
click's run has been seen `running` and is now `notRunning`, and the `.st-key-surface`
container holds the chart's canvas (or svg). The first click on the fresh server is
reported apart: it also loads the chart code into the browser and warms the server.
"""

from __future__ import annotations

import os
import time

from threadpoolctl import threadpool_limits

from bench.browser import Session, chromium, run_server
from bench.common import Figure, _proc_table, median, tree_cpu_seconds
from core.charts import SURFACE_SIZE
from core.config import TrainConfig
from core.training import build_estimator, dataset_for, make_grid, model_outputs, train

REPS = 5


def bare(config: TrainConfig = TrainConfig()):
    """The least work a click must cause: data, fit, the final surface's values (what
    ui.results.final_surface computes), with BLAS on one thread as train() runs it."""
    with threadpool_limits(1):
        data = dataset_for(config)
        model = build_estimator(config, data.task).fit(data.X_train, data.y_train)
        grid = make_grid(data, SURFACE_SIZE)
        return model_outputs(model, grid.points).reshape(*grid.shape, -1)


def click_to_chart(session: Session, server_pid: int) -> dict:
    """Seconds from the click to the drawn chart, where they went, and the CPU seconds
    the server (with any workers) and the browser side (Chromium, playwright) used."""
    # The server is a child of this process too: the browser side is this process's
    # tree (playwright's driver, Chromium) minus the server's.
    server_cpu, everything = tree_cpu_seconds(server_pid), tree_cpu_seconds()
    own_cpu = _proc_table()[server_pid][1]
    start = session.click_train()
    drawn_wall = session.wait_finished(surface=True)
    drawn = time.time()
    own_cpu = _proc_table()[server_pid][1] - own_cpu
    server_cpu = tree_cpu_seconds(server_pid) - server_cpu
    browser_cpu = tree_cpu_seconds() - everything - server_cpu
    runs = session.page.evaluate("m => window.__runs.slice(m)", session.mark)
    running = min(t for s, t in runs if s == "running") / 1000
    if session.errors():
        raise RuntimeError(f"the Playground shows an exception: {session.errors()}")
    return dict(total=drawn - start, to_running=running - start,
                script=drawn_wall - running, drawing=drawn - drawn_wall,
                server_cpu=server_cpu, server_process_cpu=own_cpu,
                workers_cpu=server_cpu - own_cpu, browser_cpu=browser_cpu)


def cpu_timed(fn, *args) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def run(out) -> list[Figure]:
    config = TrainConfig()
    bare(config)  # warm: imports, allocator
    epochs = len(train(config).history)
    rows = []
    with run_server() as server, chromium() as browser:
        session = Session(browser, server.url)
        first = click_to_chart(session, server.pid)
        metrics = session.metrics()
        # Paired: each click next to an in-process run, so both meet about the same load.
        for _ in range(REPS):
            session.reload()
            click = click_to_chart(session, server.pid)
            click["bare"], click["bare_cpu"] = cpu_timed(bare, config)
            click["train"], click["train_cpu"] = cpu_timed(train, config)
            rows.append(click)
        session.close()
    m = {k: median([r[k] for r in rows]) for k in rows[0]}
    ratio = median([r["total"] / r["bare"] for r in rows])
    out(f"  default experiment ({config.dataset}, {config.hidden_layers}, {config.activation}, "
        f"{epochs} epochs before the loss flattened); in-process: data + fit + "
        f"{SURFACE_SIZE}x{SURFACE_SIZE} surface {m['bare']:.2f} s, train() (history, "
        f"replay frames) {m['train']:.2f} s")
    out(f"  in the browser, Train click to drawn surface: {m['total']:.2f} s (median of {REPS}; "
        f"first click on a fresh server {first['total']:.2f} s)")
    out(f"  of which: click to script running {m['to_running']:.2f} s, script run "
        f"(training with live redraws, final charts) {m['script']:.2f} s, last message to "
        f"chart on screen {m['drawing']:.2f} s; metrics shown: {', '.join(metrics)}")
    out(f"  CPU per click: server {m['server_cpu']:.2f} s (its process {m['server_process_cpu']:.2f} s, "
        f"training workers {m['workers_cpu']:.2f} s; bare work {m['bare_cpu']:.2f} s, "
        f"train() {m['train_cpu']:.2f} s), browser side (Chromium + driver) "
        f"{m['browser_cpu']:.2f} s; load average {os.getloadavg()[0]:.1f}")
    detail = dict(click_to_chart_s=m["total"], bare_s=m["bare"], train_s=m["train"],
                  server_cpu_per_click_s=m["server_cpu"], bare_cpu_s=m["bare_cpu"],
                  browser_cpu_per_click_s=m["browser_cpu"], epochs=epochs,
                  first_click_s=first["total"], median_s=m, clicks=rows,
                  load_average_1min=os.getloadavg()[0])
    # CPU seconds do not wait for a busy machine: what the server spends per click over
    # what the work itself needs, whatever the load.
    cpu_ratio = median([r["server_cpu"] / r["bare_cpu"] for r in rows])
    return [Figure("click-to-chart latency vs bare fit + surface", ratio, "x", "<= 2", detail),
            Figure("server CPU per click vs bare fit + surface CPU (contrast)", cpu_ratio, "x",
                   None, {})]
