"""Downloads in a real browser: the report opens offline and shows the page's numbers;
the history and the weights arrive as files that read back."""

import re

import numpy as np
import pandas as pd

from tests.e2e.conftest import assert_no_exception, save_screenshot, wait_for_app
from tests.e2e.test_pages import QUICK, click_train, metric_values


def _download(page, label: str):
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label).click()
    return info.value


def test_downloads_after_a_run(page, app_server, browser, tmp_path):
    query = "&".join(f"{k}={v}" for k, v in {**QUICK, "lang": "zh"}.items())
    page.goto(f"{app_server}/Playground?{query}")
    wait_for_app(page, timeout=60_000)  # a cold server's first page can take a while
    click_train(page)
    assert_no_exception(page)
    shown = metric_values(page)

    report = tmp_path / "report.html"
    _download(page, "报告（HTML）").save_as(report)
    history = pd.read_csv(_download(page, "训练历史（CSV）").path())
    weights = np.load(_download(page, "权重（.npz）").path(), allow_pickle=False)
    assert_no_exception(page)
    assert len(history) == int(shown[-1])  # one row per epoch run
    assert {"coef_0", "intercept_0", "config"} <= set(weights.files)

    # Offline: every network request from the report's page is refused.
    offline = browser.new_context(offline=True)
    try:
        requests = []
        viewer = offline.new_page()
        viewer.on("request", lambda r: requests.append(r.url))
        viewer.goto(report.as_uri())
        numbers = viewer.locator("[data-metric]").all_inner_texts()
        assert numbers == shown
        assert viewer.locator("img").count() == 3  # surface, loss, score
        assert viewer.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        assert re.search("训练报告", viewer.title())
        save_screenshot(viewer, "report-offline")
    finally:
        offline.close()


def test_compare_downloads_every_run_and_a_report(page, app_server, tmp_path):
    page.goto(f"{app_server}/Compare?" + "&".join(f"{k}={v}" for k, v in QUICK.items()))
    wait_for_app(page, timeout=60_000)
    page.get_by_role("button", name="Run comparison").click()
    page.locator(".st-key-compare-table").wait_for(timeout=120_000)
    assert_no_exception(page)
    runs = pd.read_csv(_download(page, "Every run (CSV)").path())
    # The default comparison: three activations, three seeds each.
    assert len(runs) == 9 and runs.groupby("variant").seed.nunique().eq(3).all()
    assert set(runs.variant_label) == {"ReLU", "Tanh", "Sigmoid"}
    report = tmp_path / "compare.html"
    _download(page, "Report (HTML)").save_as(report)
    page.goto(report.as_uri())
    table = page.locator("table.results")
    assert table.locator("tbody tr").count() == 3
    assert "**" not in page.locator("ul.verdict").inner_text()


def test_run_history_survives_page_switches_and_stays_in_its_session(browser, app_server):
    url = f"{app_server}/Playground?" + "&".join(f"{k}={v}" for k, v in QUICK.items())
    mine, theirs = browser.new_context(), browser.new_context()
    try:
        page = mine.new_page()
        page.goto(url)
        click_train(page)
        kept = page.get_by_text(re.compile(r"^Your runs \(1 of the last 10 kept\)$"))
        kept.wait_for()
        # Away to another page and back through the sidebar, as a student would.
        page.locator('[data-testid="stSidebar"]').get_by_text("Compare").click()
        page.get_by_role("heading", name="Compare").wait_for()
        page.locator('[data-testid="stSidebar"]').get_by_text("Playground").click()
        kept.wait_for()
        assert_no_exception(page)

        other = theirs.new_page()
        other.goto(url)
        wait_for_app(other)
        other.get_by_role("heading", name="Playground").wait_for()
        assert other.get_by_text(re.compile(r"^Your runs")).count() == 0
        click_train(other)
        other.get_by_text(re.compile(r"^Your runs \(1 of the last 10 kept\)$")).wait_for()
    finally:
        mine.close()
        theirs.close()


def test_a_run_whose_tab_is_closed_frees_its_worker(browser, fresh_server, monkeypatch):
    # One training worker: a run abandoned in a closed tab would hold it for the whole
    # 30-second budget, and the next student would wait for all of it. Streamlit stops a
    # disconnected session's script (it keeps only its state for a reconnect), and
    # train_live's finally then asks the worker to stop: that chain is what this tests.
    monkeypatch.setenv("ACTIVATION_LAB_WORKERS", "1")
    base = fresh_server()
    long_run = {
        "dataset": "spiral",
        "epochs": "3000",
        "stop_when_flat": "0",
        "hidden_layers": "64,64,64",
    }
    leaving = browser.new_context()
    page = leaving.new_page()
    page.goto(f"{base}/Playground?" + "&".join(f"{k}={v}" for k, v in long_run.items()))
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(re.compile(r"^Epoch \d+ of 3000$")).wait_for(timeout=60_000)
    leaving.close()  # the student closes the tab mid-run

    staying = browser.new_context()
    try:
        other = staying.new_page()
        other.goto(f"{base}/Playground?" + "&".join(f"{k}={v}" for k, v in QUICK.items()))
        wait_for_app(other)
        other.get_by_role("button", name="Train", exact=True).click()
        # The abandoned run has at least 20 s of its budget left; the worker must come
        # free well before that for this run to finish inside the wait.
        other.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=15_000)
        assert_no_exception(other)
    finally:
        staying.close()
