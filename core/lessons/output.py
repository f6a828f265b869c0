"""G24-G26, G29: the output activation and the loss are chosen together."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.charts.palette import CLASS_COLOURS
from core.lessons import base
from core.lessons.present import WIDE
from core.vocabulary import AUTO_OUTPUT, is_canonical


def stall_verdict(
    clipped: float, score: float, matched_score: float, clipped_min: float, worse_by: float
) -> str:
    """A mismatched pair should stall: at least ``clipped_min`` of its outputs clipped and
    a score at least ``worse_by`` below the matched pair's: holds; only worse: nuance;
    not worse: fails."""
    if clipped >= clipped_min and score <= matched_score - worse_by:
        return "holds"
    return "nuance" if score < matched_score else "fails"


def lesson_output() -> base.LessonResult:
    """G24-G26, G29: matched and mismatched output/loss pairs on three tasks."""
    spec = base.experiment("output")
    rows = []
    for group in spec["groups"]:
        for pair in group["pairs"]:
            model, data = base.fit(base.config_of(spec["base"], group["base"], pair))
            raw = model._forward_pass_fast(data.X_train, check_input=False)
            eps = np.finfo(raw.dtype).eps
            regression = data.task == "regression"
            rows.append(
                dict(
                    task=group["task"],
                    output=pair["output_activation"],
                    loss=pair["loss"],
                    matched=is_canonical(pair["output_activation"], pair["loss"])
                    and AUTO_OUTPUT[group["task"]] == pair["output_activation"],
                    test_score=base.score_on_test(model, data),
                    # Where each quantity means something: clipping under log-loss, the sum
                    # of the outputs for several classes, the output range for regression.
                    clipped=float(np.mean((raw <= eps) | (raw >= 1 - eps)))
                    if pair["loss"] == "log_loss"
                    else np.nan,
                    row_sum_error=float(np.abs(raw.sum(axis=1) - 1).mean())
                    if group["task"] == "multiclass"
                    else np.nan,
                    low=float(raw.min()) if regression else np.nan,
                    high=float(raw.max()) if regression else np.nan,
                    target_low=float(data.y_train.min()) if regression else np.nan,
                    target_high=float(data.y_train.max()) if regression else np.nan,
                )
            )
    table = pd.DataFrame(rows)
    checks, measurements = [], {}
    guidance = {"binary": ("G24",), "multiclass": ("G25",), "regression": ("G26",)}
    for task, part in table.groupby("task", sort=False):
        matched = part[part.matched].iloc[0]
        others = part[~part.matched]
        best_other = others.loc[others.test_score.idxmax()]
        diff = float(matched.test_score - best_other.test_score)
        verdict = base.gain_verdict(diff, spec["tie"])
        params = dict(
            matched=f"{matched.output} + {matched.loss}",
            score=base.num(matched.test_score),
            other=f"{best_other.output} + {best_other.loss}",
            other_score=base.num(best_other.test_score),
        )
        if task == "multiclass":
            params["row_sum_error"] = base.num(float(others.row_sum_error.max()))
        if task == "regression":
            params |= dict(
                low=base.num(float(best_other.low)),
                high=base.num(float(best_other.high)),
                target_low=base.num(float(matched.target_low)),
                target_high=base.num(float(matched.target_high)),
            )
        checks.append(base.Check(task, guidance[task] + ("G29",), verdict, params))
        for _, r in part.iterrows():
            measurements[f"{task}.{r.output}.{r.loss}"] = float(r.test_score)
    stalled = table[(table.loss == "log_loss") & ~table.output.isin(["logistic", "softmax"])]
    if len(stalled):
        r = stalled.iloc[0]
        matched = table[(table.task == r.task) & table.matched].iloc[0]
        stalls = stall_verdict(
            float(r.clipped),
            float(r.test_score),
            float(matched.test_score),
            spec["stall"]["clipped_min"],
            spec["stall"]["worse_by"],
        )
        checks.append(
            base.Check(
                "stall",
                ("G29",),
                stalls,
                dict(
                    output=str(r.output),
                    clipped=base.pct(float(r.clipped)),
                    score=base.num(float(r.test_score)),
                    matched=base.num(float(matched.test_score)),
                ),
            )
        )
        measurements["stalled_clipped"] = float(r.clipped)
    return base.LessonResult("output", ("G24", "G25", "G26", "G29"), measurements, checks, table)


# --- charts ---------------------------------------------------------------------------------


def output(result: base.LessonResult, text: base.Text) -> alt.TopLevelMixin:
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


base.register(
    base.Lesson("output", lesson_output, lambda r, text: [("lesson-output", output(r, text))])
)
