"""Activation explorer: f(x) and f'(x) of every activation, flat zones, a value passing
through, and the guidance's numbers measured from the functions."""

import pandas as pd
import streamlit as st

from core import parallel
from core.activations import ACTIVATIONS, DEFAULT_LEAKY_SLOPE
from core.charts.explorer import function_chart
from core.explorer import X_RANGE, at_point, check_claims, curves_and_zones, default_selection
from core.formatting import percent_text
from ui.frame import page_frame
from ui.i18n import t
from ui.results import show_chart

page_frame("explorer", intro=False)

SLOPES = (0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3)
st.caption(t("explorer.intro"))
labels = {name: t(f"common.activation.{name}") for name in ACTIVATIONS}

pick_col, slope_col, x_col = st.columns([3, 1, 1.4], gap="medium")
chosen = pick_col.multiselect(
    t("explorer.pick"),
    list(ACTIVATIONS),
    default=default_selection(),
    format_func=labels.__getitem__,
    key="ex.acts",
)
slope = slope_col.select_slider(
    t("explorer.leaky_slope"), SLOPES, value=DEFAULT_LEAKY_SLOPE, key="ex.slope"
)
x = x_col.slider(t("explorer.x_input"), *X_RANGE, value=1.0, step=0.1, key="ex.x")


# Every number here is measured by running the activations (and SciPy's root finding),
# in a worker: the web server never loads scikit-learn or SciPy. Cached for all sessions.
@st.cache_data(max_entries=64, show_spinner=False)
def drawn(names: tuple[str, ...], leaky_slope: float):
    return parallel.run_quick(curves_and_zones, names, leaky_slope)


@st.cache_data(max_entries=256, show_spinner=False)
def values_at(names: tuple[str, ...], x: float, leaky_slope: float):
    return parallel.run_quick(at_point, names, x, leaky_slope)


@st.cache_data(max_entries=16, show_spinner=False)
def claims(leaky_slope: float):
    return parallel.run_quick(check_claims, leaky_slope)


if "softmax" in chosen:
    st.info(t("explorer.softmax_note"), icon="ℹ️")
if not chosen:
    st.info(t("explorer.pick_some"))
else:
    lines, zones = drawn(tuple(chosen), slope)
    point = values_at(tuple(chosen), x, slope)
    zone_titles = {s: t(f"explorer.zone.{s}") for s in ("guidance", "measured")}
    for column, quantity in zip(st.columns(2), ("f", "df")):
        with column:
            show_chart(
                function_chart(
                    lines,
                    zones,
                    point,
                    quantity,
                    labels,
                    title=t(f"explorer.chart_{quantity}"),
                    y_title=t(f"explorer.y_{quantity}"),
                    zone_titles=zone_titles,
                ),
                f"explorer-{quantity}",
            )
    st.caption(t("explorer.shading"))

    st.subheader(t("explorer.at_x", x=f"{x:g}"))
    table = pd.DataFrame(
        {
            t("explorer.column.activation"): [labels[n] for n in point["activation"]],
            t("explorer.column.f"): [f"{v:.6g}" for v in point["f"]],
            t("explorer.column.df"): [f"{v:.6g}" for v in point["df"]],
            t("explorer.column.share"): [percent_text(v, 1) for v in point["share_of_peak"]],
            t("explorer.column.flat"): [
                t("explorer.flat_yes") if f else t("explorer.flat_no") for f in point["flat"]
            ],
        }
    )
    with st.container(key="explorer-values"):
        st.table(table.set_index(table.columns[0]))

st.subheader(t("explorer.claims_title"))
st.caption(t("explorer.claims_intro"))
with st.container(key="explorer-claims"):
    for claim in claims(slope):
        mark = "✅" if claim.passed else "❌"
        verdict = t("explorer.passed") if claim.passed else t("explorer.failed")
        st.markdown(
            f"{mark} *{verdict}* · {t('explorer.claims.' + claim.key, **claim.params)}"
            f" `{' '.join(claim.guidance)}`"
        )

with st.expander(t("explorer.formulas")):
    for name in chosen:
        st.markdown(f"**{labels[name]}**")
        st.latex(ACTIVATIONS[name].formula)
        if name == "softmax":
            st.caption(t("explorer.softmax_formula_note"))
