"""A class of 30 pressing Train within one second: the time each student waits from
the click to the finished result, against the least time 30 runs can take on this
machine's cores; and whether a student kept waiting was told why.

One `streamlit run` server (as `make run` serves it); 30 students, each a session of
Streamlit's own websocket protocol (bench/protocol.py) on /Playground?seed=N (its own
seed, the default config otherwise), opened, then idle for SETTLE seconds (a class
opens the page before the teacher says "go"; the server starts its workers meanwhile).
The clicks are sent at moments spread evenly over one second. A click's result is
finished when the server ends that script run: every chart, metric and note of the
result has been sent by then. Two rounds: the class's first press on freshly opened
pages (the goal's figure), then all press again.

Why not browsers: a class's browsers run on the students' machines, while here they
would share the server's 2 cores. Measured that way (bench/class_latency_browsers.py),
30 Chromium pages used several times the CPU of the server and its workers and the
waits mostly measured the browsers. The protocol client asks the server for the same
work as a browser's click (the same rerun, the same replies; it leaves out the values
of the widgets it did not touch, which the server keeps from the previous run) and
costs the machine almost nothing else; its own CPU is reported with each round.

Lower bound: the CPU seconds of the class's 30 runs (the same configs, seeds 1-30) as
the Playground asks a worker for them (the training, the finished surface and the
neuron view's frames, which the student waits for too), by direct core.training.train
calls in one process per core running at once (BLAS on one thread as in a worker,
after a warm-up), divided by the cores. With every core busy, as in a class, a run can
cost more than in a process alone, and the machine's speed drifts by 20% from one
minute to the next, so the runs are measured before and after each round and the
round's bound is the mean of the two. No scheduling can finish those runs sooner, and
the last student waits at least that long; the goal asks the 95th percentile of the
waits to stay within 1.5x of it. The same ratio against the training alone (no surface,
no neuron view; measured once) is reported beside it.

Queued message: while a run waits for a free worker, the progress bar says so
(playground.queued; playground.starting while the workers themselves start). A session
that waited longer than WAITED from its click to its first epoch without having been
sent a waiting message waited unexplained.
"""

from __future__ import annotations

import asyncio
import os
import re
import time

import numpy as np

from bench.browser import run_server
from bench.common import Figure, process_cpu_seconds, tree_cpu_seconds
from bench.protocol import ProtocolSession
from core.charts.run import SURFACE_SIZE
from core.config import TrainConfig
from core.training import train
from ui.i18n import strings

STUDENTS = 30
SPREAD = 1.0  # s: the clicks fall evenly within this window
WAITED = 1.0  # s from the click to the first epoch: a wait the student should see explained
LEAD = 0.5  # s from arming the clicks to the first one
SETTLE = 5.0  # s between opening the pages and the class's first press
CLASS_DEADLINE = 120.0  # s a session may take from its click; later: counted unfinished
TEXT = strings("en")


def epoch_pattern() -> re.Pattern:
    """The progress text of a run under way ("Epoch 12 of 300")."""
    template = re.escape(TEXT["playground.epoch_of"])
    return re.compile(template.replace(r"\{epoch\}", r"\d+").replace(r"\{total\}", r"\d+"))


def class_configs() -> list[TrainConfig]:
    """What the class trains: the default config, each student with a seed of their own
    (the sessions open /Playground?seed=N)."""
    return [TrainConfig(seed=i) for i in range(1, STUDENTS + 1)]


def _bare_cpu_seconds(configs: list[TrainConfig], playground: bool = False) -> float:
    """CPU seconds of these runs by core.training.train in this process, BLAS on one
    thread as in a training worker (core.parallel), after a warm-up run. ``playground``:
    each run as the Playground asks a worker for it, with the finished surface and the
    neuron view's frames; otherwise the training alone."""
    from threadpoolctl import threadpool_limits

    surface = SURFACE_SIZE if playground else None
    with threadpool_limits(limits=1):
        train(configs[0], surface_resolution=surface, network_view=playground)  # warm-up
        cpu = time.process_time()
        for config in configs:
            train(config, surface_resolution=surface, network_view=playground)
        return time.process_time() - cpu


