"""Altair charts of the activation explorer: f(x) or f'(x) for several activations, the
flat zones as shaded bands (a few rectangles, one per zone), and a marker at the input
the student picked.

Flat zones of several activations overlap (sigmoid's |x| > 6 lies inside tanh's
|x| > 3 and, on the left, inside ReLU's x < 0), so each activation shades its own lane:
a strip along the top of the plot in its colour: its upper half (light) is the zone the
guidance names, its lower half (dark) where the derivative is measured below 1% of its
peak, so the two can be compared edge to edge. Also the activation colour scale the
gradient-flow charts reuse, so one activation has one colour across pages: the table's."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts.palette import ACTIVATION_COLOURS

CHART_WIDTH = 420
CHART_HEIGHT = 380
# The y range drawn per quantity: sigmoid and tanh stay readable next to ReLU's ray.
# The y range keeps SELU's floor (-1.76) and the GELU/SiLU/Mish dips below 0 in view; the
# top of "df" leaves room for the lanes above the curves (SELU's slope reaches 1.76).
Y_DOMAINS = {"f": (-2.0, 3.0), "df": (-0.2, 2.4)}
ZONE_OPACITY = {"guidance": 0.3, "measured": 0.75}
LANE = 10  # pixels per activation lane: guidance on top, measured below


def colour_scale(names, labels: dict[str, str]) -> alt.Scale:
    """Labels (what the legend shows) mapped to each activation's fixed colour."""
    return alt.Scale(
        domain=[labels.get(n, n) for n in names], range=[ACTIVATION_COLOURS[n] for n in names]
    )


def function_chart(
    curves: pd.DataFrame,
    zones: pd.DataFrame,
    point: pd.DataFrame | None,
    quantity: str,
    labels: dict[str, str],
    *,
    title: str = "",
    y_title: str = "",
    zone_titles: dict[str, str] | None = None,
    x_range: tuple[float, float] = (-8.0, 8.0),
) -> alt.LayerChart:
    """One panel: ``quantity`` is "f" or "df".

    Layers: rect (flat zones, one row per zone, each activation in its own lane along
    the top), line (the curves), and,
    given ``point`` (rows of ``core.explorer.at_point``), a rule at x and a point on
    each curve.
    """
    names = list(dict.fromkeys(curves["activation"]))
    colour = alt.Color(
        "label:N",
        scale=colour_scale(names, labels),
        legend=alt.Legend(title=None, orient="bottom", columns=3),
    )
    xs = alt.Scale(domain=list(x_range), nice=False, zero=False)
    lo, hi = Y_DOMAINS[quantity]
    ys = alt.Scale(domain=[lo, hi], nice=False, zero=False)
    zone_titles = zone_titles or {}

    lanes = {n: i for i, n in enumerate(n for n in names if n in set(zones["activation"]))}
    zone_rows = zones[zones["activation"].isin(names)].assign(
        label=lambda d: d["activation"].map(lambda n: labels.get(n, n)),
        kind=lambda d: d["source"].map(lambda s: zone_titles.get(s, s)),
        top=lambda d: [
            lanes[n] * LANE + (1 if s == "guidance" else LANE // 2)
            for n, s in zip(d["activation"], d["source"])
        ],
        bottom=lambda d: [
            lanes[n] * LANE + (LANE // 2 if s == "guidance" else LANE - 1)
            for n, s in zip(d["activation"], d["source"])
        ],
    )
    band = (
        alt.Chart(zone_rows)
        .mark_rect()
        .encode(
            x=alt.X("start:Q", scale=xs),
            x2="end:Q",
            # Lanes are placed in pixels from the top of the plot (y grows downwards).
            y=alt.Y("top:Q", scale=None, axis=None),
            y2="bottom:Q",
            color=colour,
            opacity=alt.Opacity(
                "source:N",
                scale=alt.Scale(domain=list(ZONE_OPACITY), range=list(ZONE_OPACITY.values())),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("label:N", title=""),
                alt.Tooltip("kind:N", title=""),
                alt.Tooltip("edge:Q", format=".2f", title="x"),
            ],
        )
    )

    lines = curves.assign(
        label=curves["activation"].map(lambda n: labels.get(n, n)), y=curves[quantity]
    )[["label", "x", "y"]]
    line = (
        alt.Chart(lines)
        .mark_line(clip=True, strokeWidth=2)
        .encode(
            x=alt.X("x:Q", scale=xs, title="x"),
            y=alt.Y("y:Q", scale=ys, title=y_title or quantity),
            color=colour,
            tooltip=[
                alt.Tooltip("label:N", title=""),
                alt.Tooltip("x:Q", format=".2f"),
                alt.Tooltip("y:Q", format=".4f", title=y_title or quantity),
            ],
        )
    )
    layers = [band, line]
    if point is not None and len(point):
        marks = point[point["activation"].isin(names)].assign(
            label=lambda d: d["activation"].map(lambda n: labels.get(n, n)),
            y=lambda d: d[quantity].clip(lo, hi),
        )
        marks = marks[["label", "x", "y"]].assign(value=point.loc[marks.index, quantity])
        layers.append(
            alt.Chart(pd.DataFrame({"x": [float(point["x"].iloc[0])]}))
            .mark_rule(color="#555", strokeDash=[4, 3])
            .encode(x=alt.X("x:Q", scale=xs))
        )
        layers.append(
            alt.Chart(marks)
            .mark_point(filled=True, size=90, stroke="white", strokeWidth=1, opacity=1)
            .encode(
                x=alt.X("x:Q", scale=xs),
                y=alt.Y("y:Q", scale=ys),
                color=colour,
                tooltip=[
                    alt.Tooltip("label:N", title=""),
                    alt.Tooltip("x:Q", format=".2f"),
                    alt.Tooltip("value:Q", format=".6g", title=y_title or quantity),
                ],
            )
        )
    return alt.layer(*layers).properties(width=CHART_WIDTH, height=CHART_HEIGHT, title=title)
