"""G8, G28: the gradient reaching a sigmoid network's first layer shrinks with depth."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.schemapi import UndefinedType

from core.diagnostics import at_initialisation, gradient_norms
from core.lessons.base import (
    Check,
    Lesson,
    LessonResult,
    Text,
    config_of,
    experiment,
    fit,
    load,
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


def others_verdict(smallest: list[float], threshold: float) -> str:
    """The other activations' smallest ratios at any depth: all above the threshold
    holds, none above fails, some above is a nuance."""
    kept = [v >= threshold for v in smallest]
    return "holds" if all(kept) else "fails" if not any(kept) else "nuance"


def slower_verdict(update_ratios: dict[str, float], threshold: float) -> str:
    """ "At least 100 times more slowly", per optimiser: the first layer's relative
    weight change over the last's. Holds when it is below the threshold for every
    optimiser, fails when for none, nuance otherwise."""
    slow = [v < threshold for v in update_ratios.values()]
    return "holds" if all(slow) else "fails" if not any(slow) else "nuance"


def vanished() -> float:
    """The share of the last layer's gradient below which the first layer's has vanished."""
    return float(load()["vanished"])


def gradient_ratios(
    activation: str, depths, seeds, base: dict, width: int, scale: float = 1.0
) -> np.ndarray:
    """Geometric mean over seeds of |dL/dW_first| / |dL/dW_last| at initialisation;
    ``scale`` multiplies the drawn weights (not the biases)."""
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
            model.coefs_ = [w * scale for w in model.coefs_]
            norms = gradient_norms(model, data.X_train, data.y_train)
            logs.append(np.log(norms[0] / norms[-1]))
        out.append(float(np.exp(np.mean(logs))))
    return np.array(out)


def update_ratios(spec: dict) -> dict[str, float]:
    """Per optimiser: how far the first weight layer moved, relative to its size, over
    how far the last one moved, after a few epochs of a deep sigmoid network
    (geometric mean over seeds). Under plain SGD a step is the gradient times the
    learning rate, so this follows the gradient ratio; Adam divides each weight's step
    by its own gradient's running size."""
    data = dataset_for(config_of(spec["base"]))
    out = {}
    for solver, rate in spec["solvers"].items():
        logs = []
        for seed in spec["seeds"]:
            config = config_of(
                spec["base"],
                solver=solver,
                learning_rate=rate,
                seed=seed,
                epochs=spec["epochs"],
                hidden_layers=",".join([str(spec["width"])] * spec["depth"]),
            )
            start = at_initialisation(
                build_estimator(config, data.task), data.X_train, data.y_train
            )
            model, _ = fit(config, data)
            moved = [
                np.linalg.norm(w1 - w0) / np.linalg.norm(w0)
                for w0, w1 in zip(start.coefs_, model.coefs_)
            ]
            logs.append(np.log(moved[0] / moved[-1]))
        out[solver] = float(np.exp(np.mean(logs)))
    return out


def lesson_depth() -> LessonResult:
    """G8, G28: first/last layer gradient ratio at initialisation for depths 2..10."""
    spec = experiment("depth")
    depths, threshold = list(spec["depths"]), vanished()
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
    others_ok = others_verdict(list(others.values()), threshold)
    updates = update_ratios(spec["slower"])
    slower = slower_verdict(updates, threshold)
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
        Check(
            "slower",
            ("G28",),
            slower,
            dict(
                depth=str(spec["slower"]["depth"]),
                epochs=str(spec["slower"]["epochs"]),
                sgd=sci(updates["sgd"]),
                adam=sci(updates["adam"]),
                threshold=pct(threshold),
            ),
        ),
    ]
    measurements = dict(
        crossing_depth=float(crossing) if crossing is not None else np.nan,
        decades_per_layer=slope,
        sigmoid_at_article_depth=at_article,
        **{f"update_ratio.{solver}": v for solver, v in updates.items()},
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


def ratio_chart(
    result: LessonResult,
    long: pd.DataFrame,
    colours: alt.Scale,
    text: Text,
    name: str,
    label_limit: int | UndefinedType = alt.Undefined,
) -> alt.TopLevelMixin:
    """The gradient ratio against depth, one line per ``label`` of ``long`` (columns
    depth, ratio, label) drawn in ``colours``, with the vanishing threshold and the
    article's depth as dashed rules."""
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
                scale=colours,
                legend=alt.Legend(title=None, orient="bottom", labelLimit=label_limit),
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
        width=WIDE, height=280, title=chart_title(text, name)
    )


def depth(result: LessonResult, text: Text) -> alt.TopLevelMixin:
    table = result.table
    names = [c for c in table.columns if c != "depth"]
    long = label(table.melt("depth", names, var_name="activation", value_name="ratio"), text)
    return ratio_chart(result, long, activation_scale(names, text), text, "depth")


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
