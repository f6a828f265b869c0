"""M3: SELU keeps every layer near mean 0 and variance 1 by itself with LeCun-normal
weights; other initialisations lose it."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.diagnostics import at_initialisation, forward_layers
from core.lessons import base
from core.lessons.present import SMALL, init_lines
from core.training import build_estimator, dataset_for


def layers_outside(means, variances, mean_tol: float, band: tuple[float, float]) -> int:
    """How many layers sit outside "near mean 0, variance 1"."""
    means, variances = np.asarray(means), np.asarray(variances)
    outside = (np.abs(means) > mean_tol) | (variances < band[0]) | (variances > band[1])
    return int(outside.sum())


def normalises_verdict(matched_outside: int, others_outside: list[int]) -> str:
    """Every layer near (0, 1) under the matched init and some layer off under every
    other: holds; matched fine but another init fine too: nuance (the difference is
    not shown); a layer off under the matched init: fails."""
    if matched_outside:
        return "fails"
    return "holds" if all(n > 0 for n in others_outside) else "nuance"


def lesson_selu() -> base.LessonResult:
    spec = base.experiment("selu")
    data = dataset_for(base.config_of(spec["base"]))
    layers = ",".join([str(spec["width"])] * spec["depth"])
    rows = []
    for init in spec["inits"]:
        per_seed = []
        for seed in spec["seeds"]:
            config = base.config_of(spec["base"], init=init, seed=seed, hidden_layers=layers)
            start = at_initialisation(
                build_estimator(config, data.task), data.X_train, data.y_train
            )
            hidden = [a for _, a in forward_layers(start, data.X_train)[:-1]]
            per_seed.append([(float(a.mean()), float(a.var())) for a in hidden])
        stats = np.mean(per_seed, axis=0)  # layers x (mean, variance), over seeds
        for layer, (mean, variance) in enumerate(stats, 1):
            rows.append(dict(init=init, layer=layer, mean=mean, variance=variance))
    table = pd.DataFrame(rows)
    band = tuple(spec["variance_band"])
    outside = {
        i: layers_outside(g["mean"], g["variance"], spec["mean_tol"], band)
        for i, g in table.groupby("init", sort=False)
    }
    matched, others = spec["inits"][0], spec["inits"][1:]
    last = table[table.layer == spec["depth"]].set_index("init")
    checks = [
        base.Check(
            "normalises",
            ("M3", "M1"),
            normalises_verdict(outside[matched], [outside[i] for i in others]),
            dict(
                depth=str(spec["depth"]),
                mean_tol=f"{spec['mean_tol']:g}",
                low=f"{band[0]:g}",
                high=f"{band[1]:g}",
                lecun=str(outside[matched]),
                glorot=str(outside.get("glorot_normal", 0)),
                he=str(outside.get("he_normal", 0)),
                lecun_var=base.num(float(last.variance[matched]), 2),
                glorot_var=base.num(float(last.variance.get("glorot_normal", np.nan)), 2),
                he_var=base.num(float(last.variance.get("he_normal", np.nan)), 2),
                first_glorot=base.num(
                    float(
                        table[(table.init == "glorot_normal") & (table.layer == 1)].variance.iloc[0]
                    )
                    if "glorot_normal" in outside
                    else np.nan,
                    2,
                ),
            ),
        ),
    ]
    measurements = {
        **{f"outside.{i}": float(n) for i, n in outside.items()},
        **{
            f"{q}.{r.init}.layer{r.layer}": float(getattr(r, q))
            for r in table.itertuples()
            for q in ("mean", "variance")
        },
    }
    return base.LessonResult(
        "selu",
        ("M3", "M1"),
        measurements,
        checks,
        table,
        dict(band=band, mean_tol=spec["mean_tol"]),
    )


# --- charts ---------------------------------------------------------------------------------


def per_layer(result: base.LessonResult, column: str, text: base.Text) -> alt.TopLevelMixin:
    inits = list(dict.fromkeys(result.table.init))
    if column == "mean":
        low, high = -result.chart_data["mean_tol"], result.chart_data["mean_tol"]
    else:
        low, high = result.chart_data["band"]
    band = (
        alt.Chart(pd.DataFrame({"y": [low], "y2": [high]}))
        .mark_rect(color="#009e73", opacity=0.15)
        .encode(y="y:Q", y2="y2:Q")
    )
    lines = init_lines(result.table, column, inits, text)
    return alt.layer(band, lines).properties(
        width=SMALL + 60, height=240, title=text(f"lessons.chart.selu_{column}")
    )


base.register(
    base.Lesson(
        "selu",
        lesson_selu,
        lambda r, text: [(f"lesson-selu-{c}", per_layer(r, c, text)) for c in ("mean", "variance")],
        formats={"layer": "{:d}".format, "mean": "{:+.3f}".format, "variance": "{:.3f}".format},
    )
)
