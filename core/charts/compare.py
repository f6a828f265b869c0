"""Charts of the Compare page (Altair, no Streamlit): loss curves of several variants,
each the mean over seeds with a band from the lowest to the highest seed."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.charts.palette import variant_colour


def small_multiple(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A chart kept at its own size: plot area as declared, axes, title and legend added
    around it (Streamlit's default "fit" would squeeze the plot to make room for them)."""
    return chart.properties(autosize=alt.AutoSizeParams(type="pad", contains="padding"))


def loss_chart(
    curves: pd.DataFrame,
    labels: dict[str, str],
    titles: dict[str, str],
    *,
    log_scale: bool = True,
    width: int = 330,
    height: int = 240,
) -> alt.HConcatChart:
    """Training loss and test loss side by side (shared y axis): per variant the mean
    over seeds as a line over a band from the lowest to the highest seed.

    ``curves`` is ``core.compare.curves`` output (typically the variants sharing one
    loss); ``labels`` maps every variant id of the comparison to its display name, in
    the order compared, so a variant keeps its colour in every chart of the page;
    ``titles`` has keys ``train``, ``test``, ``epoch``, ``loss``, ``variant``.
    """
    data = curves.assign(label=curves.variant.map(labels))
    data = data[np.isfinite(data["mean"])]
    if log_scale:  # a log axis cannot show zero; clip the band instead of losing the line
        data = data[data["mean"] > 0]
        floor = float(data["mean"].min()) / 10 if len(data) else 1e-12
        data = data.assign(lo=data.lo.clip(lower=floor))
    present = set(data.label)
    shown = [
        (label, variant_colour(i)) for i, label in enumerate(labels.values()) if label in present
    ]
    order = [label for label, _ in shown]
    colour = alt.Color(
        "label:N",
        scale=alt.Scale(domain=order, range=[c for _, c in shown]),
        sort=order,
        legend=alt.Legend(
            title=titles["variant"],
            orient="bottom",
            columns=2,
            labelLimit=320,
            symbolType="stroke",
            symbolOpacity=1,
            symbolStrokeWidth=3,
        ),
    )
    y_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=False)
    x = alt.X("epoch:Q", title=titles["epoch"])

    def panel(split: str) -> alt.LayerChart:
        base = alt.Chart(data).transform_filter(alt.datum.split == split)
        band = base.mark_area(opacity=0.18).encode(
            x=x, y=alt.Y("lo:Q", scale=y_scale, title=titles["loss"]), y2="hi:Q", color=colour
        )
        line = base.mark_line(strokeWidth=2).encode(
            x=x,
            y=alt.Y("mean:Q", scale=y_scale, title=titles["loss"]),
            color=colour,
            tooltip=[
                alt.Tooltip("label:N", title=titles["variant"]),
                "epoch:Q",
                alt.Tooltip("mean:Q", format=".4g"),
                alt.Tooltip("lo:Q", format=".4g"),
                alt.Tooltip("hi:Q", format=".4g"),
            ],
        )
        return alt.layer(band, line).properties(title=titles[split], width=width, height=height)

    return alt.hconcat(panel("train"), panel("test")).resolve_scale(y="shared")
