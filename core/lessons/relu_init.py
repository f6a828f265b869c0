"""G16, M1: a deep ReLU network under Glorot and under He starting weights: the signal
and the gradient per layer, and how many seeds train."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.diagnostics import at_initialisation, forward_layers, gradient_norms
from core.lessons import base
from core.lessons.present import SMALL, init_lines
from core.training import build_estimator, dataset_for


def signal_verdict(kept_matched: float, kept_other: float, kept_min: float) -> str:
    """The last hidden layer's spread as a share of the first's, matched init against
    the other: the matched one keeps at least ``kept_min`` and more than the other:
    holds; more than the other only: nuance; no more: fails."""
    if kept_matched <= kept_other:
        return "fails"
    return "holds" if kept_matched >= kept_min else "nuance"


def larger_verdict(
    matched: tuple[float, float], other: tuple[float, float], threshold: float
) -> str:
    """(first-layer gradient norm, first/last ratio) per init. The first-layer gradient
    larger under the matched init and its first/last ratio
    not vanished (``threshold``): holds; larger only: nuance; not larger: fails."""
    if matched[0] <= other[0]:
        return "fails"
    return "holds" if matched[1] >= threshold else "nuance"


def trains_verdict(matched_successes: int, other_successes: int, more_by: int) -> str:
    """At least ``more_by`` more runs reach the target under the matched init: holds;
    at least that many fewer: fails; in between (one seed either way is noise): nuance."""
    difference = matched_successes - other_successes
    if difference >= more_by:
        return "holds"
    return "fails" if difference <= -more_by else "nuance"


def lesson_relu_init() -> base.LessonResult:
    from core.lessons.depth import vanished

    spec = base.experiment("relu_init")
    layers = ",".join([str(spec["width"])] * spec["depth"])
    data = dataset_for(base.config_of(spec["base"]))
    rows, runs = [], []
    for init in spec["inits"]:
        for seed in spec["seeds"]:
            config = base.config_of(spec["base"], init=init, seed=seed, hidden_layers=layers)
            start = at_initialisation(
                build_estimator(config, data.task), data.X_train, data.y_train
            )
            spreads = [float(np.std(a)) for _, a in forward_layers(start, data.X_train)[:-1]]
            norms = gradient_norms(start, data.X_train, data.y_train)
            for layer, norm in enumerate(norms, 1):
                rows.append(
                    dict(
                        init=init,
                        seed=seed,
                        layer=layer,
                        signal_std=spreads[layer - 1] if layer <= len(spreads) else np.nan,
                        grad_norm=float(norm),
                    )
                )
            model, _ = base.fit(config, data)
            runs.append(dict(init=init, seed=seed, test_score=base.score_on_test(model, data)))
    per_seed = pd.DataFrame(rows)
    # Geometric means over seeds: spreads and gradients vary by orders of magnitude.
    table = (
        per_seed.assign(
            signal_std=np.log(per_seed.signal_std), grad_norm=np.log(per_seed.grad_norm)
        )
        .groupby(["init", "layer"], sort=False)[["signal_std", "grad_norm"]]
        .mean()
        .apply(np.exp)
        .reset_index()
    )
    runs = pd.DataFrame(runs)
    other, matched = spec["inits"][0], spec["inits"][1]
    success = {i: int((g.test_score >= spec["success_min"]).sum()) for i, g in runs.groupby("init")}
    mean_score = runs.groupby("init").test_score.mean()
    by = {i: g.set_index("layer") for i, g in table.groupby("init")}
    last_hidden = spec["depth"]
    kept = {i: float(t.signal_std[last_hidden] / t.signal_std[1]) for i, t in by.items()}
    first = {i: float(t.grad_norm[1]) for i, t in by.items()}
    ratio = {i: float(t.grad_norm[1] / t.grad_norm[last_hidden + 1]) for i, t in by.items()}
    threshold = vanished()
    checks = [
        base.Check(
            "signal",
            ("M1",),
            signal_verdict(kept[matched], kept[other], spec["kept"]),
            dict(
                depth=str(spec["depth"]),
                matched=base.pct(kept[matched]),
                other=base.pct(kept[other]),
                kept=base.pct(spec["kept"]),
            ),
        ),
        base.Check(
            "gradient",
            ("G16", "M1"),
            larger_verdict(
                (first[matched], ratio[matched]), (first[other], ratio[other]), threshold
            ),
            dict(
                matched=base.sci(first[matched]),
                other=base.sci(first[other]),
                matched_ratio=base.sci(ratio[matched]),
                other_ratio=base.sci(ratio[other]),
                threshold=base.pct(threshold),
            ),
        ),
        base.Check(
            "trains",
            ("M1",),
            trains_verdict(success[matched], success[other], spec["more_by"]),
            dict(
                matched=str(success[matched]),
                other=str(success[other]),
                seeds=str(len(spec["seeds"])),
                target=base.pct(spec["success_min"]),
                matched_score=base.num(float(mean_score[matched])),
                other_score=base.num(float(mean_score[other])),
            ),
        ),
    ]
    measurements = {
        **{f"kept.{i}": v for i, v in kept.items()},
        **{f"first_grad.{i}": v for i, v in first.items()},
        **{f"grad_ratio.{i}": v for i, v in ratio.items()},
        **{f"successes.{i}": float(v) for i, v in success.items()},
        **{f"mean_score.{i}": float(v) for i, v in mean_score.items()},
    }
    return base.LessonResult(
        "relu_init", ("G16", "M1"), measurements, checks, table, dict(runs=runs)
    )


# --- charts ---------------------------------------------------------------------------------


def per_layer(
    table: pd.DataFrame, column: str, text: base.Text, inits: list[str]
) -> alt.TopLevelMixin:
    frame = table.dropna(subset=[column])
    return init_lines(frame, column, inits, text, y_scale=alt.Scale(type="log")).properties(
        width=SMALL + 60, height=240, title=text(f"lessons.chart.{column}")
    )


def charts(result: base.LessonResult, text: base.Text) -> list[tuple[str, alt.TopLevelMixin]]:
    inits = list(dict.fromkeys(result.table.init))
    return [
        (f"lesson-relu_init-{column}", per_layer(result.table, column, text, inits))
        for column in ("signal_std", "grad_norm")
    ]


base.register(
    base.Lesson(
        "relu_init",
        lesson_relu_init,
        charts,
        formats={
            "layer": "{:d}".format,
            "signal_std": "{:.3f}".format,
            "grad_norm": "{:.2e}".format,
        },
    )
)
