"""The experiment config in the interface: widgets <-> ``TrainConfig`` <-> URL.

``st.session_state["config"]`` (not a widget key, so it survives page switches) is the
one source of truth. The controls are generated from ``TrainConfig``'s declared fields
(``core.config.controls``, drawn by ``ui.widgets``) and write back through
``on_change``; the URL query string mirrors the config (``ui.url``) so a link reopens
the same experiment. Teacher mode: ``?hide=data,solver,...`` hides fields or groups.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

import streamlit as st

from core.activations import ACTIVATIONS
from core.config import ConfigError, Control, TrainConfig, controls, field_groups
from core.datasets import DATASETS
from core.features import DEFAULT_INPUTS, usable
from core.vocabulary import AUTO, AUTO_LOSS, AUTO_OUTPUT, is_canonical, loss_fits
from ui.i18n import t
from ui.url import UrlSettings, problem_text, read_url, write_url
from ui.widgets import draw, draw_layers

CONFIG_KEY = "config"
GROUPS = field_groups()  # teacher mode hides a group by its name: ?hide=training
EXPANDED = ("data", "network")  # groups open at first sight
URL = UrlSettings(
    name=CONFIG_KEY,
    keys=tuple(f.name for f in dataclasses.fields(TrainConfig)),
    parse=TrainConfig.from_query,
    to_query=TrainConfig.to_query,
)


def current_config() -> TrainConfig:
    if CONFIG_KEY not in st.session_state:
        st.session_state[CONFIG_KEY] = TrainConfig()
    return st.session_state[CONFIG_KEY]


def set_config(config: TrainConfig) -> None:
    st.session_state[CONFIG_KEY] = config


def load_from_url() -> list[str]:
    """Apply the URL's config once per distinct query string; return the warnings for
    the page to show: values that fell back to their defaults, keys that are no
    setting."""
    config, warnings = read_url(URL)
    if config is not None:
        set_config(config)
    return warnings


def write_config_url(config: TrainConfig) -> None:
    """Mirror ``config`` into the query string (only fields that differ from defaults)."""
    write_url(URL, config)


def share_query(config: TrainConfig) -> str:
    """The query string (without '?') that reopens ``config``."""
    from urllib.parse import urlencode

    return urlencode(config.to_query())


def hidden_fields() -> set[str]:
    """Fields the teacher hid with ?hide=...; group names expand to their fields."""
    raw = st.query_params.get("hide", "")
    hidden: set[str] = set()
    for name in (part.strip() for part in raw.split(",")):
        hidden.update(GROUPS.get(name, (name,)))
    return hidden


def _apply(name: str) -> None:
    """on_change: write one widget's value into the config, keeping the rest."""
    value = st.session_state[f"w.{name}"]
    if isinstance(value, list):  # a multiselect gives a list; the config holds tuples
        value = tuple(value)
    try:
        set_config(current_config().replace(**{name: value}))
    except ConfigError as err:
        st.session_state["_config_error"] = problem_text(err)


def _apply_layers() -> None:
    depth, width = st.session_state["w.depth"], st.session_state["w.width"]
    set_config(current_config().replace(hidden_layers=(width,) * depth))


def _apply_dataset() -> None:
    """A new dataset resets what only made sense for the old one."""
    name = st.session_state["w.dataset"]
    spec = DATASETS[name]
    changes = dict(dataset=name, n_classes=None, noise=None)
    if not loss_fits(spec.task, current_config().loss):
        changes["loss"] = AUTO
    if not usable(current_config().inputs, spec.n_features):  # only x2 terms, 1-D data
        changes["inputs"] = DEFAULT_INPUTS
    set_config(current_config().replace(**changes))


def _sync(name: str, value) -> str:
    key = f"w.{name}"
    st.session_state[key] = list(value) if isinstance(value, tuple) else value
    return key


def activation_label(name: str) -> str:
    return t(f"common.activation.{name}") if name in ACTIVATIONS else name


def output_label(name: str, task: str) -> str:
    if name == "auto":
        return t("config.auto_output", name=activation_label(AUTO_OUTPUT[task]))
    return activation_label(name)


def _draw(control: Control, config: TrainConfig, where) -> None:
    """One generated control; the hidden layers (depth x width) and the dataset (whose
    change resets what belonged to the old one) are the special ones."""
    name = control.name
    if control.widget == "layers":
        layers = config.hidden_layers
        draw_layers(
            control,
            depth=dict(key=_sync("depth", control.value[0]), on_change=_apply_layers),
            width=dict(key=_sync("width", control.value[1]), on_change=_apply_layers),
            columns=where.columns(2),
        )
        if len(set(layers)) > 1:
            where.caption(t("config.custom_layers", sizes=", ".join(map(str, layers))))
        return
    extra: dict[str, Any] = {}
    if name == "output_activation":
        labels = {n: output_label(n, config.task) for n in control.options}
        extra["format_func"] = labels.get
    if name == "dataset":
        extra["on_change"] = _apply_dataset
    else:
        extra.update(on_change=_apply, args=(name,))
    draw(control, key=_sync(name, control.value), container=where, **extra)


def config_widgets(hidden: Collection[str] = frozenset()) -> TrainConfig:
    """Draw the controls for every field not hidden, by group; return the config."""
    config = current_config()
    if err := st.session_state.pop("_config_error", None):
        st.warning(t("config.rejected", error=err))
    shown = [c for c in controls(config) if c.name not in hidden]
    for group in GROUPS:
        items = [c for c in shown if c.group == group]
        if not items:
            continue
        with st.expander(t(f"config.{group}"), expanded=group in EXPANDED):
            while items:  # two half-width controls in a row share it
                if items[0].half and len(items) > 1 and items[1].half:
                    for column, control in zip(st.columns(2), items[:2]):
                        _draw(control, config, column)
                    items = items[2:]
                else:
                    _draw(items[0], config, st)
                    items = items[1:]
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
