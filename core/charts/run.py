"""Altair charts built from core values (no Streamlit): decision surfaces, fitted
curves, loss and score curves.

A decision surface is one PNG image layer (a data URL) under the data points, on
shared x/y scales with ``nice=False`` so the picture and the points line up. One image
of 200x200 cells is ~20 KB; a rectangle per cell would send ~1.6 MB per redraw.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any, NamedTuple, TypedDict, Unpack

import altair as alt
import numpy as np
import pandas as pd
from PIL import Image

from core.charts.palette import CLASS_COLOURS
from core.charts.templates import built_once

SURFACE_SIZE = 200  # cells per side of the live/final surface
CHART_SIZE = 380  # pixels


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def colourise(
    values: np.ndarray, task: str, value_range: tuple[float, float] | None = None
) -> np.ndarray:
    """(ny, nx, C) model outputs -> (ny, nx, 3) uint8 RGB, row 0 at the lowest y.

    binary: P(class 1) from orange through white to blue; multiclass: the winning
    class's colour, paler where the network is unsure; regression: the prediction on the
    same orange-white-blue scale over ``value_range``.
    """
    values = np.nan_to_num(np.asarray(values, dtype=float), nan=0.5)
    white = np.full(3, 255.0)
    if task == "multiclass" and values.shape[-1] > 1:
        k = values.shape[-1]
        winner = values.argmax(axis=-1)
        confidence = (values.max(axis=-1) - 1 / k) / (1 - 1 / k)
        palette = np.stack([_rgb(CLASS_COLOURS[i % len(CLASS_COLOURS)]) for i in range(k)])
        strength = 0.15 + 0.65 * np.clip(confidence, 0, 1)[..., None]
        rgb = white + (palette[winner] - white) * strength
    else:
        v = values[..., 0]
        if task == "regression":
            lo, hi = value_range or (float(np.nanmin(v)), float(np.nanmax(v)))
            v = (v - lo) / (hi - lo) if hi > lo else np.full_like(v, 0.5)
        v = np.clip(v, 0, 1)[..., None]
        to_blue = (v - 0.5) * 2
        rgb = np.where(
            to_blue >= 0,
            white + (_rgb(CLASS_COLOURS[1]) - white) * to_blue * 0.8,
            white + (_rgb(CLASS_COLOURS[0]) - white) * -to_blue * 0.8,
        )
    return np.clip(rgb, 0, 255).astype(np.uint8)


def png_data_url(rgb: np.ndarray) -> str:
    """RGB array (row 0 = lowest y) -> PNG data URL (flipped: images start at the top)."""
    buffer = io.BytesIO()
    # zlib's fastest level: 200x200 in 1.2 instead of 3.2 ms for 14 instead of 11 KB; the
    # server makes one per drawing of every session's surface.
    Image.fromarray(rgb[::-1]).save(buffer, format="PNG", optimize=False, compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


SPLITS = ("train", "test")  # the points' "split" values


def _codes(codes: np.ndarray, names) -> pd.Categorical:
    """A text column given as codes into ``names``. A class's charts are built by many
    sessions at once: pandas makes a column of strings one element at a time, under the
    GIL, and a categorical from its codes at once; either reaches the browser as the
    same strings."""
    return pd.Categorical.from_codes(codes, categories=list(names), validate=False)


def _points_frame(dataset, model=None) -> pd.DataFrame:
    """Train then test points: position (3 decimals is far finer than a pixel of the
    chart and halves the JSON), split, and the label or target."""
    X = np.concatenate([dataset.X_train, dataset.X_test])
    y = np.concatenate([dataset.y_train, dataset.y_test])
    second = X[:, 1] if X.shape[1] > 1 else y
    split = np.repeat(np.array([0, 1], dtype=np.int8), [len(dataset.y_train), len(dataset.y_test)])
    frame = pd.DataFrame(
        {"x": X[:, 0].round(3), "y": np.round(second, 3), "split": _codes(split, SPLITS)}
    )
    if dataset.task == "regression":
        frame["target"] = np.round(y, 3)
        return frame
    frame["label"] = _codes(y, dataset.class_names)
    predicted = getattr(model, "train_predictions", None)
    frame["wrong"] = (
        np.concatenate([predicted, model.test_predictions]) != y if predicted is not None else False
    )
    return frame


# Names of the surface chart's two datasets in a spec from ``surface_spec``. They stay
# the same from one frame to the next, so a page redrawing the surface sends a spec
# identical to the last one and Streamlit's front end swaps the data in the existing
# view instead of building a new one.
SURFACE_IMAGE, SURFACE_POINTS = "surface_image", "surface_points"


def surface_frames(
    values: np.ndarray,
    dataset,
    *,
    model=None,
    show_test: bool = True,
    value_range: tuple[float, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The surface chart's data: the image (one row: its corners and PNG data URL) and
    the points (train and test; with ``model``, which ones it gets wrong)."""
    x0, x1, y0, y1 = dataset.extent
    if value_range is None and dataset.task == "regression":
        value_range = (float(dataset.y.min()), float(dataset.y.max()))
    url = png_data_url(colourise(values, dataset.task, value_range))
    image = pd.DataFrame({"x": [x0], "x2": [x1], "y": [y0], "y2": [y1], "url": [url]})
    points = _points_frame(dataset, model)
    if not show_test:
        points = points[points.split == "train"].reset_index(drop=True)
    return image, points


