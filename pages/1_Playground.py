"""Playground: pick data, a network and its activations; train and watch."""

import logging

import streamlit as st

from ui.config_ui import (
    config_widgets,
    hidden_fields,
    load_from_url,
    pairing_warning,
    share_query,
    write_config_url,
)
from ui.frame import page_frame
from ui.i18n import t
from ui.results import (
    continue_button,
    continue_requested,
    data_fingerprint,
    run_view,
    show_run,
    start_training_workers,
    train_buttons,
    train_live,
)
from ui.run_history import history_panel, remember
from ui.takeaway import download_buttons, snippet_of
from ui.upload import csv_mode, data_source_picker, share_notice
from ui.upload import hidden_fields as upload_hidden

log = logging.getLogger(__name__)
page_frame("playground")
start_training_workers()

for url_warning in load_from_url():
    st.warning(url_warning)

hidden = hidden_fields()  # teacher mode: ?hide=...
controls, view = st.columns([1, 2.2], gap="large")
with controls:
    csv_data = data_source_picker(hidden)  # None: built-in data
    hidden |= upload_hidden()
    config = config_widgets(hidden)
write_config_url(config)


@st.fragment
def train_and_results(config, csv_data, neurons: bool = True):
    """Train and what it shows. A fragment: pressing Train or moving the replay slider
    reruns only this part, not every control of the page (a full rerun costs the server
    and the student's browser more than the training itself)."""
    result = st.session_state.get("result")
    # Train, or continue the run shown (resume: that run) for the config's epochs more.
    train_clicked, more = train_buttons(csv_data, csv_mode())
    resume = continue_requested(config, csv_data, result)
    view = run_view(neurons)  # neurons: the neuron view (a teacher may ?hide=neurons)
    if train_clicked or resume is not None:
        try:
            result = train_live(config, view, dataset=csv_data, resume=resume)
        except Exception as err:  # a worker killed (memory, operator): a message, not a traceback
            log.exception("training failed")
            view.clear()
            view.status.error(t("playground.failed", error=err))
            return
        st.session_state["result"] = result
        st.session_state["result_data"] = data_fingerprint(csv_data)
        remember(result, data_fingerprint(csv_data))
        for key in ("replay", "neuron_unit"):  # the last run's frame and unit
            st.session_state.pop(key, None)
    elif result is not None and (
        result.config != config or st.session_state.get("result_data") != data_fingerprint(csv_data)
    ):
        view.status.caption(t("playground.stale"))
    if result is None:
        view.status.info(t("playground.press_train"))
    else:
        show_run(result, view)
        download_buttons(result, uploaded=csv_data is not None)
    continue_button(more, config, csv_data, result)
    history_panel()


with view:
    if warning := pairing_warning(config):
        st.warning(warning, icon="⚠️")
    train_and_results(config, csv_data, "neurons" not in hidden)

    if "code" not in hidden:  # made only while open: a worker writes it (snippet_of)
        code_box = st.expander(t("playground.show_code"), key="show_code", on_change="rerun")
        if code_box.open:
            code_box.code(snippet_of(config), language="python")
    if "share" not in hidden:
        with st.expander(t("playground.share")):
            if not share_notice():  # uploaded data cannot travel in a link
                st.caption(t("playground.share_help"))
                st.code("?" + share_query(config), language=None)
