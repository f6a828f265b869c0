"""Altair charts of the gradient-flow page, drawn from the tables of
``core.gradient_flow``: gradient norms per layer (log scale), dead and flat fractions per
hidden layer, the gradient ratio against depth, and per-layer histograms (faceted)."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from core.charts.explorer import colour_scale

WIDTH = 420
HEIGHT = 320


@dataclass(frozen=True)
class Titles:
    """A chart's title and its axes' titles (the pages pass translated ones)."""

    chart: str = ""
    x: str = "layer"
    y: str = ""


def _labelled(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    return frame.assign(label=frame["activation"].map(lambda n: labels.get(n, n)))


def _log_y(field: str, title: str) -> alt.Y:
    """A log-scale y axis labelled in powers of ten: gradient sizes span decades."""
    return alt.Y(
        f"{field}:Q",
        scale=alt.Scale(type="log"),
        title=title,
        axis=alt.Axis(format="~e", tickCount=6),
    )


def _colour(names, labels, legend=True) -> alt.Color:
    return alt.Color(
        "label:N",
        scale=colour_scale(names, labels),
        legend=alt.Legend(title=None, orient="bottom") if legend else None,
    )


def grad_norm_chart(
    layers: pd.DataFrame,
    stage: str,
    labels: dict[str, str],
    *,
    titles: Titles = Titles(y="‖dL/dW‖"),
    output_label: str = "out",
) -> alt.LayerChart:
    """Gradient norm of each weight layer (x: 1..depth, then the output layer) on a log
    scale, one line per activation. Zero or non-finite norms cannot sit on a log axis
    and are left out (the caption says when a layer gets no gradient at all)."""
    rows = layers[layers["stage"] == stage]
    names = list(dict.fromkeys(rows["activation"]))
    rows = _labelled(rows, labels)
    rows = rows[np.isfinite(rows["grad_norm"]) & (rows["grad_norm"] > 0)]
    order = sorted(set(layers["layer"]))
    last = max(order) if order else 0
    rows = rows.assign(position=rows["layer"].map(lambda i: output_label if i == last else str(i)))[
        ["label", "position", "layer", "kind", "grad_norm"]
    ]
    sort = [str(i) for i in order[:-1]] + [output_label]
    x = alt.X("position:O", sort=sort, title=titles.x, axis=alt.Axis(labelAngle=0))
    y = _log_y("grad_norm", titles.y)
    base = alt.Chart(rows).encode(
        x=x,
        y=y,
        color=_colour(names, labels),
        tooltip=[
            alt.Tooltip("label:N", title=""),
            alt.Tooltip("position:O", title=titles.x),
            alt.Tooltip("grad_norm:Q", format=".3e", title=titles.y),
        ],
    )
    return alt.layer(
        base.mark_line(strokeWidth=2), base.mark_point(filled=True, size=50)
    ).properties(width=WIDTH, height=HEIGHT, title=titles.chart)


def fraction_chart(
    layers: pd.DataFrame,
    column: str,
    labels: dict[str, str],
    *,
    titles: Titles = Titles(),
    stage_titles: dict[str, str] | None = None,
) -> alt.LayerChart:
    """``column`` (dead_fraction or flat_fraction) per hidden layer: bars after training,
    a black tick at the value at initialisation, grouped by activation."""
    stage_titles = stage_titles or {}
    rows = layers[layers["kind"] == "hidden"]
    names = list(dict.fromkeys(rows["activation"]))
    rows = _labelled(rows, labels).assign(
        value=lambda d: d[column], when=lambda d: d["stage"].map(lambda s: stage_titles.get(s, s))
    )
    rows = rows[["label", "layer", "stage", "when", "value"]]
    x = alt.X("layer:O", title=titles.x, axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=titles.y, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    tooltip = [
        alt.Tooltip("label:N", title=""),
        alt.Tooltip("layer:O", title=titles.x),
        alt.Tooltip("when:N", title=""),
        alt.Tooltip("value:Q", format=".0%"),
    ]
    base = alt.Chart(rows).encode(
        x=x,
        y=y,
        xOffset=alt.XOffset("label:N", sort=[labels.get(n, n) for n in names]),
        tooltip=tooltip,
    )
    bars = (
        base.transform_filter(alt.datum.stage == "trained")
        .mark_bar()
        .encode(color=_colour(names, labels))
    )
    ticks = base.transform_filter(alt.datum.stage == "init").mark_tick(color="black", thickness=2)
    return alt.layer(bars, ticks).properties(width=WIDTH, height=HEIGHT, title=titles.chart)


def depth_chart(
    profile: pd.DataFrame,
    labels: dict[str, str],
    *,
    current: int | None = None,
    titles: Titles = Titles(x="depth", y="ratio"),
) -> alt.LayerChart:
    """Gradient ratio (first / last layer) at initialisation against depth, log scale,
    with a dashed rule at ratio 1 and, given ``current``, a rule at the chosen depth."""
    names = list(dict.fromkeys(profile["activation"]))
    rows = _labelled(profile, labels)
    rows = rows[np.isfinite(rows["ratio"]) & (rows["ratio"] > 0)][["label", "depth", "ratio"]]
    x = alt.X(
        "depth:Q",
        title=titles.x,
        scale=alt.Scale(domain=[1, int(profile["depth"].max())]),
        axis=alt.Axis(tickMinStep=1, format="d"),
    )
    y = _log_y("ratio", titles.y)
    base = alt.Chart(rows).encode(
        x=x,
        y=y,
        color=_colour(names, labels),
        tooltip=[alt.Tooltip("label:N", title=""), "depth:Q", alt.Tooltip("ratio:Q", format=".2e")],
    )
    layers = [
        base.mark_line(strokeWidth=2),
        base.mark_point(filled=True, size=40),
        alt.Chart(pd.DataFrame({"ratio": [1.0]}))
        .mark_rule(color="#888", strokeDash=[4, 3])
        .encode(y="ratio:Q"),
    ]
    if current is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"depth": [current]}))
            .mark_rule(color="#888")
            .encode(x="depth:Q")
        )
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=titles.chart)


def histogram_chart(
    hist: pd.DataFrame,
    activation: str,
    stage: str,
    *,
    colour: str = "#4c78a8",
    row_title: str = "layer",
    quantity_titles: dict[str, str] | None = None,
    titles: Titles = Titles(x="value", y="count"),
) -> alt.FacetChart:
    """Histograms of one network: one row per hidden layer, one column each for the
    pre-activations z and the activations f(z). Bins arrive precomputed (a few hundred
    rows). Each panel has its own x scale: the ranges differ between layers."""
    quantity_titles = quantity_titles or {}
    rows = hist[(hist["activation"] == activation) & (hist["stage"] == stage)]
    rows = rows.assign(column=rows["quantity"].map(lambda q: quantity_titles.get(q, q)))[
        ["layer", "quantity", "column", "start", "end", "count"]
    ]
    order = [quantity_titles.get(q, q) for q in ("pre-activation", "activation")]
    # bin="binned": the rows are bins already, so bars stand on the x axis.
    bars = (
        alt.Chart(rows)
        .mark_bar(color=colour, opacity=0.85)
        .encode(
            x=alt.X("start:Q", bin="binned", title=titles.x),
            x2="end:Q",
            y=alt.Y("count:Q", title=titles.y),
            tooltip=[
                alt.Tooltip("start:Q", format=".3g"),
                alt.Tooltip("end:Q", format=".3g"),
                "count:Q",
            ],
        )
        .properties(width=WIDTH / 2 - 20, height=55)
    )
    return (
        bars.facet(
            row=alt.Row("layer:O", title=row_title),
            column=alt.Column("column:N", title=None, sort=order),
        )
        .resolve_scale(x="independent", y="independent")
        .properties(title=titles.chart)
    )


def init_profile_chart(
    summary: pd.DataFrame,
    init_labels: dict[str, str],
    *,
    titles: dict[str, str],
    x_title: str = "layer",
) -> alt.HConcatChart:
    """What a network starts from, one line per initialisation: each hidden layer's
    output spread and mean, and the gradient reaching each weight layer (log scale).
    ``summary`` is ``core.gradient_flow.init_profile_summary``; ``titles`` names the
    three panels (signal_std, signal_mean, grad_norm)."""
    rows = summary.assign(label=summary["init"].map(init_labels))
    colour = alt.Color(
        "label:N",
        sort=[init_labels[i] for i in dict.fromkeys(summary["init"])],
        legend=alt.Legend(title=None, orient="bottom"),
    )

    def panel(column: str, log: bool) -> alt.LayerChart:
        data = rows.dropna(subset=[column])
        if log:
            data = data[data[column] > 0]
        y = _log_y(column, titles[column]) if log else alt.Y(f"{column}:Q", title=titles[column])
        base = alt.Chart(data[["label", "layer", column]]).encode(
            x=alt.X("layer:O", title=x_title, axis=alt.Axis(labelAngle=0)),
            y=y,
            color=colour,
            tooltip=[
                alt.Tooltip("label:N", title=""),
                alt.Tooltip("layer:O", title=x_title),
                alt.Tooltip(f"{column}:Q", format=".3g", title=titles[column]),
            ],
        )
        return alt.layer(
            base.mark_line(strokeWidth=2), base.mark_point(filled=True, size=40)
        ).properties(width=220, height=HEIGHT, title=titles[column])

    return alt.hconcat(
        panel("signal_std", log=False), panel("signal_mean", log=False), panel("grad_norm", True)
    )
