"""Altair charts for the Lessons page, built from a ``LessonResult`` (no Streamlit).

``lesson_charts(result, text)`` returns ``[(key, chart), ...]`` for one lesson. ``text``
translates a key (``text("common.activation.relu")``) so titles and legends follow the
page's language; without it the keys' last parts are shown.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd

from core.charts.palette import CLASS_COLOURS
from core.charts.run import surface_chart
from core.lessons import LessonResult

Text = Callable[..., str]
SMALL = 250
WIDE = 420
# One colour per activation, the same on every lesson chart.
ACTIVATION_COLOURS = {
    "identity": "#7f7f7f",
    "logistic": "#d62728",
    "tanh": "#2ca02c",
    "relu": CLASS_COLOURS[1],
    "leaky_relu": "#9467bd",
    "softmax": "#8c564b",
}


def _plain(key: str, **params) -> str:
    return key.rsplit(".", 1)[-1]


def _title(text: Text, name: str) -> alt.TitleParams:
    """A chart title with a second line saying what the dashed lines and bands mean."""
    return alt.TitleParams(
        text(f"lessons.chart.{name}"), subtitle=text(f"lessons.chart.{name}_note")
    )


def _activation_scale(names, text: Text) -> alt.Scale:
    return alt.Scale(
        domain=[text(f"common.activation.{n}") for n in names],
        range=[ACTIVATION_COLOURS.get(n, "#333333") for n in names],
    )


def _label(frame: pd.DataFrame, text: Text, column: str = "activation") -> pd.DataFrame:
    frame = frame.copy()
    frame["label"] = [text(f"common.activation.{a}") for a in frame[column]]
    return frame


def surfaces(result: LessonResult, text: Text) -> list[tuple[str, alt.Chart]]:
    out = []
    for s in result.chart_data["surfaces"]:
        title = alt.TitleParams(
            [
                text(f"common.dataset.{s['dataset']}"),
                text(
                    "lessons.chart.surface",
                    activation=text(f"common.activation.{s['activation']}"),
                    score=f"{s['score']:.0%}",
                ),
            ]
        )
        out.append(
            (
                f"lesson-surface-{s['dataset']}-{s['activation']}",
                surface_chart(s["values"], s["data"], size=SMALL).properties(title=title),
            )
        )
    return out


def curves(result: LessonResult, text: Text) -> alt.LayerChart:
    data = result.chart_data["data"]
    points = pd.DataFrame(
        {
            "x": np.concatenate([data.X_train[:, 0], data.X_test[:, 0]]),
            "y": np.concatenate([data.y_train, data.y_test]),
        }
    )
    names = [c["activation"] for c in result.chart_data["curves"]]
    lines = _label(
        pd.concat(
            [
                pd.DataFrame(
                    {
                        "activation": c["activation"],
                        "x": c["x"],
                        "prediction": np.ravel(c["prediction"]),
                    }
                )
                for c in result.chart_data["curves"]
            ],
            ignore_index=True,
        ),
        text,
    )
    dots = (
        alt.Chart(points)
        .mark_circle(size=18, opacity=0.45, color="#555555")
        .encode(x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y"))
    )
    fit = (
        alt.Chart(lines)
        .mark_line(strokeWidth=3)
        .encode(
            x="x:Q",
            y="prediction:Q",
            color=alt.Color(
                "label:N",
                scale=_activation_scale(names, text),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
    )
    return alt.layer(dots, fit).properties(
        width=WIDE, height=300, title=text("lessons.chart.curves")
    )


def shape(result: LessonResult, text: Text) -> alt.LayerChart:
    c = result.chart_data["curve"]
    long = pd.DataFrame(
        {
            "x": np.concatenate([c["z"], c["z"]]),
            "y": np.concatenate([c["value"], c["slope"]]),
            "quantity": [text("lessons.chart.value")] * len(c["z"])
            + [text("lessons.chart.slope")] * len(c["z"]),
        }
    )
    lo, hi = float(c["z"].min()), float(c["z"].max())
    band = pd.DataFrame({"x": [lo, c["band"]], "x2": [-c["band"], hi]})
    shade = (
        alt.Chart(band)
        .mark_rect(color="#d62728", opacity=0.12)
        .encode(x=alt.X("x:Q", scale=alt.Scale(domain=[lo, hi], nice=False)), x2="x2:Q")
    )
    rules = (
        alt.Chart(pd.DataFrame({"x": [-c["comfortable"], c["comfortable"]]}))
        .mark_rule(strokeDash=[4, 4], color="#555555")
        .encode(x="x:Q")
    )
    lines = (
        alt.Chart(long)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("x:Q", title="x"),
            y=alt.Y("y:Q", title=None),
            color=alt.Color(
                "quantity:N",
                scale=alt.Scale(range=["#d62728", "#1f77b4"]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
    )
    return alt.layer(shade, rules, lines).properties(
        width=WIDE, height=260, title=_title(text, "shape")
    )


def losses(result: LessonResult, text: Text) -> alt.LayerChart:
    frame = _label(result.chart_data["losses"], text)
    names = list(dict.fromkeys(frame.activation))
    lines = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("epoch:Q", title=text("lessons.chart.epoch")),
            y=alt.Y("loss:Q", title=text("lessons.chart.train_loss"), scale=alt.Scale(type="log")),
            color=alt.Color(
                "label:N",
                scale=_activation_scale(names, text),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            detail="seed:N",
        )
    )
    target = (
        alt.Chart(pd.DataFrame({"y": [result.chart_data["target"]]}))
        .mark_rule(strokeDash=[4, 4], color="#555555")
        .encode(y="y:Q")
    )
    return alt.layer(lines, target).properties(width=WIDE, height=260, title=_title(text, "losses"))


def depth(result: LessonResult, text: Text) -> alt.LayerChart:
    table = result.table
    names = [c for c in table.columns if c != "depth"]
    long = _label(table.melt("depth", names, var_name="activation", value_name="ratio"), text)
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
                axis=alt.Axis(format=".0e", values=_decades(long.ratio, step=2)),
            ),
            color=alt.Color(
                "label:N",
                scale=_activation_scale(names, text),
                legend=alt.Legend(title=None, orient="bottom"),
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
        width=WIDE, height=280, title=_title(text, "depth")
    )


def _decades(values, step: int = 1) -> list[float]:
    """Every ``step``-th power of ten across the values (tick marks for a log axis)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    return [10.0**e for e in range(hi, lo - 1, -step)]


