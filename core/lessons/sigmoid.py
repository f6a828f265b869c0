"""G4-G7: sigmoid's shape, measured from the activation table."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.activations import get_activation
from core.diagnostics import FLAT_FRACTION_OF_PEAK
from core.explorer import flat_threshold
from core.lessons import base
from core.lessons.present import WIDE, chart_title


def _shape(name: str, spec: dict) -> dict:
    """Peak slope, slope shares at given points and the formula check, from the table."""
    act = get_activation(name)
    z = np.linspace(**spec["grid"])
    slope = act.derivative(z)
    peak = float(slope.max())
    h = 1e-5
    numeric = (act.fn(z + h) - act.fn(z - h)) / (2 * h)
    flat_from = flat_threshold(name, 1)  # the explorer's edge: |f'| below 1% of the peak
    return dict(
        act=act,
        z=z,
        value=act.fn(z),
        slope=slope,
        peak=peak,
        peak_at=float(z[np.argmax(slope)]),
        formula_error=float(np.abs(numeric - slope).max()),
        flat_from=float(flat_from) if flat_from is not None else np.nan,
        share=lambda x: float(act.derivative(np.array([-x, x])).max() / peak),
    )


def edge_verdict(edge: float, article: float, agree: float, near: float) -> str:
    """The measured flat edge against the article's number, as a relative gap: within
    ``agree`` holds, within ``near`` is a nuance, farther (or no edge) fails."""
    if not np.isfinite(edge):
        return "fails"
    gap = abs(edge - article) / article
    return "holds" if gap <= agree else "nuance" if gap <= near else "fails"


def flat_check(s: dict, spec: dict, guidance: tuple[str, ...], **params) -> base.Check:
    """The flat-zone check shared with the tanh lesson: the edge where |f'| falls below
    FLAT_FRACTION_OF_PEAK of its peak (a criterion fixed before looking, the one every
    page uses) against the article's number, honestly either way."""
    edge, article = s["flat_from"], float(spec["saturates_beyond"])
    return base.Check(
        "flat",
        guidance,
        edge_verdict(edge, article, spec["edge_agree"], spec["edge_near"]),
        dict(
            criterion=base.pct(FLAT_FRACTION_OF_PEAK),
            edge=base.num(edge, 2),
            beyond=f"{article:g}",
            gap=f"{abs(edge - article) / article:.1%}" if np.isfinite(edge) else "–",
            share=base.pct1(s["share"](article)),
            **params,
        ),
    )


def lesson_sigmoid() -> base.LessonResult:
    """G4-G7: measured from the activation table."""
    spec = base.experiment("sigmoid")
    s = _shape("logistic", spec)
    act = s["act"]
    share_far, share_near = s["share"](spec["saturates_beyond"]), s["share"](spec["comfortable"])
    big = [float(v) for v in act.fn(np.array(spec["same_inputs"]))]
    xs = np.arange(0.0, 60.0, 0.01)
    first_one = float(xs[np.argmax(act.fn(xs) == 1.0)])
    same = big[0] == big[1]
    checks = [
        base.Check(
            "formula",
            ("G4",),
            base.below_verdict(s["formula_error"], spec["formula_tol"], "fails"),
            dict(error=f"{s['formula_error']:.1e}"),
        ),
        base.Check(
            "peak",
            ("G7",),
            base.equal_verdict(s["peak"], spec["peak"], spec["peak_tol"]),
            dict(peak=f"{s['peak']:.12f}", at=base.num(s["peak_at"], 2)),
        ),
        flat_check(
            s,
            spec,
            ("G5", "G6", "G7"),
            near=f"{spec['comfortable']:g}",
            share_near=base.pct(share_near),
        ),
        base.Check(
            "same",
            ("G5",),
            base.equal_verdict(big[0], big[1], 0.0),
            dict(
                a=f"{spec['same_inputs'][0]:g}",
                b=f"{spec['same_inputs'][1]:g}",
                value_a=repr(big[0]),
                value_b=repr(big[1]),
                first_one=base.num(first_one, 2),
            ),
        ),
    ]
    measurements = dict(
        max_derivative=s["peak"],
        peak_at=s["peak_at"],
        share_at_saturation=share_far,
        share_at_comfortable=share_near,
        flat_from=s["flat_from"],
        formula_error=s["formula_error"],
        sigmoid_a=big[0],
        sigmoid_b=big[1],
        same=float(same),
        first_exact_one=first_one,
    )
    points = [0.0, spec["comfortable"], spec["saturates_beyond"], 10.0, *spec["same_inputs"]]
    table = pd.DataFrame(
        dict(x=points, value=act.fn(np.array(points)), derivative=act.derivative(np.array(points)))
    )
    table["share_of_peak"] = table.derivative / s["peak"]
    curve = dict(
        z=s["z"][::20],
        value=s["value"][::20],
        slope=s["slope"][::20],
        band=spec["saturates_beyond"],
        comfortable=spec["comfortable"],
    )
    return base.LessonResult(
        "sigmoid", ("G4", "G5", "G6", "G7"), measurements, checks, table, dict(curve=curve)
    )


# --- charts ---------------------------------------------------------------------------------


def shape(result: base.LessonResult, text: base.Text) -> alt.TopLevelMixin:
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
        width=WIDE, height=260, title=chart_title(text, "shape")
    )


base.register(
    base.Lesson("sigmoid", lesson_sigmoid, lambda r, text: [("lesson-sigmoid", shape(r, text))])
)
