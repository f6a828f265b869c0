"""The neuron view: the network drawn as TensorFlow Playground draws it, a column per
layer, each unit a small picture of what it computes over the input plane, links by the
sign and size of their weights, and dead or saturated units marked.

``net_frame(model, ...)`` measures one state of the network (a replay frame) into a
``NetFrame``: which units are drawn, their pictures already encoded as one PNG, the
weights of the drawn links, and the dead/saturated state of every unit. The training
worker calls it (``core.training.train(network_view=True)``), so the server's thread only
fills a ready chart (``core.charts.network.network_spec``) with the frame's data. This
module imports no chart library, so the workers stay lean.

All unit pictures sit in one PNG (an "atlas" the size of the diagram, transparent
between tiles) with a shared palette: one image mark instead of one per unit, and the
compression works across tiles. Dead and saturated follow ``core.diagnostics``.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.activations import get_activation
from core.charts.palette import CLASS_COLOURS
from core.diagnostics import forward_layers, model_inputs, saturated_units, unit_states

TILE = 16  # cells per side of a unit's picture (TensorFlow Playground draws 10)
MAX_SHOWN = 16  # units a column draws; wider layers show their strongest units
MAX_SAMPLES = 500  # training samples the dead/saturated states are measured on
KEEP_WEIGHTS_UP_TO = 20_000  # parameters: a frame keeps every weight (unit details) below
# Atlas geometry, in atlas pixels: a column is three tiles wide (the tile in the middle,
# links in the two thirds between), a row a tile and a margin.
COL_PX, ROW_PX = 3 * TILE, TILE + 4
SHADES = 15  # colour steps on each side of zero (TensorFlow Playground uses 30 in all)
STRENGTH = 0.8  # the surface's: extreme values are 80% of the way from white
LINK_WIDTH_MAX = 4.0  # pixels, the largest |weight| of a layer


@dataclass(frozen=True)
class LayerFrame:
    """One column of the diagram: inputs, a hidden layer or the output."""

    kind: str  # input | hidden | output
    units: int
    shown: np.ndarray  # indices of the drawn units, ascending
    dead: np.ndarray  # (units,) bool; all False for inputs and outputs
    saturated: np.ndarray  # (units,) bool
    scale: np.ndarray  # (units,) |value| each unit's picture draws at full colour


@dataclass(frozen=True)
class NetFrame:
    """The network at one epoch, ready to draw."""

    epoch: int
    layers: tuple[LayerFrame, ...]
    links: tuple[np.ndarray, ...]  # weight layer i: (drawn units of i, drawn units of i+1)
    biases: tuple[np.ndarray, ...]  # per column, of its drawn units (none for the inputs)
    image: bytes  # the PNG atlas of every drawn unit's picture
    rows: int  # rows of the atlas (the widest drawn column)
    one_feature: bool  # pictures are curves over x, not maps over the plane
    # Full colour for every hidden picture: the activation's own bound (tanh 1, sigmoid
    # 1); None when unbounded, each picture then at its own largest |value|.
    hidden_bound: float | None
    input_names: tuple[str, ...] = ()  # labels of the input column, in order
    # Every weight and bias (float32), for the unit details; None for a large network.
    coefs: tuple[np.ndarray, ...] | None = None
    intercepts: tuple[np.ndarray, ...] | None = None

    @property
    def nbytes(self) -> int:
        arrays = [
            a
            for layer in self.layers
            for a in (layer.shown, layer.dead, layer.saturated, layer.scale)
        ]
        arrays += (
            list(self.links)
            + list(self.biases)
            + list(self.coefs or ())
            + list(self.intercepts or ())
        )
        return len(self.image) + sum(a.nbytes for a in arrays)


# --- which units a column draws -------------------------------------------------------


def shown_units(
    outgoing: np.ndarray | None,
    units: int,
    limit: int = MAX_SHOWN,
    marked: np.ndarray | None = None,
) -> np.ndarray:
    """All units when they fit; else ``limit`` of them, in index order: the marked
    (dead or saturated) units in proportion to their share of the layer (at least one if
    any), so the diagram shows what the counts say, and the other places for the
    unmarked units with the largest outgoing weights (rows of ``outgoing``: what each
    unit passes on). Either group by outgoing norm, strongest first."""
    if units <= limit or outgoing is None:
        return np.arange(min(units, limit))
    norms = np.linalg.norm(outgoing, axis=1)
    marked = np.zeros(units, dtype=bool) if marked is None else np.asarray(marked, dtype=bool)
    n_marked = int(marked.sum())
    places = min(n_marked, max(1, round(limit * n_marked / units))) if n_marked else 0
    order = np.argsort(-norms, kind="stable")
    chosen = np.concatenate([order[marked[order]][:places], order[~marked[order]]])[:limit]
    return np.sort(chosen)


def link_widths(weights: np.ndarray) -> np.ndarray:
    """Stroke widths of one weight layer's links: |w| over the layer's largest |w| (one
    scale per layer), times ``LINK_WIDTH_MAX``."""
    peak = float(np.abs(weights).max()) if weights.size else 0.0
    if not np.isfinite(peak) or peak == 0:
        return np.zeros_like(weights, dtype=float)
    return np.abs(weights) / peak * LINK_WIDTH_MAX


# --- colours --------------------------------------------------------------------------


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


@functools.cache
def _palette(n_classes: int) -> np.ndarray:
    """(n, 3) uint8. Index 0..2*SHADES: orange (negative) through white to blue
    (positive), the surface's colours; then SHADES+1 steps from white to each class's
    colour (multiclass output units); the last index is the transparent background."""
    white = np.full(3, 255.0)
    steps = np.arange(SHADES + 1) / SHADES * STRENGTH
    orange, blue = _rgb(CLASS_COLOURS[0]), _rgb(CLASS_COLOURS[1])
    rows = [white + (orange - white) * s for s in steps[::-1]]
    rows += [white + (blue - white) * s for s in steps[1:]]
    for k in range(n_classes):
        colour = _rgb(CLASS_COLOURS[k % len(CLASS_COLOURS)])
        rows += [white + (colour - white) * s for s in steps]
    rows.append(white)  # background, made transparent
    return np.clip(np.round(rows), 0, 255).astype(np.uint8)


def _diverging_index(v: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] -> palette indices 0..2*SHADES (0 -> white, the middle)."""
    v = np.clip(np.nan_to_num(v, nan=0.0), -1, 1)
    return np.round((v + 1) * SHADES).astype(np.uint8)


