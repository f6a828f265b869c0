"""The gradient-flow page's settings in its URL, so a teacher can link a configuration
(the Playground does the same with its whole config)."""

from __future__ import annotations

import streamlit as st

from core import gradient_flow as gf
from ui.config_ui import unknown_key_warnings
from ui.i18n import t
from ui.state import keep

# The page's widget keys and the query parameters they map to.
WIDGETS = {"g.dataset": "dataset", "g.depth": "depth", "g.width": "width", "g.lr": "learning_rate"}
ACTIVATIONS_WIDGET = "g.acts"
_SEEN = "g.url_signature"  # the query string last applied or written


def load_flow_from_url() -> list[str]:
    """Apply the URL's settings when it carries any the page has not applied yet (a
    link just opened); returns the warnings to show (values that fell back to a default,
    keys that are no setting of this page)."""
    params = st.query_params.to_dict()
    signature = tuple(sorted(params.items()))
    if st.session_state.get(_SEEN) == signature:
        return []
    st.session_state[_SEEN] = signature
    ours = {*gf.QUERY_CHOICES, "activations"}
    warnings = unknown_key_warnings(params, ours)
    if not ours & set(params):
        return warnings  # arrived from another page: the kept settings stand
    settings, activations, problems = gf.settings_from_query(params)
    for widget, field in WIDGETS.items():
        keep(widget, getattr(settings, field))
    keep(ACTIVATIONS_WIDGET, list(activations))
    return [t("config.url_fallback", error=p) for p in problems] + warnings


def write_flow_url(settings: gf.FlowSettings, activations) -> None:
    """Mirror the settings into the query string (only values not at their default)."""
    wanted = gf.settings_to_query(settings, activations)
    for key in list(st.query_params):
        if (key in gf.QUERY_CHOICES or key == "activations") and key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state[_SEEN] = tuple(sorted(st.query_params.to_dict().items()))
