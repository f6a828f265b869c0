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
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import parallel
from core.charts.run import (
    SURFACE_SIZE,
    confusion_chart,
    curve_chart,
    history_spec,
    surface_spec,
)
from core.config import MAX_TRAIN_SECONDS, TrainConfig
from core.report import run_metrics
from core.training import (
    SNAPSHOT_RESOLUTION,
    Grid,
    TrainResult,
    continue_config,
    data_settings,
    dataset_for,
    discrete_outputs,
    make_grid,
)
from ui.chart_alt import chart_alt
from ui.i18n import t
from ui.network_view import NetworkPlaces, network_places, show_details, show_network

POLL_SECONDS = 0.25  # how often the page reads the worker's progress and redraws
# Animate only runs still going after this long: a shorter run is over before the eye
# could follow, and each redraw costs the student's browser (and, on a shared machine,
# the training) a Vega re-render. Measured in bench/latency.py. Nor while the server is
# crowded (core.parallel.crowded: a class's runs queued): the progress bar goes on
# counting epochs, and the time the redraws would cost goes to the queue instead.
ANIMATE_AFTER_SECONDS = 0.5


@st.cache_resource(show_spinner=False)
def start_training_workers() -> threading.Thread:
    """Start the server's training workers in the background, once per server, when the
    first student opens the Playground: the first Train then does not wait ~1 s for
    the fork server to import numpy and scikit-learn."""
    thread = threading.Thread(target=parallel.warm_up, name="warm-training-workers", daemon=True)
    thread.start()
    return thread


def built_in_data(config: TrainConfig):
    """The built-in dataset ``config`` describes, shared by every session that asks for
    the same data."""
    return _built_in_data(tuple(data_settings(config).items()), config)


@st.cache_data(show_spinner=False, max_entries=32)
def _built_in_data(settings: tuple, _config: TrainConfig):
    # Made in a worker (scikit-learn's generators, split and scaler): the web server
    # never loads scikit-learn. Cached on the data settings alone (_config is unhashed).
    return parallel.submit_quick(dataset_for, _config).result()


def data_fingerprint(dataset) -> str | None:
    """What identifies the data a run used beyond its config: None for built-in data
    (the config makes it), a hash of the rows for an uploaded file."""
    if dataset is None:
        return None
    import joblib

    return joblib.hash(
        (
            dataset.X_train,
            dataset.y_train,
            dataset.X_test,
            dataset.y_test,
            tuple(dataset.feature_names),
        )
    )


def show_chart(chart, key: str, lead: str = "") -> None:
    """Every chart sits in a keyed container, so tests and pages can find it, and
    carries a text alternative for screen readers."""
    with st.container(key=key):
        st.altair_chart(chart, theme=None, alt=chart_alt(chart.to_dict(validate=False), lead))


def show_outputs(
    values: np.ndarray,
    dataset,
    grid,
    *,
    model=None,
    title: str = "",
    slot=None,
    value_range: tuple[float, float] | None = None,
    show_test: bool = True,
    discretize: bool = False,
    lead: str = "",
) -> None:
    """A model's outputs on ``grid``: the surface over the input plane, or the fitted
    curve for one feature; in ``slot`` (an ``st.empty``) or where the page is. On a
    surface, ``show_test`` draws the test points and ``discretize`` each point's
    predicted class at full confidence.

    The surface goes as a ready spec (``core.charts.run.surface_spec``): the Playground
    redraws it while training, and a spec with the same layout each time costs the
    server milliseconds and lets the browser swap the data in the chart it has."""
    target = slot if slot is not None else st
    # The same words for every drawing of a surface: a chart whose text alternative
    # changes is rebuilt by the browser instead of updated in place (tests/e2e).
    lead = lead or t("charts.surface_lead")
    if grid.ys is None:
        chart = curve_chart(grid.xs, values, dataset, title=title)
        alt = chart_alt(chart.to_dict(validate=False), lead)
        target.altair_chart(chart, theme=None, alt=alt)
    else:
        if discretize:
            values = discrete_outputs(values, dataset.task)
        spec = surface_spec(
            values,
            dataset,
            model=model,
            title=title,
            value_range=value_range,
            show_test=show_test,
        )
        target.vega_lite_chart(spec, theme=None, alt=chart_alt(spec, lead))


