"""The class bench's client (bench/protocol.py) against a real browser on the same
server: pressing Train through Streamlit's websocket protocol must run what a student's
click runs (the same run, the same metrics, the progress messages on the way), or the
class figures in `make bench` would measure something else."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.class_latency import epoch_pattern
from bench.protocol import ProtocolSession
from tests.e2e.conftest import assert_no_exception, wait_for_app
from tests.e2e.test_pages import QUICK, click_train, metric_values
from ui.i18n import strings

EN = strings("en")


async def _train_by_protocol(base_url: str, query: dict) -> tuple[ProtocolSession, float, float]:
    session = await ProtocolSession(base_url, "Playground", query).open()
    try:
        with pytest.raises(KeyError, match="no button 'Tarin'"):
            await session.click("Tarin")
        click, mark = await session.click(EN["playground.train"])
        end = await session.wait_finished(mark, timeout=90)
    finally:
        await session.close()
    return session, click, end


def test_a_protocol_click_trains_what_a_browser_click_trains(page, app_server):
    # Default epochs: a run long enough for the page to report epochs on the way.
    query = {"n_samples": QUICK["n_samples"], "dataset": "moons", "seed": "11"}
    # In a thread of its own: playwright's sync API already runs an event loop here.
    with ThreadPoolExecutor(1) as thread:
        session, click, end = thread.submit(
            asyncio.run, _train_by_protocol(app_server, query)
        ).result()
    assert session.exceptions == []
    assert end > click
    # The progress bar's texts on the way, each sent after the click and each one the
    # bench recognises: waiting for a worker, or an epoch (it times the first of each).
    # Which of them arrive depends on the server's pace (it sends only the latest text
    # of a slot it has not flushed yet), so no order is asserted.
    texts = [text for at, text in session.progress_since(click)]
    waiting = (EN["playground.queued"], EN["playground.starting"])
    assert texts, "no progress message was sent after the click"
    assert all(text in waiting or epoch_pattern().fullmatch(text) for text in texts), texts
    assert len(session.metrics) == 4, session.metrics

    page.goto(f"{app_server}/Playground?" + "&".join(f"{k}={v}" for k, v in query.items()))
    wait_for_app(page)
    click_train(page)
    assert_no_exception(page)
    assert metric_values(page) == session.metrics
