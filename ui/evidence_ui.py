"""The Evidence page's statement of today's activations against ReLU (GUIDANCE M8)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.evidence import TEST_POINT, modern_against_relu
from core.formatting import percent_text
from ui.i18n import t


def name(kind: str, key: str) -> str:
    """An activation's or a dataset's display name."""
    return t(f"common.{kind}.{key}")


def show_modern_against_relu(summary: pd.DataFrame, shown_init: str) -> None:
    """Per activation of today's practice: in how many cells it is better, worse or
    within the seed noise of ReLU, the cells past the noise in words, and every cell in
    a table."""
    st.header(t("evidence.modern.title"))
    st.caption(t("evidence.modern.help", point=percent_text(TEST_POINT, 1)))
    modern = modern_against_relu(summary, init=shown_init)
    if modern.empty:
        st.info(t("evidence.modern.missing"))
    else:
        for activation, cells in modern.groupby("activation", sort=False):
            counts = cells.verdict.value_counts()
            past = cells[cells.verdict != "within"]
            where = t("evidence.modern.joiner").join(
                t(
                    f"evidence.modern.{row.verdict}_at",
                    dataset=name("dataset", row.dataset),
                    depth=int(row.depth),
                    diff=f"{row.difference * 100:+.1f}",
                    noise=f"{row.noise * 100:.1f}",
                )
                for row in past.itertuples()
            )
            st.markdown(
                t(
                    "evidence.modern.line",
                    name=name("activation", activation),
                    better=int(counts.get("better", 0)),
                    worse=int(counts.get("worse", 0)),
                    within=int(counts.get("within", 0)),
                    cells=len(cells),
                )
                + (f" {where}" if where else "")
            )
        shown = modern.assign(
            activation=modern.activation.map(lambda a: name("activation", a)),
            dataset=modern.dataset.map(lambda d: name("dataset", d)),
            verdict=modern.verdict.map(lambda v: t(f"evidence.modern.{v}")),
            difference=(modern.difference * 100).round(1),
            noise=(modern.noise * 100).round(1),
            mean=(modern["mean"] * 100).round(1),
            baseline_mean=(modern.baseline_mean * 100).round(1),
        )[
            [
                "activation",
                "dataset",
                "depth",
                "mean",
                "baseline_mean",
                "difference",
                "noise",
                "verdict",
            ]
        ]
        with st.expander(t("evidence.modern.table")):
            st.dataframe(
                shown.rename(columns=lambda c: t(f"evidence.modern.col.{c}")),
                hide_index=True,
            )
