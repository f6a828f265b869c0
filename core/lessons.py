"""The Lessons: each tests claims of the guidance (G1-G30) with a small live experiment.

One function per lesson; each returns a ``LessonResult`` holding what it measured, the
checks it made (each a verdict computed from the numbers) and the data for its table and
charts. The experiments' settings (datasets, sizes, seeds, thresholds) live in
``data/lessons.yaml`` next to the lesson text, so changing a threshold is a data edit.
Every run is deterministic (fixed seeds) except wall-clock timings, and each lesson
takes a few seconds at most. Pure Python: nothing here imports Streamlit.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from core.activations import get_activation
from core.config import TrainConfig
from core.datasets import Dataset
from core.diagnostics import at_initialisation, forward_layers, gradient_norms, layer_table
from core.mlp import AUTO_OUTPUT, is_canonical
from core.training import build_estimator, dataset_for, make_grid, model_outputs

LESSONS_FILE = Path(__file__).resolve().parent.parent / "data" / "lessons.yaml"
VERDICTS = ("holds", "nuance", "fails")  # holds | holds with a nuance | does not hold here
SURFACE_RESOLUTION = 100


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One claim tested against one measurement. ``key`` names the sentence that reports
    it (``lessons.check.<lesson>.<key>`` in the interface text); ``params`` are the
    numbers for that sentence, already formatted; ``verdict`` is one of VERDICTS."""

    key: str
    guidance: tuple[str, ...]
    verdict: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class LessonResult:
    lesson: str
    guidance: tuple[str, ...]
    measurements: dict[str, float]  # the raw numbers (tests and notebooks read these)
    checks: list[Check]
    table: pd.DataFrame
    chart_data: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        return combine([c.verdict for c in self.checks])


def combine(verdicts: list[str]) -> str:
    """All hold -> holds; none holds and one fails -> fails; anything else -> nuance."""
    if not verdicts:
        raise ValueError("a lesson needs at least one check")
    if all(v == "holds" for v in verdicts):
        return "holds"
    if "fails" in verdicts and "holds" not in verdicts:
        return "fails"
    return "nuance"


# --- verdict rules: small pure functions of the measured numbers -----------------------------


def contrast_verdict(
    baseline: float, others: list[float], baseline_max: float, others_min: float
) -> str:
    """A baseline that should fail (a linear network) against models that should
    succeed: holds when the baseline stays at or under ``baseline_max`` and every other
    model reaches ``others_min``; nuance when the best other model still beats the
    baseline; fails otherwise."""
    if baseline <= baseline_max and min(others) >= others_min:
        return "holds"
    return "nuance" if max(others) > baseline else "fails"


def below_verdict(value: float, limit: float, otherwise: str = "nuance") -> str:
    return "holds" if value < limit else otherwise


def equal_verdict(value: float, expected: float, tol: float) -> str:
    return "holds" if abs(value - expected) <= tol else "fails"


def faster_verdict(fast: np.ndarray, slow: np.ndarray) -> str:
    """Epoch counts per seed: holds when every fast run beats every slow one, nuance when
    only the means are ordered, fails otherwise."""
    if np.max(fast) < np.min(slow):
        return "holds"
    return "nuance" if np.mean(fast) < np.mean(slow) else "fails"


def depth_verdict(crossing: int | None, article_depth: int) -> str:
    """Where the gradient ratio first fell below the threshold vs the article's depth."""
    if crossing is None:
        return "fails"
    return "holds" if crossing <= article_depth else "nuance"


def ratios_verdict(ratios: list[float], at_least: float) -> str:
    """Several slow/fast time ratios: holds when all reach ``at_least``, fails when none
    does, nuance in between."""
    hits = [r >= at_least for r in ratios]
    return "holds" if all(hits) else "fails" if not any(hits) else "nuance"


def sparse_verdict(relu_zeros: float, others_zeros: float, at_least: float) -> str:
    if relu_zeros >= at_least and others_zeros == 0:
        return "holds"
    return "nuance" if relu_zeros > others_zeros else "fails"


def dead_verdict(high: float, normal: float, at_least: float) -> str:
    if high >= at_least and high > normal:
        return "holds"
    return "nuance" if high > 0 else "fails"


def alive_verdict(leaky_dead: float, relu_dead: float) -> str:
    """No dead leaky unit where ReLU lost some: holds; nothing died at all: nuance
    (nothing to rescue); a dead leaky unit: fails."""
    if leaky_dead > 0:
        return "fails"
    return "holds" if relu_dead > 0 else "nuance"


def gain_verdict(gain: float, margin: float) -> str:
    """A score difference: a real gain holds, a tie is a nuance, a real loss fails."""
    if gain >= margin:
        return "holds"
    return "nuance" if gain > -margin else "fails"


