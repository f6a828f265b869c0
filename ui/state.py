"""Widget values that outlive their page.

Streamlit forgets a widget's state when the page that draws it is not shown, so a
student who leaves the Compare page, the wizard or the gradient-flow page and comes back
would find every choice reset. A widget made with ``**kept(key, default)`` keeps its
value in a store of its own (a dict in the session state, or one the page gives, such
as the wizard's answers) and gets it back on the next visit.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

import streamlit as st

_STORE = "kept"  # the session-state dict that holds kept values by widget key


def _store(store: MutableMapping | None) -> MutableMapping:
    return st.session_state.setdefault(_STORE, {}) if store is None else store


def kept(
    key: str,
    default: Any,
    *,
    store: MutableMapping | None = None,
    name: str | None = None,
    clean: Callable[[Any], Any] | None = None,
) -> dict:
    """Keyword arguments (``key``, ``on_change``) for a widget whose value is kept in
    ``store`` under ``name`` (default: the shared store, under ``key``). ``clean`` adapts
    a kept value to the widget's current options (say, choices that another dataset no
    longer offers)."""
    store, name = _store(store), name or key
    value = store.get(name, default)
    if clean is not None:
        value = clean(value)
    store[name] = st.session_state[key] = value

    def remember() -> None:
        store[name] = st.session_state[key]

    return dict(key=key, on_change=remember)


def keep(
    key: str, value: Any, *, store: MutableMapping | None = None, name: str | None = None
) -> None:
    """Set a kept widget's value from code, e.g. a preset button's callback (setting
    only the widget's state would be undone by ``kept`` on the next run)."""
    _store(store)[name or key] = st.session_state[key] = value


def kept_value(key: str, default: Any, *, store: MutableMapping | None = None) -> Any:
    """A kept widget's value before its widget is drawn (``default`` if none yet)."""
    return _store(store).get(key, default)
