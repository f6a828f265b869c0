"""G10-G12: tanh is zero-centred and reaches a target loss in fewer epochs than sigmoid."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.diagnostics import at_initialisation, forward_layers
from core.lessons.base import (
    Check,
    Lesson,
    LessonResult,
    Text,
    below_verdict,
    config_of,
    equal_verdict,
    experiment,
    fit_until,
    num,
    pct,
    pct1,
    register,
    score_on_test,
)
from core.lessons.present import WIDE, activation_scale, chart_title, label, pct_cell
from core.lessons.sigmoid import _shape


def faster_verdict(fast: np.ndarray, slow: np.ndarray) -> str:
    """Epoch counts per seed: holds when every fast run beats every slow one, nuance when
    only the means are ordered, fails otherwise."""
    if np.max(fast) < np.min(slow):
        return "holds"
    return "nuance" if np.mean(fast) < np.mean(slow) else "fails"


def _mean_hidden_activation(model, X) -> float:
    hidden = [a for _, a in forward_layers(model, X)[:-1]]
    return float(np.mean(np.concatenate([a.ravel() for a in hidden])))


def lesson_tanh() -> LessonResult:
    """G10-G12: shape from the table; zero-centring and epochs to a target loss, three seeds."""
    spec = experiment("tanh")
    s = _shape("tanh", spec)
    share_far = s["share"](spec["saturates_beyond"])
    rows, curves = [], []
    for act in ("tanh", "logistic"):
        for seed in spec["seeds"]:
            config = config_of(spec["base"], activation=act, seed=seed)
            model, data = fit_until(config, spec["target_loss"])
            start = at_initialisation(model, data.X_train, data.y_train)
            loss = np.asarray(model.loss_curve_)
            hit = np.flatnonzero(loss < spec["target_loss"])
            rows.append(
                dict(
                    activation=act,
                    seed=seed,
                    epochs_to_target=int(hit[0]) + 1 if hit.size else np.nan,
                    final_loss=float(loss[-1]),
                    mean_activation_start=_mean_hidden_activation(start, data.X_train),
                    mean_activation_end=_mean_hidden_activation(model, data.X_train),
                    test_score=score_on_test(model, data),
                )
            )
            curves.append(
                pd.DataFrame(
                    dict(activation=act, seed=seed, epoch=np.arange(1, len(loss) + 1), loss=loss)
                )
            )
    table = pd.DataFrame(rows)
    by = table.groupby("activation")
    max_epochs = config_of(spec["base"]).epochs
    # A run that never reached the target counts as needing more than max_epochs.
    epochs = {a: g.epochs_to_target.fillna(max_epochs + 1).to_numpy() for a, g in by}
    missed = {a: int(g.epochs_to_target.isna().sum()) for a, g in by}
    mean_end = by.mean_activation_end.mean()
    mean_start = by.mean_activation_start.mean()
    t, sg = epochs["tanh"], epochs["logistic"]
    faster = faster_verdict(t, sg)
    centred = (
        abs(mean_end["tanh"]) < spec["centred_tol"] and mean_end["logistic"] > spec["centred_tol"]
    )
    checks = [
        Check(
            "peak",
            ("G10", "G11"),
            equal_verdict(s["peak"], spec["peak"], spec["peak_tol"]),
            dict(peak=f"{s['peak']:.12f}"),
        ),
        Check(
            "flat",
            ("G11",),
            below_verdict(share_far, spec["flat_share"]),
            dict(
                beyond=f"{spec['saturates_beyond']:g}",
                share=pct1(share_far),
                limit=pct(spec["flat_share"]),
                flat_from=num(s["flat_from"], 1),
            ),
        ),
        Check(
            "centred",
            ("G11",),
            "holds" if centred else "nuance",
            dict(
                tanh_start=num(mean_start["tanh"]),
                tanh_end=num(mean_end["tanh"]),
                sigmoid_start=num(mean_start["logistic"]),
                sigmoid_end=num(mean_end["logistic"]),
            ),
        ),
        Check(
            "faster",
            ("G12",),
            faster,
            dict(
                target=f"{spec['target_loss']:g}",
                seeds=str(len(spec["seeds"])),
                tanh=f"{t.mean():.0f} ± {t.std():.0f}",
                sigmoid=f"{sg.mean():.0f} ± {sg.std():.0f}",
                tanh_range=f"{t.min():.0f}–{t.max():.0f}",
                sigmoid_range=f"{sg.min():.0f}–{sg.max():.0f}",
                speedup=f"{sg.mean() / t.mean():.1f}",
                missed=str(missed["tanh"] + missed["logistic"]),
            ),
        ),
    ]
    measurements = dict(
        max_derivative=s["peak"],
        share_at_saturation=share_far,
        mean_tanh=float(mean_end["tanh"]),
        mean_sigmoid=float(mean_end["logistic"]),
        mean_tanh_start=float(mean_start["tanh"]),
        mean_sigmoid_start=float(mean_start["logistic"]),
        epochs_tanh=float(t.mean()),
        epochs_tanh_std=float(t.std()),
        epochs_sigmoid=float(sg.mean()),
        epochs_sigmoid_std=float(sg.std()),
        missed=float(missed["tanh"] + missed["logistic"]),
    )
    return LessonResult(
        "tanh",
        ("G10", "G11", "G12"),
        measurements,
        checks,
        table,
        dict(losses=pd.concat(curves, ignore_index=True), target=spec["target_loss"]),
    )


# --- charts ---------------------------------------------------------------------------------


def losses(result: LessonResult, text: Text) -> alt.LayerChart:
    frame = label(result.chart_data["losses"], text)
    names = list(dict.fromkeys(frame.activation))
    lines = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("epoch:Q", title=text("lessons.chart.epoch")),
            y=alt.Y("loss:Q", title=text("lessons.chart.train_loss"), scale=alt.Scale(type="log")),
            color=alt.Color(
                "label:N",
                scale=activation_scale(names, text),
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
    return alt.layer(lines, target).properties(
        width=WIDE, height=260, title=chart_title(text, "losses")
    )


register(
    Lesson(
        "tanh",
        lesson_tanh,
        lambda r, text: [("lesson-tanh", losses(r, text))],
        formats={"test_score": pct_cell, "seed": "{:d}".format},
    )
)