def _surface_layers(
    image,
    points,
    *,
    task: str,
    class_names: tuple,
    feature_names: tuple,
    extent: tuple,
    rings: bool,
    title: str,
    size: int,
) -> alt.LayerChart:
    """The surface chart over ``image`` and ``points``: DataFrames, or ``alt.NamedData``
    for a spec whose data comes apart."""
    x0, x1, y0, y1 = extent
    xs = alt.Scale(domain=[x0, x1], nice=False, zero=False)
    ys = alt.Scale(domain=[y0, y1], nice=False, zero=False)
    image_layer = (
        alt.Chart(image)
        .mark_image(aspect=False)
        .encode(
            x=alt.X("x:Q", scale=xs, title=feature_names[0]),
            x2="x2:Q",
            y=alt.Y("y:Q", scale=ys, title=feature_names[1] if len(feature_names) > 1 else "y"),
            y2="y2:Q",
            url="url:N",
        )
    )
    if task == "regression":
        colour = alt.Color(
            "target:Q", scale=alt.Scale(scheme="blueorange", reverse=True), legend=None
        )
    else:
        colour = alt.Color(
            "label:N",
            scale=alt.Scale(
                domain=list(class_names),
                range=[CLASS_COLOURS[i % len(CLASS_COLOURS)] for i in range(len(class_names))],
            ),
            legend=alt.Legend(title=None, orient="bottom"),
        )
    base = alt.Chart(points).encode(x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys))
    train = (
        base.transform_filter(alt.datum.split == "train")
        .mark_circle(size=28, opacity=0.9, stroke="white", strokeWidth=0.6)
        .encode(color=colour)
    )
    test = (
        base.transform_filter(alt.datum.split == "test")
        .mark_point(size=34, filled=False, strokeWidth=1.6)
        .encode(color=colour)
    )
    layers = [image_layer, train, test]
    if rings:
        layers.append(
            base.transform_filter(alt.datum.wrong).mark_point(
                shape="circle", size=110, filled=False, color="black", strokeWidth=1.2
            )
        )
    chart = alt.layer(*layers).properties(width=size, height=size)
    return chart.properties(title=title) if title else chart


def _layout(dataset, rings: bool, title: str, size: int) -> dict:
    return dict(
        task=dataset.task,
        class_names=tuple(dataset.class_names),
        feature_names=tuple(dataset.feature_names),
        extent=tuple(float(v) for v in dataset.extent),
        rings=rings and dataset.task != "regression",
        title=title,
        size=size,
    )


class SurfaceOptions(TypedDict, total=False):
    """What ``surface_chart`` and ``surface_spec`` take besides the values and dataset:
    ``model`` (rings its misclassified points), ``title``, ``size`` in pixels,
    ``show_test`` (the hollow test points) and ``value_range`` (the colour scale's)."""

    model: Any
    title: str
    size: int
    show_test: bool
    value_range: tuple[float, float] | None


