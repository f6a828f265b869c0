"""The experiment config in the interface: widgets <-> ``TrainConfig`` <-> URL.

``st.session_state["config"]`` (not a widget key, so it survives page switches) is the
one source of truth. Widgets are drawn from ``TrainConfig``'s declared fields and write
back through ``on_change``; the URL query string mirrors the config so a link reopens
the same experiment. Teacher mode: ``?hide=data,solver,...`` hides fields or groups.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.activations import ACTIVATIONS
from core.config import MAX_HIDDEN_LAYERS, ConfigError, TrainConfig, field_spec, unknown_query_keys
from core.datasets import DATASETS
from core.mlp import AUTO_LOSS, AUTO_OUTPUT, is_canonical
from ui.i18n import t

CONFIG_KEY = "config"
GROUPS = {
    "data": ("dataset", "n_classes", "noise", "n_samples", "test_fraction", "data_seed"),
    "network": ("hidden_layers", "activation", "output_activation", "loss", "leaky_slope"),
    "training": (
        "solver",
        "learning_rate",
        "alpha",
        "batch_size",
        "epochs",
        "seed",
        "stop_when_flat",
    ),
}
LEARNING_RATES = (0.00001, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
ALPHAS = (0.0, 0.00001, 0.0001, 0.001, 0.01, 0.1, 1.0, 10.0)
BATCH_SIZES = (1, 4, 8, 16, 32, 64, 128, 256, 512)
WIDTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)


def current_config() -> TrainConfig:
    if CONFIG_KEY not in st.session_state:
        st.session_state[CONFIG_KEY] = TrainConfig()
    return st.session_state[CONFIG_KEY]


def set_config(config: TrainConfig) -> None:
    st.session_state[CONFIG_KEY] = config


# What a link may carry besides a page's own settings: the language (ui.i18n), teacher
# mode (hidden_fields), the CSV flag (ui.upload.URL_FLAG) and Streamlit's embed options.
LINK_KEYS = ("lang", "hide", "data", "embed", "embed_options")


def unknown_key_warnings(keys, settings) -> list[str]:
    """A warning for each key of a link that neither ``settings`` (the page's own query
    keys) nor LINK_KEYS names, with the setting it most resembles: a teacher's typo
    (``layers=`` for ``hidden_layers=``) would otherwise be ignored without a word."""
    warnings = []
    for key, close in unknown_query_keys(keys, [*settings, *LINK_KEYS]):
        shown = key[:40].replace("`", "'")  # in a code span: no markdown from a link
        warnings.append(
            t("config.url_unknown_close", name=shown, close=close)
            if close
            else t("config.url_unknown", name=shown)
        )
    return warnings


def load_from_url() -> list[str]:
    """Apply the URL's config once per distinct query string; return the warnings for
    the page to show: values that fell back to their defaults, keys that are no
    setting."""
    params = st.query_params.to_dict()
    signature = tuple(sorted(params.items()))
    if st.session_state.get("_url_signature") == signature:
        return []
    st.session_state["_url_signature"] = signature
    warnings = unknown_key_warnings(params, TrainConfig.__dataclass_fields__)
    fields = {k: v for k, v in params.items() if k in TrainConfig.__dataclass_fields__}
    if not fields and CONFIG_KEY in st.session_state:
        return warnings  # arrived from another page: keep this session's settings
    config, problems = TrainConfig.from_query(fields)
    set_config(config)
    return [t("config.url_fallback", error=str(p)) for p in problems] + warnings


def write_url(config: TrainConfig) -> None:
    """Mirror ``config`` into the query string (only fields that differ from defaults)."""
    wanted = config.to_query()
    for key in list(st.query_params):
        if key in TrainConfig.__dataclass_fields__ and key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state["_url_signature"] = tuple(sorted(st.query_params.to_dict().items()))


def share_query(config: TrainConfig) -> str:
    """The query string (without '?') that reopens ``config``."""
    from urllib.parse import urlencode

    return urlencode(config.to_query())


def hidden_fields() -> set[str]:
    """Fields the teacher hid with ?hide=...; group names expand to their fields."""
    raw = st.query_params.get("hide", "")
    hidden = set()
    for name in (part.strip() for part in raw.split(",")):
        hidden.update(GROUPS.get(name, (name,)))
    return hidden


def _apply(name: str, convert=lambda v: v) -> None:
    """on_change: write one widget's value into the config, keeping the rest."""
    value = convert(st.session_state[f"w.{name}"])
    try:
        set_config(current_config().replace(**{name: value}))
    except ConfigError as err:
        st.session_state["_config_error"] = str(err)


