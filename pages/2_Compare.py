"""Compare: the Playground's experiment with several activation choices side by side,
each trained with several weight seeds on the same data."""

from concurrent.futures import BrokenExecutor
from urllib.parse import urlencode

import streamlit as st

from core import compare as cmp
from core.charts.compare import loss_chart
from ui.compare_ui import (
    activation_text,
    comparison_controls,
    loss_text,
    run_comparison,
    show_surfaces,
    variant_labels,
)
from ui.config_ui import current_config, load_from_url, write_config_url
from ui.frame import page_frame
from ui.i18n import t
from ui.results import show_chart
from ui.takeaway import comparison_downloads

page_frame("compare")

for warning in load_from_url():
    st.warning(warning)
base = current_config()
write_config_url(base)

base_out, base_loss = cmp.resolved_pair(base)
st.markdown(
    t(
        "compare.base",
        dataset=t(f"common.dataset.{base.dataset}"),
        n=base.n_samples,
        layers=", ".join(map(str, base.hidden_layers)) or "–",
        hidden=activation_text(base.activation, base.task),
        output=activation_text(base_out, base.task),
        loss=loss_text(base_loss),
        solver=t(f"config.solver_name.{base.solver}"),
        lr=f"{base.learning_rate:g}",
        epochs=base.epochs,
    )
)
st.page_link("pages/1_Playground.py", label=t("compare.change_base"), icon="🧪")

variants, n_seeds, target = comparison_controls(base)
seeds = cmp.seed_list(base, int(n_seeds))
runs = len(variants) * len(seeds)
if not variants:
    st.info(t("compare.nothing_chosen"))
elif runs > cmp.MAX_RUNS:
    st.warning(t("compare.too_many", limit=cmp.MAX_RUNS))
else:
    st.caption(t("compare.runs_count", variants=len(variants), seeds=len(seeds), runs=runs))
key = (urlencode(sorted(base.to_query().items())), tuple(v.id for v in variants), seeds)
if st.button(
    t("compare.run"),
    type="primary",
    key="compare-run",
    disabled=not variants or runs > cmp.MAX_RUNS,
):
    try:
        st.session_state["compare.result"] = (key, run_comparison(*key, _text=t("compare.running")))
    except ValueError as err:
        st.error(t("compare.failed", error=str(err)))
    except BrokenExecutor as err:  # a training worker died (killed, out of memory)
        st.error(t("common.worker_failed", error=str(err)))

if "compare.result" not in st.session_state:
    st.info(t("compare.press_run"))
    st.stop()
shown_key, result = st.session_state["compare.result"]
if shown_key != key:
    st.caption(t("compare.stale"))
labels = variant_labels(result)
summary = cmp.summarise(result, target or None)

verdicts = [
    t(f"compare.verdict.{k}", **p) for k, p in cmp.verdict(summary, result.task, labels.__getitem__)
]
with st.container(key="compare-verdict", border=True):
    st.markdown(f"#### {t('compare.verdict_title')}")
    for line in verdicts:
        st.markdown(line)

st.subheader(t("compare.surfaces"))
st.caption(t("compare.surfaces_help", seed=result.seeds[0]))
with st.container(key="compare-surfaces"):
    show_surfaces(result, labels)

st.subheader(t("compare.curves"))
st.caption(t("compare.curves_help"))
curves = cmp.curves(result)
titles = {k: t(f"compare.chart.{k}") for k in ("train", "test", "epoch", "loss", "variant")}
with st.container(key="compare-loss"):
    for loss, group in curves.groupby("loss", sort=False):
        if curves.loss.nunique() > 1:
            st.markdown(t("compare.curves_group", loss=loss_text(loss)))
        show_chart(loss_chart(group, labels, titles), f"compare-loss-{loss}")

st.subheader(t("compare.table_title"))
targets = ", ".join(
    f"{loss_text(loss)} {value:.3g}"
    for loss, value in summary.groupby("loss").target.first().items()
)
st.caption(t("compare.table_help", seeds=len(result.seeds), targets=targets))
with st.container(key="compare-table"):
    shown_table = cmp.table(summary, result.task, labels.__getitem__, lambda k: t(f"compare.{k}"))
    st.dataframe(shown_table, hide_index=True)
comparison_downloads(result, labels, shown_table, verdicts)