def stall_verdict(clipped: float, score: float, matched_score: float) -> str:
    """A mismatched pair should stall: most outputs clipped and clearly worse."""
    if clipped >= 0.5 and score <= matched_score - 0.1:
        return "holds"
    return "nuance" if score < matched_score else "fails"


# --- lesson definitions ---------------------------------------------------------------------


@cache
def _load() -> dict:
    with open(LESSONS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def lesson_specs() -> dict[str, dict]:
    """Lesson id -> its entry in data/lessons.yaml, in teaching order."""
    return {lesson["id"]: lesson for lesson in _load()["lessons"]}


def lesson_ids() -> list[str]:
    return list(lesson_specs())


def playground_query(lesson_id: str) -> dict[str, str] | None:
    """The query string of a Playground run that shows the lesson's point, or None."""
    block = lesson_specs()[lesson_id].get("playground")
    return _config(block).to_query() if block else None


def _experiment(lesson_id: str) -> dict:
    return lesson_specs()[lesson_id]["experiment"]


def _config(*blocks: dict, **changes) -> TrainConfig:
    """A TrainConfig from query-string style blocks (later blocks win) plus changes."""
    merged: dict[str, str] = {}
    for block in blocks:
        merged.update({k: str(v) for k, v in (block or {}).items()})
    merged.update({k: str(v) for k, v in changes.items()})
    config, _ = TrainConfig.from_query(merged, strict=True)
    return config


def _fit(config: TrainConfig, data: Dataset | None = None):
    """(fitted model, dataset); one thread, no convergence chatter. A run whose weights
    overflow comes back with ``model.diverged_ = True`` instead of raising."""
    data = data if data is not None else dataset_for(config)
    model = build_estimator(config, data.task)
    model.diverged_ = False
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            model.fit(data.X_train, data.y_train)
        except ValueError as err:
            if "non-finite" not in str(err):
                raise
            model.diverged_ = True
    return model, data


class _TargetReached(Exception):
    pass


def _fit_until(config: TrainConfig, target_loss: float):
    """Like ``_fit`` but stops after the first epoch whose training loss is below
    ``target_loss`` (through the once-per-epoch hook core.mlp offers); the model keeps
    ``loss_curve_`` up to that epoch."""
    data = dataset_for(config)
    model = build_estimator(config, data.task)

    def hook(fitted, objective):
        if objective < target_loss:
            raise _TargetReached

    model._epoch_hook = hook
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            model.fit(data.X_train, data.y_train)
        except _TargetReached:
            pass
        finally:
            del model._epoch_hook
    return model, data


def _test_score(model, data: Dataset) -> float:
    if getattr(model, "diverged_", False):
        return float("nan")
    return float(model.score(data.X_test, data.y_test))


def _pct(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "–"


def _pct1(x: float) -> str:
    return f"{x:.1%}" if np.isfinite(x) else "–"


def _num(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}" if np.isfinite(x) else "–"


def _sci(x: float) -> str:
    return f"{x:.1e}" if np.isfinite(x) else "–"


def _timed(fn: Callable[[], LessonResult]) -> Callable[[], LessonResult]:
    def run() -> LessonResult:
        start = time.perf_counter()
        result = fn()
        result.seconds = time.perf_counter() - start
        return result

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


# --- 1. linear networks (G1) ------------------------------------------------------------------


def collapsed_linear_outputs(model, X: np.ndarray) -> np.ndarray:
    """The outputs of an identity-activation network computed as ONE linear layer: the
    product of all its weight matrices and the matching bias, then the output activation."""
    W = np.eye(X.shape[1])
    b = np.zeros(X.shape[1])
    for coef, intercept in zip(model.coefs_, model.intercepts_):
        W, b = W @ coef, b @ coef + intercept
    z = X @ W + b
    model._output_forward()(z)
    return z


@_timed
def lesson_linear() -> LessonResult:
    """G1: identity hidden layers (one and three) vs ReLU and tanh on circle and xor."""
    spec = _experiment("linear")
    rows, surfaces, collapse_err = [], [], 0.0
    for name in spec["datasets"]:
        for run in spec["runs"]:
            config = _config(spec["base"], {"dataset": name}, run)
            model, data = _fit(config)
            if config.activation == "identity" and len(config.hidden_layers) > 1:
                direct = model._forward_pass_fast(data.X_test, check_input=False)
                collapse_err = max(
                    collapse_err,
                    float(np.abs(direct - collapsed_linear_outputs(model, data.X_test)).max()),
                )
            rows.append(
                dict(
                    dataset=name,
                    activation=config.activation,
                    layers=len(config.hidden_layers),
                    test_score=_test_score(model, data),
                    linear=config.activation == "identity",
                )
            )
            if config.activation in spec["surfaces"] and (
                config.activation != "identity" or rows[-1]["layers"] > 1
            ):
                grid = make_grid(data, SURFACE_RESOLUTION)
                values = model_outputs(model, grid.points).reshape(*grid.shape, -1)
                surfaces.append(
                    dict(
                        dataset=name,
                        activation=config.activation,
                        values=values.astype(np.float32),
                        data=data,
                        score=rows[-1]["test_score"],
                    )
                )
    table = pd.DataFrame(rows)
    checks, measurements = [], {"collapse_error": collapse_err}
    for name in spec["datasets"]:
        part = table[table.dataset == name]
        linear = float(part[part.linear].test_score.max())
        nonlinear = part[~part.linear].set_index("activation").test_score
        best_act = str(nonlinear.idxmax())
        measurements |= {
            f"{name}.linear_best": linear,
            **{f"{name}.{a}": float(s) for a, s in nonlinear.items()},
        }
        verdict = contrast_verdict(
            linear, list(nonlinear), spec["linear_max"], spec["nonlinear_min"]
        )
        low, high = _pct(float(nonlinear.min())), _pct(float(nonlinear.max()))
        checks.append(
            Check(
                "separate",
                ("G1",),
                verdict,
                dict(
                    dataset=name,
                    linear=_pct(linear),
                    nonlinear=low if low == high else f"{low}–{high}",
                    best_activation=best_act,
                ),
            )
        )
    checks.append(
        Check(
            "collapse",
            ("G1",),
            equal_verdict(collapse_err, 0.0, spec["collapse_tol"]),
            dict(error=f"{collapse_err:.1e}"),
        )
    )
    table = table.drop(columns="linear")
    return LessonResult("linear", ("G1",), measurements, checks, table, dict(surfaces=surfaces))


# --- 2. curves (G2) -------------------------------------------------------------------------


@_timed
def lesson_curves() -> LessonResult:
    """G2: regression on sine with identity, tanh and ReLU hidden layers; test R²."""
    spec = _experiment("curves")
    rows, curves, data = [], [], None
    for act in spec["activations"]:
        model, data = _fit(_config(spec["base"], activation=act))
        grid = make_grid(data, 200)
        curves.append(dict(activation=act, x=grid.xs, prediction=model.predict(grid.points)))
        rows.append(dict(activation=act, test_score=_test_score(model, data)))
    table = pd.DataFrame(rows)
    scores = table.set_index("activation").test_score
    linear = float(scores["identity"])
    nonlinear = scores.drop("identity")
    verdict = contrast_verdict(linear, list(nonlinear), spec["linear_max"], spec["nonlinear_min"])
    check = Check(
        "fit",
        ("G2",),
        verdict,
        dict(
            linear=_num(linear),
            best=_num(float(nonlinear.max())),
            best_activation=str(nonlinear.idxmax()),
        ),
    )
    measurements = {f"r2.{a}": float(s) for a, s in scores.items()}
    return LessonResult(
        "curves", ("G2",), measurements, [check], table, dict(curves=curves, data=data)
    )


# --- 3. sigmoid's shape (G4-G7) -----------------------------------------------------------


def _shape(name: str, spec: dict) -> dict:
    """Peak slope, slope shares at given points and the formula check, from the table."""
    act = get_activation(name)
    z = np.linspace(**spec["grid"])
    slope = act.derivative(z)
    peak = float(slope.max())
    h = 1e-5
    numeric = (act.fn(z + h) - act.fn(z - h)) / (2 * h)
    positive = z >= 0
    flat_from = z[positive][np.argmax(slope[positive] < spec["flat_share"] * peak)]
    return dict(
        act=act,
        z=z,
        value=act.fn(z),
        slope=slope,
        peak=peak,
        peak_at=float(z[np.argmax(slope)]),
        formula_error=float(np.abs(numeric - slope).max()),
        flat_from=float(flat_from),
        share=lambda x: float(act.derivative(np.array([-x, x])).max() / peak),
    )


@_timed
def lesson_sigmoid() -> LessonResult:
    """G4-G7: measured from the activation table."""
    spec = _experiment("sigmoid")
    s = _shape("logistic", spec)
    act = s["act"]
    share_far, share_near = s["share"](spec["saturates_beyond"]), s["share"](spec["comfortable"])
    big = [float(v) for v in act.fn(np.array(spec["same_inputs"]))]
    xs = np.arange(0.0, 60.0, 0.01)
    first_one = float(xs[np.argmax(act.fn(xs) == 1.0)])
    same = big[0] == big[1]
    checks = [
        Check(
            "formula",
            ("G4",),
            below_verdict(s["formula_error"], 1e-6, "fails"),
            dict(error=f"{s['formula_error']:.1e}"),
        ),
        Check(
            "peak",
            ("G7",),
            equal_verdict(s["peak"], spec["peak"], spec["peak_tol"]),
            dict(peak=f"{s['peak']:.12f}", at=_num(s["peak_at"], 2)),
        ),
        Check(
            "flat",
            ("G5", "G6", "G7"),
            below_verdict(share_far, spec["flat_share"]),
            dict(
                beyond=f"{spec['saturates_beyond']:g}",
                share=_pct1(share_far),
                near=f"{spec['comfortable']:g}",
                share_near=_pct(share_near),
                limit=_pct(spec["flat_share"]),
                flat_from=_num(s["flat_from"], 1),
            ),
        ),
        Check(
            "same",
            ("G5",),
            equal_verdict(big[0], big[1], 0.0),
            dict(
                a=f"{spec['same_inputs'][0]:g}",
                b=f"{spec['same_inputs'][1]:g}",
                value_a=repr(big[0]),
                value_b=repr(big[1]),
                first_one=_num(first_one, 2),
            ),
        ),
    ]
    measurements = dict(
        max_derivative=s["peak"],
        peak_at=s["peak_at"],
        share_at_saturation=share_far,
        share_at_comfortable=share_near,
        flat_from=s["flat_from"],
        formula_error=s["formula_error"],
        sigmoid_a=big[0],
        sigmoid_b=big[1],
        same=float(same),
        first_exact_one=first_one,
    )
    points = [0.0, spec["comfortable"], spec["saturates_beyond"], 10.0, *spec["same_inputs"]]
    table = pd.DataFrame(
        dict(x=points, value=act.fn(np.array(points)), derivative=act.derivative(np.array(points)))
    )
    table["share_of_peak"] = table.derivative / s["peak"]
    curve = dict(
        z=s["z"][::20],
        value=s["value"][::20],
        slope=s["slope"][::20],
        band=spec["saturates_beyond"],
        comfortable=spec["comfortable"],
    )
    return LessonResult(
        "sigmoid", ("G4", "G5", "G6", "G7"), measurements, checks, table, dict(curve=curve)
    )


# --- 4. tanh (G10-G12) ----------------------------------------------------------------------


def _mean_hidden_activation(model, X) -> float:
    hidden = [a for _, a in forward_layers(model, X)[:-1]]
    return float(np.mean(np.concatenate([a.ravel() for a in hidden])))


@_timed
def lesson_tanh() -> LessonResult:
    """G10-G12: shape from the table; zero-centring and epochs to a target loss, three seeds."""
    spec = _experiment("tanh")
    s = _shape("tanh", spec)
    share_far = s["share"](spec["saturates_beyond"])
    rows, curves = [], []
    for act in ("tanh", "logistic"):
        for seed in spec["seeds"]:
            config = _config(spec["base"], activation=act, seed=seed)
            model, data = _fit_until(config, spec["target_loss"])
            start = at_initialisation(model, data.X_train, data.y_train)
            loss = np.asarray(model.loss_curve_)
            hit = np.flatnonzero(loss < spec["target_loss"])
            rows.append(
                dict(
                    activation=act,
                    seed=seed,
                    epochs_to_target=int(hit[0]) + 1 if hit.size else np.nan,
                    final_loss=float(loss[-1]),
                    mean_activation_start=_mean_hidden_activation(start, data.X_train),
                    mean_activation_end=_mean_hidden_activation(model, data.X_train),
                    test_score=_test_score(model, data),
                )
            )
            curves.append(
                pd.DataFrame(
                    dict(activation=act, seed=seed, epoch=np.arange(1, len(loss) + 1), loss=loss)
                )
            )
    table = pd.DataFrame(rows)
    by = table.groupby("activation")
    max_epochs = _config(spec["base"]).epochs
    # A run that never reached the target counts as needing more than max_epochs.
    epochs = {a: g.epochs_to_target.fillna(max_epochs + 1).to_numpy() for a, g in by}
    missed = {a: int(g.epochs_to_target.isna().sum()) for a, g in by}
    mean_end = by.mean_activation_end.mean()
    mean_start = by.mean_activation_start.mean()
    t, sg = epochs["tanh"], epochs["logistic"]
    faster = faster_verdict(t, sg)
    centred = (
        abs(mean_end["tanh"]) < spec["centred_tol"] and mean_end["logistic"] > spec["centred_tol"]
    )
    checks = [
        Check(
            "peak",
            ("G10", "G11"),
            equal_verdict(s["peak"], spec["peak"], spec["peak_tol"]),
            dict(peak=f"{s['peak']:.12f}"),
        ),
        Check(
            "flat",
            ("G11",),
            below_verdict(share_far, spec["flat_share"]),
            dict(
                beyond=f"{spec['saturates_beyond']:g}",
                share=_pct1(share_far),
                limit=_pct(spec["flat_share"]),
                flat_from=_num(s["flat_from"], 1),
            ),
        ),
        Check(
            "centred",
            ("G11",),
            "holds" if centred else "nuance",
            dict(
                tanh_start=_num(mean_start["tanh"]),
                tanh_end=_num(mean_end["tanh"]),
                sigmoid_start=_num(mean_start["logistic"]),
                sigmoid_end=_num(mean_end["logistic"]),
            ),
        ),
        Check(
            "faster",
            ("G12",),
            faster,
            dict(
                target=f"{spec['target_loss']:g}",
                seeds=str(len(spec["seeds"])),
                tanh=f"{t.mean():.0f} ± {t.std():.0f}",
                sigmoid=f"{sg.mean():.0f} ± {sg.std():.0f}",
                tanh_range=f"{t.min():.0f}–{t.max():.0f}",
                sigmoid_range=f"{sg.min():.0f}–{sg.max():.0f}",
                speedup=f"{sg.mean() / t.mean():.1f}",
                missed=str(missed["tanh"] + missed["logistic"]),
            ),
        ),
    ]
    measurements = dict(
        max_derivative=s["peak"],
        share_at_saturation=share_far,
        mean_tanh=float(mean_end["tanh"]),
        mean_sigmoid=float(mean_end["logistic"]),
        mean_tanh_start=float(mean_start["tanh"]),
        mean_sigmoid_start=float(mean_start["logistic"]),
        epochs_tanh=float(t.mean()),
        epochs_tanh_std=float(t.std()),
        epochs_sigmoid=float(sg.mean()),
        epochs_sigmoid_std=float(sg.std()),
        missed=float(missed["tanh"] + missed["logistic"]),
    )
    return LessonResult(
        "tanh",
        ("G10", "G11", "G12"),
        measurements,
        checks,
        table,
        dict(losses=pd.concat(curves, ignore_index=True), target=spec["target_loss"]),
    )


# --- 5. depth (G8, G28) -----------------------------------------------------------------------


def gradient_ratios(activation: str, depths, seeds, base: dict, width: int) -> np.ndarray:
    """Geometric mean over seeds of |dL/dW_first| / |dL/dW_last| at initialisation."""
    data = dataset_for(_config(base))
    out = []
    for depth in depths:
        logs = []
        for seed in seeds:
            config = _config(
                base, activation=activation, seed=seed, hidden_layers=",".join([str(width)] * depth)
            )
            model = at_initialisation(
                build_estimator(config, data.task), data.X_train, data.y_train
            )
            norms = gradient_norms(model, data.X_train, data.y_train)
            logs.append(np.log(norms[0] / norms[-1]))
        out.append(float(np.exp(np.mean(logs))))
    return np.array(out)


@_timed
def lesson_depth() -> LessonResult:
    """G8, G28: first/last layer gradient ratio at initialisation for depths 2..10."""
    spec = _experiment("depth")
    depths, threshold = list(spec["depths"]), spec["threshold"]
    ratios = {
        a: gradient_ratios(a, depths, spec["seeds"], spec["base"], spec["width"])
        for a in spec["activations"]
    }
    table = pd.DataFrame({"depth": depths, **ratios})
    sig = ratios["logistic"]
    below = np.flatnonzero(sig < threshold)
    crossing = depths[below[0]] if below.size else None
    article = spec["article_depth"]
    vanish = depth_verdict(crossing, article)
    slope = float(np.polyfit(depths, np.log10(sig), 1)[0])  # decades per layer
    decays = "holds" if slope < 0 and sig[-1] < sig[0] else "fails"
    others = {a: float(r.min()) for a, r in ratios.items() if a != "logistic"}
    others_ok = "holds" if all(v >= threshold for v in others.values()) else "nuance"
    at_article = float(sig[depths.index(article)]) if article in depths else float("nan")
    checks = [
        Check(
            "vanish" if crossing is not None else "vanish_never",
            ("G8",),
            vanish,
            dict(
                threshold=_pct(threshold),
                depth=str(crossing),
                article=str(article),
                ratio=_sci(sig[below[0]]) if below.size else "–",
                at_article=_sci(at_article),
                max_depth=str(depths[-1]),
            ),
        ),
        Check(
            "decay",
            ("G28",),
            decays,
            dict(
                factor=f"{10**slope:.2f}",
                first=_sci(sig[0]),
                last=_sci(sig[-1]),
                d0=str(depths[0]),
                d1=str(depths[-1]),
            ),
        ),
        Check(
            "others",
            ("G28",),
            others_ok,
            dict(
                tanh=_sci(others.get("tanh", np.nan)),
                relu=_sci(others.get("relu", np.nan)),
                threshold=_pct(threshold),
            ),
        ),
    ]
    measurements = dict(
        crossing_depth=float(crossing) if crossing is not None else np.nan,
        decades_per_layer=slope,
        sigmoid_at_article_depth=at_article,
        **{f"{a}.min_ratio": float(r.min()) for a, r in ratios.items()},
    )
    return LessonResult(
        "depth",
        ("G8", "G28"),
        measurements,
        checks,
        table,
        dict(threshold=threshold, article=article),
    )


# --- 6. ReLU cost, sparsity and dead units (G15, G17, G18) -----------------------------------

# Timings use this thread's CPU time, not the wall clock: on a shared server (a class
# pressing Run together, or other processes) wall-clock times mostly measure the queue.
# numpy runs in the calling thread here (threadpool_limits(1)), so nothing is missed.


def _kernel_seconds(name: str, n_values: int, repeats: int) -> tuple[float, float]:
    """Best-of-N CPU seconds per million values of the activation's forward and backward
    kernels (the engine's own in-place kernels), timed over ``n_values`` inputs."""
    act = get_activation(name)
    z0 = np.random.default_rng(0).normal(0.0, 2.0, n_values)
    forward = backward = np.inf
    for _ in range(repeats):
        a, delta = z0.copy(), np.ones(n_values)
        t0 = time.thread_time()
        act.forward(a)
        t1 = time.thread_time()
        act.backward(z0, a, delta)
        t2 = time.thread_time()
        forward, backward = min(forward, t1 - t0), min(backward, t2 - t1)
    per_million = 1e6 / n_values
    return forward * per_million, backward * per_million


def _epoch_seconds(spec: dict) -> dict[str, float]:
    """Best-of-N CPU seconds per epoch of the same network with each activation
    (interleaved, so a slow spell hits every activation alike)."""
    best = {a: np.inf for a in spec["activations"]}
    data = dataset_for(_config(spec["base"]))
    for _ in range(spec["repeats"]):
        for act in spec["activations"]:
            config = _config(spec["base"], activation=act)
            start = time.thread_time()
            model, _ = _fit(config, data)
            best[act] = min(best[act], (time.thread_time() - start) / model.n_iter_)
    return best


def _dead_share(model, X, y) -> float:
    """Dead hidden units (zero slope on every sample) as a share of all hidden units."""
    lt = layer_table(model, X, y)
    hidden = lt[lt.kind == "hidden"]
    return float((hidden.dead_fraction * hidden.units).sum() / hidden.units.sum())


def _dormant_share(model, X) -> float:
    """Hidden units whose pre-activation is negative on every sample."""
    zs = [z for z, _ in forward_layers(model, X)[:-1]]
    return float(sum((z < 0).all(axis=0).sum() for z in zs) / sum(z.shape[1] for z in zs))


@lru_cache(maxsize=64)
def _high_rate_run(activation: str, rate_name: str, seed: int) -> tuple:
    """One of the runs the relu and leaky lessons share (cached: both lessons use the
    same relu runs). Returns the row as a tuple of items, so the cache stays immutable."""
    spec = _load()["high_rate"]
    config = _config(spec["base"], activation=activation, seed=seed, learning_rate=spec[rate_name])
    model, data = _fit(config)
    start = at_initialisation(model, data.X_train, data.y_train)
    hidden = np.concatenate([a.ravel() for _, a in forward_layers(model, data.X_test)[:-1]])
    return tuple(
        dict(
            activation=activation,
            rate=rate_name,
            learning_rate=spec[rate_name],
            seed=seed,
            dead_start=_dead_share(start, data.X_train, data.y_train),
            dead=_dead_share(model, data.X_train, data.y_train),
            dormant=_dormant_share(model, data.X_train),
            zero_share=float(np.mean(hidden == 0)),
            test_score=_test_score(model, data),
        ).items()
    )


def high_rate_runs(
    activations, rate_names=("normal_rate", "high_rate"), seeds=None
) -> pd.DataFrame:
    """The shared runs of the relu and leaky lessons (data/lessons.yaml ``high_rate``):
    dead share, dormant share, share of exact zeros and test accuracy per activation,
    learning rate and seed."""
    seeds = _load()["high_rate"]["seeds"] if seeds is None else seeds
    return pd.DataFrame(
        [dict(_high_rate_run(a, r, s)) for a in activations for r in rate_names for s in seeds]
    )


@_timed
def lesson_relu() -> LessonResult:
    """G15 time per epoch and per kernel; G18 share of exact zeros; G17 dead units."""
    spec = _experiment("relu")
    epoch = _epoch_seconds(spec["timing"])
    kernel = {
        a: _kernel_seconds(a, spec["kernel"]["values"], spec["kernel"]["repeats"])
        for a in spec["timing"]["activations"]
    }
    runs = high_rate_runs(["relu"])
    # Sparsity: the normal-rate run of the first seed, for each activation.
    first_seed = _load()["high_rate"]["seeds"][:1]
    zeros = {
        a: float(high_rate_runs([a], ("normal_rate",), first_seed).zero_share.iloc[0])
        for a in spec["sparsity_activations"]
    }
    dead = runs.groupby("rate").dead.mean()
    score = runs.groupby("rate").test_score.mean()
    r_epoch = epoch["logistic"] / epoch["relu"]
    r_forward = kernel["logistic"][0] / kernel["relu"][0]
    r_backward = kernel["logistic"][1] / kernel["relu"][1]
    cheap = ratios_verdict([r_forward, r_backward, r_epoch], spec["faster_ratio"])
    others_zero = max(v for a, v in zeros.items() if a != "relu")
    sparse = sparse_verdict(zeros["relu"], others_zero, spec["sparse_min"])
    high, normal = float(dead["high_rate"]), float(dead["normal_rate"])
    dies = dead_verdict(high, normal, spec["dead_min"])
    hr = _load()["high_rate"]
    checks = [
        Check(
            "cheap",
            ("G15",),
            cheap,
            dict(
                epoch_ratio=f"{r_epoch:.2f}",
                forward_ratio=f"{r_forward:.1f}",
                backward_ratio=f"{r_backward:.2f}",
                relu_ms=f"{epoch['relu'] * 1e3:.2f}",
                sigmoid_ms=f"{epoch['logistic'] * 1e3:.2f}",
            ),
        ),
        Check("sparse", ("G18",), sparse, dict(relu=_pct(zeros["relu"]), others=_pct(others_zero))),
        Check(
            "dead",
            ("G17",),
            dies,
            dict(
                normal=_pct(normal),
                high=_pct(high),
                normal_rate=f"{hr['normal_rate']:g}",
                high_rate=f"{hr['high_rate']:g}",
                score_normal=_pct1(float(score["normal_rate"])),
                score_high=_pct1(float(score["high_rate"])),
            ),
        ),
    ]
    table = pd.DataFrame(
        [
            dict(
                activation=a,
                ms_per_epoch=epoch[a] * 1e3,
                forward_ms=kernel[a][0] * 1e3,
                backward_ms=kernel[a][1] * 1e3,
                zero_share=zeros.get(a, np.nan),
            )
            for a in spec["timing"]["activations"]
        ]
    )
    measurements = dict(
        epoch_ratio=r_epoch,
        forward_ratio=r_forward,
        backward_ratio=r_backward,
        **{f"ms_per_epoch.{a}": v * 1e3 for a, v in epoch.items()},
        **{f"forward_ms.{a}": v[0] * 1e3 for a, v in kernel.items()},
        **{f"backward_ms.{a}": v[1] * 1e3 for a, v in kernel.items()},
        **{f"zero_share.{a}": v for a, v in zeros.items()},
        dead_normal=normal,
        dead_high=high,
        score_normal=float(score["normal_rate"]),
        score_high=float(score["high_rate"]),
    )
    return LessonResult("relu", ("G15", "G17", "G18"), measurements, checks, table, dict(runs=runs))


# --- 7. Leaky ReLU (G21, G22) -----------------------------------------------------------------


@_timed
def lesson_leaky() -> LessonResult:
    """G21, G22: the relu lesson's high-rate runs again, with relu and with leaky_relu."""
    spec = _experiment("leaky")
    runs = high_rate_runs(spec["activations"], rate_names=("high_rate",))
    mean = (
        runs.groupby("activation")[["dead", "dormant", "test_score"]]
        .mean()
        .loc[spec["activations"]]
    )  # in the lesson's order: relu first
    relu, leaky = mean.loc["relu"], mean.loc["leaky_relu"]
    alive = alive_verdict(float(leaky.dead), float(relu.dead))
    gain = float(leaky.test_score - relu.test_score)
    helps = gain_verdict(gain, spec["better_by"])
    checks = [
        Check(
            "alive",
            ("G21", "G22"),
            alive,
            dict(relu=_pct(relu.dead), leaky=_pct(leaky.dead), dormant=_pct(leaky.dormant)),
        ),
        Check(
            "accuracy",
            ("G21",),
            helps,
            dict(relu=_pct1(relu.test_score), leaky=_pct1(leaky.test_score), gain=f"{gain:+.1%}"),
        ),
    ]
    table = mean.reset_index()
    measurements = dict(
        dead_relu=float(relu.dead),
        dead_leaky=float(leaky.dead),
        dormant_leaky=float(leaky.dormant),
        score_relu=float(relu.test_score),
        score_leaky=float(leaky.test_score),
    )
    return LessonResult("leaky", ("G21", "G22"), measurements, checks, table, dict(runs=runs))


# --- 8. output activation and loss (G24-G26, G29) ---------------------------------------------


@_timed
def lesson_output() -> LessonResult:
    """G24-G26, G29: matched and mismatched output/loss pairs on three tasks."""
    spec = _experiment("output")
    rows = []
    for group in spec["groups"]:
        for pair in group["pairs"]:
            model, data = _fit(_config(spec["base"], group["base"], pair))
            raw = model._forward_pass_fast(data.X_train, check_input=False)
            eps = np.finfo(raw.dtype).eps
            regression = data.task == "regression"
            rows.append(
                dict(
                    task=group["task"],
                    output=pair["output_activation"],
                    loss=pair["loss"],
                    matched=is_canonical(pair["output_activation"], pair["loss"])
                    and AUTO_OUTPUT[group["task"]] == pair["output_activation"],
                    test_score=_test_score(model, data),
                    # Where each quantity means something: clipping under log-loss, the sum
                    # of the outputs for several classes, the output range for regression.
                    clipped=float(np.mean((raw <= eps) | (raw >= 1 - eps)))
                    if pair["loss"] == "log_loss"
                    else np.nan,
                    row_sum_error=float(np.abs(raw.sum(axis=1) - 1).mean())
                    if group["task"] == "multiclass"
                    else np.nan,
                    low=float(raw.min()) if regression else np.nan,
                    high=float(raw.max()) if regression else np.nan,
                    target_low=float(data.y_train.min()) if regression else np.nan,
                    target_high=float(data.y_train.max()) if regression else np.nan,
                )
            )
    table = pd.DataFrame(rows)
    checks, measurements = [], {}
    guidance = {"binary": ("G24",), "multiclass": ("G25",), "regression": ("G26",)}
    for task, part in table.groupby("task", sort=False):
        matched = part[part.matched].iloc[0]
        others = part[~part.matched]
        best_other = others.loc[others.test_score.idxmax()]
        diff = float(matched.test_score - best_other.test_score)
        verdict = gain_verdict(diff, spec["tie"])
        params = dict(
            matched=f"{matched.output} + {matched.loss}",
            score=_num(matched.test_score),
            other=f"{best_other.output} + {best_other.loss}",
            other_score=_num(best_other.test_score),
        )
        if task == "multiclass":
            params["row_sum_error"] = _num(float(others.row_sum_error.max()))
        if task == "regression":
            params |= dict(
                low=_num(float(best_other.low)),
                high=_num(float(best_other.high)),
                target_low=_num(float(matched.target_low)),
                target_high=_num(float(matched.target_high)),
            )
        checks.append(Check(task, guidance[task] + ("G29",), verdict, params))
        for _, r in part.iterrows():
            measurements[f"{task}.{r.output}.{r.loss}"] = float(r.test_score)
    stalled = table[(table.loss == "log_loss") & ~table.output.isin(["logistic", "softmax"])]
    if len(stalled):
        r = stalled.iloc[0]
        matched = table[(table.task == r.task) & table.matched].iloc[0]
        stalls = stall_verdict(float(r.clipped), float(r.test_score), float(matched.test_score))
        checks.append(
            Check(
                "stall",
                ("G29",),
                stalls,
                dict(
                    output=str(r.output),
                    clipped=_pct(float(r.clipped)),
                    score=_num(float(r.test_score)),
                    matched=_num(float(matched.test_score)),
                ),
            )
        )
        measurements["stalled_clipped"] = float(r.clipped)
    return LessonResult("output", ("G24", "G25", "G26", "G29"), measurements, checks, table)


LESSONS: dict[str, Callable[[], LessonResult]] = {
    "linear": lesson_linear,
    "curves": lesson_curves,
    "sigmoid": lesson_sigmoid,
    "tanh": lesson_tanh,
    "depth": lesson_depth,
    "relu": lesson_relu,
    "leaky": lesson_leaky,
    "output": lesson_output,
}


def run_lesson(lesson_id: str) -> LessonResult:
    """Run one lesson by id (``ValueError`` for an unknown id)."""
    try:
        fn = LESSONS[lesson_id]
    except KeyError:
        raise ValueError(f"unknown lesson {lesson_id!r}; expected one of {list(LESSONS)}") from None
    return fn()
