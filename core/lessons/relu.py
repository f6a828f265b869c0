"""G15, G17, G18: ReLU is cheap, sparse, and some of its units die."""

from __future__ import annotations

import time
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from core.activations import get_activation
from core.diagnostics import at_initialisation, forward_layers, layer_table, weight_gradients
from core.lessons import base
from core.lessons.present import bars, stacked
from core.training import dataset_for


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


# --- 6. ReLU cost, sparsity and dead units (G15, G17, G18) -----------------------------------

# Timings use this thread's CPU time, not the wall clock: on a shared server (a class
# pressing Run together, or other processes) wall-clock times mostly measure the queue.
# numpy runs in the calling thread here (threadpool_limits(1)), so nothing is missed.


def _kernel_seconds(name: str, n_values: int, repeats: int) -> tuple[float, float]:
    """Best-of-N CPU seconds per million values of the activation's forward and backward
    kernels (the engine's own in-place kernels), timed over ``n_values`` inputs."""
    act = get_activation(name)
    assert act.backward is not None, f"{name} has no element-wise derivative"
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


def _multiply_backward_seconds(n_values: int, repeats: int) -> float:
    """Best-of-N CPU seconds per million values of ReLU's backward pass written as a
    multiply by (z > 0) instead of scikit-learn's masked write ``delta[a == 0] = 0``
    (the engine's kernel): the same numbers, a different way to write them."""
    z = np.random.default_rng(0).normal(0.0, 2.0, n_values)
    best = np.inf
    for _ in range(repeats):
        delta = np.ones(n_values)
        t0 = time.thread_time()
        np.multiply(delta, z > 0, out=delta)
        best = min(best, time.thread_time() - t0)
    return best * 1e6 / n_values


def _epoch_seconds(spec: dict) -> dict[str, float]:
    """Best-of-N CPU seconds per epoch of the same network with each activation
    (interleaved, so a slow spell hits every activation alike)."""
    best = {a: np.inf for a in spec["activations"]}
    data = dataset_for(base.config_of(spec["base"]))
    for _ in range(spec["repeats"]):
        for act in spec["activations"]:
            config = base.config_of(spec["base"], activation=act)
            start = time.thread_time()
            model, _ = base.fit(config, data)
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


def _dormant_gradients(model, X, y) -> tuple[int, int, float]:
    """Hidden units whose pre-activation is negative on every sample: how many, how many
    of them get no gradient at all on their incoming weights, and their median
    gradient norm as a share of the median of the other units' (NaN without any)."""
    layers = forward_layers(model, X)
    grads = weight_gradients(model, X, y)
    count = silent = 0
    shares: list[float] = []
    for (z, _), g in zip(layers[:-1], grads[:-1]):
        norms = np.linalg.norm(g, axis=0)  # per unit: its incoming weights' gradient
        dormant = (z < 0).all(axis=0)
        count += int(dormant.sum())
        silent += int((norms[dormant] == 0).sum())
        typical = np.median(norms[~dormant]) if (~dormant).any() else 0.0
        if dormant.any() and typical > 0:
            shares.extend(norms[dormant] / typical)
    return count, silent, float(np.median(shares)) if shares else float("nan")


@lru_cache(maxsize=64)
def _high_rate_run(activation: str, rate_name: str, seed: int) -> tuple:
    """One of the runs the relu and leaky lessons share (cached: both lessons use the
    same relu runs). Returns the row as a tuple of items, so the cache stays immutable."""
    spec = base.load()["high_rate"]
    config = base.config_of(
        spec["base"], activation=activation, seed=seed, learning_rate=spec[rate_name]
    )
    model, data = base.fit(config)
    start = at_initialisation(model, data.X_train, data.y_train)
    hidden = np.concatenate([a.ravel() for _, a in forward_layers(model, data.X_test)[:-1]])
    dormant_units, silent_units, dormant_grad = _dormant_gradients(
        model, data.X_train, data.y_train
    )
    return tuple(
        dict(
            activation=activation,
            rate=rate_name,
            learning_rate=spec[rate_name],
            seed=seed,
            dead_start=_dead_share(start, data.X_train, data.y_train),
            dead=_dead_share(model, data.X_train, data.y_train),
            dormant=_dormant_share(model, data.X_train),
            dormant_units=dormant_units,
            silent_units=silent_units,
            dormant_grad=dormant_grad,
            zero_share=float(np.mean(hidden == 0)),
            test_score=base.score_on_test(model, data),
        ).items()
    )