def _class_index(p: np.ndarray, k: int) -> np.ndarray:
    """Probabilities in [0, 1] -> class ``k``'s white-to-colour steps."""
    p = np.clip(np.nan_to_num(p, nan=0.0), 0, 1)
    return (2 * SHADES + 1 + k * (SHADES + 1) + np.round(p * SHADES)).astype(np.uint8)


def _curve_tile(index: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A one-feature unit: (TILE,) values in [-1, 1] and their palette indices -> a
    TILE x TILE tile, each column filled from the zero line to the value in its colour,
    so the picture shows both the shape and the sign."""
    rows = np.arange(TILE)[:, None]  # row 0 at the top
    zero = (TILE - 1) / 2
    top = zero - np.clip(np.nan_to_num(v), -1, 1)[None, :] * zero
    filled = (rows >= np.minimum(top, zero) - 0.5) & (rows <= np.maximum(top, zero) + 0.5)
    edge = np.abs(rows - top) <= 0.5  # the curve itself, at full colour
    strong = np.where(v >= 0, 2 * SHADES, 0).astype(np.uint8)[None, :]
    tile = np.where(filled, index[None, :], np.uint8(SHADES))  # white elsewhere
    return np.where(edge, strong, tile).astype(np.uint8)


# --- one frame -------------------------------------------------------------------------


def _scale(values: np.ndarray, output_range: tuple[float, float] | None = None) -> np.ndarray:
    """(units,) the |value| each unit's picture draws at full colour. A bounded
    activation: its own bound, so pictures compare across units and epochs and a
    saturated unit shows as full colour. Unbounded: the unit's own largest |value| over
    the plane, so each picture shows its unit's shape (ReLU's straight folds) however
    large its outputs; the sizes are in the unit's details."""
    bound = _bound(output_range)
    if bound is not None:
        return np.full(values.shape[1], bound, dtype=np.float32)
    peak = np.abs(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)).max(axis=0)
    return np.where(peak > 1e-12, peak, 1.0).astype(np.float32)