def bare_cpu_seconds(
    configs: list[TrainConfig], cores: int | None = None, playground: bool = False
) -> float:
    """CPU seconds of these runs by direct core.training.train calls (``playground`` as
    in ``_bare_cpu_seconds``), shared out over ``cores`` processes (default: one per
    core) that run at once, as the class's runs do: with every core busy a run can cost
    more than alone (a shared cache, the host's other guests), and the bound should not
    ask for speed the cores do not have then. No server, no charts, no queue."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    cores = cores or os.cpu_count() or 1
    shares = [configs[i::cores] for i in range(cores)]
    with ProcessPoolExecutor(cores, mp_context=mp.get_context("spawn")) as pool:
        return sum(pool.map(_bare_cpu_seconds, shares, [playground] * cores))


def _row(session: ProtocolSession, click: float, end: float) -> dict:
    """One session's round: seconds from its click to the first waiting message, the
    first epoch and the finished result."""
    shown = session.progress_since(click)
    epoch = epoch_pattern()

    def first(match) -> float | None:
        return next((at - click for at, text in shown if match(text)), None)

    return dict(
        seed=session.query,
        click=click,
        to_queued=first(lambda text: text == TEXT["playground.queued"]),
        to_starting=first(lambda text: text == TEXT["playground.starting"]),
        to_epoch=first(epoch.fullmatch),
        total=end - click,
        metrics=tuple(session.metrics),
        exceptions=list(session.exceptions),
    )


async def press_together(sessions: list[ProtocolSession]) -> list[dict]:
    """Every session presses Train at its moment within SPREAD seconds; one row per
    session once its run has finished (or ``unfinished`` with what it saw)."""
    first = time.time() + LEAD

    async def press(i: int, session: ProtocolSession) -> dict:
        await asyncio.sleep(max(0.0, first + SPREAD * i / len(sessions) - time.time()))
        click, mark = await session.click(TEXT["playground.train"])
        try:
            end = await session.wait_finished(mark, CLASS_DEADLINE)
        except RuntimeError as exc:
            return dict(seed=session.query, unfinished=str(exc))
        return _row(session, click, end)

    return list(await asyncio.gather(*(press(i, s) for i, s in enumerate(sessions))))


def summarise(all_rows: list[dict], bound: float) -> dict:
    unfinished = [r for r in all_rows if "unfinished" in r]
    rows = [r for r in all_rows if "unfinished" not in r]
    if not rows:
        raise RuntimeError(f"no session finished: {unfinished[0]['unfinished']}")
    failed = [r for r in rows if r["exceptions"]]
    if failed:
        raise RuntimeError(f"the Playground showed an exception: {failed[0]['exceptions']}")
    totals = [r["total"] for r in rows]
    clicks = [r["click"] for r in rows]
    waited = [r for r in rows if r["to_epoch"] is None or r["to_epoch"] > WAITED]
    told = [r for r in waited if r["to_queued"] is not None or r["to_starting"] is not None]
    # How long the page showed no explanation: until the waiting message, or the first
    # epoch or the result if the run never waited visibly.
    shown = ("to_queued", "to_starting", "to_epoch", "total")
    explained = [min(r[key] for key in shown if r[key] is not None) for r in rows]
    p50, p95 = (float(np.percentile(totals, q)) for q in (50, 95))
    return dict(
        p50_s=p50,
        p95_s=p95,
        max_s=max(totals),
        ratio_p95=p95 / bound,
        click_spread_s=max(clicks) - min(clicks),
        waited=len(waited),
        saw_queued=sum(r["to_queued"] is not None for r in waited),
        saw_starting=sum(r["to_starting"] is not None for r in waited),
        waited_untold=len(waited) - len(told),
        to_message_p50_s=float(np.percentile(explained, 50)),
        to_message_max_s=max(explained),
        message_later_than_waited=sum(x > WAITED for x in explained),
        distinct_results=len({r["metrics"] for r in rows}),
        unfinished=len(unfinished),
        unfinished_detail=[r["unfinished"][:600] for r in unfinished],
        sessions=[{k: v for k, v in r.items() if k != "metrics"} for r in rows],
    )


async def _class(url: str, server_pid: int, cores: int) -> tuple[dict, float]:
    sessions = [ProtocolSession(url, "Playground", {"seed": i}) for i in range(1, STUDENTS + 1)]
    await asyncio.gather(*(s.open() for s in sessions))
    await asyncio.sleep(SETTLE)
    found = {}
    configs = class_configs()
    plain = bare_cpu_seconds(configs)  # the training alone, for the record
    before = bare_cpu_seconds(configs, playground=True)
    try:
        for name in ("first press", "again"):
            load_before = os.getloadavg()[0]
            server_cpu, client_cpu = tree_cpu_seconds(server_pid), time.process_time()
            server_alone = process_cpu_seconds(server_pid)
            received = sum(s.received_bytes for s in sessions)
            wall = time.perf_counter()
            rows = await press_together(sessions)
            wall = time.perf_counter() - wall
            server_cpu = tree_cpu_seconds(server_pid) - server_cpu
            server_alone = process_cpu_seconds(server_pid) - server_alone
            client_cpu = time.process_time() - client_cpu
            load = (load_before, os.getloadavg()[0])
            after = bare_cpu_seconds(configs, playground=True)  # the server is idle again
            class_cpu = (before + after) / 2
            summary = summarise(rows, class_cpu / cores)
            found[name] = dict(
                summary,
                ratio_p95_training_alone=summary["p95_s"] / (plain / cores),
                class_cpu_s=class_cpu,
                class_cpu_measured_s=(before, after),
                server_cpu_s=server_cpu,
                server_process_cpu_s=server_alone,
                client_cpu_s=client_cpu,
                received_mb=(sum(s.received_bytes for s in sessions) - received) / 1e6,
                wall_s=wall,
                load_average_1min=load,
            )
            before = after
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    return found, plain


def run(out) -> list[Figure]:
    cores = os.cpu_count() or 1
    with run_server() as server:
        found, plain = asyncio.run(_class(server.url, server.pid, cores))
    out(
        f"  the training alone (no surface, no neuron view) of the same {STUDENTS} runs: "
        f"{plain:.1f} CPU-s on all {cores} cores at once, {plain / cores:.1f} s"
    )
    for name, f in found.items():
        per_run = f["class_cpu_s"] / STUDENTS
        out(
            f"  {name}: the class's {STUDENTS} runs cost "
            + " and ".join(f"{x:.1f}" for x in f["class_cpu_measured_s"])
            + f" CPU-s before and after, as the Playground trains them (with the final "
            f"surface and the neuron view's frames), directly on all {cores} cores at once "
            f"({per_run:.2f} each): at least {f['class_cpu_s'] / cores:.1f} s (the lower bound)"
        )
        out(
            f"  {name}: {STUDENTS} clicks within {f['click_spread_s']:.2f} s; click to finished "
            f"result p50 {f['p50_s']:.1f} s, p95 {f['p95_s']:.1f} s ({f['ratio_p95']:.2f}x the "
            f"bound; {f['ratio_p95_training_alone']:.2f}x the training alone's), longest "
            f"{f['max_s']:.1f} s; {f['distinct_results']} distinct results"
        )
        if f["unfinished"]:
            out(
                f"    {f['unfinished']} sessions not finished within {CLASS_DEADLINE:.0f} s "
                "of their click (left out of the percentiles): "
                + " | ".join(f["unfinished_detail"])
            )
        out(
            f"    CPU over its {f['wall_s']:.1f} s: server and workers {f['server_cpu_s']:.1f} "
            f"CPU-s ({f['server_cpu_s'] / STUDENTS:.2f} per run, of which the web server "
            f"{f['server_process_cpu_s'] / STUDENTS:.3f}; against "
            f"{per_run:.2f} for the run alone); the {STUDENTS} clients {f['client_cpu_s']:.1f} "
            f"CPU-s for {f['received_mb']:.1f} MB received; load average "
            f"{f['load_average_1min'][0]:.1f} -> {f['load_average_1min'][1]:.1f}"
        )
        out(
            f"    {f['waited']} sessions waited over {WAITED:.0f} s for their first epoch: "
            f"{f['saw_queued']} were sent the queued message, {f['saw_starting']} the "
            f"workers-starting message, {f['waited_untold']} neither; from the click to the "
            f"first message (or epoch): median {f['to_message_p50_s']:.2f} s, longest "
            f"{f['to_message_max_s']:.2f} s"
        )
    first, again = found["first press"], found["again"]
    detail = dict(
        training_alone_cpu_s=plain,
        cores=cores,
        students=STUDENTS,
        click_window_s=SPREAD,
        rounds=found,
    )
    return [
        Figure(
            f"{STUDENTS} sessions pressing Train within {SPREAD:.0f} s: p95 click to result "
            f"vs {STUDENTS} runs' CPU / cores",
            first["ratio_p95"],
            "x",
            "<= 1.5",
            detail,
        ),
        Figure(
            f"sessions waiting over {WAITED:.0f} s without a queued message (both rounds)",
            first["waited_untold"] + again["waited_untold"],
            "sessions",
            "<= 0",
            {},
        ),
        Figure(
            f"sessions not finished within {CLASS_DEADLINE:.0f} s (both rounds)",
            first["unfinished"] + again["unfinished"],
            "sessions",
            "<= 0",
            {},
        ),
        Figure(
            "the same class pressing Train again: p95 vs the bound",
            again["ratio_p95"],
            "x",
            "<= 1.5",
            {},
        ),
    ]
