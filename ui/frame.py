"""The shared frame every page opens with: page setup, navigation, language switch;
and the step buttons of the step-by-step pages.

The app uses Streamlit's file-based pages (``pages/``) without ``st.navigation``: each
page script calls ``page_frame`` itself, so a deep link opened first on a fresh server
gets the same frame as one reached from the home page (with ``st.navigation`` and a
``pages/`` folder, such links are served without the entrypoint's frame). The built-in
sidebar list is hidden in .streamlit/config.toml and drawn here with translated labels.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language, t

# (page id, script, icon): the one list of pages; labels come from common.nav.<id>.
PAGES = (
    ("home", "app.py", "🏠"),
    ("playground", "pages/1_Playground.py", "🧪"),
    ("compare", "pages/2_Compare.py", "⚖️"),
    ("explorer", "pages/3_Activation_explorer.py", "📈"),
    ("gradients", "pages/4_Gradient_flow.py", "🌊"),
    ("rules", "pages/5_Rules.py", "📜"),
    ("wizard", "pages/6_Wizard.py", "🧭"),
    ("lessons", "pages/7_Lessons.py", "🎓"),
    ("evidence", "pages/8_Evidence.py", "📊"),
)


def _on_language_change() -> None:
    st.session_state["lang"] = st.session_state["lang_choice"]


def page_frame(page_id: str, *, title: bool = True, intro: bool = True) -> None:
    """Set up the page, draw the sidebar (title, navigation, language switch), then the
    page's title (``<page>.title``) and its introduction (``<page>.intro``) unless told
    not to."""
    lang = current_language()
    st.set_page_config(
        page_title=f"{t('common.nav.' + page_id)} · Activation Lab", page_icon="🧠", layout="wide"
    )
    if lang != DEFAULT_LANGUAGE:
        st.query_params["lang"] = lang
    elif "lang" in st.query_params:
        del st.query_params["lang"]
    with st.sidebar:
        st.markdown(f"## 🧠 {t('common.app_title')}")
        st.caption(t("common.tagline"))
        for pid, script, icon in PAGES:
            st.page_link(script, label=t(f"common.nav.{pid}"), icon=icon)
        st.divider()
        st.session_state["lang_choice"] = lang
        st.radio(
            "🌐 " + t("common.language"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            key="lang_choice",
            horizontal=True,
            on_change=_on_language_change,
        )
    if title:
        st.title(t(f"{page_id}.title"))
    if intro:
        st.caption(t(f"{page_id}.intro"))


def step_button(where, label: str, key: str, move: Callable[[int], None], step: int, **options):
    """A Back/Next button of a step-by-step page (the wizard, the lessons): a click calls
    ``move(step)``; it fills its column so a row of them lines up."""
    return where.button(label, key=key, on_click=move, args=(step,), width="stretch", **options)
