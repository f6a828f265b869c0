"""G1: without a non-linearity, depth buys nothing: identity hidden layers against ReLU
and tanh on circle and xor."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.charts.run import surface_chart
from core.lessons import base
from core.lessons.present import SMALL, pct_cell
from core.training import make_grid, model_outputs

SURFACE_RESOLUTION = 100


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


def lesson_linear() -> base.LessonResult:
    """G1: identity hidden layers (one and three) vs ReLU and tanh on circle and xor."""
    spec = base.experiment("linear")
    rows, surfaces, collapse_err = [], [], 0.0
    for name in spec["datasets"]:
        for run in spec["runs"]:
            config = base.config_of(spec["base"], {"dataset": name}, run)
            model, data = base.fit(config)
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
                    test_score=base.score_on_test(model, data),
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
        verdict = base.contrast_verdict(
            linear, list(nonlinear), spec["linear_max"], spec["nonlinear_min"]
        )
        low, high = base.pct(float(nonlinear.min())), base.pct(float(nonlinear.max()))
        checks.append(
            base.Check(
                "separate",
                ("G1",),
                verdict,
                dict(
                    dataset=name,
                    linear=base.pct(linear),
                    nonlinear=low if low == high else f"{low}–{high}",
                    best_activation=best_act,
                ),
            )
        )
    checks.append(
        base.Check(
            "collapse",
            ("G1",),
            base.equal_verdict(collapse_err, 0.0, spec["collapse_tol"]),
            dict(error=f"{collapse_err:.1e}"),
        )
    )
    table = table.drop(columns="linear")
    return base.LessonResult(
        "linear", ("G1",), measurements, checks, table, dict(surfaces=surfaces)
    )


# --- charts ---------------------------------------------------------------------------------


def surfaces(result: base.LessonResult, text: base.Text) -> list[tuple[str, alt.TopLevelMixin]]:
    out: list[tuple[str, alt.TopLevelMixin]] = []
    for s in result.chart_data["surfaces"]:
        title = alt.TitleParams(
            [
                text(f"common.dataset.{s['dataset']}"),
                text(
                    "lessons.chart.surface",
                    activation=text(f"common.activation.{s['activation']}"),
                    score=f"{s['score']:.0%}",
                ),
            ]
        )
        out.append(
            (
                f"lesson-surface-{s['dataset']}-{s['activation']}",
                surface_chart(s["values"], s["data"], size=SMALL).properties(title=title),
            )
        )
    return out


base.register(
    base.Lesson(
        "linear",
        lesson_linear,
        surfaces,
        formats={"test_score": pct_cell, "layers": "{:d}".format},
        charts_per_row=4,
    )
)
