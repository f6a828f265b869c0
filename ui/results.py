"""Training from the interface, live, and drawing a finished run.

The live view redraws the surface and the loss curve from inside ``train``'s epoch
callback, at most every ``LIVE_REDRAW_SECONDS``, so the animation costs a bounded share
of the run whatever its length.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st

from core.charts import SURFACE_SIZE, history_chart, output_chart
from core.config import MAX_TRAIN_SECONDS, TrainConfig
from core.training import TrainResult, make_grid, model_outputs, train
from ui.i18n import t

LIVE_REDRAW_SECONDS = 0.3


def show_chart(chart, key: str) -> None:
    """Every chart sits in a keyed container, so tests and pages can find it."""
    with st.container(key=key):
        st.altair_chart(chart, theme=None)


def final_surface(result: TrainResult) -> tuple[np.ndarray, object]:
    """The finished model's outputs on the fine grid (200x200 for two features)."""
    grid = make_grid(result.dataset, SURFACE_SIZE)
    values = model_outputs(result.model, grid.points).reshape(*grid.shape, -1)
    return values, grid


def train_live(config: TrainConfig, dataset=None) -> TrainResult:
    """Train with a progress bar and a surface + loss curve that update while it runs."""
    progress = st.progress(0.0, text=t("playground.training"))
    cols = st.columns(2)
    surface_slot, loss_slot = cols[0].empty(), cols[1].empty()
    last_draw = [0.0]
    rows: list[dict] = []
    grid_holder: dict = {}

    def on_epoch(p):
        rows.append(p.row)
        now = time.perf_counter()
        if p.frame is None or now - last_draw[0] < LIVE_REDRAW_SECONDS:
            if p.epoch % 10 == 0 or p.epoch == p.max_epochs:
                progress.progress(p.epoch / p.max_epochs,
                                  text=t("playground.epoch_of", epoch=p.epoch, total=p.max_epochs))
            return
        last_draw[0] = now
        progress.progress(p.epoch / p.max_epochs,
                          text=t("playground.epoch_of", epoch=p.epoch, total=p.max_epochs))
        data = grid_holder.get("data")
        if data is not None:
            surface_slot.altair_chart(output_chart(p.frame.astype(float), data, grid_holder["grid"],
                                                   title=t("playground.epoch", epoch=p.epoch)),
                                      theme=None)
        loss_slot.altair_chart(history_chart(pd.DataFrame(rows), "loss", t("playground.loss"),
                                             log_scale=True), theme=None)

    # The grid and data are known before the first epoch; fetch them cheaply for drawing.
    from core.training import SNAPSHOT_RESOLUTION, dataset_for

    data = dataset if dataset is not None else dataset_for(config)
    grid_holder.update(data=data, grid=make_grid(data, SNAPSHOT_RESOLUTION))
    result = train(config, on_epoch, dataset=data, time_budget=MAX_TRAIN_SECONDS)
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
