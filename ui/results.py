"""Training from the interface, live, and drawing a finished run.

Training runs in a worker process of ``core.parallel``'s pool, not in the session's
thread: Streamlit runs every session in one process, so a class pressing Train together
would otherwise share one core under the GIL. The script thread polls the job's shared
progress block a few times a second and redraws the surface and the loss curve from it,
so the animation costs the worker nothing and the server stays responsive.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import wait

import numpy as np
import pandas as pd
import streamlit as st

from core import parallel
from core.charts import SURFACE_SIZE, history_chart, output_chart
from core.config import MAX_TRAIN_SECONDS, TrainConfig
from core.training import (SNAPSHOT_RESOLUTION, TrainResult, dataset_for, make_grid,
                           model_outputs)
from ui.i18n import t

POLL_SECONDS = 0.25  # how often the page reads the worker's progress and redraws
# Animate only runs still going after this long: a shorter run is over before the eye
# could follow, and each redraw costs the student's browser (and, on a shared machine,
# the training) a Vega re-render. Measured in bench/latency.py.
ANIMATE_AFTER_SECONDS = 0.5


@st.cache_resource(show_spinner=False)
def start_training_workers() -> threading.Thread:
    """Start the server's training workers in the background, once per server, when the
    first student opens the Playground: the first Train then does not wait ~1 s for
    the fork server to import numpy and scikit-learn."""
    thread = threading.Thread(target=parallel.warm_up, name="warm-training-workers",
                              daemon=True)
    thread.start()
    return thread


def data_fingerprint(dataset) -> str | None:
    """What identifies the data a run used beyond its config: None for built-in data
    (the config makes it), a hash of the rows for an uploaded file."""
    if dataset is None:
        return None
    import joblib

    return joblib.hash((dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test,
                        tuple(dataset.feature_names)))


def show_chart(chart, key: str) -> None:
    """Every chart sits in a keyed container, so tests and pages can find it."""
    with st.container(key=key):
        st.altair_chart(chart, theme=None)


def final_surface(result: TrainResult) -> tuple[np.ndarray, object]:
    """The finished model's outputs on the fine grid (200x200 for two features)."""
    grid = make_grid(result.dataset, SURFACE_SIZE)
    values = model_outputs(result.model, grid.points, check_input=False)
    return values.reshape(*grid.shape, -1), grid


def train_live(config: TrainConfig, dataset=None) -> TrainResult:
    """Train in a worker with a progress bar, and a surface and loss curve that update
    while it runs. If the user leaves or reruns the page meanwhile, the worker is asked
    to stop, so abandoned runs do not hold up the class's queue."""
    progress = st.progress(0.0, text=t("playground.queued"))
    cols = st.columns(2)
    surface_slot, loss_slot = cols[0].empty(), cols[1].empty()
    data = dataset if dataset is not None else dataset_for(config)
    grid = make_grid(data, SNAPSHOT_RESOLUTION)  # the grid the worker's frames are on
    job = parallel.submit_training(config, data, progress=True,  # built once, here
                                   time_budget=MAX_TRAIN_SECONDS)
    rows: list[dict] = []
    drawn_epoch, started_at = 0, None
    try:
        while not job.done():
            wait([job.future], timeout=POLL_SECONDS)  # returns at once when it finishes
            if not job.started():
                continue  # still "waiting for a free worker"
            started_at = started_at or time.perf_counter()
            latest = job.latest()
            epoch = latest["epoch"]
            progress.progress(job.fraction_done(),
                              text=t("playground.epoch_of", epoch=epoch, total=latest["max_epochs"]))
            if epoch and (not rows or rows[-1]["epoch"] != epoch):
                rows.append(latest)
            if time.perf_counter() - started_at < ANIMATE_AFTER_SECONDS:
                continue
            frame = job.latest_frame()
            if frame is not None and frame[0] != drawn_epoch:
                drawn_epoch = frame[0]
                surface_slot.altair_chart(output_chart(frame[1].astype(float), data, grid,
                                                       title=t("playground.epoch", epoch=drawn_epoch)),
                                          theme=None)
            if len(rows) > 1:
                loss_slot.altair_chart(history_chart(pd.DataFrame(rows), "loss",
                                                     t("playground.loss"), log_scale=True),
                                       theme=None)
        result = job.result()
    finally:
        if not job.done():  # the script was stopped (rerun, page left) while waiting
            job.request_stop()
    progress.empty()
    surface_slot.empty()
    loss_slot.empty()
    return result


def show_notes(result: TrainResult) -> None:
    for note in result.notes:
        text = t(f"notes.{note.kind}", **note.params)
        if text == f"notes.{note.kind}":
            text = note.message
        (st.error if note.kind == "diverged" else st.info)(text)


def metrics_row(result: TrainResult) -> None:
    h = result.history
    if h.empty:
        return
    last = h.iloc[-1]
    cols = st.columns(4)
    if result.dataset.task == "regression":
        rmse = float(np.sqrt(2 * last.test_loss)) if np.isfinite(last.test_loss) else float("nan")
        cols[0].metric(t("playground.test_r2"), f"{last.test_score:.3f}")
        cols[1].metric(t("playground.train_r2"), f"{last.train_score:.3f}")
        cols[2].metric(t("playground.test_rmse"), f"{rmse:.3f}")
    else:
        cols[0].metric(t("playground.test_accuracy"), f"{last.test_score:.1%}")
        cols[1].metric(t("playground.train_accuracy"), f"{last.train_score:.1%}")
        cols[2].metric(t("playground.test_loss"), f"{last.test_loss:.4f}")
    cols[3].metric(t("playground.epochs_run"), f"{int(last.epoch)}",
                   help=t("playground.seconds", seconds=f"{result.seconds:.2f}"))
