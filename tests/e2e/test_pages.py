"""Every page in a real browser: deep links on a fresh server, the Playground's main
path, shared links, the language switch, concurrent sessions and hostile URLs."""

import random
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from core.config import TrainConfig
from core.training import train
from tests.e2e.conftest import assert_no_exception, save_screenshot, wait_for_app
from tests.e2e.harness import surface_picture
from ui.frame import PAGES

QUICK = {"n_samples": "200", "epochs": "60"}


def page_url(script: str) -> str:
    """Streamlit's URL path for a page file: its name without the number prefix."""
    return "" if script == "app.py" else re.sub(r"^\d+_", "", Path(script).stem)


def metric_values(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def click_train(page) -> None:
    page.get_by_role("button", name=re.compile("^(Train|训练)$")).click()
    page.locator(".st-key-surface").wait_for(state="visible", timeout=60_000)
    wait_for_app(page, timeout=60_000, rerun=True)


@pytest.mark.parametrize("script", [p[1] for p in PAGES], ids=[p[0] for p in PAGES])
def test_deep_link_on_a_fresh_server_gets_the_frame(script, page, fresh_server):
    page.goto(f"{fresh_server()}/{page_url(script)}")  # the first request this server sees
    wait_for_app(page)
    assert_no_exception(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Activation Lab").first.wait_for(state="visible")
    # Our translated navigation, not Streamlit's file-name list.
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    expect(sidebar.locator('[data-testid="stPageLink"]')).to_have_count(len(PAGES))
    page.locator("h1").first.wait_for(state="visible")
    save_screenshot(page, f"deep-link-{page_url(script) or 'home'}")


def test_training_draws_the_charts_and_a_shared_link_reopens_the_run(browser, app_server):
    query = {**QUICK, "dataset": "xor", "activation": "tanh"}
    url = f"{app_server}/Playground?{urlencode(query)}"
    results = []
    for _ in range(2):  # two separate sessions opening the same link
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(url)
        wait_for_app(page)
        click_train(page)
        assert_no_exception(page)
        assert page.locator(".st-key-surface canvas, .st-key-surface svg").count() >= 1
        assert page.locator(".st-key-loss-chart canvas, .st-key-loss-chart svg").count() >= 1
        results.append(metric_values(page))
        save_screenshot(page, "playground-trained")
        context.close()
    assert results[0] == results[1] and results[0]
    expected = train(TrainConfig.from_query(query, strict=True)[0]).history.test_score.iloc[-1]
    assert results[0][0] == f"{expected:.1%}"


def start_long_run(page, app_server):
    """Open the Playground on the spiral with 1,500 epochs, press Train and wait for the
    first epoch; returns the progress text, visible while the run lasts."""
    query = {"dataset": "spiral", "epochs": "1500", "stop_when_flat": "false"}
    page.goto(f"{app_server}/Playground?{urlencode(query)}")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    progress = page.get_by_text(re.compile(r"^Epoch \d+ of 1500$"))
    progress.wait_for(timeout=60_000)
    return progress


def test_a_long_run_animates_the_surface_while_it_trains(page, app_server):
    progress = start_long_run(page, app_server)
    chart = page.locator(".st-key-surface canvas")
    chart.wait_for(timeout=60_000)
    # Mark the chart's drawing: the page should update this chart in place, never
    # replace it, from the blank surface through the live frames to the finished one.
    chart.evaluate("c => { c.__first = true; }")
    pictures = set()
    while progress.is_visible() and len(pictures) < 3:  # several epochs' surfaces, live
        pictures.add(surface_picture(page))
        page.wait_for_timeout(150)
    assert len(pictures) >= 3, "the surface did not change while training"
    save_screenshot(page, "playground-live")
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=90_000)
    wait_for_app(page, timeout=60_000, rerun=True)
    assert_no_exception(page)
    page.wait_for_timeout(300)  # the finished surface's image loads
    assert surface_picture(page) not in pictures  # the finished surface
    assert chart.evaluate("c => !!c.__first")


def test_changing_a_control_updates_the_url(page, app_server):
    page.goto(f"{app_server}/Playground")
    wait_for_app(page)
    # Type into the select's search box and confirm, as a keyboard user would: a click
    # can land while the dropdown is being re-rendered and leave it closed.
    box = page.get_by_label("Hidden activation")
    box.click()
    box.fill("Tanh")
    page.get_by_role("option", name="Tanh").wait_for()
    box.press("Enter")
    wait_for_app(page, rerun=True)
    page.wait_for_url(re.compile(r"activation=tanh"))


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box ``label`` by typing, as a keyboard user would."""
    box = page.get_by_label(label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).wait_for()
    box.press("Enter")
    wait_for_app(page, rerun=True)


@pytest.mark.parametrize(
    "choices,query",
    [
        ([("Hidden activation", "GELU")], {"activation": "gelu"}),
        (
            [("Hidden activation", "SELU"), ("Weight initialisation", "LeCun normal")],
            {"activation": "selu", "init": "lecun_normal"},
        ),
    ],
    ids=["gelu", "selu-lecun"],
)
def test_the_playground_trains_the_new_activations_and_inits(page, app_server, choices, query):
    page.goto(f"{app_server}/Playground?{urlencode(QUICK)}")
    wait_for_app(page)
    for label, option in choices:
        _choose(page, label, option)
    for key, value in query.items():
        page.wait_for_url(re.compile(rf"{key}={value}"))
    click_train(page)
    assert_no_exception(page)
    assert page.locator(".st-key-surface canvas, .st-key-surface svg").count() >= 1
    config = TrainConfig.from_query({**QUICK, **query}, strict=True)[0]
    expected = train(config).history.test_score.iloc[-1]
    assert metric_values(page)[0] == f"{expected:.1%}"
    save_screenshot(page, f"playground-{'-'.join(query.values())}")


def test_language_switch_translates_and_sticks(page, app_server):
    page.goto(f"{app_server}/Playground")
    wait_for_app(page)
    page.get_by_text("简体中文").click()
    wait_for_app(page, rerun=True)
    page.get_by_role("heading", name="训练场").wait_for()
    page.wait_for_url(re.compile(r"lang=zh"))
    page.reload()
    wait_for_app(page)
    page.get_by_role("heading", name="训练场").wait_for()
    assert_no_exception(page)
    save_screenshot(page, "playground-zh")


def test_two_sessions_training_at_once_see_only_their_own_run(browser, app_server):
    configs = [{**QUICK, "dataset": "moons"}, {**QUICK, "dataset": "circle", "seed": "3"}]
    pages = []
    for query in configs:
        context = browser.new_context()
        p = context.new_page()
        p.goto(f"{app_server}/Playground?{urlencode(query)}")
        wait_for_app(p)
        pages.append(p)
    buttons = [p.get_by_role("button", name="Train", exact=True) for p in pages]
    for b in buttons:  # press both before either finishes
        b.click()
    for p, query in zip(pages, configs):
        p.locator(".st-key-surface").wait_for(state="visible", timeout=60_000)
        wait_for_app(p, timeout=60_000, rerun=True)
        assert_no_exception(p)
        expected = train(TrainConfig.from_query(query, strict=True)[0]).history
        assert metric_values(p)[0] == f"{expected.test_score.iloc[-1]:.1%}"
        assert metric_values(p)[3] == str(int(expected.epoch.iloc[-1]))
        p.context.close()


HOSTILE = [
    {"epochs": "99999999999999999999"},
    {"epochs": "-1"},
    {"noise": "nan"},
    {"hidden_layers": ",".join(["128"] * 50)},
    {"hidden_layers": "0"},
    {"dataset": "<script>alert(1)</script>"},
    {"activation": "relu\u0000"},
    {"learning_rate": "1e400"},
    {"n_classes": "9", "dataset": "moons"},
    {"loss": "log_loss", "dataset": "sine"},
    {"lang": "xx"},
    {"hide": ",,,nope"},
]


def _random_query(rng: random.Random) -> dict:
    keys = list(TrainConfig.__dataclass_fields__) + ["lang", "hide", "junk"]
    alphabet = "0123456789.,-e+abcxyz_%&=?/ 中"
    return {
        rng.choice(keys): "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for _ in range(rng.randint(1, 5))
    }


def test_hostile_and_random_query_strings_never_break_the_playground(page, app_server):
    rng = random.Random(20261128)
    for query in HOSTILE + [_random_query(rng) for _ in range(12)]:
        page.goto(f"{app_server}/Playground?{urlencode(query)}")
        wait_for_app(page)
        assert_no_exception(page)
        page.locator("h1").first.wait_for(state="visible")


def test_a_link_at_a_fields_limit_shows_that_value_in_the_control(page, app_server):
    """The bug the generated controls removed: seed=20000000 showed 0 in the weight-seed
    box (it stopped at 10,000,000) while the code said random_state=20000000; a noise
    past the dataset's slider range raised a traceback; batch_size=5000 showed 512."""
    query = {"seed": "20000000", "data_seed": "2147483647", "noise": "2.0", "batch_size": "5000"}
    page.goto(f"{app_server}/Playground?{urlencode(query)}")
    wait_for_app(page)
    assert_no_exception(page)
    page.get_by_text("Training", exact=True).click()  # a collapsed expander
    expect(page.get_by_label("Weight seed")).to_have_value("20000000")
    expect(page.get_by_label("Data seed")).to_have_value("2147483647")
    expect(page.get_by_role("slider", name="Batch size")).to_have_attribute(
        "aria-valuetext", "5000"
    )
    expect(page.get_by_role("slider", name="Noise")).to_have_attribute("aria-valuetext", "2.00")
    page.get_by_text("Show code").click()
    code = page.locator('[data-testid="stCode"]').first
    expect(code).to_contain_text("random_state=20000000")
    expect(code).to_contain_text("seed=2147483647")
    save_screenshot(page, "playground-limits")
