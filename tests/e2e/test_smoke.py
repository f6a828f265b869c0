"""Smoke: the home page renders on a server nobody has visited yet."""

from tests.e2e.conftest import assert_no_exception, wait_for_app


def test_home_renders(page, fresh_server, screenshot):
    page.goto(fresh_server())
    wait_for_app(page)
    # Playwright auto-waits for visibility and fails with the locator in the message.
    page.get_by_text("Activation Lab").first.wait_for(state="visible", timeout=5_000)
    assert_no_exception(page)
    screenshot()