SHOW_TEST, DISCRETIZE = "show_test", "discretize"  # the surface toggles' widget keys


def surface_options() -> dict:
    """The surface toggles' current values (the live surface follows them too)."""
    return dict(
        show_test=bool(st.session_state.get(SHOW_TEST, True)),
        discretize=bool(st.session_state.get(DISCRETIZE, False)),
    )


def surface_toggles(view: RunView, task: str) -> dict:
    """TensorFlow Playground's two surface toggles, under the replay slider: show the
    test points, and discretize the output (regression has no classes to show)."""
    with view.options.container():
        st.toggle(t("playground.show_test"), value=True, key=SHOW_TEST)
        st.toggle(
            t("playground.discretize"),
            value=False,
            key=DISCRETIZE,
            help=t("playground.discretize_help"),
            disabled=task == "regression",
        )
    options = surface_options()
    options["discretize"] &= task != "regression"
    return options


def final_surface(result: TrainResult) -> tuple[np.ndarray, Grid]:
    """The finished model's outputs over the plane: the fine grid the worker computed
    (``result.surface``; 200x200 on the Playground) or, for a run trained without it,
    its last replay frame. The server never runs the network itself."""
    if result.surface is None:
        if not len(result.snapshots):  # no epoch finished: nothing learnt to draw
            return np.full((*result.grid.shape, 1), 0.5), result.grid
        return result.snapshots[-1].astype(float), result.grid
    grid = make_grid(result.dataset, result.surface.shape[0])
    return result.surface.reshape(*grid.shape, -1).astype(float), grid


@dataclass
class RunView:
    """Where the Playground shows a run. The same places serve while it trains and once
    it has finished, so nothing moves when it ends, and each chart is drawn again as the
    same spec with new data: the browser updates the chart it already has instead of
    building a new one (which costs it more than the update, on the click's critical
    path)."""

    status: DeltaGenerator  # progress while training; a hint or an out-of-date note after
    summary: DeltaGenerator  # metrics and notes
    surface: DeltaGenerator
    replay: DeltaGenerator  # the replay slider, under the surface
    options: DeltaGenerator  # the surface's toggles (show test data, discretize output)
    loss: DeltaGenerator
    score: DeltaGenerator
    confusion: DeltaGenerator
    network: NetworkPlaces | None  # the neuron view, under the rest (None: hidden)

    def clear(self) -> None:
        if self.network is not None:
            self.network.clear()
        for place in (
            self.status,
            self.summary,
            self.surface,
            self.replay,
            self.options,
            self.loss,
            self.score,
            self.confusion,
        ):
            place.empty()


def run_view(neurons: bool = True) -> RunView:
    """Lay out the places (all empty) of a ``RunView``; charts sit in keyed containers,
    so tests and pages can find them. ``neurons``: with the neuron view."""
    status = st.empty()
    left, right = st.columns(2)
    with left:
        surface = st.container(key="surface").empty()
        replay = st.empty()
        options = st.empty()
    with right:
        # Metrics and notes head the right column, not the page: on a phone the columns
        # stack, and four metric rows above the surface pushed it below the fold.
        summary = st.empty()
        loss = st.container(key="loss-chart").empty()
        score = st.container(key="score-chart").empty()
        confusion = st.container(key="confusion").empty()
    network = network_places() if neurons else None
    return RunView(status, summary, surface, replay, options, loss, score, confusion, network)


def score_title(task: str) -> str:
    return t("playground.score_" + task.replace("multiclass", "binary"))


def history_specs(history: pd.DataFrame, task: str) -> tuple[dict, dict]:
    """The loss and score curves as the Playground draws them, in the interface
    language (axis, legend and titles)."""
    epoch, splits = (
        t("playground.epoch_axis"),
        (t("playground.split.train"), t("playground.split.test")),
    )
    loss = history_spec(
        history, "loss", t("playground.loss"), log_scale=True, x_title=epoch, split_names=splits
    )
    score = history_spec(history, "score", score_title(task), x_title=epoch, split_names=splits)
    return loss, score


