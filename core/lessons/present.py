"""What the lessons share on screen (no Streamlit): chart helpers, the sentence of a
check, the formatted table, and ``lesson_charts`` / ``display_table`` that look the
lesson up in the registry.

``text`` translates a key (``text("common.activation.relu")``) so titles and legends
follow the page's language; without it the keys' last parts are shown.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.schemapi import UndefinedType

from core.charts.palette import ACTIVATION_COLOURS, variant_colour
from core.lessons.base import LessonResult, Text, registry

SMALL = 250
WIDE = 420


def plain(key: str, **params) -> str:
    return key.rsplit(".", 1)[-1]


def chart_title(text: Text, name: str) -> alt.TitleParams:
    """A chart title with a second line saying what the dashed lines and bands mean."""
    return alt.TitleParams(
        text(f"lessons.chart.{name}"), subtitle=text(f"lessons.chart.{name}_note")
    )


def activation_scale(names, text: Text) -> alt.Scale:
    return alt.Scale(
        domain=[text(f"common.activation.{n}") for n in names],
        range=[ACTIVATION_COLOURS[n] for n in names],
    )


def variant_scale(names, text: Text, prefix: str) -> alt.Scale:
    """Colours for variants of one setting (starting-weight schemes): the palette's
    variant colours in order, labelled ``text("<prefix>.<name>")``."""
    return alt.Scale(
        domain=[text(f"{prefix}.{n}") for n in names],
        range=[variant_colour(i) for i in range(len(names))],
    )


def init_lines(
    frame: pd.DataFrame,
    column: str,
    inits: list[str],
    text: Text,
    y_scale: alt.Scale | UndefinedType = alt.Undefined,
) -> alt.Chart:
    """``column`` layer by layer, one line per starting-weight scheme (``frame.init``,
    coloured in the order of ``inits``)."""
    frame = frame.copy()
    frame["label"] = [text(f"config.init_name.{i}") for i in frame.init]
    return (
        alt.Chart(frame)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("layer:O", title=text("lessons.chart.layer"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{column}:Q", title=None, scale=y_scale),
            color=alt.Color(
                "label:N",
                scale=variant_scale(inits, text, "config.init_name"),
                legend=alt.Legend(title=None, orient="bottom", labelLimit=300),
            ),
        )
    )


def label(frame: pd.DataFrame, text: Text, column: str = "activation") -> pd.DataFrame:
    frame = frame.copy()
    frame["label"] = [text(f"common.activation.{a}") for a in frame[column]]
    return frame


def decades(values, step: int = 1) -> list[float]:
    """Every ``step``-th power of ten across the values (tick marks for a log axis)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    return [10.0**e for e in range(hi, lo - 1, -step)]


def stacked(table: pd.DataFrame, columns, value: str, text: Text) -> pd.DataFrame:
    """Columns of a table with one row per activation, stacked into one ``value``
    column, with ``what`` naming the column each row came from: the frame of grouped
    ``bars``."""
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "activation": table.activation,
                    value: table[column],
                    "what": text(f"lessons.chart.{column}"),
                }
            )
            for column in columns
        ],
        ignore_index=True,
    )


def bars(
    frame: pd.DataFrame,
    value: str,
    title: str,
    text: Text,
    *,
    percent=False,
    group: str | None = None,
) -> alt.Chart:
    frame = label(frame, text)
    names = list(dict.fromkeys(frame.activation))
    axis = alt.Axis(format=".0%") if percent else alt.Axis()
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=None),
            x=alt.X(f"{value}:Q", title=None, axis=axis),
            color=alt.Color("label:N", scale=activation_scale(names, text), legend=None),
        )
    )
    if group:
        chart = chart.encode(
            yOffset=alt.YOffset(f"{group}:N"),
            opacity=alt.Opacity(
                f"{group}:N",
                scale=alt.Scale(range=[0.45, 1.0]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
    return chart.properties(width=SMALL, height=200, title=title)


def ratio_by_depth(
    long: pd.DataFrame,
    result: LessonResult,
    text: Text,
    scale: alt.Scale,
    lesson: str,
) -> alt.LayerChart:
    """First-layer / last-layer gradient ratio against depth on a log axis, one line per
    ``label`` of ``long`` (depth, ratio, label) coloured by ``scale``, with the vanished
    threshold (dashed) and the article's depth (dotted) from ``result.chart_data``."""
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
                scale=scale,
                legend=alt.Legend(title=None, orient="bottom", labelLimit=300),
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
        width=WIDE, height=280, title=chart_title(text, lesson)
    )


def lesson_charts(result: LessonResult, text: Text = plain) -> list[tuple[str, alt.TopLevelMixin]]:
    """The charts of one lesson as (container key, chart), in display order."""
    return registry()[result.lesson].charts(result, text)


# --- text and tables --------------------------------------------------------------------------

VERDICT_ICONS = {"holds": "✅", "nuance": "⚠️", "fails": "❌"}
_TRANSLATED_PARAMS = {
    "dataset": "common.dataset",
    "best_activation": "common.activation",
    "best_dataset": "common.dataset",
    "worst_activation": "common.activation",
    "worst_dataset": "common.dataset",
}


def check_text(lesson: str, check, text: Text = plain) -> str:
    """The sentence reporting one check, numbers filled in, names translated."""
    params = {
        k: text(f"{_TRANSLATED_PARAMS[k]}.{v}") if k in _TRANSLATED_PARAMS else v
        for k, v in check.params.items()
    }
    return text(f"lessons.check.{lesson}.{check.key}", **params)


def pct_cell(v) -> str:
    return f"{v:.1%}"


FORMATS: dict[str, Callable] = {
    "test_score": "{:.3f}".format,
    "layers": "{:d}".format,
    "seed": "{:d}".format,
    "epochs_to_target": "{:.0f}".format,
    "final_loss": "{:.3f}".format,
    "mean_activation_start": "{:+.3f}".format,
    "mean_activation_end": "{:+.3f}".format,
    "x": "{:g}".format,
    "value": "{:.12g}".format,
    "derivative": "{:.3e}".format,
    "share_of_peak": "{:.2%}".format,
    "ms_per_epoch": "{:.2f}".format,
    "forward_ms": "{:.2f}".format,
    "backward_ms": "{:.2f}".format,
    "zero_share": pct_cell,
    "dead": pct_cell,
    "dormant": pct_cell,
    "clipped": pct_cell,
    "row_sum_error": "{:.3f}".format,
    "low": "{:.3f}".format,
    "high": "{:.3f}".format,
    "target_low": "{:.3f}".format,
    "target_high": "{:.3f}".format,
    "matched": lambda v: "✓" if v else "",
}


def display_table(result: LessonResult, text: Text = plain) -> pd.DataFrame:
    """The lesson's table as strings: translated headers and names, formatted numbers,
    "–" for a value that does not apply."""
    lesson = registry()[result.lesson]
    table = result.table.copy()
    formats = {**FORMATS, **lesson.formats}
    for column, prefix in (
        ("activation", "common.activation"),
        ("dataset", "common.dataset"),
        ("task", "lessons.task"),
        ("init", "config.init_name"),
    ):
        if column in table:
            table[column] = [text(f"{prefix}.{v}") for v in table[column]]
    for column in list(table.columns):
        fmt = formats.get(column, lesson.other_columns)
        if fmt is not None:
            table[column] = [
                fmt(v) if not (isinstance(v, float) and np.isnan(v)) else "–" for v in table[column]
            ]
    header = lesson.header or (lambda c, text: text(f"lessons.col.{c}"))
    return table.rename(columns=lambda c: header(c, text))
