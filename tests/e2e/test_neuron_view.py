"""The neuron view in a real browser: after Train the diagram is drawn (a canvas with
the units' pictures on it) with its words, under the surface."""

import re
from urllib.parse import urlencode

from tests.e2e.conftest import assert_no_exception, save_screenshot
from tests.e2e.harness import wait_for_app
from tests.e2e.test_pages import QUICK, click_train, start_long_run

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


# A grid of sampled pixels stands for the picture the diagram shows now.
PICTURE_JS = """(() => {
  const c = document.querySelector('.st-key-neuron_view canvas');
  if (!c || !c.width) return null;
  const g = c.getContext('2d');
  const px = [];
  for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++) {
    const d = g.getImageData(Math.floor(c.width * i / 12), Math.floor(c.height * j / 12), 1, 1);
    px.push(...d.data.slice(0, 3));
  }
  return px.join(',');
})()"""


def test_the_neuron_view_updates_while_training(page, app_server):
    progress = start_long_run(page, app_server)
    page.locator(".st-key-neuron_view canvas").first.wait_for(timeout=60_000)
    pictures = set()
    while progress.is_visible() and len(pictures) < 3:
        picture = page.evaluate(f"() => {PICTURE_JS}")
        if picture:
            pictures.add(picture)
        page.wait_for_timeout(200)
    assert len(pictures) >= 3, "the neuron view did not change while training"
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=90_000)
    wait_for_app(page, timeout=60_000, rerun=True)
    assert_no_exception(page)


def test_continuing_a_run_moves_the_replay_slider_to_its_new_last_epoch(page, app_server):
    # The slider's identity is its key: a default value alone would leave the browser
    # showing the first run's last epoch.
    query = {"n_samples": "200", "epochs": "40", "stop_when_flat": "false"}
    page.goto(f"{app_server}/Playground?{urlencode(query)}")
    wait_for_app(page)
    click_train(page)
    slider = page.get_by_role("slider", name="Replay training (epoch)")
    assert slider.get_attribute("aria-valuetext") == "40"
    page.get_by_role("button", name=re.compile("^Continue training")).click()
    wait_for_app(page, timeout=60_000, rerun=True)
    assert_no_exception(page)
    assert page.locator('[data-testid="stMetricValue"]').all_inner_texts()[-1] == "80"
    assert slider.get_attribute("aria-valuetext") == "80"