def show_history(view: RunView, history: pd.DataFrame, task: str, live: bool = False) -> None:
    """The loss and score curves. While training (``live``) their text alternative
    stays the same, so the browser updates the charts in place (a changed one rebuilds
    the chart); the finished run's gives its numbers."""
    for place, spec in zip((view.loss, view.score), history_specs(history, task)):
        place.vega_lite_chart(
            spec, theme=None, alt=t("charts.live_curves") if live else chart_alt(spec)
        )


def _live_history(rows: list[dict]) -> pd.DataFrame:
    """The progress rows as a history: the worker publishes the test score, not the
    training one, so the live score chart has the test curve only."""
    return pd.DataFrame(
        rows, columns=["epoch", "train_loss", "test_loss", "train_score", "test_score"]
    ).astype(float)


def _waiting_text(workers_ready: bool) -> str:
    """What a run waits for before a worker takes it: its turn, or (just after the
    server started, or after a worker crashed) the workers themselves."""
    return t("playground.queued") if workers_ready else t("playground.starting")


CONTINUE_FLAG = "_continue_requested"  # set by the Continue button's callback


def train_buttons(dataset, csv_mode: bool) -> tuple[bool, DeltaGenerator]:
    """The Train button, and beside it the place of the Continue button, which
    ``continue_button`` draws once the run shown is known (after a training in the same
    script run, so it is never out of date)."""
    left, right = st.columns([1, 3], vertical_alignment="center")
    train = left.button(
        t("playground.train"), type="primary", key="train", disabled=csv_mode and dataset is None
    )
    return train, right.empty()


def can_continue(config: TrainConfig, dataset, result) -> bool:
    """Whether ``result`` can go on as ``config``: same data and network; only how it
    trains may differ (``core.training.continue_config``); not after a divergence."""
    if result is None or result.stop_reason == "diverged":
        return False
    if st.session_state.get("result_data") != data_fingerprint(dataset):
        return False
    try:
        continue_config(result.config, config)
    except ValueError:
        return False
    return True


def continue_requested(config: TrainConfig, dataset, result) -> TrainResult | None:
    """The run to continue if Continue was pressed (and it still can go on), else None."""
    pressed = st.session_state.pop(CONTINUE_FLAG, False)
    return result if pressed and can_continue(config, dataset, result) else None


def continue_button(slot: DeltaGenerator, config: TrainConfig, dataset, result) -> None:
    """Continue training: the run shown, for ``config.epochs`` more epochs from its
    weights. A callback notes the press, so the next run reads it before anything is
    drawn."""
    slot.button(
        t("playground.continue", epochs=config.epochs),
        key="continue",
        disabled=not can_continue(config, dataset, result),
        help=t("playground.continue_help"),
        on_click=lambda: st.session_state.__setitem__(CONTINUE_FLAG, True),
    )


def train_live(
    config: TrainConfig, view: RunView, dataset=None, resume: TrainResult | None = None
) -> TrainResult:
    """Train in a worker with a progress bar, and a surface and curves that update while
    it runs. If the user leaves or reruns the page meanwhile, the worker is asked to
    stop, so abandoned runs do not hold up the class's queue. ``resume``: a run to
    continue (``core.training.train``'s)."""
    ready = parallel.workers_ready()
    view.status.progress(0.0, text=_waiting_text(ready))
    data = resume.dataset if resume is not None else dataset
    data = data if data is not None else built_in_data(config)
    grid = make_grid(data, SNAPSHOT_RESOLUTION)  # the grid the worker's frames are on
    job = parallel.submit_training(
        config,
        data,
        progress=True,  # built once, here
        time_budget=MAX_TRAIN_SECONDS,
        surface_resolution=SURFACE_SIZE,
        network_view=view.network is not None,  # the worker measures the view's frames
        resume=resume,
    )
    # At once, while the worker trains: the data on a blank surface and empty curves.
    # The student sees what is being fitted, and the browser sets these charts up now
    # rather than after training; every later drawing only brings new data.
    if resume is not None:  # where the run stands: its surface, until the next frame
        values, fine = final_surface(resume)
        show_outputs(values, data, fine, slot=view.surface, **surface_options())
    elif grid.ys is not None:
        show_outputs(
            np.full((*grid.shape, 1), 0.5), data, grid, slot=view.surface, value_range=(0.0, 1.0)
        )
    view.replay.empty()
    view.summary.empty()
    view.confusion.empty()
    if view.network is not None:
        view.network.clear()
    rows: list[dict] = [] if resume is None else resume.history.to_dict("records")
    show_history(view, _live_history(rows), data.task, live=True)
    drawn_epoch, drawn_network, started_at = 0, 0, None
    try:
        while not job.done():
            wait([job.future], timeout=POLL_SECONDS)  # returns at once when it finishes
            if not job.started():
                if not ready and parallel.workers_ready():  # they have started meanwhile
                    ready = True
                    view.status.progress(0.0, text=_waiting_text(ready))
                continue
            started_at = started_at or time.perf_counter()
            latest = job.latest()
            epoch = latest["epoch"]
            view.status.progress(
                job.fraction_done(),
                text=t("playground.epoch_of", epoch=epoch, total=latest["max_epochs"]),
            )
            if epoch and (not rows or rows[-1]["epoch"] != epoch):
                rows.append(latest)
            if time.perf_counter() - started_at < ANIMATE_AFTER_SECONDS or parallel.crowded():
                continue  # too short to follow, or a class's queue waits on this server
            frame = job.latest_frame()
            if frame is not None and frame[0] != drawn_epoch:
                drawn_epoch = frame[0]
                show_outputs(
                    frame[1].astype(float), data, grid, slot=view.surface, **surface_options()
                )
            network = job.latest_network() if view.network is not None else None
            if view.network is not None and network is not None and network.epoch != drawn_network:
                drawn_network = network.epoch
                show_network(view.network, network, data)
            if len(rows) > 1:
                show_history(view, _live_history(rows), data.task, live=True)
        result = job.result()
    finally:
        if not job.done():  # the script was stopped (rerun, page left) while waiting
            job.request_stop()
    view.status.empty()
    return result


