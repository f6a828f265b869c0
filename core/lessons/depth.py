"""G8, G28: the gradient reaching a sigmoid network's first layer shrinks with depth."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.diagnostics import at_initialisation, gradient_norms
from core.lessons.base import (
    Check,
    Lesson,
    LessonResult,
    Text,
    config_of,
    experiment,
    pct,
    register,
    sci,
)
from core.lessons.present import WIDE, activation_scale, chart_title, decades, label
from core.training import build_estimator, dataset_for


def depth_verdict(crossing: int | None, article_depth: int) -> str:
    """Where the gradient ratio first fell below the threshold vs the article's depth."""
    if crossing is None:
        return "fails"
    return "holds" if crossing <= article_depth else "nuance"


def gradient_ratios(activation: str, depths, seeds, base: dict, width: int) -> np.ndarray:
    """Geometric mean over seeds of |dL/dW_first| / |dL/dW_last| at initialisation."""
    data = dataset_for(config_of(base))
    out = []
    for depth in depths:
        logs = []
        for seed in seeds:
            config = config_of(
                base, activation=activation, seed=seed, hidden_layers=",".join([str(width)] * depth)
            )
            model = at_initialisation(
                build_estimator(config, data.task), data.X_train, data.y_train
            )
            norms = gradient_norms(model, data.X_train, data.y_train)
            logs.append(np.log(norms[0] / norms[-1]))
        out.append(float(np.exp(np.mean(logs))))
    return np.array(out)


def lesson_depth() -> LessonResult:
    """G8, G28: first/last layer gradient ratio at initialisation for depths 2..10."""
    spec = experiment("depth")
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
                threshold=pct(threshold),
                depth=str(crossing),
                article=str(article),
                ratio=sci(sig[below[0]]) if below.size else "–",
                at_article=sci(at_article),
                max_depth=str(depths[-1]),
            ),
        ),
        Check(
            "decay",
            ("G28",),
            decays,
            dict(
                factor=f"{10**slope:.2f}",
                first=sci(sig[0]),
                last=sci(sig[-1]),
                d0=str(depths[0]),
                d1=str(depths[-1]),
            ),
        ),
        Check(
            "others",
            ("G28",),
            others_ok,
            dict(
                tanh=sci(others.get("tanh", np.nan)),
                relu=sci(others.get("relu", np.nan)),
                threshold=pct(threshold),
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


# --- charts ---------------------------------------------------------------------------------


def depth(result: LessonResult, text: Text) -> alt.LayerChart:
    table = result.table
    names = [c for c in table.columns if c != "depth"]
    long = label(table.melt("depth", names, var_name="activation", value_name="ratio"), text)
    lines = (
        alt.Chart(long)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X(
                "depth:O", title=text("lessons.chart.hidden_layers"), axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y(
                "ratio:Q",
                title=text("lessons.chart.ratio"),
                scale=alt.Scale(type="log"),
                axis=alt.Axis(format=".0e", values=decades(long.ratio, step=2)),
            ),
            color=alt.Color(
                "label:N",
                scale=activation_scale(names, text),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
    )
    threshold = (
        alt.Chart(pd.DataFrame({"y": [result.chart_data["threshold"]]}))
        .mark_rule(strokeDash=[4, 4], color="#d62728")
        .encode(y="y:Q")
    )
    article = (
        alt.Chart(pd.DataFrame({"depth": [result.chart_data["article"]]}))
        .mark_rule(strokeDash=[2, 3], color="#555555")
        .encode(x="depth:O")
    )
    return alt.layer(lines, threshold, article).properties(
        width=WIDE, height=280, title=chart_title(text, "depth")
    )


register(
    Lesson(
        "depth",
        lesson_depth,
        lambda r, text: [("lesson-depth", depth(r, text))],
        formats={"depth": "{:d}".format},
        other_columns="{:.1e}".format,  # one column per activation: gradient ratios
        header=lambda c, text: text(
            "lessons.col.depth" if c == "depth" else f"common.activation.{c}"
        ),
    )
)
