"""Gradient flow: per-layer gradients, dead and flat units and histograms for several
hidden activations, at initialisation and after a short training run."""

from concurrent.futures import BrokenExecutor

import streamlit as st

from core import gradient_flow as gf
from core.activations import HIDDEN_ACTIVATIONS
from core.charts.gradients import (
    Titles,
    depth_chart,
    fraction_chart,
    grad_norm_chart,
)
from ui.frame import page_frame
from ui.gradients_ui import (
    flow_controls,
    flow_for,
    load_flow_from_url,
    make_relus_die,
    profile,
    say,
    show_histograms,
    show_init_view,
)
from ui.i18n import t
from ui.results import show_chart

page_frame("gradients")

labels = {n: t(f"common.activation.{n}") for n in HIDDEN_ACTIVATIONS}
for warning in load_flow_from_url():
    st.warning(warning)

settings = flow_controls(st.columns([1.2, 1.4, 1, 1.2, 1.4]))
chosen = list(settings.activations)
# The preset gets a row of its own: beside five controls its label was cut short.
preset, why = st.columns([1, 3], vertical_alignment="top")
preset.button(
    t("gradients.preset"),
    on_click=make_relus_die,
    key="g.preset",
    help=t(
        "gradients.preset_help",
        lr=gf.DEAD_RELU_PRESET["learning_rate"],
        depth=gf.DEAD_RELU_PRESET["min_depth"],
    ),
)
with why.expander(t("gradients.preset_why"), icon="💀"):
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
for column, stage in zip(st.columns(2), gf.STAGES):
    with column:
        titles = Titles(
            t(f"gradients.chart.grad_{stage}"), t("gradients.layer"), t("gradients.grad_norm")
        )
        show_chart(
            grad_norm_chart(
                layers, stage, labels, titles=titles, output_label=t("gradients.output")
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
            titles=Titles(
                t("gradients.chart.depth"), t("gradients.depth_axis"), t("gradients.ratio_axis")
            ),
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
                titles=Titles(
                    t(f"gradients.chart.{what}"), t("gradients.layer"), t(f"gradients.{what}_axis")
                ),
                stage_titles=stages,
            ),
            what,
        )
        say(labels, captions[what])

show_histograms(flow, layers, chosen, labels, stages)
show_init_view(settings, labels)