def _bars(
    frame: pd.DataFrame,
    value: str,
    title: str,
    text: Text,
    *,
    percent=False,
    group: str | None = None,
) -> alt.Chart:
    frame = _label(frame, text)
    names = list(dict.fromkeys(frame.activation))
    axis = alt.Axis(format=".0%") if percent else alt.Axis()
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=None),
            x=alt.X(f"{value}:Q", title=None, axis=axis),
            color=alt.Color("label:N", scale=_activation_scale(names, text), legend=None),
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


def relu(result: LessonResult, text: Text) -> list[tuple[str, alt.Chart]]:
    t = result.table
    timing = pd.concat(
        [
            pd.DataFrame(
                {"activation": t.activation, "ms": t[col], "what": text(f"lessons.chart.{col}")}
            )
            for col in ("forward_ms", "backward_ms")
        ],
        ignore_index=True,
    )
    runs = result.chart_data["runs"].groupby(["activation", "rate"], as_index=False).dead.mean()
    runs["what"] = [text(f"lessons.chart.{r}") for r in runs.rate]
    return [
        ("lesson-relu-epoch", _bars(t, "ms_per_epoch", text("lessons.chart.ms_per_epoch"), text)),
        (
            "lesson-relu-kernels",
            _bars(timing, "ms", text("lessons.chart.kernels"), text, group="what"),
        ),
        (
            "lesson-relu-dead",
            _bars(runs, "dead", text("lessons.chart.dead"), text, percent=True, group="what"),
        ),
    ]


def leaky(result: LessonResult, text: Text) -> list[tuple[str, alt.Chart]]:
    t = result.table
    shares = pd.concat(
        [
            pd.DataFrame(
                {"activation": t.activation, "share": t[col], "what": text(f"lessons.chart.{col}")}
            )
            for col in ("dead", "dormant")
        ],
        ignore_index=True,
    )
    return [
        (
            "lesson-leaky-dead",
            _bars(shares, "share", text("lessons.chart.units"), text, percent=True, group="what"),
        ),
        (
            "lesson-leaky-score",
            _bars(t, "test_score", text("lessons.chart.accuracy"), text, percent=True),
        ),
    ]