def _bound(output_range: tuple[float, float] | None) -> float | None:
    if output_range is not None and all(np.isfinite(output_range)):
        return float(max(abs(output_range[0]), abs(output_range[1])))
    return None


def _atlas(columns: list[np.ndarray], rows: int, n_classes: int) -> bytes:
    """One paletted PNG: column c's tiles (n, TILE, TILE) centred in its column."""
    height, width = rows * ROW_PX, len(columns) * COL_PX
    background = len(_palette(n_classes)) - 1
    atlas = np.full((height, width), background, dtype=np.uint8)
    for c, tiles in enumerate(columns):
        top = (rows - len(tiles)) * ROW_PX // 2 + (ROW_PX - TILE) // 2
        left = c * COL_PX + (COL_PX - TILE) // 2
        for r, tile in enumerate(tiles):
            y = top + r * ROW_PX
            atlas[y : y + TILE, left : left + TILE] = tile
    image = Image.fromarray(atlas, mode="P")
    image.putpalette(_palette(n_classes).ravel().tolist())
    buffer = io.BytesIO()
    # zlib's fastest level: a fifth of the default's time for about 35% more bytes (1.3
    # -> 0.3 ms, 3.3 -> 4.5 KB); a run makes a dozen of these in the worker.
    image.save(buffer, format="PNG", transparency=background, optimize=False, compress_level=1)
    return buffer.getvalue()


