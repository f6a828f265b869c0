"""G21, G22: Leaky ReLU keeps units alive where ReLU loses them."""

from __future__ import annotations

import altair as alt

from core.lessons import base
from core.lessons.present import bars, pct_cell, stacked
from core.lessons.relu import high_rate_runs


def alive_verdict(negative_units: int, silent_units: int) -> str:
    """The claim is about leaky units negative on every sample: they must still get a
    gradient. Some such units, none silent: holds; none at all: nuance (nothing to
    test); any of them without gradient: fails."""
    if silent_units > 0:
        return "fails"
    return "holds" if negative_units > 0 else "nuance"


def lesson_leaky() -> base.LessonResult:
    """G21, G22: the relu lesson's high-rate runs again, with relu and with leaky_relu."""
    spec = base.experiment("leaky")
    runs = high_rate_runs(spec["activations"], rate_names=("high_rate",))
    mean = (
        runs.groupby("activation")[["dead", "dormant", "test_score"]]
        .mean()
        .loc[spec["activations"]]
    )  # in the lesson's order: relu first
    relu, leaky = mean.loc["relu"], mean.loc["leaky_relu"]
    totals = runs.groupby("activation")[["dormant_units", "silent_units"]].sum()
    negative = int(totals.dormant_units["leaky_relu"])
    silent = int(totals.silent_units["leaky_relu"])
    share = float(runs[runs.activation == "leaky_relu"].dormant_grad.median())
    alive = alive_verdict(negative, silent)
    gain = float(leaky.test_score - relu.test_score)
    helps = base.gain_verdict(gain, spec["better_by"])
    checks = [
        base.Check(
            "alive",
            ("G21", "G22"),
            alive,
            dict(
                relu=base.pct(relu.dead),
                relu_units=str(int(totals.dormant_units["relu"])),
                relu_silent=str(int(totals.silent_units["relu"])),
                negative=str(negative),
                silent=str(silent),
                share=base.pct1(share) if negative else "–",
            ),
        ),
        base.Check(
            "accuracy",
            ("G21",),
            helps,
            dict(
                relu=base.pct1(relu.test_score),
                leaky=base.pct1(leaky.test_score),
                gain=f"{gain:+.1%}",
            ),
        ),
    ]
    table = mean.reset_index()
    measurements = dict(
        dead_relu=float(relu.dead),
        dead_leaky=float(leaky.dead),
        dormant_leaky=float(leaky.dormant),
        negative_units_leaky=float(negative),
        silent_units_leaky=float(silent),
        silent_units_relu=float(totals.silent_units["relu"]),
        negative_units_relu=float(totals.dormant_units["relu"]),
        negative_gradient_share=share,
        score_relu=float(relu.test_score),
        score_leaky=float(leaky.test_score),
    )
    return base.LessonResult("leaky", ("G21", "G22"), measurements, checks, table, dict(runs=runs))


# --- charts ---------------------------------------------------------------------------------


def leaky(result: base.LessonResult, text: base.Text) -> list[tuple[str, alt.TopLevelMixin]]:
    t = result.table
    shares = stacked(t, ("dead", "dormant"), "share", text)
    return [
        (
            "lesson-leaky-dead",
            bars(shares, "share", text("lessons.chart.units"), text, percent=True, group="what"),
        ),
        (
            "lesson-leaky-score",
            bars(t, "test_score", text("lessons.chart.accuracy"), text, percent=True),
        ),
    ]


base.register(base.Lesson("leaky", lesson_leaky, leaky, formats={"test_score": pct_cell}))