def output(result: LessonResult, text: Text) -> alt.Chart:
    t = result.table.copy()
    t["pair"] = [f"{text('lessons.task.' + r.task)}: {r.output} + {r.loss}" for r in t.itertuples()]
    t["kind"] = [text("lessons.chart.matched" if m else "lessons.chart.other") for m in t.matched]
    return (
        alt.Chart(t)
        .mark_bar()
        .encode(
            y=alt.Y("pair:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X(
                "test_score:Q", title=text("lessons.chart.score"), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=[text("lessons.chart.matched"), text("lessons.chart.other")],
                    range=[CLASS_COLOURS[1], "#bbbbbb"],
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["pair:N", alt.Tooltip("test_score:Q", format=".3f")],
        )
        .properties(
            width=WIDE,
            height=30 * len(t) + 110,  # Streamlit fits legend and axes
            title=text("lessons.chart.output"),
        )
    )  # inside this height


def lesson_charts(result: LessonResult, text: Text = _plain) -> list[tuple[str, alt.Chart]]:
    """The charts of one lesson as (container key, chart), in display order."""
    lesson = result.lesson
    if lesson == "linear":
        return surfaces(result, text)
    single = {"curves": curves, "sigmoid": shape, "tanh": losses, "depth": depth, "output": output}
    if lesson in single:
        return [(f"lesson-{lesson}", single[lesson](result, text))]
    if lesson == "relu":
        return relu(result, text)
    if lesson == "leaky":
        return leaky(result, text)
    return []


# --- text and tables --------------------------------------------------------------------------

VERDICT_ICONS = {"holds": "✅", "nuance": "⚠️", "fails": "❌"}
_TRANSLATED_PARAMS = {"dataset": "common.dataset", "best_activation": "common.activation"}


def check_text(lesson: str, check, text: Text = _plain) -> str:
    """The sentence reporting one check, numbers filled in, names translated."""
    params = {
        k: text(f"{_TRANSLATED_PARAMS[k]}.{v}") if k in _TRANSLATED_PARAMS else v
        for k, v in check.params.items()
    }
    return text(f"lessons.check.{lesson}.{check.key}", **params)


def _pct(v) -> str:
    return f"{v:.1%}"


_FORMATS: dict[str, Callable] = {
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
    "zero_share": _pct,
    "dead": _pct,
    "dormant": _pct,
    "clipped": _pct,
    "row_sum_error": "{:.3f}".format,
    "low": "{:.3f}".format,
    "high": "{:.3f}".format,
    "target_low": "{:.3f}".format,
    "target_high": "{:.3f}".format,
    "matched": lambda v: "✓" if v else "",
}
_PERCENT_SCORE = {"linear", "tanh", "leaky"}  # lessons whose test score is an accuracy


def display_table(result: LessonResult, text: Text = _plain) -> pd.DataFrame:
    """The lesson's table as strings: translated headers and names, formatted numbers,
    "–" for a value that does not apply."""
    table = result.table.copy()
    formats = dict(_FORMATS)
    if result.lesson in _PERCENT_SCORE:
        formats["test_score"] = _pct
    if result.lesson == "depth":
        formats.update({c: "{:.1e}".format for c in table.columns if c != "depth"})
        formats["depth"] = "{:d}".format
    for column in ("activation",):
        if column in table:
            table[column] = [text(f"common.activation.{v}") for v in table[column]]
    if "dataset" in table:
        table["dataset"] = [text(f"common.dataset.{v}") for v in table["dataset"]]
    if "task" in table:
        table["task"] = [text(f"lessons.task.{v}") for v in table["task"]]
    for column in list(table.columns):
        fmt = formats.get(column)
        if fmt is not None:
            table[column] = [
                fmt(v) if not (isinstance(v, float) and np.isnan(v)) else "–" for v in table[column]
            ]
    if result.lesson == "depth":  # one column per activation
        return table.rename(
            columns=lambda c: (
                text("lessons.col.depth") if c == "depth" else text(f"common.activation.{c}")
            )
        )
    return table.rename(columns=lambda c: text(f"lessons.col.{c}"))