def _apply_layers() -> None:
    depth, width = st.session_state["w.depth"], st.session_state["w.width"]
    set_config(current_config().replace(hidden_layers=(width,) * depth))


def _apply_dataset() -> None:
    """A new dataset resets what only made sense for the old one."""
    name = st.session_state["w.dataset"]
    spec = DATASETS[name]
    changes = dict(dataset=name, n_classes=None, noise=None)
    if spec.task == "regression" and current_config().loss == "log_loss":
        changes["loss"] = "auto"
    set_config(current_config().replace(**changes))


def _sync(name: str, value) -> str:
    key = f"w.{name}"
    st.session_state[key] = value
    return key


def _nearest(options, value):
    return min(options, key=lambda o: abs(np.log10(o + 1e-7) - np.log10(value + 1e-7)))


def activation_label(name: str) -> str:
    return t(f"common.activation.{name}") if name in ACTIVATIONS else name


def output_label(name: str, task: str) -> str:
    if name == "auto":
        return t("config.auto_output", name=activation_label(AUTO_OUTPUT[task]))
    return activation_label(name)


def config_widgets(hidden: set[str] = frozenset()) -> TrainConfig:
    """Draw the controls for every field not hidden; return the resulting config."""
    config = current_config()
    spec = DATASETS[config.dataset]
    if err := st.session_state.pop("_config_error", None):
        st.warning(t("config.rejected", error=err))
    shown = lambda name: name not in hidden  # noqa: E731

    with st.expander(t("config.data"), expanded=True):
        if shown("dataset"):
            st.selectbox(
                t("config.dataset"),
                list(DATASETS),
                key=_sync("dataset", config.dataset),
                format_func=lambda n: t(f"common.dataset.{n}"),
                on_change=_apply_dataset,
            )
        if shown("n_classes") and spec.n_classes_range is not None:
            lo, hi = spec.n_classes_range
            st.slider(
                t("config.n_classes"),
                lo,
                hi,
                key=_sync("n_classes", config.n_classes or spec.default_n_classes),
                on_change=_apply,
                args=("n_classes",),
            )
        if shown("noise"):
            st.slider(
                t("config.noise"),
                0.0,
                float(spec.max_noise),
                step=float(spec.max_noise) / 20,
                key=_sync(
                    "noise", config.noise if config.noise is not None else spec.default_noise
                ),
                on_change=_apply,
                args=("noise",),
            )
        cols = st.columns(2)
        if shown("n_samples"):
            f = field_spec("n_samples")
            cols[0].number_input(
                t("config.n_samples"),
                f["lo"],
                f["hi"],
                step=50,
                key=_sync("n_samples", config.n_samples),
                on_change=_apply,
                args=("n_samples",),
            )
        if shown("test_fraction"):
            cols[1].slider(
                t("config.test_fraction"),
                0.05,
                0.5,
                step=0.05,
                key=_sync("test_fraction", config.test_fraction),
                on_change=_apply,
                args=("test_fraction",),
            )
        if shown("data_seed"):
            st.number_input(
                t("config.data_seed"),
                0,
                10_000_000,
                key=_sync("data_seed", config.data_seed),
                on_change=_apply,
                args=("data_seed",),
            )

    with st.expander(t("config.network"), expanded=True):
        if shown("hidden_layers"):
            cols = st.columns(2)
            layers = config.hidden_layers
            cols[0].slider(
                t("config.depth"),
                0,
                MAX_HIDDEN_LAYERS,
                key=_sync("depth", len(layers)),
                on_change=_apply_layers,
            )
            cols[1].select_slider(
                t("config.width"),
                WIDTHS,
                key=_sync("width", _nearest(WIDTHS, max(layers, default=16))),
                on_change=_apply_layers,
            )
            if len(set(layers)) > 1:
                st.caption(t("config.custom_layers", sizes=", ".join(map(str, layers))))
        if shown("activation"):
            hidden_choices = [n for n, a in ACTIVATIONS.items() if a.hidden]
            st.selectbox(
                t("config.activation"),
                hidden_choices,
                format_func=activation_label,
                key=_sync("activation", config.activation),
                on_change=_apply,
                args=("activation",),
            )
        if shown("leaky_slope") and config.activation == "leaky_relu":
            st.select_slider(
                t("config.leaky_slope"),
                (0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5),
                key=_sync(
                    "leaky_slope",
                    _nearest((0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5), config.leaky_slope),
                ),
                on_change=_apply,
                args=("leaky_slope",),
            )
        if shown("output_activation"):
            outs = ["auto"] + [n for n, a in ACTIVATIONS.items() if a.output]
            st.selectbox(
                t("config.output_activation"),
                outs,
                format_func=lambda n: output_label(n, config.task),
                key=_sync("output_activation", config.output_activation),
                on_change=_apply,
                args=("output_activation",),
            )
        if shown("loss"):
            losses = (
                ["auto", "squared_error"]
                if config.task == "regression"
                else ["auto", "log_loss", "squared_error"]
            )
            st.selectbox(
                t("config.loss"),
                losses,
                format_func=lambda n: t(f"config.loss_name.{n}"),
                key=_sync("loss", config.loss if config.loss in losses else "auto"),
                on_change=_apply,
                args=("loss",),
            )

    with st.expander(t("config.training"), expanded=False):
        cols = st.columns(2)
        if shown("solver"):
            cols[0].selectbox(
                t("config.solver"),
                ["adam", "sgd", "lbfgs"],
                key=_sync("solver", config.solver),
                on_change=_apply,
                args=("solver",),
            )
        if shown("learning_rate"):
            cols[1].select_slider(
                t("config.learning_rate"),
                LEARNING_RATES,
                key=_sync("learning_rate", _nearest(LEARNING_RATES, config.learning_rate)),
                on_change=_apply,
                args=("learning_rate",),
            )
        cols = st.columns(2)
        if shown("alpha"):
            cols[0].select_slider(
                t("config.alpha"),
                ALPHAS,
                key=_sync("alpha", _nearest(ALPHAS, config.alpha)),
                on_change=_apply,
                args=("alpha",),
            )
        if shown("batch_size"):
            cols[1].select_slider(
                t("config.batch_size"),
                BATCH_SIZES,
                key=_sync("batch_size", _nearest(BATCH_SIZES, config.batch_size)),
                on_change=_apply,
                args=("batch_size",),
            )
        cols = st.columns(2)
        if shown("epochs"):
            f = field_spec("epochs")
            cols[0].number_input(
                t("config.epochs"),
                f["lo"],
                f["hi"],
                step=50,
                key=_sync("epochs", config.epochs),
                on_change=_apply,
                args=("epochs",),
            )
        if shown("seed"):
            cols[1].number_input(
                t("config.seed"),
                0,
                10_000_000,
                key=_sync("seed", config.seed),
                on_change=_apply,
                args=("seed",),
            )
        if shown("stop_when_flat"):
            st.checkbox(
                t("config.stop_when_flat"),
                key=_sync("stop_when_flat", config.stop_when_flat),
                on_change=_apply,
                args=("stop_when_flat",),
            )
    return current_config()


def pairing_warning(config: TrainConfig) -> str | None:
    """A plain-words flag for a non-standard output/loss choice, or None."""
    task = config.task
    out = AUTO_OUTPUT[task] if config.output_activation == "auto" else config.output_activation
    loss = AUTO_LOSS[task] if config.loss == "auto" else config.loss
    if (out, loss) == (AUTO_OUTPUT[task], AUTO_LOSS[task]):
        return None
    key = "config.nonstandard_matched" if is_canonical(out, loss) else "config.nonstandard"
    return t(
        key,
        output=activation_label(out),
        loss=t(f"config.loss_name.{loss}"),
        expected=activation_label(AUTO_OUTPUT[task]),
    )
