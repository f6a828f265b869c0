"""The neuron view (issue 13 §3): the data one redraw sends, what measuring the frames
costs the training worker, and the Playground's click-to-chart time with the view
against the same page without it (``?hide=neurons``), in a real browser."""

from __future__ import annotations

import io
import json
import os
import time

import pyarrow as pa

from bench.common import Figure, median
from core.charts.network import network_spec
from core.config import TrainConfig
from core.training import train
from ui.network_view import chart_words

REPS = 7
WORDS = chart_words("en")  # the real English words of the chart


def sent_bytes(spec: dict) -> tuple[int, int]:
    """(spec JSON bytes, datasets as Arrow IPC bytes): what st.vega_lite_chart sends."""
    datasets = spec.pop("datasets")
    arrow = 0
    for frame in datasets.values():
        sink = io.BytesIO()
        table = pa.Table.from_pandas(frame, preserve_index=False)
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        arrow += len(sink.getvalue())
    return len(json.dumps(spec)), arrow


def redraw_size(config: TrainConfig) -> dict:
    result = train(config, network_view=True)
    frame = result.network_frames[-1]
    spec_bytes, data_bytes = sent_bytes(network_spec(frame, WORDS))
    return dict(
        spec_kb=spec_bytes / 1000,
        data_kb=data_bytes / 1000,
        png_kb=len(frame.image) / 1000,
        frame_kb=frame.nbytes / 1000,
        frames=len(result.network_frames),
        frames_kb=sum(f.nbytes for f in result.network_frames) / 1000,
    )


def worker_cost(config: TrainConfig, reps: int = 5) -> float:
    """train() with the view's frames over train() without, paired medians."""
    from threadpoolctl import threadpool_limits

    ratios = []
    with threadpool_limits(1):
        train(config, network_view=True)
        for _ in range(reps):
            start = time.perf_counter()
            train(config)
            plain = time.perf_counter() - start
            start = time.perf_counter()
            train(config, network_view=True)
            ratios.append((time.perf_counter() - start) / plain)
    return median(ratios)


def clicks(out) -> dict:
    """Click-to-chart (the finished surface on screen) and click-to-script-end, with
    and without the view, alternating so both meet the same load."""
    from bench.browser import Session, chromium, run_server
    from bench.latency import click_to_chart

    rows: dict[str, list[dict]] = {"with": [], "without": []}
    with run_server() as server, chromium() as browser:
        sessions = {
            "with": Session(browser, server.url),
            "without": Session(browser, server.url, query={"hide": "neurons"}),
        }
        finished = {}
        for kind, session in sessions.items():
            session.click_train()
            session.wait_finished(surface=True)
            finished[kind] = session.settled_picture()
        for _ in range(REPS):
            for kind, session in sessions.items():
                time.sleep(0.3)  # let the page go idle
                rows[kind].append(click_to_chart(session, server.pid, finished[kind]))
        drawn = sessions["with"].page.locator(".st-key-neuron_view canvas").count()
        hidden = sessions["without"].page.locator(".st-key-neuron_view").count()
        if not drawn or hidden:
            raise RuntimeError(f"view drawn {drawn} with, {hidden} without: not comparable")
        for session in sessions.values():
            session.close()
    return rows


def run(out) -> list[Figure]:
    deep = redraw_size(TrainConfig(hidden_layers=(16,) * 10))
    default = redraw_size(TrainConfig())
    widest = redraw_size(TrainConfig(hidden_layers=(128,) * 10, epochs=30))
    for label, size in (("default (16, 16)", default), ("10x16", deep), ("10x128", widest)):
        out(
            f"  {label}: per redraw {size['data_kb']:.1f} KB of data (PNG atlas "
            f"{size['png_kb']:.1f} KB inside) + {size['spec_kb']:.1f} KB spec; a frame held "
            f"{size['frame_kb']:.1f} KB, {size['frames']} frames {size['frames_kb']:.0f} KB"
        )
    cost = worker_cost(TrainConfig())
    cost_deep = worker_cost(TrainConfig(hidden_layers=(16,) * 10))
    out(
        f"  train() with the view's frames vs without (worker CPU): default {cost:.2f}x, "
        f"10x16 {cost_deep:.2f}x"
    )
    figures = [
        Figure("neuron view data per redraw at 10x16", deep["data_kb"], "KB", "<= 120", deep),
        Figure("neuron view frames in train(), default network (contrast)", cost, "x", None, {}),
    ]
    rows = clicks(out)
    med = {kind: {k: median([r[k] for r in rs]) for k in rs[0]} for kind, rs in rows.items()}
    ratio = med["with"]["total"] / med["without"]["total"]
    script = (med["with"]["to_running"] + med["with"]["script"]) / (
        med["without"]["to_running"] + med["without"]["script"]
    )
    out(
        f"  click to the finished surface on screen (medians of {REPS}, alternating): with "
        f"the view {med['with']['total']:.2f} s, without {med['without']['total']:.2f} s; "
        f"click to the script's end (every chart sent) {script:.2f}x; server CPU per click "
        f"{med['with']['server_cpu']:.2f} s vs {med['without']['server_cpu']:.2f} s; "
        f"browser CPU {med['with']['browser_cpu']:.2f} s vs "
        f"{med['without']['browser_cpu']:.2f} s; load average {os.getloadavg()[0]:.1f}"
    )
    figures += [
        Figure(
            "click-to-chart with the neuron view vs without", ratio, "x", "<= 1.3", dict(med=med)
        ),
        Figure("click to script end with the neuron view vs without (contrast)", script, "x"),
    ]
    return figures
