"""The Playground's run history: the session's last runs, restored or set side by side.

The history lives in the session state under a non-widget key, so it survives page
switches and belongs to one browser session only.
"""

from __future__ import annotations

import streamlit as st

from core.report import METRIC_KEYS
from core.run_history import MAX_RUNS, RunHistory, RunRecord
from ui.chart_alt import chart_alt
from ui.config_ui import set_config
from ui.i18n import setting_label, t
from ui.results import final_surface, history_specs, metrics_row, show_outputs

KEY = "run_history"


def history() -> RunHistory:
    if KEY not in st.session_state:
        st.session_state[KEY] = RunHistory()
    return st.session_state[KEY]


def remember(result, data_key: str | None) -> None:
    history().add(result, data_key)


def _restore(number: int) -> None:
    """The run's settings and results back in the Playground, without training."""
    record = history().get(number)
    set_config(record.config)
    st.session_state["result"] = record.result
    st.session_state["result_data"] = record.data_key
    st.session_state.pop("replay", None)
    st.session_state["_restored"] = number


def _label(record: RunRecord) -> str:
    c = record.config
    return t(
        "history.run_label",
        number=record.number,
        dataset=t(f"common.dataset.{c.dataset}"),
        activation=t(f"common.activation.{c.activation}"),
    )


def _side_by_side(records: list[RunRecord], runs: RunHistory) -> None:
    differing = runs.varying_fields(records)
    if differing:
        st.caption(t("history.differ", fields=", ".join(map(setting_label, differing))))
    else:
        st.caption(t("history.same_settings"))
    for col, record in zip(st.columns(len(records)), records):
        with col, st.container(key=f"history-side-{record.number}"):
            st.markdown(f"**{_label(record)}**")
            values, grid = final_surface(record.result)
            show_outputs(values, record.result.dataset, grid, model=record.result.model)
            metrics_row(record.result)
            for spec in history_specs(record.result.history, record.result.dataset.task):
                st.vega_lite_chart(spec, theme=None, alt=chart_alt(spec))


def history_panel() -> None:
    """The list of kept runs with Restore, and two runs side by side on request."""
    runs = history()
    if not runs:
        return
    with st.expander(t("history.title", count=len(runs), capacity=MAX_RUNS)):
        st.caption(t("history.help", capacity=MAX_RUNS))
        with st.container(key="history-table"):
            table = runs.table()
            labels = {"run": t("history.run"), **{k: t(f"playground.{k}") for k in METRIC_KEYS}}
            st.dataframe(
                table.rename(columns=lambda c: labels.get(c) or setting_label(c)), hide_index=True
            )
        numbers = [r.number for r in reversed(list(runs))]
        by_number = {r.number: r for r in runs}
        cols = st.columns([3, 1], vertical_alignment="bottom")
        chosen = cols[0].selectbox(
            t("history.pick"),
            numbers,
            format_func=lambda n: _label(by_number[n]),
            key="history-pick",
        )
        if cols[1].button(t("history.restore"), key="history-restore"):
            _restore(chosen)
            # The settings live outside the Playground's fragment: redraw the whole page.
            st.rerun(scope="app")
        if (restored := st.session_state.pop("_restored", None)) is not None:
            st.success(t("history.restored", number=restored))
        pair = st.multiselect(
            t("history.compare"),
            numbers,
            format_func=lambda n: _label(by_number[n]),
            max_selections=2,
            key="history-pair",
        )
        if len(pair) == 2:
            _side_by_side([by_number[n] for n in sorted(pair)], runs)
