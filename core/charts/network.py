"""The neuron view's chart (see ``core.network_view`` for the data): a Vega-Lite spec
built and validated once per layout, with the frame's data apart, as
``core.charts.run.surface_spec`` does."""

from __future__ import annotations

import base64
import json

import altair as alt
import numpy as np
import pandas as pd

from core.charts.palette import CLASS_COLOURS
from core.charts.templates import built_once
from core.network_view import ROW_PX, TILE, LayerFrame, NetFrame, link_widths

# Names of the chart's datasets (fixed, so redraws send an identical spec).
IMAGE, LINKS, UNITS, HEADERS = "net_image", "net_links", "net_units", "net_headers"


# --- the chart --------------------------------------------------------------------------


def _row_positions(n: int, rows: int) -> np.ndarray:
    """y of a column's n drawn units (row units, 0 at the top), centred like the atlas."""
    top = (rows - n) * ROW_PX // 2 / ROW_PX
    return top + np.arange(n) + 0.5


def network_data(frame: NetFrame, names: dict) -> dict[str, pd.DataFrame]:
    """The chart's four datasets for one frame. ``names``: translated words (state
    names, column titles and the unit label template), from the page."""
    image = pd.DataFrame(
        {
            "x": [0.0],
            "x2": [float(len(frame.layers))],
            "y": [0.0],
            "y2": [float(frame.rows)],
            "url": ["data:image/png;base64," + base64.b64encode(frame.image).decode("ascii")],
        }
    )
    ys = [_row_positions(len(layer.shown), frame.rows) for layer in frame.layers]
    parts = []
    for i, weights in enumerate(frame.links):
        grid = np.meshgrid(np.arange(weights.shape[0]), np.arange(weights.shape[1]))
        src, dst = grid[0].ravel(), grid[1].ravel()
        w = weights[src, dst]
        parts.append(
            pd.DataFrame(
                {
                    "c": np.full(len(w), i, dtype=np.int8),
                    "y": ys[i][src].astype(np.float32),
                    "y2": ys[i + 1][dst].astype(np.float32),
                    # Tenths of a pixel: one byte a link, finer than a screen shows.
                    "w": np.round(link_widths(weights)[src, dst] * 10).astype(np.int8),
                    "sign": np.where(w >= 0, names["positive"], names["negative"]),
                }
            )
        )
    links = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    links["sign"] = links["sign"].astype("category")
    units, headers = [], []
    for c, layer in enumerate(frame.layers):
        for r, u in enumerate(layer.shown):
            state = "dead" if layer.dead[u] else "saturated" if layer.saturated[u] else "ok"
            units.append(
                dict(
                    c=c,
                    y=float(ys[c][r]),
                    unit=names["unit"].format(layer=_column_label(c, layer, names), unit=u + 1),
                    state=names[state] if state != "ok" else "",
                    bias=round(float(frame.biases[c][r]), 3) if c else None,
                    label=frame.input_names[u] if c == 0 and u < len(frame.input_names) else "",
                )
            )
        headers.append(
            dict(
                c=c,
                title=_column_label(c, layer, names),
                line=names["units_line"].format(shown=len(layer.shown), units=layer.units)
                if len(layer.shown) < layer.units
                else names["unit_one"]
                if layer.units == 1
                else names["units_all"].format(units=layer.units),
            )
        )
    return {
        IMAGE: image,
        LINKS: links,
        UNITS: pd.DataFrame(units, columns=["c", "y", "unit", "state", "bias", "label"]),
        HEADERS: pd.DataFrame(headers, columns=["c", "title", "line"]),
    }


def _column_label(c: int, layer: LayerFrame, names: dict) -> str:
    if layer.kind == "input":
        return names["inputs"]
    if layer.kind == "output":
        return names["output"]
    return names["layer"].format(n=c)