def high_rate_runs(
    activations, rate_names=("normal_rate", "high_rate"), seeds=None
) -> pd.DataFrame:
    """The shared runs of the relu and leaky lessons (data/lessons.yaml ``high_rate``):
    dead share, dormant share, share of exact zeros and test accuracy per activation,
    learning rate and seed."""
    seeds = base.load()["high_rate"]["seeds"] if seeds is None else seeds
    return pd.DataFrame(
        [dict(_high_rate_run(a, r, s)) for a in activations for r in rate_names for s in seeds]
    )


def lesson_relu() -> base.LessonResult:
    """G15 time per epoch and per kernel; G18 share of exact zeros; G17 dead units."""
    spec = base.experiment("relu")
    epoch = _epoch_seconds(spec["timing"])
    kernel = {
        a: _kernel_seconds(a, spec["kernel"]["values"], spec["kernel"]["repeats"])
        for a in spec["timing"]["activations"]
    }
    multiply = _multiply_backward_seconds(spec["kernel"]["values"], spec["kernel"]["repeats"])
    runs = high_rate_runs(["relu"])
    # Sparsity: the normal-rate run of the first seed, for each activation.
    first_seed = base.load()["high_rate"]["seeds"][:1]
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
    hr = base.load()["high_rate"]
    checks = [
        base.Check(
            "cheap",
            ("G15",),
            cheap,
            dict(
                epoch_ratio=f"{r_epoch:.2f}",
                forward_ratio=f"{r_forward:.1f}",
                backward_ratio=f"{r_backward:.2f}",
                relu_ms=f"{epoch['relu'] * 1e3:.2f}",
                sigmoid_ms=f"{epoch['logistic'] * 1e3:.2f}",
                masked=f"{kernel['relu'][1] * 1e3:.2f}",
                multiply=f"{multiply * 1e3:.2f}",
                sigmoid_backward=f"{kernel['logistic'][1] * 1e3:.2f}",
            ),
        ),
        base.Check(
            "sparse",
            ("G18",),
            sparse,
            dict(relu=base.pct(zeros["relu"]), others=base.pct(others_zero)),
        ),
        base.Check(
            "dead",
            ("G17",),
            dies,
            dict(
                normal=base.pct(normal),
                high=base.pct(high),
                normal_rate=f"{hr['normal_rate']:g}",
                high_rate=f"{hr['high_rate']:g}",
                score_normal=base.pct1(float(score["normal_rate"])),
                score_high=base.pct1(float(score["high_rate"])),
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
        relu_backward_multiply_ms=multiply * 1e3,
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
    return base.LessonResult(
        "relu", ("G15", "G17", "G18"), measurements, checks, table, dict(runs=runs)
    )


# --- charts ---------------------------------------------------------------------------------


def relu(result: base.LessonResult, text: base.Text) -> list[tuple[str, alt.TopLevelMixin]]:
    t = result.table
    timing = stacked(t, ("forward_ms", "backward_ms"), "ms", text)
    runs = result.chart_data["runs"].groupby(["activation", "rate"], as_index=False).dead.mean()
    runs["what"] = [text(f"lessons.chart.{r}") for r in runs.rate]
    return [
        ("lesson-relu-epoch", bars(t, "ms_per_epoch", text("lessons.chart.ms_per_epoch"), text)),
        (
            "lesson-relu-kernels",
            bars(timing, "ms", text("lessons.chart.kernels"), text, group="what"),
        ),
        (
            "lesson-relu-dead",
            bars(runs, "dead", text("lessons.chart.dead"), text, percent=True, group="what"),
        ),
    ]


base.register(base.Lesson("relu", lesson_relu, relu))
