"""Accessibility in a real browser: an axe-core audit of every page in both languages
(and of the Playground after a run), the Playground and the wizard from the keyboard
alone, and every screen size from a phone to a projector.

axe-core comes bundled in the ``axe-playwright-python`` package (requirements-test.txt),
so nothing is downloaded at test time. Only serious and critical findings fail a test:
they are the ones that stop someone from reading or using a page.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import assert_no_exception, save_screenshot, wait_for_app
from tests.e2e.test_pages import QUICK, click_train, page_url
from tests.e2e.test_real_use import en, expect_step
from ui.frame import PAGES

AXE = Axe()
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BLOCKING = ("serious", "critical")


def blocking_violations(page) -> list[str]:
    """axe's serious and critical WCAG 2.1 AA findings on the page as it is now, one line
    each: rule, impact, how many elements, the first element and why."""
    found = []
    for v in AXE.run(page, options=WCAG_AA).response["violations"]:
        if v["impact"] in BLOCKING:
            node = v["nodes"][0]
            why = node.get("failureSummary", "").replace("\n", " ")[:300]
            found.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}x) {node['target']}: {why}")
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("script", [p[1] for p in PAGES], ids=[p[0] for p in PAGES])
def test_every_page_passes_an_axe_audit(script, lang, page, app_server):
    page.goto(f"{app_server}/{page_url(script)}?lang={lang}")
    wait_for_app(page, timeout=60_000)
    assert_no_exception(page)
    assert blocking_violations(page) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_playground_after_a_run_passes_an_axe_audit(lang, page, app_server):
    query = "&".join(f"{k}={v}" for k, v in QUICK.items())
    page.goto(f"{app_server}/Playground?{query}&lang={lang}")
    wait_for_app(page)
    click_train(page)
    assert_no_exception(page)
    assert blocking_violations(page) == []


def _tab_to(page, matches, limit=150) -> bool:
    """Press Tab until the focused element satisfies the JavaScript predicate
    ``matches(el)``; False if ``limit`` presses never get there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return !!el && ({matches}); }})()"
        ):
            return True
    return False


def test_the_playground_works_from_the_keyboard_alone(page, app_server):
    query = "&".join(f"{k}={v}" for k, v in QUICK.items())
    page.goto(f"{app_server}/Playground?{query}")
    wait_for_app(page)
    assert _tab_to(page, "el.tagName === 'BUTTON' && el.innerText.trim() === 'Train'"), (
        "Tab never reaches the Train button"
    )
    page.keyboard.press("Enter")
    page.locator(".st-key-surface").wait_for(state="visible", timeout=60_000)
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=90_000)
    wait_for_app(page, timeout=60_000, rerun=True)
    assert_no_exception(page)

    # The replay slider: reachable by Tab, moved by the arrow keys.
    slider = page.locator(".st-key-replay input[type=range]")
    before = slider.input_value()
    page.locator("body").focus()
    assert _tab_to(page, "el.type === 'range' && !!el.closest('.st-key-replay')"), (
        "Tab never reaches the replay slider"
    )
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    wait_for_app(page, rerun=True)
    assert slider.input_value() != before
    assert_no_exception(page)
    save_screenshot(page, "playground-keyboard")


def _press_focused_button(page, label: str) -> None:
    """Tab from the top of the page to the button ``label`` and press Enter."""
    page.locator("body").focus()
    found = _tab_to(page, f"el.tagName === 'BUTTON' && el.innerText.trim() === {label!r}")
    assert found, f"Tab never reaches the {label} button"
    page.keyboard.press("Enter")
    wait_for_app(page, rerun=True)


def test_the_wizard_works_from_the_keyboard_alone(page, app_server):
    page.goto(f"{app_server}/Wizard")
    wait_for_app(page)
    expect_step(page, 1)
    # The task is a radio group: Tab reaches it, an arrow key picks another task.
    task = ".st-key-w-wizard-task"
    checked = f"document.querySelector('{task} input[type=radio]:checked').value"
    before = page.evaluate(checked)
    assert _tab_to(page, f"el.type === 'radio' && !!el.closest('{task}')"), (
        "Tab never reaches the task choice"
    )
    page.keyboard.press("ArrowDown")
    wait_for_app(page, rerun=True)
    assert page.evaluate(checked) != before
    for n in (2, 3, 4):
        _press_focused_button(page, en("wizard.next"))
        expect_step(page, n)
        wait_for_app(page)
    # The advice is up, with its way on to the Playground.
    assert page.locator(".st-key-wizard-playground").is_visible()
    _press_focused_button(page, en("wizard.back"))
    expect_step(page, 3)
    assert_no_exception(page)


# (name, viewport, device scale): a phone; a projector at 1920x1080 with the browser
# zoomed to 150%, which lays the page out at 1280x720 CSS pixels; a laptop.
SCREENS = {
    "phone": ({"width": 390, "height": 844}, 2),
    "projector": ({"width": 1280, "height": 720}, 1.5),
    "laptop": ({"width": 1366, "height": 768}, 1),
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_after_a_run_the_surface_shares_a_screen_with_train(screen, browser, app_server):
    viewport, scale = SCREENS[screen]
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    try:
        page = context.new_page()
        query = "&".join(f"{k}={v}" for k, v in QUICK.items())
        page.goto(f"{app_server}/Playground?{query}")
        wait_for_app(page)
        click_train(page)
        page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=90_000)
        assert_no_exception(page)
        train = page.get_by_role("button", name="Train", exact=True).bounding_box()
        surface = page.locator(".st-key-surface").bounding_box()
        assert surface["y"] - train["y"] <= viewport["height"] / 2
        # Nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.get_by_role("button", name="Train", exact=True).scroll_into_view_if_needed()
        save_screenshot(page, f"playground-{screen}")
    finally:
        context.close()


@pytest.mark.parametrize("script", [p[1] for p in PAGES], ids=[p[0] for p in PAGES])
def test_no_page_scrolls_sideways_on_a_phone(script, browser, app_server):
    viewport, scale = SCREENS["phone"]
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/{page_url(script)}")
        wait_for_app(page, timeout=60_000)
        assert_no_exception(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    finally:
        context.close()
