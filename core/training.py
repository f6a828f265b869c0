"""``train(config)``: one experiment end to end, with the history a student watches.

Training runs inside a single ``fit()``; a hook that scikit-learn calls once per epoch
(see ``core.mlp``) records the history, takes the surface snapshots for the replay,
reports progress, and stops the run cleanly on divergence or when its time budget is
spent. Works in a notebook: nothing here imports Streamlit.
"""

from __future__ import annotations

import dataclasses
import functools
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import yaml

from core.config import TrainConfig
from core.datasets import DATASETS, Dataset, make_dataset
from core.features import DEFAULT_INPUTS, usable
from core.fitted import FittedModel
from core.network_view import TILE, NetFrame, net_frame
from core.vocabulary import is_canonical

# scikit-learn and the engine (core.mlp) are imported inside the functions that train:
# the web server imports this module for its types and helpers but trains in workers.
if TYPE_CHECKING:
    from core.mlp import ActivationMLPClassifier, ActivationMLPRegressor

SNAPSHOT_COUNT = 32  # a full-length run keeps between this many frames and twice as many
SNAPSHOT_RESOLUTION = 64  # cells per side of a replay frame: 5x cheaper than 100 per
# snapshot (measured), drawn smoothed at chart size; the final surface is finer


# The notes' text, in English; the interface reads every language's (notes.<kind>).
NOTES_TEXT = Path(__file__).resolve().parent.parent / "data" / "i18n" / "en" / "notes.yaml"


@functools.cache
def _english_notes() -> dict[str, str]:
    with open(NOTES_TEXT, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Note:
    """A remark about a run: ``kind`` is a stable key, ``params`` the numbers and names
    its text needs. The text lives in the translation files (``notes.<kind>``), so the
    interface shows it in its language; ``message`` is the English, for a notebook."""

    kind: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return _english_notes()[self.kind].format(**self.params)


@dataclass(frozen=True)
class Grid:
    """Points over the input plane (or line, for one feature) where outputs are drawn."""

    xs: np.ndarray  # (nx,) first plotted feature
    ys: np.ndarray | None  # (ny,) second plotted feature; None for one-feature data
    points: np.ndarray  # (n_points, n_features) model inputs; other features at their mean

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.xs),) if self.ys is None else (len(self.ys), len(self.xs))


@dataclass(frozen=True)
class Progress:
    """What ``on_epoch`` receives after every epoch."""

    epoch: int
    max_epochs: int
    row: dict  # this epoch's history row
    frame: np.ndarray | None  # a fresh snapshot (grid-shaped outputs) or None
    network: NetFrame | None = None  # the neuron view of that snapshot, when asked for


@dataclass
class TrainResult:
    config: TrainConfig
    model: FittedModel  # the trained network as plain data; .estimator() for scikit-learn's
    dataset: Dataset
    history: pd.DataFrame  # epoch, train_loss, test_loss, train_score, test_score, objective
    snapshot_epochs: np.ndarray  # (k,)
    snapshots: np.ndarray  # (k, *grid.shape, n_outputs) model outputs (float16; regression float32)
    grid: Grid
    seconds: float
    notes: list[Note]
    stop_reason: str  # completed | converged | diverged | time_budget | stopped
    # The finished model's outputs on make_grid(dataset, surface_resolution), when train()
    # was asked for them: a worker computes them, so the page does not have to.
    surface: np.ndarray | None = None
    # The neuron view at each snapshot epoch (``core.network_view``), when train() was
    # asked for it; empty otherwise.
    network_frames: list[NetFrame] = field(default_factory=list)

    @property
    def score_name(self) -> str:
        return "R²" if self.dataset.task == "regression" else "accuracy"


