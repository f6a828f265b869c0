"""Gradient flow: per-layer gradients, dead and flat units and histograms for several
hidden activations, at initialisation and after a short training run."""

from concurrent.futures import BrokenExecutor

import streamlit as st

from core import gradient_flow as gf
from core.activations import HIDDEN_ACTIVATIONS
from core.charts.gradients import (
    depth_chart,
    fraction_chart,
    grad_norm_chart,
    histogram_chart,
    init_profile_chart,
)
from core.charts.palette import ACTIVATION_COLOURS
from core.mlp import INITS
from ui.frame import page_frame
from ui.gradients_ui import (
    flow_controls,
    flow_for,
    init_profile_for,
    load_flow_from_url,
    make_relus_die,
    profile,
    say,
)
from ui.i18n import t
from ui.results import show_chart

page_frame("gradients")
st.title(t("gradients.title"))
st.caption(t("gradients.intro"))

labels = {n: t(f"common.activation.{n}") for n in HIDDEN_ACTIVATIONS}
for warning in load_flow_from_url():
    st.warning(warning)

row1 = st.columns([1.2, 1.4, 1, 1.2, 1.4, 1])
settings = flow_controls(row1[:5])
chosen = list(settings.activations)
row1[5].button(
    t("gradients.preset"),
    on_click=make_relus_die,
    key="g.preset",
    help=t(
        "gradients.preset_help",
        lr=gf.DEAD_RELU_PRESET["learning_rate"],
        depth=gf.DEAD_RELU_PRESET["min_depth"],
    ),
)
with st.expander(t("gradients.preset_why"), icon="💀"):
    st.caption(t("gradients.preset_note"))
if not chosen:
    st.info(t("gradients.pick_some"))
    st.stop()

try:
    with st.spinner(t("gradients.training")):
        flow = flow_for(settings, tuple(chosen))
        depths = profile(settings, tuple(chosen))
except ValueError as err:
    st.error(t("gradients.error", error=str(err)))
    st.stop()
except BrokenExecutor as err:  # a training worker died (killed, out of memory)
    st.error(t("common.worker_failed", error=str(err)))
    st.stop()
layers, summary = flow["layers"], flow["summary"]
captions = gf.caption_lines(flow, settings.depth, depths)

st.caption(t("gradients.ratio_def"))
axes = dict(
    x_title=t("gradients.layer"),
    y_title=t("gradients.grad_norm"),
    output_label=t("gradients.output"),
)
for column, stage in zip(st.columns(2), gf.STAGES):
    with column:
        show_chart(
            grad_norm_chart(
                layers, stage, labels, title=t(f"gradients.chart.grad_{stage}"), **axes
            ),
            f"grad-{stage}",
        )
        say(labels, captions[f"grad-{stage}"])

left, right = st.columns(2)
with left:
    show_chart(
        depth_chart(
            depths,
            labels,
            current=settings.depth,
            title=t("gradients.chart.depth"),
            x_title=t("gradients.depth_axis"),
            y_title=t("gradients.ratio_axis"),
        ),
        "grad-depth",
    )
    say(labels, captions["grad-depth"])
with right:
    st.subheader(t("gradients.summary"))
    table = gf.summary_display(summary).assign(activation=lambda d: d.activation.map(labels))
    st.table(
        table.rename(columns=lambda c: t(f"gradients.column.{c}")).set_index(
            t("gradients.column.activation")
        )
    )
    say(labels, captions["summary"])

stages = {s: t(f"gradients.stage.{s}") for s in gf.STAGES}
for column, what in zip(st.columns(2), ("dead", "flat")):
    with column:
        show_chart(
            fraction_chart(
                layers,
                f"{what}_fraction",
                labels,
                title=t(f"gradients.chart.{what}"),
                x_title=t("gradients.layer"),
                y_title=t(f"gradients.{what}_axis"),
                stage_titles=stages,
            ),
            what,
        )
        say(labels, captions[what])

if st.session_state.get("g.hist_act") not in chosen:
    st.session_state["g.hist_act"] = chosen[0]
pick, when = st.columns([1, 1])
hist_act: str = pick.selectbox(
    t("gradients.hist_activation"), chosen, key="g.hist_act", format_func=labels.__getitem__
)
stage = when.radio(
    t("gradients.hist_stage"),
    gf.STAGES,
    format_func=stages.get,
    horizontal=True,
    key="g.hist_stage",
    index=1,
)
show_chart(
    histogram_chart(
        flow["histograms"],
        hist_act,
        stage,
        colour=ACTIVATION_COLOURS[hist_act],
        row_title=t("gradients.layer"),
        quantity_titles={q: t(f"gradients.quantity.{q}") for q in ("pre-activation", "activation")},
        x_title=t("gradients.value"),
        y_title=t("gradients.count"),
        title=t("gradients.chart.hist", label=labels[hist_act], stage=stages[stage]),
    ),
    "hist",
)
if facts := gf.spread_facts(layers, hist_act, stage):
    say(labels, [("hist", facts)])

# --- activation x initialisation, before any training ---------------------------------------
st.header(t("gradients.init_view.title"), anchor="init-view")
st.caption(t("gradients.init_view.intro", depth=settings.depth, width=settings.width))
init_names = {i: t(f"config.init_name.{i}") for i in INITS}
act_col, inits_col = st.columns([1, 2])
view_act = act_col.selectbox(
    t("gradients.init_view.activation"),
    HIDDEN_ACTIVATIONS,
    index=HIDDEN_ACTIVATIONS.index("relu"),
    format_func=labels.__getitem__,
    key="g.iv_act",
)
view_inits = inits_col.multiselect(
    t("gradients.init_view.inits"),
    INITS,
    default=["glorot_uniform", "he_normal", "lecun_normal"],
    format_func=init_names.__getitem__,
    key="g.iv_inits",
)
if not view_inits:
    st.info(t("gradients.init_view.pick_some"))
else:
    start = init_profile_for(settings.config(view_act), tuple(view_inits))
    show_chart(
        init_profile_chart(
            start,
            init_names,
            titles={
                q: t(f"gradients.init_view.{q}") for q in ("signal_std", "signal_mean", "grad_norm")
            },
            x_title=t("gradients.layer"),
        ),
        "init-profile",
    )
    st.caption(
        "  \n".join(
            t("gradients.init_view.fact", name=init_names[f.pop("init")], **f)
            for f in gf.init_facts(start)
        )
    )
