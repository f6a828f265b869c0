"""Activation Lab: the entry point and home page. Run with `make run`."""

import streamlit as st

from ui.frame import PAGES, page_frame
from ui.i18n import pick, t
from ui.teacher import teacher_links

page_frame("home", title=False, intro=False)  # the home page has its own
st.title("🧠 " + t("common.app_title"))
st.markdown(t("home.intro"))

cols = st.columns(3)
for i, (page_id, script, icon) in enumerate(PAGES[1:]):
    with cols[i % 3].container(border=True):
        st.page_link(script, label=t(f"common.nav.{page_id}"), icon=icon)
        st.caption(t(f"home.blurb.{page_id}"))

st.subheader(t("home.teacher_title"))
st.caption(t("home.teacher_help"))
for link in teacher_links():
    st.page_link(
        "pages/1_Playground.py", label=pick(link["title"]), icon="🔗", query_params=link["query"]
    )
