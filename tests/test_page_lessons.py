"""The Lessons page under AppTest: first render, running a lesson, navigation, deep links,
results kept while moving around, and the Chinese interface."""

import pytest

from core.lessons import lesson_charts, registry
from tests.apptest_utils import chart_in, layer_rows, mark_types, open_page

PAGE = "pages/7_Lessons.py"


def progress_text(at) -> str:
    return at.get("progress")[0].proto.text


def lesson_param(at) -> str:
    value = at.query_params["lesson"]
    return value[0] if isinstance(value, list) else value


def test_first_render_shows_lesson_one_and_asks_to_run():
    at = open_page(PAGE)
    assert at.title[0].value == "Lessons"
    assert at.subheader[0].value.startswith("1. ")
    assert "identity activation" in " ".join(m.value for m in at.markdown)  # the claim
    assert any(c.value == "Guidance: G1" for c in at.caption)
    assert any("Run this lesson" in i.value for i in at.info)
    assert progress_text(at) == "Lesson 1 of 13 · 0 run so far"
    assert at.button(key="previous").disabled and not at.button(key="next").disabled
    assert not at.get("vega_lite_chart") and not at.success


def test_running_lesson_one_shows_measurements_verdict_and_surfaces(monkeypatch):
    import streamlit as st

    from core import parallel

    st.cache_data.clear()
    ran = []
    real = parallel.submit  # the lesson runs in the training pool, not the server's thread
    monkeypatch.setattr(parallel, "submit", lambda fn, *a: ran.append(a) or real(fn, *a))
    at = open_page(PAGE)
    at.button(key="run").click().run()
    assert not at.exception
    assert ran == [("linear",)]
    verdicts = (
        [s.value for s in at.success] + [w.value for w in at.warning] + [e.value for e in at.error]
    )
    assert len(verdicts) == 1 and verdicts[0].startswith("Verdict: ")
    lines = [m.value for m in at.markdown if m.value.startswith(("✅", "⚠️", "❌"))]
    assert len(lines) == 3
    xor = next(line for line in lines if "XOR" in line)
    assert "best linear network scores" in xor and "%" in xor
    surface = chart_in(at, "lesson-surface-xor-relu")
    assert mark_types(surface)[0] == "image"
    assert layer_rows(surface)[0]["url"].startswith("data:image/png;base64,")
    chart_in(at, "lesson-surface-circle-identity")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Dataset", "Activation", "Hidden layers", "Test score"]
    assert len(table) == 8
    assert progress_text(at) == "Lesson 1 of 13 · 1 run so far"


def test_next_and_previous_move_through_the_lessons_and_the_url_follows():
    at = open_page(PAGE)
    at.button(key="next").click().run()
    assert at.subheader[0].value.startswith("2. ") and lesson_param(at) == "curves"
    assert not at.button(key="previous").disabled
    at.button(key="next").click().run()
    assert at.subheader[0].value.startswith("3. ") and lesson_param(at) == "sigmoid"
    at.button(key="previous").click().run()
    assert at.subheader[0].value.startswith("2. ")
    assert at.selectbox(key="lesson_select").value == "curves"
    assert progress_text(at).startswith("Lesson 2 of 13")


def test_selector_and_deep_link_choose_a_lesson():
    at = open_page(PAGE, query={"lesson": "output"})
    assert at.subheader[0].value.startswith("13. ")
    assert at.button(key="next").disabled
    at.selectbox(key="lesson_select").select("depth").run()
    assert at.subheader[0].value.startswith("6. ") and lesson_param(at) == "depth"
    at = open_page(PAGE, query={"lesson": "no-such-lesson"})
    assert at.subheader[0].value.startswith("1. ")
    assert "`lesson`: no-such-lesson is not one of" in at.warning[0].value


def test_results_are_kept_while_moving_between_lessons():
    at = open_page(PAGE, query={"lesson": "sigmoid"})
    at.button(key="run").click().run()
    assert at.success[0].value == "Verdict: holds"
    assert any("0.250000000000" in m.value for m in at.markdown)
    at.button(key="next").click().run()
    assert not at.success and any("Run this lesson" in i.value for i in at.info)
    at.button(key="previous").click().run()
    assert at.success[0].value == "Verdict: holds"
    assert mark_types(chart_in(at, "lesson-sigmoid")) == ["rect", "rule", "line"]


def test_chinese_interface():
    at = open_page(PAGE, query={"lesson": "sigmoid"}, lang="zh")
    assert at.title[0].value == "课程"
    assert at.button(key="run").label == "运行本课"
    assert "第 3 / 13 课" in progress_text(at)
    at.button(key="run").click().run()
    assert not at.exception
    assert at.success[0].value == "结论：成立"
    assert any("64 位浮点数" in m.value for m in at.markdown)
    assert "占最大斜率的比例" in list(at.dataframe[0].value.columns)


def _shown_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.success, *at.warning, *at.error, *at.info)]
    return " ".join(parts)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lesson_id", list(registry()))
def test_every_registered_lesson_runs_and_renders(lesson_id, lang):
    at = open_page(PAGE, query={"lesson": lesson_id}, lang=lang)
    at.button(key="run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert lesson_param(at) == lesson_id
    verdicts = [*at.success, *at.warning, *at.error]
    assert len(verdicts) == 1
    text = _shown_text(at)
    assert "lessons." not in text and "{" not in text  # no raw key, no unfilled number
    lines = [m.value for m in at.markdown if m.value.startswith(("✅", "⚠️", "❌"))]
    result = at.session_state["lessons.results"][lesson_id]
    assert len(lines) == len(result.checks)
    for key, _chart in lesson_charts(result):
        chart_in(at, key)  # each chart the lesson declares, in its keyed container
    table = at.dataframe[0].value
    assert len(table) == len(result.table)
    assert not any(str(c).startswith("lessons.") for c in table.columns)
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(lines))
