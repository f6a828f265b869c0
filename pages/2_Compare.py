"""Compare: the Playground's experiment with several activation choices side by side,
each trained with several weight seeds on the same data."""

from concurrent.futures import BrokenExecutor
from urllib.parse import parse_qsl, urlencode

import streamlit as st

from core import compare as cmp
from core.charts.compare import loss_chart, small_multiple
from core.charts.run import output_chart
from core.config import MAX_TRAIN_SECONDS, TrainConfig
from ui.config_ui import activation_label, current_config, load_from_url, write_config_url
from ui.frame import page_frame
from ui.i18n import t
from ui.results import show_chart
from ui.state import kept
from ui.takeaway import comparison_downloads
from ui.widgets import draw, many

page_frame("compare")
st.title(t("compare.title"))
st.caption(t("compare.intro"))

for warning in load_from_url():
    st.warning(warning)
base = current_config()
write_config_url(base)


def act(name: str, task: str = base.task) -> str:
    two_units = (name, task) == ("softmax", "binary")
    return t("compare.softmax_two") if two_units else activation_label(name)


def loss_name(name: str) -> str:
    return t(f"compare.loss_short.{name}")


def pair_label(pair: str) -> str:
    out, loss = pair.split("+")
    standard = f" ({t('compare.standard')})" if cmp.is_standard_pair(base.task, out, loss) else ""
    return f"{act(out)} + {loss_name(loss)}{standard}"


def kept_choice(name: str, default, options=None) -> dict:
    """A control whose value survives page switches; kept choices no longer offered
    (output pairs of another task, after a dataset change) are dropped."""
    clean = None if options is None else (lambda value: [v for v in value if v in options])
    return kept(f"w.compare.{name}", default, name=f"compare.{name}", clean=clean)


@st.cache_data(show_spinner=False, max_entries=24)
def run_comparison(query: str, variant_ids: tuple[str, ...], seeds: tuple[int, ...], _text: str):
    config, _ = TrainConfig.from_query(dict(parse_qsl(query, keep_blank_values=True)), strict=True)
    total = len(variant_ids) * len(seeds)
    bar = st.progress(0.0, text=_text.format(done=0, total=total))
    try:
        return cmp.compare(
            config,
            [cmp.Variant.from_id(v) for v in variant_ids],
            seeds,
            lambda done, n: bar.progress(done / n, _text.format(done=done, total=n)),
            time_budget=MAX_TRAIN_SECONDS,
            in_workers=True,
        )
    finally:
        bar.empty()


base_out, base_loss = cmp.resolved_pair(base)
st.markdown(
    t(
        "compare.base",
        dataset=t(f"common.dataset.{base.dataset}"),
        n=base.n_samples,
        layers=", ".join(map(str, base.hidden_layers)) or "–",
        hidden=act(base.activation),
        output=act(base_out),
        loss=loss_name(base_loss),
        solver=base.solver,
        lr=f"{base.learning_rate:g}",
        epochs=base.epochs,
    )
)
st.page_link("pages/1_Playground.py", label=t("compare.change_base"), icon="🧪")

pair_options = ["+".join(p) for p in cmp.output_pairs(base.task)]
left, middle, right, far = st.columns([2, 2, 1, 1])
activations = many(base, "activation")  # the Playground's choices, as a multiselect
hidden = draw(
    activations,
    container=left,
    label_text=t("compare.hidden"),
    format_func=act,
    help=t("compare.hidden_help"),
    placeholder=t("compare.choose"),
    **kept_choice("hidden", ["relu", "tanh", "logistic"], activations.options),
)
pairs = middle.multiselect(
    t("compare.pairs"),
    pair_options,
    format_func=pair_label,
    help=t("compare.pairs_help"),
    placeholder=t("compare.choose"),
    **kept_choice("pairs", [], pair_options),
)
n_seeds = right.number_input(
    t("compare.seeds"),
    cmp.MIN_SEEDS,
    cmp.MAX_SEEDS,
    help=t("compare.seeds_help"),
    **kept_choice("seeds", cmp.DEFAULT_SEEDS),
)
target = far.number_input(
    t("compare.target"),
    0.0,
    1000.0,
    step=0.01,
    format="%.4f",
    help=t("compare.target_help"),
    **kept_choice("target", 0.0),
)

variants = cmp.make_variants(hidden, [p.split("+") for p in pairs])
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
labels = {
    v.id: cmp.variant_label(v, lambda n: act(n, result.task), loss_name) for v in result.variants
}
summary = cmp.summarise(result, target or None)

verdicts = [
    t(f"compare.verdict.{k}", **p) for k, p in cmp.verdict(summary, result.task, labels.get)
]
with st.container(key="compare-verdict", border=True):
    st.markdown(f"#### {t('compare.verdict_title')}")
    for line in verdicts:
        st.markdown(line)

st.subheader(t("compare.surfaces"))
st.caption(t("compare.surfaces_help", seed=result.seeds[0]))
with st.container(key="compare-surfaces"):
    cols = st.columns(min(len(result.variants), 4))
    for i, variant in enumerate(result.variants):
        values, grid, model = result.surface(variant)
        with cols[i % len(cols)], st.container(key=f"compare-surface-{i}"):
            st.altair_chart(
                small_multiple(
                    output_chart(
                        values,
                        result.dataset,
                        grid,
                        model=model,
                        title=labels[variant.id],
                        size=220,
                    )
                ),
                theme=None,
                width="content",
            )

st.subheader(t("compare.curves"))
st.caption(t("compare.curves_help"))
curves = cmp.curves(result)
titles = {k: t(f"compare.chart.{k}") for k in ("train", "test", "epoch", "loss", "variant")}
with st.container(key="compare-loss"):
    for loss, group in curves.groupby("loss", sort=False):
        if curves.loss.nunique() > 1:
            st.markdown(t("compare.curves_group", loss=loss_name(loss)))
        show_chart(loss_chart(group, labels, titles), f"compare-loss-{loss}")

st.subheader(t("compare.table_title"))
targets = ", ".join(
    f"{loss_name(loss)} {value:.3g}"
    for loss, value in summary.groupby("loss").target.first().items()
)
st.caption(t("compare.table_help", seeds=len(result.seeds), targets=targets))
with st.container(key="compare-table"):
    shown_table = cmp.table(summary, result.task, labels.get, lambda k: t(f"compare.{k}"))
    st.dataframe(shown_table, hide_index=True)
comparison_downloads(result, labels, shown_table, verdicts)