def show_run(result: TrainResult, view: RunView) -> None:
    """A finished run in ``view``: the surface (the final one, or an earlier epoch
    chosen on the replay slider), metrics and notes, and the curves. The surface is
    drawn first, being what the student looks at."""
    epochs = [int(e) for e in result.snapshot_epochs]
    chosen = epochs[-1] if epochs else None
    if len(epochs) > 1:
        # The slider's value lives in the session state, set here when it is not one of
        # this run's epochs (a new run; the key was dropped): a value given as a default
        # would not reach a browser that already shows this slider, since its identity
        # is its key alone, and it would go on showing the last run's epoch.
        if st.session_state.get("replay") not in epochs:
            st.session_state["replay"] = epochs[-1]
        chosen = view.replay.select_slider(t("playground.replay"), epochs, key="replay")
    if chosen is not None and chosen != epochs[-1]:
        values, grid = result.snapshots[epochs.index(chosen)].astype(float), result.grid
    else:
        values, grid = final_surface(result)
    options = surface_toggles(view, result.dataset.task) if grid.ys is not None else {}
    show_outputs(values, result.dataset, grid, model=result.model, slot=view.surface, **options)
    frames = {f.epoch: f for f in result.network_frames}
    frame = frames.get(chosen) if chosen is not None else None
    if frame is not None and view.network is not None:
        show_network(view.network, frame, result.dataset)
        show_details(view.network, result, frame)
    with view.summary.container():
        metrics_row(result)
        show_notes(result)
    show_history(view, result.history, result.dataset.task)
    if result.dataset.task == "multiclass":
        confusion = confusion_chart(result.model, result.dataset)
        view.confusion.altair_chart(
            confusion, theme=None, alt=chart_alt(confusion.to_dict(validate=False))
        )


def note_text(note) -> str:
    """A run's note in the current language."""
    return t(f"notes.{note.kind}", **note.params)


def show_notes(result: TrainResult) -> None:
    for note in result.notes:
        (st.error if note.kind == "diverged" else st.info)(note_text(note))


def metrics_row(result: TrainResult) -> None:
    """The run's headline numbers (core.report.run_metrics, which the report reads too)."""
    metrics = run_metrics(result)
    if not metrics:
        return
    # Two per row: in half the page's width four in a row cut their values short.
    cols = [col for _ in range(0, len(metrics), 2) for col in st.columns(2)]
    for col, (key, value) in zip(cols, metrics):
        seconds = t("playground.seconds", seconds=f"{result.seconds:.2f}")
        col.metric(t(f"playground.{key}"), value, help=seconds if key == "epochs_run" else None)
