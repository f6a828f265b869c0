"""Controls drawn from declared fields: ``core.config.controls`` resolves what a field
shows (widget kind, range, stops, value); ``draw`` puts it on the page with its label
and help from the translation files (``config.<field>``, ``config.<field>_help``).

Nothing here knows a field's limits or choices: they come from the declaration, so a
field added to ``TrainConfig`` (or to another settings type declared the same way, such
as ``core.gradient_flow.FlowSettings``) gets its control without code here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import streamlit as st

from core.config import Control, control
from ui.i18n import has, t


def label(name: str) -> str:
    return t(f"config.{name}")


def help_text(name: str) -> str | None:
    key = f"config.{name}_help"
    return t(key) if has(key) else None


def option_label(control: Control) -> Callable[[Any], str]:
    """The label of each choice: ``<labels>.<value>`` when translated, else the value.
    Labels are looked up now: a format function may run after the script."""
    names = {}
    for value in control.options:
        key = f"{control.labels}.{value}"
        names[value] = t(key) if has(key) else str(value)
    return lambda value: names.get(value, str(value))


def draw(
    control: Control,
    *,
    key: str,
    container=None,
    label_text: str | None = None,
    format_func: Callable[[Any], str] | None = None,
    **kwargs,
):
    """Draw one control under widget key ``key`` (whose session state the caller has
    set to the value to show); ``kwargs`` go to the widget (on_change, args, ...)."""
    where = container or st
    text = label_text or label(control.name)
    kwargs.setdefault("help", help_text(control.name))
    widget = control.widget
    if widget in ("select", "multiselect"):
        make = where.selectbox if widget == "select" else where.multiselect
        return make(
            text,
            control.options,
            format_func=format_func or option_label(control),
            key=key,
            **kwargs,
        )
    if widget == "select_slider":
        return where.select_slider(text, control.options, key=key, **kwargs)
    if widget == "slider":
        return where.slider(text, control.lo, control.hi, step=control.step, key=key, **kwargs)
    if widget == "number":
        return where.number_input(
            text, control.lo, control.hi, step=control.step, key=key, **kwargs
        )
    if widget == "checkbox":
        return where.checkbox(text, key=key, **kwargs)
    raise ValueError(f"{control.name}: no drawing for widget kind {widget!r}")


def shown(settings, name: str) -> Control:
    """The control of field ``name``, which these settings show."""
    found = control(settings, name)
    if found is None:
        raise ValueError(f"{name} has no control for these settings")
    return found


def many(settings, name: str) -> Control:
    """A multiselect over the choices of field ``name`` (several activations to
    compare where the config holds one)."""
    one = shown(settings, name)
    return dataclasses.replace(one, widget="multiselect", value=[one.value])


def draw_field(settings, name: str, **kwargs):
    """Draw field ``name`` of ``settings`` (a declared dataclass) if it is shown."""
    found = control(settings, name)
    return None if found is None else draw(found, **kwargs)


def draw_layers(control: Control, *, depth: dict, width: dict, columns=None, min_depth: int = 0):
    """The hidden layers as two controls, depth and width (the same width for every
    layer); ``depth`` and ``width`` are the widget kwargs (key, on_change, ...)."""
    left, right = columns or st.columns(2)
    left.slider(label("depth"), max(control.lo, min_depth), control.hi, **depth)
    right.select_slider(label("width"), control.options, **width)