def net_frame(
    model,
    epoch: int,
    grid_points: np.ndarray,
    outputs: np.ndarray,
    X: np.ndarray,
    *,
    task: str,
    value_range: tuple[float, float] | None = None,
    input_names: tuple[str, ...] = (),
) -> NetFrame:
    """Measure ``model`` for the diagram.

    ``grid_points``: the model's inputs on a TILE x TILE grid over the plotted plane
    (``core.training.make_grid(data, TILE)``; TILE points for one feature), other
    features at their mean. ``outputs``: what the surface shows on that grid
    (``core.training.model_outputs``). ``X``: training inputs, for the dead and
    saturated states. ``value_range``: a regression surface's colour range.
    """
    one_feature = grid_points.shape[1] == 1 if grid_points.ndim == 2 else True
    hidden_act = get_activation(model.activation, model.leaky_slope)
    coefs, biases = model.coefs_, model.intercepts_
    n_hidden = len(coefs) - 1
    X = np.asarray(X, dtype=float)[:MAX_SAMPLES]
    states = unit_states(model, X)
    grid_layers = forward_layers(model, grid_points)

    # Values per column over the grid: inputs, each hidden layer.
    # The first column is what the first layer reads: the features, or the inputs a
    # model with extra input features expands them into (x1², sin(x1), ...).
    values = [model_inputs(model, grid_points)] + [a for _, a in grid_layers[:-1]]
    layers, pictures = [], []
    for i, v in enumerate(values):
        kind = "input" if i == 0 else "hidden"
        if kind == "input":
            dead = saturated = np.zeros(v.shape[1], dtype=bool)
            scale = _scale(v)
        else:
            dead, flat = states[i - 1]
            saturated = saturated_units(hidden_act, dead, flat)
            scale = _scale(v, hidden_act.output_range)
        shown = shown_units(coefs[i], v.shape[1], marked=dead | saturated)
        layers.append(LayerFrame(kind, v.shape[1], shown, dead, saturated, scale))
        scaled = v[:, shown] / scale[shown]
        pictures.append(_tiles(scaled, _diverging_index(scaled), one_feature))
    # The output column: each output unit as the surface shows it.
    out = np.asarray(outputs, dtype=float).reshape(len(grid_points), -1)
    n_out = coefs[-1].shape[1]
    shown_out = np.arange(n_out)
    if task == "multiclass" and out.shape[1] > 1:
        index = np.stack([_class_index(out[:, k], k) for k in range(out.shape[1])], axis=1)
        scaled = out * 2 - 1
    else:
        if task == "regression":
            lo, hi = value_range or (float(np.nanmin(out)), float(np.nanmax(out)))
            out = (out - lo) / (hi - lo) if hi > lo else np.full_like(out, 0.5)
        scaled = np.clip(out, 0, 1) * 2 - 1
        index = _diverging_index(scaled)
        if out.shape[1] < n_out:  # two softmax units drawn as one surface: both units
            scaled, index = np.repeat(scaled, n_out, 1), np.repeat(index, n_out, 1)
            scaled[:, 0], index[:, 0] = -scaled[:, 0], _diverging_index(-scaled[:, 0])
    none = np.zeros(n_out, dtype=bool)
    layers.append(LayerFrame("output", n_out, shown_out, none, none, np.ones(n_out)))
    pictures.append(_tiles(scaled[:, :n_out], index[:, :n_out], one_feature))

    links = tuple(
        coefs[i][np.ix_(layers[i].shown, layers[i + 1].shown)].astype(np.float32)
        for i in range(n_hidden + 1)
    )
    rows = max(len(layer.shown) for layer in layers)
    n_classes = out.shape[1] if task == "multiclass" else 0
    keep = sum(w.size for w in coefs) + sum(b.size for b in biases) <= KEEP_WEIGHTS_UP_TO
    return NetFrame(
        epoch=int(epoch),
        layers=tuple(layers),
        links=links,
        biases=(np.zeros(0, np.float32),)
        + tuple(b[layers[i + 1].shown].astype(np.float32) for i, b in enumerate(biases)),
        image=_atlas(pictures, rows, n_classes),
        rows=rows,
        one_feature=one_feature,
        input_names=tuple(_input_label(n) for n in input_names),
        hidden_bound=_bound(hidden_act.output_range),
        coefs=tuple(w.astype(np.float32) for w in coefs) if keep else None,
        intercepts=tuple(b.astype(np.float32) for b in biases) if keep else None,
    )


def _input_label(name: str) -> str:
    """An input's label as the diagram writes it (math, the same in every language)."""
    return name.replace("^2", "²").replace("*", "·")


def _tiles(scaled: np.ndarray, index: np.ndarray, one_feature: bool) -> np.ndarray:
    """(points, units) colour indices -> (units, TILE, TILE) tiles, row 0 at the top."""
    if one_feature:
        return np.stack([_curve_tile(index[:, u], scaled[:, u]) for u in range(index.shape[1])])
    # Grid rows run from the lowest y up; an image starts at the top.
    return index.T.reshape(-1, TILE, TILE)[:, ::-1, :]


def unit_pictures(frame: NetFrame, column: int) -> np.ndarray:
    """(drawn units, TILE, TILE) palette indices of one column, read back from the atlas
    (tests; a notebook)."""
    atlas = np.asarray(Image.open(io.BytesIO(frame.image)))
    n = len(frame.layers[column].shown)
    top = (frame.rows - n) * ROW_PX // 2 + (ROW_PX - TILE) // 2
    left = column * COL_PX + (COL_PX - TILE) // 2
    return np.stack(
        [atlas[top + r * ROW_PX : top + r * ROW_PX + TILE, left : left + TILE] for r in range(n)]
    )


