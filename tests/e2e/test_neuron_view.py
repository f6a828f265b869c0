"""The neuron view in a real browser: after Train the diagram is drawn (a canvas with
the units' pictures on it) with its words, under the surface."""

from urllib.parse import urlencode

from tests.e2e.conftest import assert_no_exception, save_screenshot
from tests.e2e.harness import wait_for_app
from tests.e2e.test_pages import QUICK, click_train

# How many of a grid of sampled pixels of the diagram's canvas are neither white nor
# transparent: the links and the pictures (null: no canvas yet).
DRAWN_PIXELS_JS = """(() => {
  const c = document.querySelector('.st-key-neuron_view canvas');
  if (!c || !c.width) return null;
  const g = c.getContext('2d');
  let drawn = 0;
  for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
    const x = Math.floor(c.width * i / 20), y = Math.floor(c.height * j / 20);
    const d = g.getImageData(x, y, 1, 1).data;
    if (d[3] > 0 && (d[0] < 240 || d[1] < 240 || d[2] < 240)) drawn++;
  }
  return drawn;
})()"""


def test_the_neuron_view_appears_after_train(page, app_server):
    page.goto(f"{app_server}/Playground?{urlencode(QUICK)}")
    wait_for_app(page)
    assert page.locator(".st-key-neuron_view canvas").count() == 0
    click_train(page)
    assert_no_exception(page)
    view = page.locator(".st-key-neuron_view")
    view.locator("canvas").first.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(500)  # the atlas image loads
    assert page.evaluate(f"() => {DRAWN_PIXELS_JS}") > 20
    text = view.inner_text()
    assert "Inside the network" in text and "units dead" in text
    view.scroll_into_view_if_needed()
    save_screenshot(page, "playground-neuron-view")
