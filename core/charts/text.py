"""A chart in words: a short text alternative read from its Vega-Lite spec.

Screen readers get little from a canvas. Every chart the app draws is a Vega-Lite spec,
so one function can say what any of them shows: its title, what is plotted against
what, and the key numbers (each line's first and last value and its range; how many
points; that a picture covers the plane). The sentences come from ``words`` (the
caller's translations), so the text follows the interface language. No library
describes Vega-Lite specs in words, hence this small walker.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd

MAX_SERIES = 6  # lines named one by one; more are counted


def _title(node: Mapping) -> str:
    title = node.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title).strip() if title else ""


def _units(node: Mapping, data=None, datasets=None) -> Iterator[tuple[Mapping, pd.DataFrame]]:
    """Every single-view chart in ``node`` (through layers and concatenations) with the
    data it draws."""
    datasets = datasets if datasets is not None else node.get("datasets", {})
    data = node.get("data", data)
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in node.get(key, []):
            yield from _units(child, data, datasets)
    if isinstance(node.get("spec"), Mapping):  # a faceted chart: one panel per value
        yield from _units(node["spec"], data, datasets)
    if "mark" in node:
        yield node, _frame(data, datasets)


def _frame(data, datasets) -> pd.DataFrame:
    if not isinstance(data, Mapping):
        return pd.DataFrame()
    values = data["values"] if "values" in data else datasets.get(data.get("name"), [])
    return values if isinstance(values, pd.DataFrame) else pd.DataFrame(values)


def _channel(unit: Mapping, name: str) -> tuple[str | None, str]:
    """(field, title) of an encoding channel."""
    enc = unit.get("encoding", {}).get(name)
    if not isinstance(enc, Mapping):
        return None, ""
    field = enc.get("field")
    title = enc.get("title") or (enc.get("axis") or {}).get("title") or field or ""
    return field, str(title)


def _number(value: float) -> str:
    return f"{value:.3g}"


def describe(spec: Mapping, words: Mapping[str, str]) -> str:
    """What ``spec`` shows, in one or a few sentences built from ``words`` (keys:
    picture, lines, line, lines_more, points, cells)."""
    parts = []
    title = _title(spec)
    for unit, frame in _units(spec):
        mark = unit["mark"]
        kind = mark.get("type") if isinstance(mark, Mapping) else mark
        (_xf, xt), (yf, yt) = _channel(unit, "x"), _channel(unit, "y")
        colour, _ = _channel(unit, "color")
        title = title or _title(unit)
        if kind == "image":
            parts.append(words["picture"].format(x=xt, y=yt))
        elif kind in ("line", "area") and yf in frame and len(frame):
            parts.append(words["lines"].format(x=xt, y=yt))
            groups = frame.groupby(colour, sort=False) if colour in frame else [("", frame)]
            for i, (name, rows) in enumerate(groups):
                if i == MAX_SERIES:
                    parts.append(words["lines_more"].format(n=len(groups) - MAX_SERIES))
                    break
                ys = pd.to_numeric(rows[yf], errors="coerce").to_numpy(dtype=float)
                ys = ys[np.isfinite(ys)]
                if len(ys):
                    parts.append(
                        words["line"].format(
                            name=name,
                            first=_number(ys[0]),
                            last=_number(ys[-1]),
                            low=_number(ys.min()),
                            high=_number(ys.max()),
                        )
                    )
        elif kind == "rect" and colour in frame and len(frame):
            _, colour_title = _channel(unit, "color")
            parts.append(words["cells"].format(n=len(frame), colour=colour_title, x=xt, y=yt))
        elif kind in ("point", "circle", "square", "tick", "rect", "bar") and len(frame):
            parts.append(words["points"].format(n=len(frame), x=xt, y=yt))
    text = " ".join(dict.fromkeys(p.strip() for p in parts if p.strip()))  # no repeats
    if not title:
        return text
    return f"{title.rstrip('.')}. {text}".strip()
