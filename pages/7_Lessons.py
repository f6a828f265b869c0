"""Lessons: each claim of the guidance tested live, the verdict computed from the numbers."""

from concurrent.futures import BrokenExecutor

import streamlit as st

from core import parallel
from core.lessons import (
    VERDICT_ICONS,
    check_text,
    display_table,
    lesson_charts,
    lesson_specs,
    playground_query,
    registry,
    run_lesson,
)
from ui.frame import page_frame, step_button
from ui.i18n import current_language, pick, t
from ui.results import show_chart
from ui.url import choice_url, read_url, write_url

page_frame("lessons")


@st.cache_data(show_spinner=False, max_entries=32)
def cached_lesson(lesson_id: str):
    # In the training pool: a lesson is up to a few seconds of CPU, which in the
    # server's own threads would stall every other session meanwhile.
    return parallel.submit(run_lesson, lesson_id).result()


lessons, specs = registry(), lesson_specs()
ids = list(lessons)
# The current lesson lives under a non-widget key (widget state is dropped when the page
# is left); a shared link may name it with ?lesson=<id>.
LINK = choice_url("lessons", "lesson", ids)
wanted, warnings = read_url(LINK)
for warning in warnings:
    st.warning(warning)
if wanted is not None or st.session_state.get("lessons.current") not in ids:
    st.session_state["lessons.current"] = wanted or ids[0]
results = st.session_state.setdefault("lessons.results", {})


def move(step: int) -> None:
    i = ids.index(st.session_state["lessons.current"]) + step
    st.session_state["lessons.current"] = ids[max(0, min(i, len(ids) - 1))]


def choose() -> None:
    st.session_state["lessons.current"] = st.session_state["lesson_select"]


current = st.session_state["lessons.current"]
index, spec = ids.index(current), specs[current]
write_url(LINK, current)
st.session_state["lesson_select"] = current

titles = {i: f"{n}. {pick(specs[i]['title'], current_language())}" for n, i in enumerate(ids, 1)}
nav = st.columns([4, 1, 1], vertical_alignment="bottom")
nav[0].selectbox(
    t("lessons.choose"),
    ids,
    key="lesson_select",
    on_change=choose,
    format_func=lambda i: titles[i],
)
step_button(nav[1], t("lessons.previous"), "previous", move, -1, disabled=index == 0)
step_button(nav[2], t("lessons.next"), "next", move, 1, disabled=index == len(ids) - 1)
st.progress(
    (index + 1) / len(ids),
    text=t("lessons.progress", n=index + 1, total=len(ids), done=len(results)),
)

st.subheader(titles[current])
claim_col, result_col = st.columns(2, gap="large")
with claim_col:
    st.markdown(f"**{t('lessons.claim')}**")
    st.markdown(pick(spec["claim"]))
    st.caption(t("lessons.guidance", ids=", ".join(spec["guidance"])))
    st.page_link("pages/5_Rules.py", label=t("lessons.rules_link"), icon="📜")
    if (query := playground_query(current)) is not None:
        st.page_link(
            "pages/1_Playground.py",
            label=t("lessons.playground_link"),
            icon="🧪",
            query_params=query,
        )
    with st.expander(t("lessons.look_for"), expanded=True):
        st.markdown(pick(spec["look_for"]))

with result_col:
    st.markdown(f"**{t('lessons.measured')}**")
    if st.button(t("lessons.run"), type="primary", key="run"):
        try:
            with st.spinner(t("lessons.running")):
                results[current] = cached_lesson(current)
            st.rerun()  # redraw the progress line with the new count
        except (ValueError, BrokenExecutor) as err:  # BrokenExecutor: a worker died
            st.error(t("lessons.error", error=str(err)))
    result = results.get(current)
    if result is None:
        st.info(t("lessons.press_run"))
    else:
        show = {"holds": st.success, "nuance": st.warning, "fails": st.error}[result.verdict]
        with st.container(key="verdict"):
            show(
                t("lessons.verdict_title", verdict=t(f"lessons.verdict.{result.verdict}")),
                icon=VERDICT_ICONS[result.verdict],
            )
        with st.container(key="checks"):
            for check in result.checks:
                st.markdown(
                    f"{VERDICT_ICONS[check.verdict]} **{', '.join(check.guidance)}** "
                    f"{check_text(current, check, t)}"
                )
        st.caption(t("lessons.verdict_help"))
        st.caption(t("lessons.seconds", seconds=f"{result.seconds:.2f}"))

if result is not None:
    charts = lesson_charts(result, t)
    per_row = lessons[current].charts_per_row
    for row in range(0, len(charts), per_row):
        cols = st.columns(max(min(len(charts), per_row), 2))
        for col, (key, chart) in zip(cols, charts[row:]):
            with col:
                show_chart(chart, key)
    st.markdown(f"**{t('lessons.table')}**")
    st.dataframe(display_table(result, t), hide_index=True, key="lesson-table")
    with st.expander(t("lessons.experiment")):
        st.json(spec["experiment"], expanded=True)
