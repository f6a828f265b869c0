"""Evidence: each guidance claim next to the slice of a training sweep that tests it.

Opens on the shipped table (data/evidence.csv, made by ``python -m core.evidence``);
Recompute runs a smaller sweep here, with a progress bar.
"""

import streamlit as st

from core.charts.evidence import heatmap, spread_chart
from core.evidence import (
    EVIDENCE_CSV,
    MATCHED,
    RECOMPUTE_GRID,
    claims,
    load_runs,
    run_sweep,
    summarise,
    with_matched_inits,
)
from ui.evidence_ui import name, show_modern_against_relu
from ui.frame import page_frame
from ui.i18n import t
from ui.results import show_chart

page_frame("evidence")


@st.cache_data(show_spinner=False)
def shipped_runs():
    return load_runs(EVIDENCE_CSV)


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

summary, common_inits = with_matched_inits(summary)
st.header(t("evidence.overview"))
st.caption(t("evidence.overview_help"))
shown_init = st.selectbox(
    t("evidence.init"),
    common_inits,
    format_func=lambda i: t("evidence.init_matched" if i == MATCHED else f"config.init_name.{i}"),
    key="evidence_init",
)
show_chart(heatmap(summary[summary.init == shown_init], text=text, names=name), "evidence-overview")

show_modern_against_relu(summary, shown_init)

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
