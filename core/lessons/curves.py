"""G2: a non-linearity lets a regression network fit a curve (sine)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.lessons import base
from core.lessons.present import WIDE, activation_scale, label
from core.training import make_grid


def lesson_curves() -> base.LessonResult:
    """G2: regression on sine with identity, tanh and ReLU hidden layers; test R²."""
    spec = base.experiment("curves")
    rows, curves, data = [], [], None
    for act in spec["activations"]:
        model, data = base.fit(base.config_of(spec["base"], activation=act))
        grid = make_grid(data, 200)
        curves.append(dict(activation=act, x=grid.xs, prediction=model.predict(grid.points)))
        rows.append(dict(activation=act, test_score=base.score_on_test(model, data)))
    table = pd.DataFrame(rows)
    scores = table.set_index("activation").test_score
    linear = float(scores["identity"])
    nonlinear = scores.drop("identity")
    verdict = base.contrast_verdict(
        linear, list(nonlinear), spec["linear_max"], spec["nonlinear_min"]
    )
    check = base.Check(
        "fit",
        ("G2",),
        verdict,
        dict(
            linear=base.num(linear),
            best=base.num(float(nonlinear.max())),
            best_activation=str(nonlinear.idxmax()),
        ),
    )
    measurements = {f"r2.{a}": float(s) for a, s in scores.items()}
    return base.LessonResult(
        "curves", ("G2",), measurements, [check], table, dict(curves=curves, data=data)
    )


# --- charts ---------------------------------------------------------------------------------


def curves(result: base.LessonResult, text: base.Text) -> alt.TopLevelMixin:
    data = result.chart_data["data"]
    points = pd.DataFrame(
        {
            "x": np.concatenate([data.X_train[:, 0], data.X_test[:, 0]]),
            "y": np.concatenate([data.y_train, data.y_test]),
        }
    )
    names = [c["activation"] for c in result.chart_data["curves"]]
    lines = label(
        pd.concat(
            [
                pd.DataFrame(
                    {
                        "activation": c["activation"],
                        "x": c["x"],
                        "prediction": np.ravel(c["prediction"]),
                    }
                )
                for c in result.chart_data["curves"]
            ],
            ignore_index=True,
        ),
        text,
    )
    dots = (
        alt.Chart(points)
        .mark_circle(size=18, opacity=0.45, color="#555555")
        .encode(x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y"))
    )
    fitted = (
        alt.Chart(lines)
        .mark_line(strokeWidth=3)
        .encode(
            x="x:Q",
            y="prediction:Q",
            color=alt.Color(
                "label:N",
                scale=activation_scale(names, text),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
    )
    return alt.layer(dots, fitted).properties(
        width=WIDE, height=300, title=text("lessons.chart.curves")
    )


base.register(
    base.Lesson("curves", lesson_curves, lambda r, text: [("lesson-curves", curves(r, text))])
)
