"""The gradient-flow page's controls and URL: drawn from ``FlowSettings``'s declared
fields by the same generator as the Playground's (``ui.widgets``), synced with the
query string by the same helper (``ui.url``), so a teacher can link a configuration."""

from __future__ import annotations

import streamlit as st

from core import gradient_flow as gf
from ui.i18n import t
from ui.state import keep, kept, kept_value
from ui.url import UrlSettings, read_url, write_url
from ui.widgets import draw_field

# The page's widget keys, by setting.
WIDGETS = {
    "dataset": "g.dataset",
    "depth": "g.depth",
    "width": "g.width",
    "learning_rate": "g.lr",
    "init": "g.init",
    "activations": "g.acts",
}
URL = UrlSettings(
    name="gradients",
    keys=gf.QUERY_KEYS,
    parse=gf.settings_from_query,
    to_query=gf.settings_to_query,
)
_DEFAULTS = gf.FlowSettings()


def _widget_value(name: str, value):
    return list(value) if isinstance(value, tuple) else value


def load_flow_from_url() -> list[str]:
    """Apply a link's settings to the controls (once per distinct link); return the
    warnings to show."""
    settings, warnings = read_url(URL)
    if settings is not None:
        for name, key in WIDGETS.items():
            keep(key, _widget_value(name, getattr(settings, name)))
    return warnings


def current_settings() -> gf.FlowSettings:
    """The settings the controls hold (their kept values)."""
    values = {
        name: kept_value(key, _widget_value(name, getattr(_DEFAULTS, name)))
        for name, key in WIDGETS.items()
    }
    values["activations"] = tuple(values["activations"])
    return _DEFAULTS.replace(**values)


def flow_controls(columns) -> gf.FlowSettings:
    """Dataset, depth, width, learning rate and initialisation in ``columns``, then the
    activations; returns the settings they hold and mirrors them into the URL."""
    settings = current_settings()
    for name, column in zip(("dataset", "depth", "width", "learning_rate", "init"), columns):
        draw_field(settings, name, container=column, **_kept(name))
    draw_field(
        settings,
        "activations",
        label_text=t("gradients.activations"),
        **_kept("activations"),
    )
    settings = current_settings()
    if settings.activations:  # none chosen: the page asks for some, the link stays
        write_url(URL, settings)
    return settings


def _kept(name: str) -> dict:
    return kept(WIDGETS[name], _widget_value(name, getattr(_DEFAULTS, name)))


def make_relus_die():
    preset = gf.FlowSettings(depth=st.session_state["g.depth"]).dead_relu_preset()
    keep("g.lr", preset.learning_rate)
    keep("g.depth", preset.depth)
    keep("g.acts", list(dict.fromkeys([*st.session_state["g.acts"], "relu", "leaky_relu"])))


@st.cache_data(max_entries=64, show_spinner=False)
def flow_for(settings, names):
    return gf.sweep(settings, names, in_workers=True)


@st.cache_data(max_entries=64, show_spinner=False)
def profile(settings, names):
    return gf.depth_profile(settings, names)


@st.cache_data(max_entries=64, show_spinner=False)
def init_profile_for(config, inits):
    return gf.init_profile_summary(gf.init_profile(config, inits))


def say(labels, lines):
    """Measured sentences: names become labels (``labels``: activation -> display
    name), tokens become words."""
    texts = []
    for key, params in lines or ():
        params = dict(params, label=labels.get(params.get("activation"), ""))
        for name, prefix in (("verdict", "verdict"), ("reason", "stop")):
            if name in params:
                params[name] = t(f"gradients.{prefix}.{params[name]}")
        texts.append(t(f"gradients.caption.{key}", **params))
    if texts:
        st.caption("  \n".join(texts))