def _surface_parts(
    values: np.ndarray,
    dataset,
    rings: bool,
    *,
    model=None,
    title: str = "",
    size: int = CHART_SIZE,
    show_test: bool = True,
    value_range: tuple[float, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The surface's two data frames and its layout; ``rings`` keeps the misclassified
    points' layer even without a model."""
    image, points = surface_frames(
        values, dataset, model=model, show_test=show_test, value_range=value_range
    )
    return image, points, _layout(dataset, rings or model is not None, title, size)


def surface_chart(values: np.ndarray, dataset, **options: Unpack[SurfaceOptions]) -> alt.LayerChart:
    """The decision surface (or regression surface) of a two-feature dataset as one
    image layer, with train points filled and test points hollow; with ``model``,
    misclassified points get a black ring."""
    image, points, layout = _surface_parts(values, dataset, False, **options)
    return _surface_layers(image, points, **layout)


# Redrawn charts ask the browser for a canvas rather than SVG: hundreds of points as SVG
# elements cost it more in style and layout than drawing them (bench/latency.py measured
# a Train click's surface on screen 15-25% sooner). Streamlit passes this option on.
_CANVAS = {"embedOptions": {"renderer": "canvas"}}


@built_once(maxsize=256)  # one entry per dataset layout, title and size
def _surface_template(**layout) -> str:
    chart = _surface_layers(
        alt.NamedData(SURFACE_IMAGE), alt.NamedData(SURFACE_POINTS), **layout
    ).properties(usermeta=_CANVAS)
    return json.dumps(chart.to_dict())  # validated against the Vega-Lite schema, once


def surface_spec(values: np.ndarray, dataset, **options: Unpack[SurfaceOptions]) -> dict:
    """``surface_chart`` as a Vega-Lite spec dict whose two datasets are DataFrames
    (``st.vega_lite_chart`` sends them as Arrow).

    For pages that redraw the surface several times a second. Building the Altair chart
    costs about 40 ms of the server's CPU and validating it about 30 ms, which a class
    of animating sessions would pay many times a second under one GIL; the spec depends
    only on the dataset's layout, the title and the size, so it is built and validated
    once and only the data is new. A classification spec always has the layer that
    rings misclassified points (empty without ``model``), so a surface drawn during
    training and the finished one are the same spec.
    """
    image, points, layout = _surface_parts(values, dataset, True, **options)
    spec = json.loads(_surface_template(**layout))  # a fresh copy
    spec["datasets"] = {SURFACE_IMAGE: image, SURFACE_POINTS: points}
    return spec


def curve_chart(
    xs: np.ndarray, prediction: np.ndarray, dataset, *, title: str = "", size: int = CHART_SIZE
) -> alt.LayerChart:
    """A one-feature regression: the fitted curve over the data points."""
    line = (
        alt.Chart(pd.DataFrame({"x": xs, "prediction": np.ravel(prediction)}))
        .mark_line(color=CLASS_COLOURS[1], strokeWidth=3)
        .encode(x=alt.X("x:Q", title=dataset.feature_names[0]), y=alt.Y("prediction:Q", title="y"))
    )
    points = _points_frame(dataset)
    dots = (
        alt.Chart(points)
        .mark_circle(size=24, opacity=0.7)
        .encode(
            x="x:Q",
            y="y:Q",
            color=alt.Color(
                "split:N",
                scale=alt.Scale(domain=["train", "test"], range=["#555555", CLASS_COLOURS[0]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
    )
    chart = alt.layer(dots, line).properties(width=size, height=size)
    return chart.properties(title=title) if title else chart


def output_chart(
    values: np.ndarray, dataset, grid, *, model=None, title: str = "", size: int = CHART_SIZE
) -> alt.LayerChart:
    """Surface for two or more features, fitted curve for one."""
    if grid.ys is None:
        return curve_chart(grid.xs, values, dataset, title=title, size=size)
    return surface_chart(values, dataset, model=model, title=title, size=size)


HISTORY_DATA = "history"  # the dataset name in a spec from ``history_spec``


def _history_frame(
    history: pd.DataFrame, column: str, log_scale: bool, split_names: tuple[str, str]
) -> pd.DataFrame:
    train, test = split_names
    long = pd.DataFrame(
        {
            "epoch": np.concatenate([history.epoch, history.epoch]),
            "split": _codes(
                np.repeat(np.array([0, 1], dtype=np.int8), len(history)), (train, test)
            ),
            column: np.concatenate([history[f"train_{column}"], history[f"test_{column}"]]),
        }
    )
    long = long[np.isfinite(long[column])]
    if log_scale:
        long = long[long[column] > 0]
    return long.reset_index(drop=True)


def _history_lines(
    data,
    column: str,
    title: str,
    log_scale: bool,
    width: int,
    height: int,
    x_title: str,
    split_names: tuple[str, str],
) -> alt.Chart:
    scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=False)
    return (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title=x_title),
            y=alt.Y(f"{column}:Q", title=title, scale=scale),
            color=alt.Color(
                "split:N",
                scale=alt.Scale(domain=list(split_names), range=["#333333", CLASS_COLOURS[0]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
        .properties(width=width, height=height)
    )


class HistoryOptions(TypedDict, total=False):
    """What ``history_chart`` and ``history_spec`` take besides the history, column and
    title: ``log_scale`` (the y axis), ``width`` and ``height`` in pixels, and the words
    the pages translate: ``x_title`` (the epoch axis) and ``split_names`` (the legend's
    names of the train and test curves)."""

    log_scale: bool
    width: int
    height: int
    x_title: str
    split_names: tuple[str, str]


class _HistoryLayout(NamedTuple):
    """Everything a history chart's spec depends on except the data (a template key)."""

    column: str
    title: str
    log_scale: bool = False
    width: int = CHART_SIZE
    height: int = 220
    x_title: str = "epoch"
    split_names: tuple[str, str] = ("train", "test")


def history_chart(
    history: pd.DataFrame, column: str, title: str, **options: Unpack[HistoryOptions]
) -> alt.Chart:
    """Train and test curves of one quantity (``column`` is "loss" or "score")."""
    layout = _HistoryLayout(column, title, **options)
    return _history_lines(
        _history_frame(history, column, layout.log_scale, layout.split_names), *layout
    )


@built_once(maxsize=64)
def _history_template(layout: _HistoryLayout) -> str:
    chart = _history_lines(alt.NamedData(HISTORY_DATA), *layout).properties(usermeta=_CANVAS)
    return json.dumps(chart.to_dict())


def history_spec(
    history: pd.DataFrame, column: str, title: str, **options: Unpack[HistoryOptions]
) -> dict:
    """``history_chart`` as a spec dict with a DataFrame dataset, built like
    ``surface_spec`` (the live loss curve is redrawn several times a second)."""
    layout = _HistoryLayout(column, title, **options)
    spec = json.loads(_history_template(layout))
    spec["datasets"] = {
        HISTORY_DATA: _history_frame(history, column, layout.log_scale, layout.split_names)
    }
    return spec


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, k: int) -> np.ndarray:
    """(k, k) counts, true class down, predicted across. Written here (one bincount)
    rather than taken from scikit-learn, which the web server does not import."""
    pairs = np.asarray(true, dtype=np.int64) * k + np.asarray(predicted, dtype=np.int64)
    return np.bincount(pairs, minlength=k * k).reshape(k, k)


def confusion_chart(model, dataset, size: int = 260) -> alt.LayerChart:
    """Test-set confusion matrix: true class down, predicted class across; ``model``
    is a ``core.fitted.FittedModel`` (its test predictions)."""
    k = dataset.n_classes
    matrix = confusion_matrix(dataset.y_test, model.test_predictions, k)
    names = list(dataset.class_names)
    cells = pd.DataFrame(
        [
            dict(true=names[i], predicted=names[j], count=int(matrix[i, j]))
            for i in range(k)
            for j in range(k)
        ]
    )
    base = alt.Chart(cells).encode(
        x=alt.X("predicted:N", sort=names, title="predicted"),
        y=alt.Y("true:N", sort=names, title="true"),
    )
    heat = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), legend=None)
    )
    text = base.mark_text(fontSize=13).encode(
        text="count:Q",
        color=alt.condition(
            alt.datum.count > matrix.max() / 2, alt.value("white"), alt.value("black")
        ),
    )
    return alt.layer(heat, text).properties(width=size, height=size)
