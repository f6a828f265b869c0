"""The lessons added for initialisation, the newer activations and the chain rule, run
in a real browser in both languages: the verdict, one line per check and the charts
appear, with no exception and no raw translation key."""

import re

import pytest
from playwright.sync_api import expect

from core.lessons import registry
from tests.e2e.conftest import assert_no_exception, save_screenshot, wait_for_app

NEW_LESSONS = ["chain_rule", "sigmoid_init", "relu_init", "selu", "modern"]
RUN = {"en": "Run this lesson", "zh": "运行本课"}
VERDICT = {"en": re.compile(r"^Verdict: "), "zh": re.compile(r"^结论：")}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lesson_id", NEW_LESSONS)
def test_a_new_lesson_runs_in_the_browser(page, app_server, lesson_id, lang):
    assert lesson_id in registry()
    page.goto(f"{app_server}/Lessons?lesson={lesson_id}&lang={lang}")
    wait_for_app(page)
    page.get_by_role("button", name=RUN[lang]).click()
    checks = page.locator(".st-key-checks")
    checks.wait_for(state="visible", timeout=60_000)
    wait_for_app(page, timeout=60_000, rerun=True)
    assert_no_exception(page)
    expect(page.locator(".st-key-verdict").get_by_text(VERDICT[lang])).to_be_visible()
    lines = checks.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
    assert lines and all(line[:1] in "✅⚠❌" for line in lines), lines
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "lessons." not in body
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", " ".join(lines))
    charts = page.locator(f'[class*="st-key-lesson-{lesson_id}"]')
    assert charts.count() >= 1
    expect(charts.first).to_be_visible()
    save_screenshot(page, f"lesson-{lesson_id}-{lang}")
