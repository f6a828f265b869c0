"""M8 (with M2, M4-M6): GELU, SiLU, ELU and Mish against ReLU over weight seeds, on
Playground datasets; a difference counts only past the seed noise."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.evidence import noise_band
from core.lessons import base
from core.lessons.present import SMALL, activation_scale, label, pct_cell
from core.training import dataset_for


def noise_verdict(past_noise: int, comparisons: int) -> str:
    """ "Often within the seed noise": no comparison past it holds, fewer than half
    is a nuance, half or more fails."""
    if past_noise == 0:
        return "holds"
    return "nuance" if past_noise < comparisons / 2 else "fails"


def lesson_modern() -> base.LessonResult:
    spec = base.experiment("modern")
    baseline = spec["activations"][0]
    runs = []
    for name in spec["datasets"]:
        data = dataset_for(base.config_of(spec["base"], dataset=name))
        for activation in spec["activations"]:
            for seed in spec["seeds"]:
                config = base.config_of(
                    spec["base"], dataset=name, activation=activation, seed=seed
                )
                model, _ = base.fit(config, data)
                runs.append(
                    dict(
                        dataset=name,
                        activation=activation,
                        seed=seed,
                        test_score=base.score_on_test(model, data),
                        one_point=1.0 / len(data.y_test),
                    )
                )
    runs = pd.DataFrame(runs)
    rows = []
    for (name, activation), g in runs.groupby(["dataset", "activation"], sort=False):
        reference = runs[
            (runs.dataset == name) & (runs.activation == baseline)
        ].test_score.to_numpy()
        scores = g.test_score.to_numpy()
        diff = float(scores.mean() - reference.mean())
        noise = float(noise_band(np.ptp(scores), np.ptp(reference), float(g.one_point.iloc[0])))
        rows.append(
            dict(
                dataset=name,
                activation=activation,
                test_score=float(scores.mean()),
                spread=float(np.ptp(scores)),
                difference=diff if activation != baseline else np.nan,
                noise=noise if activation != baseline else np.nan,
                past_noise=bool(abs(diff) > noise) if activation != baseline else np.nan,
            )
        )
    table = pd.DataFrame(rows)
    compared = table[table.activation != baseline]
    past = compared[compared.past_noise.astype(bool)]
    best = compared.loc[compared.difference.idxmax()]
    worst = compared.loc[compared.difference.idxmin()]
    checks = [
        base.Check(
            "noise",
            ("M8",),
            noise_verdict(len(past), len(compared)),
            dict(
                past=str(len(past)),
                total=str(len(compared)),
                seeds=str(len(spec["seeds"])),
                best_activation=str(best.activation),
                best_dataset=str(best.dataset),
                best=f"{best.difference:+.1%}",
                best_noise=base.pct1(float(best.noise)),
                worst_activation=str(worst.activation),
                worst_dataset=str(worst.dataset),
                worst=f"{worst.difference:+.1%}",
                worst_noise=base.pct1(float(worst.noise)),
            ),
        ),
    ]
    measurements = {
        "past_noise": float(len(past)),
        "comparisons": float(len(compared)),
        **{f"{r.dataset}.{r.activation}": float(r.test_score) for r in table.itertuples()},
        **{
            f"difference.{r.dataset}.{r.activation}": float(r.difference)
            for r in compared.itertuples()
        },
        **{f"noise.{r.dataset}.{r.activation}": float(r.noise) for r in compared.itertuples()},
    }
    return base.LessonResult(
        "modern", ("M8", "M4", "M5", "M2", "M6"), measurements, checks, table, dict(runs=runs)
    )


# --- charts ---------------------------------------------------------------------------------


def strip(runs: pd.DataFrame, name: str, text: base.Text) -> alt.TopLevelMixin:
    frame = label(runs[runs.dataset == name], text)
    names = list(dict.fromkeys(frame.activation))
    return (
        alt.Chart(frame)
        .mark_circle(size=90, opacity=0.8)
        .encode(
            y=alt.Y("label:N", title=None, sort=None),
            x=alt.X(
                "test_score:Q",
                title=text("lessons.chart.accuracy"),
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(zero=False),
            ),
            color=alt.Color("label:N", scale=activation_scale(names, text), legend=None),
            tooltip=["label:N", "seed:N", alt.Tooltip("test_score:Q", format=".1%")],
        )
        .properties(width=SMALL, height=180, title=text(f"common.dataset.{name}"))
    )


def charts(result: base.LessonResult, text: base.Text) -> list[tuple[str, alt.TopLevelMixin]]:
    runs = result.chart_data["runs"]
    return [
        (f"lesson-modern-{name}", strip(runs, name, text)) for name in dict.fromkeys(runs.dataset)
    ]


base.register(
    base.Lesson(
        "modern",
        lesson_modern,
        charts,
        formats={
            "test_score": pct_cell,
            "spread": pct_cell,
            "difference": "{:+.1%}".format,
            "noise": pct_cell,
            "past_noise": lambda v: "✓" if v else "",
        },
    )
)
