"""Interface text in English and Simplified Chinese.

Strings live in ``data/i18n/<lang>/<area>.yaml``; a key is ``<area>.<dotted path>``
(``playground.train_button``), so each page owns its own files. Pages call ``t(key)``.
A missing key in either language fails a test (tests/test_i18n.py), so at run time a
missing key shows the key itself rather than breaking the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import streamlit as st
import yaml

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
I18N_DIR = Path(__file__).resolve().parent.parent / "data" / "i18n"


@cache
def strings(lang: str) -> dict[str, str]:
    """Every string of one language, keyed ``area.path``."""
    flat: dict[str, str] = {}
    for path in sorted((I18N_DIR / lang).glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            flat.update(_flatten(yaml.safe_load(fh) or {}, path.stem + "."))
    return flat


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def current_language() -> str:
    lang = st.session_state.get("lang")
    if lang not in LANGUAGES:
        lang = st.query_params.get("lang", DEFAULT_LANGUAGE)
        lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        st.session_state["lang"] = lang
    return lang


def translate(lang: str, key: str, **params) -> str:
    """``lang``'s text for ``key`` (English if it has none), formatted with ``params``."""
    text = strings(lang).get(key) or strings(DEFAULT_LANGUAGE).get(key) or key
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


def t(key: str, **params) -> str:
    """The current language's text for ``key``, formatted with ``params``."""
    return translate(current_language(), key, **params)


def setting_label(name: str) -> str:
    """The display name of a TrainConfig field (its own name if it has none)."""
    label = t(f"config.{name}")
    return name if label == f"config.{name}" else label


def pick(mapping: Mapping[str, str], lang: str | None = None) -> str:
    """Choose the current language from a {"en": ..., "zh": ...} value (rules file)."""
    lang = lang or current_language()
    return mapping.get(lang) or mapping.get(DEFAULT_LANGUAGE) or ""


def has(key: str) -> bool:
    """Whether ``key`` has a text (in the current language or the default one)."""
    return key in strings(current_language()) or key in strings(DEFAULT_LANGUAGE)
