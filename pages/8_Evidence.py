"""Evidence: each guidance claim next to the slice of a training sweep that tests it.

Opens on the shipped table (data/evidence.csv, made by ``python -m core.evidence``);
Recompute runs a smaller sweep here, with a progress bar.
"""

import streamlit as st

from core.charts.evidence import heatmap, spread_chart
from core.evidence import (
    EVIDENCE_CSV,
    RECOMPUTE_GRID,
    TEST_POINT,
    claims,
    load_runs,
    modern_against_relu,
    run_sweep,
    summarise,
)
from core.formatting import percent_text
from ui.frame import page_frame
from ui.i18n import t
from ui.results import show_chart

page_frame("evidence")
st.title(t("evidence.title"))
st.caption(t("evidence.intro"))


@st.cache_data(show_spinner=False)
def shipped_runs():
    return load_runs(EVIDENCE_CSV)


def name(kind: str, key: str) -> str:
    return t(f"common.{kind}.{key}")


with st.expander(t("evidence.recompute.header")):
    st.markdown(t("evidence.recompute.how", seeds=len(RECOMPUTE_GRID.seeds)))
    chosen = st.multiselect(
        t("evidence.recompute.datasets"),
        RECOMPUTE_GRID.datasets,
        default=list(RECOMPUTE_GRID.datasets),
        format_func=lambda d: name("dataset", d),
        key="evidence_datasets",
    )
    grid = RECOMPUTE_GRID.replace(datasets=tuple(chosen)) if chosen else None
    st.caption(t("evidence.recompute.size", n=grid.size if grid else 0))
    if st.button(t("evidence.recompute.button"), key="recompute", disabled=grid is None) and grid:
        bar = st.progress(0.0, text=t("evidence.recompute.progress", done=0, total=grid.size))

        def show_progress(done: int, total: int) -> None:
            bar.progress(
                done / total, text=t("evidence.recompute.progress", done=done, total=total)
            )

        try:
            table = run_sweep(grid, on_progress=show_progress)
        except (ValueError, OSError, RuntimeError) as err:
            st.error(t("evidence.recompute.failed", error=str(err)))
        else:
            st.session_state["evidence_recomputed"] = table
            st.session_state["evidence_source"] = "recomputed"
            st.success(
                t(
                    "evidence.recompute.done",
                    n=len(table),
                    seconds=f"{table.attrs.get('seconds', 0):.0f}",
                )
            )
        bar.empty()

try:
    runs = shipped_runs()
except (OSError, ValueError) as err:
    st.error(t("evidence.no_table", error=str(err)))
    st.stop()

if st.session_state.get("evidence_recomputed") is not None:
    source = st.radio(
        t("evidence.source"),
        ["shipped", "recomputed"],
        horizontal=True,
        format_func=lambda s: t(f"evidence.source_{s}"),
        key="evidence_source",
    )
    if source == "recomputed":
        runs = st.session_state["evidence_recomputed"]

summary = summarise(runs)
first = runs.iloc[0]
st.info(
    t(
        "evidence.about",
        runs=len(runs),
        cells=len(summary),
        seeds=runs.seed.nunique(),
        width=int(first.width),
        lr=f"{first.learning_rate:g}",
        epochs=int(first.epochs),
        n_samples=int(first.n_samples),
    )
)
text = {
    k: t(f"evidence.axis.{k}") for k in ("dataset", "activation", "depth", "accuracy", "spread")
}

# Schemes every activation was trained under (the matched extras cover a few only).
common_inits = [
    i
    for i in dict.fromkeys(summary.init)
    if summary[summary.init == i].activation.nunique() == summary.activation.nunique()
]
st.header(t("evidence.overview"))
st.caption(t("evidence.overview_help"))
shown_init = st.selectbox(
    t("evidence.init"),
    common_inits,
    format_func=lambda i: t(f"config.init_name.{i}"),
    key="evidence_init",
)
show_chart(heatmap(summary[summary.init == shown_init], text=text, names=name), "evidence-overview")

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
    )[["activation", "dataset", "depth", "mean", "baseline_mean", "difference", "noise", "verdict"]]
    with st.expander(t("evidence.modern.table")):
        st.dataframe(
            shown.rename(columns=lambda c: t(f"evidence.modern.col.{c}")),
            hide_index=True,
        )

found = claims(summary, name)
summary = summary[summary.init == "auto"]  # the claims' charts: the scheme they read
if not found:
    st.warning(t("evidence.missing_claims"))
for claim in found:
    st.subheader(t(f"evidence.claims.{claim.id}.title"))
    st.markdown(f"**{t('evidence.guidance')}** · {t(f'evidence.claims.{claim.id}.guidance')}")
    verdict = t("evidence.supported" if claim.supported else "evidence.not_supported")
    (st.success if claim.supported else st.warning)(
        f"{verdict} {t(f'evidence.claims.{claim.id}.measured', **claim.params)}"
    )
    tab_heat, tab_spread = st.tabs([t("evidence.tab_heatmap"), t("evidence.tab_spread")])
    with tab_heat:
        show_chart(
            heatmap(summary, claim.datasets, claim.activations, text=text, names=name),
            f"heatmap-{claim.id}",
        )
    with tab_spread:
        show_chart(
            spread_chart(summary, claim.datasets, claim.activations, text=text, names=name),
            f"spread-{claim.id}",
        )
