"""Every page's settings in its URL, through one helper.

A page describes its settings once (``UrlSettings``: the query keys and how to parse and
write them, both read from the settings' declared fields). ``read_url`` applies a link
once per distinct query string and returns the warnings to show, in the interface's
language: values that fell back to their defaults, keys that are no setting of the
page (with the setting they resemble). ``write_url`` mirrors the settings back, so the
address bar is always a link to what is on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.config import ConfigError, unknown_query_keys
from ui.i18n import has, t

# What a link may carry besides a page's own settings: the language (ui.i18n), teacher
# mode (ui.config_ui.hidden_fields), the CSV flag (ui.upload.URL_FLAG) and Streamlit's
# embed options.
LINK_KEYS = ("lang", "hide", "data", "embed", "embed_options")


@dataclass(frozen=True)
class UrlSettings:
    """A page's settings as query keys. ``parse`` turns the page's keys (strings) into
    (settings, [ConfigError]); ``to_query`` gives the keys that reopen the settings
    (only those not at their default, so links stay short)."""

    name: str  # pages sharing settings (Playground, Compare) share a name
    keys: tuple[str, ...]
    parse: Callable[[dict[str, Any]], tuple[Any, list[ConfigError]]]
    to_query: Callable[[Any], dict[str, str]]


def problem_text(err: ConfigError) -> str:
    """A config problem in the interface's language (its English message if the
    reason has no translation)."""
    key = f"config.problem.{err.reason}"
    if err.reason and has(key):
        return t("config.problem.line", field=err.field, detail=t(key, **err.params))
    return str(err)


def unknown_key_warnings(keys: Iterable[str], settings: Iterable[str]) -> list[str]:
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


def _signature() -> tuple:
    return tuple(sorted(st.query_params.to_dict().items()))


def read_url(page: UrlSettings) -> tuple[Any | None, list[str]]:
    """(settings, warnings) from the URL. Settings are None when there is nothing new
    to apply: the query string is the one last applied or written, or it carries none
    of the page's keys (the page was reached from another one: its kept settings
    stand)."""
    params = st.query_params.to_dict()
    seen = f"url.{page.name}"
    if st.session_state.get(seen) == _signature():
        return None, []
    st.session_state[seen] = _signature()
    warnings = unknown_key_warnings(params, page.keys)
    ours = {k: v for k, v in params.items() if k in page.keys}
    if not ours:
        return None, warnings
    settings, problems = page.parse(ours)
    fallbacks = [t("config.url_fallback", error=problem_text(p)) for p in problems]
    return settings, fallbacks + warnings


def write_url(page: UrlSettings, settings) -> None:
    """Mirror ``settings`` into the query string (only values not at their default);
    other keys (language, teacher mode) are left alone."""
    wanted = page.to_query(settings)
    for key in list(st.query_params):
        if key in page.keys and key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state[f"url.{page.name}"] = _signature()


def choice_url(name: str, key: str, choices) -> UrlSettings:
    """A page whose URL names one of ``choices`` (a lesson, a rule) under ``key``."""
    choices = tuple(choices)

    def parse(params):
        raw = params[key]
        raw = str(raw[-1] if isinstance(raw, list) and raw else raw).strip()
        if raw in choices:
            return raw, []
        shown = raw if len(raw) <= 40 else raw[:39] + "…"
        offered = ", ".join(choices)
        problem = ConfigError(
            key, f"{shown!r} is not one of {offered}", "not_choice", value=shown, choices=offered
        )
        return None, [problem]

    return UrlSettings(name, (key,), parse, lambda value: {key: value} if value else {})


def url_settings(page: UrlSettings):
    """The settings the address names now (None if it names none, or a bad one),
    for a page that follows its URL on every rerun rather than once per link."""
    ours = {k: v for k, v in st.query_params.to_dict().items() if k in page.keys}
    return page.parse(ours)[0] if ours else None
