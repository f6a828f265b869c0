"""Charts of the evidence table (``core.evidence.summarise`` output), one panel per
dataset: a heatmap of mean test accuracy (activation x depth) and a chart of the spread
over seeds (mean with a min-max bar)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import altair as alt
import pandas as pd

from core.activations import ACTIVATIONS
from core.charts.palette import ACTIVATION_COLOURS

Names = Callable[[str, str], str]  # names(kind, key): the shown name of an activation or dataset

PANEL = 150  # pixels per dataset panel
DEFAULT_TEXT = dict(
    dataset="Dataset",
    activation="Activation",
    depth="Hidden layers",
    accuracy="Mean test accuracy",
    spread="Test accuracy (mean, min–max)",
)


def _default_name(kind: str, key: str) -> str:
    return key  # engine names; callers pass ``names`` for display names


def _frame(summary: pd.DataFrame, datasets, activations, names: Names) -> pd.DataFrame:
    rows = summary
    if datasets is not None:
        rows = rows[rows.dataset.isin(datasets)]
    if activations is not None:
        rows = rows[rows.activation.isin(activations)]
    rows = rows.copy()
    rows["label"] = [names("activation", a) for a in rows.activation]
    rows["dataset"] = [names("dataset", d) for d in rows.dataset]
    rows["cell_text"] = [f"{m:.0%}" for m in rows.test_mean]
    rows["spread_text"] = [f"±{s:.0%}" for s in rows.test_std]
    return rows


def _evidence_chart(
    draw: Callable[[pd.DataFrame, dict, Names, str], alt.FacetChart],
) -> Callable[..., alt.FacetChart]:
    """The public form of an evidence chart: ``chart(summary, datasets=None,
    activations=None, *, text=None, names=None, title="")`` keeps the rows of the given
    datasets and activations and calls ``draw(rows, text, names, title)``. ``text``
    overrides axis titles (keys of DEFAULT_TEXT); ``names(kind, key)`` gives the shown
    name of an activation or dataset (default: the engine name)."""

    @functools.wraps(draw)
    def chart(
        summary: pd.DataFrame,
        datasets=None,
        activations=None,
        *,
        text: dict | None = None,
        names: Names | None = None,
        title: str = "",
    ) -> alt.FacetChart:
        shown = names or _default_name
        rows = _frame(summary, datasets, activations, shown)
        return draw(rows, {**DEFAULT_TEXT, **(text or {})}, shown, title)

    return chart


def _order(rows: pd.DataFrame, column: str, reference: list) -> list:
    present = list(dict.fromkeys(rows[column]))
    return [x for x in reference if x in present] + [x for x in present if x not in reference]


@_evidence_chart
def heatmap(rows: pd.DataFrame, text: dict, names: Names, title: str) -> alt.FacetChart:
    """Mean test accuracy per activation (rows) and depth (columns), one panel per
    dataset; each cell is labelled with its mean and its spread (± std over seeds)."""
    label_order = list(
        dict.fromkeys(
            rows.set_index("activation").loc[_order(rows, "activation", list(ACTIVATIONS))].label
        )
    )
    y = alt.Y("label:N", sort=label_order, title=text["activation"])
    x = alt.X("depth:O", title=text["depth"], axis=alt.Axis(labelAngle=0))
    base = alt.Chart().encode(x=x, y=y)
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "test_mean:Q",
            title=text["accuracy"],
            scale=alt.Scale(domain=[0.4, 1.0], scheme="viridis", clamp=True),
            legend=alt.Legend(format=".0%", orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("dataset:N", title=text["dataset"]),
            alt.Tooltip("label:N", title=text["activation"]),
            alt.Tooltip("depth:O", title=text["depth"]),
            alt.Tooltip("test_mean:Q", format=".1%", title=text["accuracy"]),
            alt.Tooltip("test_std:Q", format=".1%", title="±"),
            alt.Tooltip("runs:Q"),
        ],
    )
    means = base.mark_text(baseline="bottom", dy=1, fontSize=11).encode(
        text="cell_text:N",
        color=alt.condition(alt.datum.test_mean > 0.8, alt.value("black"), alt.value("white")),
    )
    spreads = base.mark_text(baseline="top", dy=2, fontSize=9).encode(
        text="spread_text:N",
        color=alt.condition(alt.datum.test_mean > 0.8, alt.value("black"), alt.value("white")),
    )
    return _panels(alt.layer(cells, means, spreads, data=rows), rows, 28 * len(label_order), title)


def _panels(layer: alt.LayerChart, rows: pd.DataFrame, height: int, title: str) -> alt.FacetChart:
    """The layered chart once per dataset, side by side, under an optional title."""
    chart = layer.properties(width=PANEL, height=height).facet(
        column=alt.Column(
            "dataset:N",
            sort=_order(rows, "dataset", []),
            title=None,
            header=alt.Header(labelFontSize=13, labelFontWeight="bold"),
        )
    )
    return chart.properties(title=title) if title else chart


@_evidence_chart
def spread_chart(rows: pd.DataFrame, text: dict, names: Names, title: str) -> alt.FacetChart:
    """Mean test accuracy against depth per activation, with a bar from the worst to the
    best seed, one panel per dataset."""
    acts = _order(rows, "activation", list(ACTIVATIONS))
    labels = [names("activation", a) for a in acts]
    colour = alt.Color(
        "label:N",
        sort=labels,
        title=text["activation"],
        scale=alt.Scale(domain=labels, range=[ACTIVATION_COLOURS[a] for a in acts]),
        legend=alt.Legend(orient="bottom"),
    )
    x = alt.X("depth:O", title=text["depth"], axis=alt.Axis(labelAngle=0))
    offset = alt.XOffset("label:N", sort=labels)
    base = alt.Chart().encode(x=x, xOffset=offset, color=colour)
    bars = base.mark_rule(strokeWidth=2, opacity=0.6).encode(
        y=alt.Y(
            "test_min:Q",
            title=text["spread"],
            scale=alt.Scale(domain=[0.3, 1.0], clamp=True),
            axis=alt.Axis(format=".0%"),
        ),
        y2="test_max:Q",
    )
    points = base.mark_point(filled=True, size=50).encode(
        y="test_mean:Q",
        tooltip=[
            alt.Tooltip("label:N", title=text["activation"]),
            alt.Tooltip("depth:O", title=text["depth"]),
            alt.Tooltip("test_mean:Q", format=".1%", title=text["accuracy"]),
            alt.Tooltip("test_min:Q", format=".1%", title="min"),
            alt.Tooltip("test_max:Q", format=".1%", title="max"),
        ],
    )
    return _panels(alt.layer(bars, points, data=rows), rows, 200, title)