def tile_pixels(columns: int, rows: int, width: int = 600, height: int = 520) -> int:
    """Screen pixels per tile: as large as lets the diagram fit ``width`` x ``height``
    (the Playground's results column on a laptop), between 14 and 40."""
    fits = min(width // (3 * columns), int(height * TILE / (rows * ROW_PX)))
    return int(max(14, min(40, fits)))


@built_once(maxsize=128)
def _template(columns: int, rows: int, legend: tuple) -> str:
    """The chart for ``columns`` x ``rows`` with data apart, as JSON (built and
    validated once per layout and language)."""
    (positive, negative, dead, saturated, sign_title, state_title, bias) = legend
    tile = tile_pixels(columns, rows)
    width, height = columns * 3 * tile, int(rows * tile * ROW_PX / TILE)
    xs = alt.Scale(domain=[0, columns], nice=False, zero=False)
    ys = alt.Scale(domain=[0, rows], nice=False, zero=False, reverse=True)
    half = 1 / 6  # a tile is the middle third of its column
    links = (
        alt.Chart(alt.NamedData(LINKS))
        .transform_calculate(
            x=f"datum.c + 0.5 + {half}", x2=f"datum.c + 1.5 - {half}", width="datum.w / 10"
        )
        .mark_rule(opacity=0.7)
        .encode(
            x=alt.X("x:Q", scale=xs, axis=None),
            x2="x2:Q",
            y=alt.Y("y:Q", scale=ys, axis=None),
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth("width:Q", scale=None, legend=None),
            color=alt.Color(
                "sign:N",
                scale=alt.Scale(domain=[positive, negative], range=list(CLASS_COLOURS[1::-1])),
                legend=alt.Legend(title=sign_title, orient="bottom"),
            ),
        )
    )
    image = (
        alt.Chart(alt.NamedData(IMAGE))
        .mark_image(aspect=False)
        .encode(
            x=alt.X("x:Q", scale=xs, axis=None),
            x2="x2:Q",
            y=alt.Y("y:Q", scale=ys, axis=None),
            y2="y2:Q",
            url="url:N",
        )
    )
    units = alt.Chart(alt.NamedData(UNITS)).transform_calculate(
        x="datum.c + 0.5",
        x0=f"datum.c + 0.5 - {half}",
        x1=f"datum.c + 0.5 + {half}",
        y0=f"datum.y - {TILE / ROW_PX / 2}",
        y1=f"datum.y + {TILE / ROW_PX / 2}",
    )
    # A frame round every tile (its hover target); dead and saturated ones in colour.
    frames = units.mark_rect(fillOpacity=0, strokeWidth=1).encode(
        x=alt.X("x0:Q", scale=xs, axis=None),
        x2="x1:Q",
        y=alt.Y("y0:Q", scale=ys, axis=None),
        y2="y1:Q",
        stroke=alt.value("#bbbbbb"),
        tooltip=[alt.Tooltip("unit:N", title=" "), alt.Tooltip("bias:Q", title=bias)],
    )
    marked = (
        units.transform_filter("datum.state != ''")
        .mark_rect(fillOpacity=0, strokeWidth=3)
        .encode(
            x=alt.X("x0:Q", scale=xs, axis=None),
            x2="x1:Q",
            y=alt.Y("y0:Q", scale=ys, axis=None),
            y2="y1:Q",
            stroke=alt.Stroke(
                "state:N",
                scale=alt.Scale(domain=[dead, saturated], range=["#222222", "#d62728"]),
                legend=alt.Legend(title=state_title, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("unit:N", title=" "),
                alt.Tooltip("state:N", title=" "),
                alt.Tooltip("bias:Q", title=bias),
            ],
        )
    )
    # The inputs' names beside their pictures, as TensorFlow Playground writes them.
    labels = (
        units.transform_filter("datum.label != ''")
        .mark_text(align="right", dx=-3, fontSize=10)
        .encode(x=alt.X("x0:Q", scale=xs, axis=None), y=alt.Y("y:Q", scale=ys), text="label:N")
    )
    headers = alt.Chart(alt.NamedData(HEADERS)).transform_calculate(x="datum.c + 0.5")
    title = headers.mark_text(dy=-22, fontWeight="bold", fontSize=11).encode(
        x=alt.X("x:Q", scale=xs, axis=None), y=alt.datum(0, scale=ys), text="title:N"
    )
    line = headers.mark_text(dy=-9, fontSize=10, color="#555555").encode(
        x=alt.X("x:Q", scale=xs, axis=None), y=alt.datum(0, scale=ys), text="line:N"
    )
    chart = (
        alt.layer(links, image, frames, marked, labels, title, line)
        .resolve_scale(color="independent", stroke="independent")
        .properties(width=width, height=height, padding={"top": 30, "left": 5, "right": 5})
        .configure_view(stroke=None)
        .properties(usermeta={"embedOptions": {"renderer": "canvas"}})
        # "pad": the plot is exactly width x height (square tiles) and the titles and
        # legends come on top; fitting all in that size squashed a short network flat.
        .properties(autosize=alt.AutoSizeParams(type="pad", contains="padding"))
    )
    return json.dumps(chart.to_dict())


def network_spec(frame: NetFrame, names: dict) -> dict:
    """The diagram of ``frame`` as a Vega-Lite spec with its data as DataFrames (for
    ``st.vega_lite_chart``). ``names``: the page's translated words (see
    ``network_data``; plus ``sign_title`` and ``state_title`` for the legends)."""
    legend = tuple(
        names[k]
        for k in ("positive", "negative", "dead", "saturated", "sign_title", "state_title", "bias")
    )
    spec = json.loads(_template(len(frame.layers), frame.rows, legend))
    spec["datasets"] = network_data(frame, names)
    return spec


def unit_chart(details, names: dict, width: int = 300, height: int = 140) -> alt.HConcatChart:
    """One unit's incoming weights (bars by sign) beside the histogram of its activation
    on the training data. ``details``: a ``core.network_view.UnitDetails``."""
    weights = pd.DataFrame(
        {
            "from": np.arange(1, len(details.weights) + 1),
            "weight": details.weights,
            "sign": np.where(details.weights >= 0, names["positive"], names["negative"]),
        }
    )
    bars = (
        alt.Chart(weights, title=names["incoming"])
        .mark_bar()
        .encode(
            x=alt.X("from:O", title=names["weight_from"]),
            y=alt.Y("weight:Q", title=None),
            color=alt.Color(
                "sign:N",
                scale=alt.Scale(
                    domain=[names["positive"], names["negative"]],
                    range=list(CLASS_COLOURS[1::-1]),
                ),
                legend=None,
            ),
            tooltip=["from:O", alt.Tooltip("weight:Q", format=".3f")],
        )
        .properties(width=width, height=height)
    )
    edges = details.hist_edges
    hist = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "count": details.hist_counts})
    histogram = (
        alt.Chart(hist, title=names["histogram"])
        .mark_bar(color="#555555")
        .encode(
            x=alt.X("start:Q", bin="binned", title=names["value"]),
            x2="end:Q",
            y=alt.Y("count:Q", title=names["count"]),
        )
        .properties(width=width, height=height)
    )
    return alt.hconcat(bars, histogram)