def palette_value(index: np.ndarray) -> np.ndarray:
    """Inverse of the diverging palette: indices 0..2*SHADES -> values in [-1, 1]."""
    return np.asarray(index, dtype=float) / SHADES - 1


# --- words and details ---------------------------------------------------------------------


def layer_counts(frame: NetFrame) -> list[dict]:
    """Per hidden layer: units, dead, saturated, drawn (for the sentence under the
    diagram)."""
    return [
        dict(
            layer=c,
            units=layer.units,
            dead=int(layer.dead.sum()),
            saturated=int(layer.saturated.sum()),
            shown=len(layer.shown),
        )
        for c, layer in enumerate(frame.layers)
        if layer.kind == "hidden"
    ]


@dataclass(frozen=True)
class UnitDetails:
    layer: int  # 1-based hidden layer (or len(hidden)+1 for an output unit)
    unit: int  # 0-based
    weights: np.ndarray  # incoming weights, one per unit of the layer before
    bias: float
    hist_counts: np.ndarray
    hist_edges: np.ndarray
    gradient: float  # norm of dLoss/d(incoming weights) on the training data
    dead: bool
    saturated: bool
    flat_fraction: float


def fitted_unit_details(fitted, frame: NetFrame | None, X, y, layer: int, unit: int) -> UnitDetails:
    """``unit_details`` of a ``core.fitted.FittedModel``: what a page asks a worker for,
    since it runs the network (forward and backward)."""
    return unit_details(fitted.estimator(), frame, X, y, layer, unit)


def unit_details(model, frame: NetFrame | None, X, y, layer: int, unit: int) -> UnitDetails:
    """One unit of ``model`` (with ``frame``'s weights when it kept them): its incoming
    weights and bias, histogram of its activation on ``X``, the size of its gradient,
    and whether it is dead or saturated. ``layer`` counts weight layers from 1."""
    import copy

    from core.diagnostics import weight_gradients

    if frame is not None and frame.coefs is not None and frame.intercepts is not None:
        model = copy.copy(model)  # the same settings, the frame's weights; never mutate
        model.coefs_ = [w.astype(float) for w in frame.coefs]
        model.intercepts_ = [b.astype(float) for b in frame.intercepts]
    X = np.asarray(X, dtype=float)[:MAX_SAMPLES]
    y = np.asarray(y)[:MAX_SAMPLES]
    if not 1 <= layer <= len(model.coefs_):
        raise ValueError(f"layer must be 1..{len(model.coefs_)}, got {layer}")
    if not 0 <= unit < model.coefs_[layer - 1].shape[1]:
        raise ValueError(f"unit must be 0..{model.coefs_[layer - 1].shape[1] - 1}, got {unit}")
    layers = forward_layers(model, X)
    a = layers[layer - 1][1][:, unit]
    finite = a[np.isfinite(a)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(finite, bins=20, range=(lo, hi))
    grads = weight_gradients(model, X, y)
    dead = saturated = False
    flat = float("nan")
    if layer <= len(model.coefs_) - 1:
        states = unit_states(model, X, layers)
        dead_v, flat_v = states[layer - 1]
        act = get_activation(model.activation, model.leaky_slope)
        dead = bool(dead_v[unit])
        saturated = bool(saturated_units(act, dead_v, flat_v)[unit])
        flat = float(flat_v[unit])
    return UnitDetails(
        layer=layer,
        unit=unit,
        weights=np.asarray(model.coefs_[layer - 1][:, unit], dtype=float),
        bias=float(model.intercepts_[layer - 1][unit]),
        hist_counts=counts,
        hist_edges=edges,
        gradient=float(np.linalg.norm(grads[layer - 1][:, unit])),
        dead=dead,
        saturated=saturated,
        flat_fraction=flat,
    )