class _StopTraining(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def is_divergence(err: Exception) -> bool:
    """Whether ``fit`` failed because the weights overflowed: scikit-learn checks them
    only after the last epoch and raises a ``ValueError`` that says so (its only
    signal; the one place that reads its wording)."""
    return isinstance(err, ValueError) and "non-finite" in str(err)


class StopRequested(Exception):
    """Raise it from ``on_epoch`` to end the run cleanly after this epoch: the result
    keeps what was learnt so far, with a note (a page whose user left, a stop button)."""


def build_estimator(config: TrainConfig, task: str, n_features: int | None = None):
    """The estimator ``config`` describes, for a dataset of the given task with
    ``n_features`` features (default: the config's built-in dataset's). Inputs beyond
    the raw features (``config.inputs``, ``core.features``) give a model that expands
    them itself; otherwise the engine's own classes."""
    from core.feature_mlp import FeatureMLPClassifier, FeatureMLPRegressor
    from core.mlp import ActivationMLPClassifier, ActivationMLPRegressor

    n_features = n_features or DATASETS[config.dataset].n_features
    inputs = usable(config.inputs, n_features)
    params = {}
    regressor: type[ActivationMLPRegressor]
    classifier: type[ActivationMLPClassifier]
    if inputs and inputs != DEFAULT_INPUTS[:n_features]:
        regressor, classifier = FeatureMLPRegressor, FeatureMLPClassifier
        params["inputs"] = inputs
    else:
        regressor, classifier = ActivationMLPRegressor, ActivationMLPClassifier
    cls = regressor if task == "regression" else classifier
    return cls(**params, **estimator_params(config))


def estimator_params(config: TrainConfig, only_resumable: bool = False) -> dict:
    """The estimator parameters the config's fields declare (``param=`` in core.config),
    and the early-stopping switch; ``only_resumable``: those a continued run may change."""
    params = {
        f.metadata["param"]: getattr(config, f.name)
        for f in dataclasses.fields(config)
        if f.metadata["param"] and (f.metadata["resumable"] or not only_resumable)
    }
    params["n_iter_no_change"] = 10 if config.stop_when_flat else np.inf
    return params


# The fields a continued run may change: how it trains, not what it is.
CONTINUE_FIELDS = tuple(f.name for f in dataclasses.fields(TrainConfig) if f.metadata["resumable"])


def continue_config(before: TrainConfig, after: TrainConfig) -> None:
    """Raise ``ValueError`` unless a run of ``before`` can go on as ``after``: the same
    data, network and solver; only ``CONTINUE_FIELDS`` may differ."""
    changed = [
        f.name
        for f in dataclasses.fields(before)
        if f.name not in CONTINUE_FIELDS and getattr(before, f.name) != getattr(after, f.name)
    ]
    if changed:
        raise ValueError(
            f"cannot continue a run with other {', '.join(changed)}: train a new one instead"
        )


def data_settings(config: TrainConfig) -> dict:
    """What ``dataset_for`` makes the data from (``make_dataset``'s arguments): configs
    that agree here have the same data."""
    return dict(
        name=config.dataset,
        n_samples=config.n_samples,
        noise=config.noise,
        test_fraction=config.test_fraction,
        seed=config.data_seed,
        n_classes=config.n_classes,
        standardize=config.standardize,
    )


def dataset_for(config: TrainConfig) -> Dataset:
    return make_dataset(**data_settings(config))


def make_grid(dataset: Dataset, resolution: int, plane: tuple[int, int] = (0, 1)) -> Grid:
    """A regular grid over the dataset's plotting extent; features not on the plane are
    held at their training mean."""
    x0, x1, y0, y1 = dataset.extent
    xs = np.linspace(x0, x1, resolution)
    base = dataset.X_train.mean(axis=0)
    if dataset.n_features == 1:
        return Grid(xs, None, xs[:, None].copy())
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.tile(base, (gx.size, 1))
    points[:, plane[0]] = gx.ravel()
    points[:, plane[1]] = gy.ravel()
    return Grid(xs, ys, points)


def model_outputs(model, X: np.ndarray, *, check_input: bool = True) -> np.ndarray:
    """(n, n_outputs) what the surface shows: class probabilities (see
    ``predict_proba`` for score outputs; one column for two classes) or the regression
    prediction. ``check_input=False`` skips scikit-learn's input validation, for the
    grids this module builds itself (it costs more than the forward pass at this size)."""
    raw = model._forward_pass_fast(X, check_input=check_input)
    if hasattr(model, "probabilities_from_outputs"):
        raw = model.probabilities_from_outputs(raw)
        return raw[:, 1:] if raw.shape[1] == 2 else raw
    return raw


def discrete_outputs(values: np.ndarray, task: str) -> np.ndarray:
    """Outputs as the surface draws them with "discretize output" (TensorFlow
    Playground's toggle): each point's predicted class at full confidence, so only the
    decision boundary shows. Regression outputs are returned unchanged."""
    values = np.asarray(values, dtype=float)
    if task == "regression":
        return values
    if values.shape[-1] == 1:
        return (values >= 0.5).astype(float)
    return (values == values.max(axis=-1, keepdims=True)).astype(float)


class _FrameBuffer:
    """Frames at a regular stride that doubles whenever the buffer fills: a run of its
    planned length keeps SNAPSHOT_COUNT..2*SNAPSHOT_COUNT evenly spaced frames, one that
    stops early proportionally fewer, and memory stays bounded whatever the length."""

    def __init__(self, count: int = SNAPSHOT_COUNT, planned_epochs: int = 0):
        # Start at the stride that fills the buffer by the planned last epoch: a run that
        # goes the distance never computes frames it will throw away, and one that stops
        # early still keeps a frame every few epochs.
        self.count, self.stride = count, max(1, -(-planned_epochs // (2 * count)))  # ceil
        self.epochs: list[int] = []
        self.frames: list[np.ndarray] = []
        self.extras: list = []  # what goes with each frame (the neuron view), or None

    def wants(self, epoch: int) -> bool:
        return epoch == 1 or epoch % self.stride == 0

    def add(self, epoch: int, frame: np.ndarray, extra=None) -> None:
        self.epochs.append(epoch)
        self.frames.append(frame)
        self.extras.append(extra)
        if len(self.frames) > 2 * self.count:
            self.stride *= 2
            keep = [i for i, e in enumerate(self.epochs) if e == 1 or e % self.stride == 0]
            self.epochs = [self.epochs[i] for i in keep]
            self.frames = [self.frames[i] for i in keep]
            self.extras = [self.extras[i] for i in keep]


def train(
    config: TrainConfig | None = None,
    on_epoch: Callable[[Progress], None] | None = None,
    *,
    dataset: Dataset | None = None,
    time_budget: float | None = None,
    snapshot_resolution: int = SNAPSHOT_RESOLUTION,
    surface_resolution: int | None = None,
    network_view: bool = False,
    resume: TrainResult | None = None,
) -> TrainResult:
    """Train the experiment ``config`` describes and record what happened.

    ``dataset`` replaces the config's built-in data (for example an uploaded CSV).
    ``time_budget`` (seconds) stops the run cleanly with a note when spent.
    ``surface_resolution`` also evaluates the finished model on a grid that fine
    (``result.surface``), for a caller that will draw it. ``network_view`` also measures
    the neuron view at every snapshot (``result.network_frames``, ``Progress.network``):
    a few ms a frame, so only for a caller that draws it.

    ``resume`` continues a finished (or stopped) run for ``config.epochs`` more epochs
    from its weights, on its data: the history, the replay frames and the epoch numbers
    carry on. ``config`` must describe the same network (``continue_config`` checks).
    The optimiser starts afresh (Adam's moment estimates, as in scikit-learn's
    ``warm_start``), so the first epochs may move a little differently than an
    uninterrupted run would.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import r2_score
    from threadpoolctl import threadpool_limits

    from core.diagnostics import at_initialisation
    from core.mlp import output_loss, target_matrix

    config = config or TrainConfig()
    done = 0  # epochs already run (resuming)
    if resume is not None:
        continue_config(resume.config, config)
        data = resume.dataset
        model = resume.model.estimator()  # a fresh copy: the caller's result never changes
        model.set_params(warm_start=True, **estimator_params(config, only_resumable=True))
        model._no_improvement_count = 0  # a run that stopped as flat may go on
        done = len(resume.history)
    else:
        data = dataset if dataset is not None else dataset_for(config)
        model = build_estimator(config, data.task, data.n_features)
    grid = make_grid(data, snapshot_resolution)
    buffer = _FrameBuffer(planned_epochs=done + config.epochs)
    if resume is not None:
        extras = {f.epoch: f for f in resume.network_frames}
        for epoch, frame in zip(resume.snapshot_epochs, resume.snapshots):
            buffer.add(int(epoch), frame, extras.get(int(epoch)))
    # Frames are kept for the replay: probabilities as float16 (three decimals are more
    # than a colour needs); regression values as float32, since float16 ends at 65504 and
    # an uploaded target may reach far beyond.
    frame_dtype = np.float32 if data.task == "regression" else np.float16

    def snapshot(fitted) -> np.ndarray:
        outputs = model_outputs(fitted, grid.points, check_input=False)
        return outputs.reshape(*grid.shape, -1).astype(frame_dtype)

    tiles = make_grid(data, TILE) if network_view else None
    value_range = (float(data.y.min()), float(data.y.max())) if data.task == "regression" else None

    input_names = tuple(getattr(model, "inputs", data.feature_names))

    def network(fitted, epoch: int) -> NetFrame | None:
        if tiles is None:
            return None
        outputs = model_outputs(fitted, tiles.points, check_input=False)
        return net_frame(
            fitted,
            epoch,
            tiles.points,
            outputs,
            data.X_train,
            task=data.task,
            value_range=value_range,
            input_names=input_names,
        )

    rows: list[dict] = resume.history.to_dict("records") if resume is not None else []
    last_finite: list[list[np.ndarray]] = []
    if resume is not None:
        last_finite[:] = [[w.copy() for w in model.coefs_], [b.copy() for b in model.intercepts_]]
    y_train = data.y_train
    start = time.perf_counter()

    # Train and test rows go through the network together: one forward pass an epoch
    # gives both splits' loss and score.
    both = np.vstack([data.X_train, data.X_test])
    n_train = len(data.X_train)
    splits = {"train": (slice(None, n_train), y_train), "test": (slice(n_train, None), data.y_test)}
    targets: dict[str, np.ndarray] = {}  # built once, when the model knows its outputs

    def evaluate() -> dict[str, float]:
        """train_loss, train_score, test_loss and test_score of the model as it is."""
        outputs = model._forward_pass_fast(both, check_input=False)
        measured = {}
        for split, (rows_of, y) in splits.items():
            raw = outputs[rows_of]
            if split not in targets:
                targets[split] = target_matrix(model, y)
            loss = output_loss(targets[split], raw, model.out_activation_, model.loss_function_)
            if data.task == "regression":
                score = r2_score(y, raw.ravel()) if np.isfinite(raw).all() else float("nan")
            else:
                score = float(np.mean(model.labels_from_outputs(raw) == y))
            measured[f"{split}_loss"], measured[f"{split}_score"] = loss, score
        return measured

    def hook(fitted, objective):
        epoch = len(rows) + 1
        weights = fitted.coefs_ + fitted.intercepts_
        if not (np.isfinite(objective) and all(np.isfinite(w).all() for w in weights)):
            if config.solver != "lbfgs":  # lbfgs may probe a bad point and recover
                raise _StopTraining("diverged")
            return
        last_finite[:] = [[w.copy() for w in fitted.coefs_], [b.copy() for b in fitted.intercepts_]]
        row = {"epoch": epoch, **evaluate(), "objective": float(objective)}
        rows.append(row)
        frame = net = None
        if buffer.wants(epoch):
            frame, net = snapshot(fitted), network(fitted, epoch)
            buffer.add(epoch, frame, net)
        if on_epoch is not None:
            try:
                on_epoch(Progress(epoch, done + config.epochs, row, frame, net))
            except StopRequested:
                raise _StopTraining("stopped") from None
        if time_budget is not None and time.perf_counter() - start > time_budget:
            raise _StopTraining("time_budget")

    model._epoch_hook = hook
    stop_reason = "completed"
    converged_warning = False
    try:
        with threadpool_limits(1), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            try:
                model.fit(data.X_train, y_train)
            except _StopTraining as stop:
                stop_reason = stop.reason
            except ValueError as err:
                if not is_divergence(err):
                    raise
                stop_reason = "diverged"
        converged_warning = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    finally:
        del model._epoch_hook  # the fitted model carries no closure over this run
    if stop_reason == "diverged":
        if not last_finite:  # diverged within the first epoch: back to the start
            start_model = at_initialisation(model, data.X_train, y_train)
            last_finite[:] = [start_model.coefs_, start_model.intercepts_]
        model.coefs_, model.intercepts_ = last_finite
    elif stop_reason == "completed" and config.solver != "lbfgs" and model.n_iter_ < config.epochs:
        stop_reason = "converged"
    seconds = time.perf_counter() - start + (resume.seconds if resume is not None else 0.0)

    # Keep a final frame, so the replay ends where training ended.
    if rows and (not buffer.epochs or buffer.epochs[-1] != rows[-1]["epoch"]):
        buffer.add(rows[-1]["epoch"], snapshot(model), network(model, rows[-1]["epoch"]))

    columns = ["epoch", "train_loss", "test_loss", "train_score", "test_score", "objective"]
    history = pd.DataFrame(rows, columns=columns).astype({c: float for c in columns[1:]})
    history["epoch"] = history["epoch"].astype(int)
    notes = _notes(config, model, data, history, stop_reason, converged_warning, time_budget)
    snapshots = (
        np.stack(buffer.frames)
        if buffer.frames
        else np.zeros((0, *grid.shape, 1), dtype=np.float16)
    )
    surface = None
    if surface_resolution:
        fine = make_grid(data, surface_resolution)
        surface = (
            model_outputs(model, fine.points, check_input=False)
            .reshape(*fine.shape, -1)
            .astype(frame_dtype)
        )  # as the frames: each session keeps it
    return TrainResult(
        config,
        FittedModel.of(model, data),
        data,
        history,
        np.array(buffer.epochs),
        snapshots,
        grid,
        seconds,
        notes,
        stop_reason,
        surface,
        [f for f in buffer.extras if f is not None],
    )


def _notes(config, model, data, history, stop_reason, converged_warning, time_budget):
    notes: list[Note] = []
    epochs = len(history)
    out, loss = model.out_activation_, model.loss_function_
    if stop_reason == "time_budget":
        notes.append(Note("time_budget", dict(epoch=epochs, seconds=time_budget)))
    elif stop_reason in ("diverged", "stopped", "converged"):
        notes.append(Note(stop_reason, dict(epoch=epochs)))
    elif converged_warning:
        notes.append(Note("not_converged", dict(epoch=epochs)))
    if not is_canonical(out, loss):
        notes.append(Note("non_canonical", dict(output=out, loss=loss)))
    if out == "softmax" and model.coefs_[-1].shape[1] == 1:
        notes.append(Note("constant_softmax"))
    if loss == "log_loss" and out not in ("logistic", "softmax"):
        notes.append(Note("clipped_log_loss", dict(output=out)))
    if (
        data.task != "regression"
        and len(history)
        and history["test_score"].iloc[-1]
        <= max(np.bincount(data.y_train).max() / len(data.y_train), 0.0) + 0.02
    ):
        notes.append(Note("chance_level"))
    return notes
