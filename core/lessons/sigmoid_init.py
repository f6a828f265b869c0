"""G8, M1: how deep a sigmoid network goes before its gradient vanishes depends on the
starting weights (scikit-learn's scheme, Glorot uniform, a four times wider range)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.lessons import base
from core.lessons.depth import gradient_ratios, vanished
from core.lessons.present import ratio_by_depth, variant_scale


def crossing_depth(depths: list[int], ratios: np.ndarray, threshold: float) -> int | None:
    """The first depth whose ratio is below the threshold; None when none is."""
    below = np.flatnonzero(np.asarray(ratios) < threshold)
    return int(depths[below[0]]) if below.size else None


def decides_verdict(crossings: list[int | None], max_depth: int, min_spread: int) -> str:
    """The schemes' crossing depths (None: not within ``max_depth``, counted one past
    it) differ by at least ``min_spread`` layers: holds; by one: nuance; not at all:
    fails."""
    depths = [max_depth + 1 if c is None else c for c in crossings]
    spread = max(depths) - min(depths)
    return "holds" if spread >= min_spread else "nuance" if spread >= 1 else "fails"


def article_verdict(crossings: list[int | None], article_depth: int) -> str:
    """ "Within about five layers" under each scheme: all holds, none fails."""
    within = [c is not None and c <= article_depth for c in crossings]
    return "holds" if all(within) else "fails" if not any(within) else "nuance"


def lesson_sigmoid_init() -> base.LessonResult:
    spec = base.experiment("sigmoid_init")
    depths, threshold = list(spec["depths"]), vanished()
    ratios = {
        name: gradient_ratios(
            "logistic",
            depths,
            spec["seeds"],
            {**spec["base"], "init": scheme["init"]},
            spec["width"],
            scale=float(scheme["scale"]),
        )
        for name, scheme in spec["schemes"].items()
    }
    crossings = {name: crossing_depth(depths, r, threshold) for name, r in ratios.items()}
    shown = {n: str(c) if c is not None else f"> {depths[-1]}" for n, c in crossings.items()}
    article = spec["article_depth"]
    checks = [
        base.Check(
            "decides",
            ("G8", "M1"),
            decides_verdict(list(crossings.values()), depths[-1], spec["min_spread"]),
            dict(threshold=base.pct(threshold), **shown),
        ),
        base.Check(
            "article",
            ("G8",),
            article_verdict(list(crossings.values()), article),
            dict(article=str(article), **shown),
        ),
    ]
    measurements = {
        **{f"crossing.{n}": float(c) if c is not None else np.nan for n, c in crossings.items()},
        **{f"ratio.{n}.depth{d}": float(v) for n, r in ratios.items() for d, v in zip(depths, r)},
    }
    table = pd.DataFrame({"depth": depths, **ratios})
    return base.LessonResult(
        "sigmoid_init",
        ("G8", "M1"),
        measurements,
        checks,
        table,
        dict(threshold=threshold, article=article, schemes=list(ratios)),
    )


# --- charts ---------------------------------------------------------------------------------


def ratios_chart(result: base.LessonResult, text: base.Text) -> alt.TopLevelMixin:
    schemes = result.chart_data["schemes"]
    long = result.table.melt("depth", schemes, var_name="scheme", value_name="ratio")
    long["label"] = [text(f"lessons.scheme.{s}") for s in long.scheme]
    colours = variant_scale(schemes, text, "lessons.scheme")
    return ratio_by_depth(long, result, text, colours, "sigmoid_init")


base.register(
    base.ratio_by_depth_lesson(
        "sigmoid_init", lesson_sigmoid_init, ratios_chart, "lessons.scheme.{}"
    )
)
