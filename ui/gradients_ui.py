"""The gradient-flow page's controls and URL: drawn from ``FlowSettings``'s declared
fields by the same generator as the Playground's (``ui.widgets``), synced with the
query string by the same helper (``ui.url``), so a teacher can link a configuration."""

from __future__ import annotations

import streamlit as st

from core import gradient_flow as gf
from core import parallel
from core.activations import HIDDEN_ACTIVATIONS
from core.charts.gradients import Titles, histogram_chart, init_profile_chart
from core.charts.palette import ACTIVATION_COLOURS
from core.vocabulary import INITS
from ui.i18n import t
from ui.results import show_chart
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


# Every measurement runs the networks in workers (the web server never loads
# scikit-learn): the trainings in the training pool, the start-only profiles (tens of
# milliseconds) in the quick lane.
@st.cache_data(max_entries=64, show_spinner=False)
def flow_for(settings, names):
    return gf.sweep(settings, names, in_workers=True)


@st.cache_data(max_entries=64, show_spinner=False)
def profile(settings, names):
    return parallel.run_quick(gf.depth_profile, settings, names)


@st.cache_data(max_entries=64, show_spinner=False)
def init_profile_for(config, inits):
    return gf.init_profile_summary(parallel.run_quick(gf.init_profile, config, inits))


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


def show_init_view(settings: gf.FlowSettings, labels: dict[str, str]) -> None:
    """Activation x initialisation before any training: each chosen scheme's per-layer
    spread, mean and gradient, with the facts in words."""
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
                    q: t(f"gradients.init_view.{q}")
                    for q in ("signal_std", "signal_mean", "grad_norm")
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


def show_histograms(flow, layers, chosen: list[str], labels: dict[str, str], stages) -> None:
    """One chosen activation's per-layer histograms at one stage, with the spread in words."""
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
            quantity_titles={
                q: t(f"gradients.quantity.{q}") for q in ("pre-activation", "activation")
            },
            titles=Titles(
                t("gradients.chart.hist", label=labels[hist_act], stage=stages[stage]),
                t("gradients.value"),
                t("gradients.count"),
            ),
        ),
        "hist",
    )
    if facts := gf.spread_facts(layers, hist_act, stage):
        say(labels, [("hist", facts)])
