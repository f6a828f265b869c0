"""Charts in words (core.charts.text) and their use as text alternatives on the page."""

import json

import pandas as pd
import pytest

from core.charts.text import describe
from tests.apptest_utils import open_page
from ui.frame import PAGES
from ui.i18n import strings

WORDS = {k.split(".", 1)[1]: v for k, v in strings("en").items() if k.startswith("charts.")}


def test_lines_are_told_with_their_first_last_and_range():
    frame = pd.DataFrame(
        {
            "epoch": [1, 2, 3, 1, 2, 3],
            "loss": [0.9, 0.5, 0.4, 1.0, 0.7, 0.8],
            "set": ["train"] * 3 + ["test"] * 3,
        }
    )
    spec = {
        "title": "Loss",
        "data": {"name": "h"},
        "datasets": {"h": frame},
        "mark": "line",
        "encoding": {
            "x": {"field": "epoch", "type": "quantitative"},
            "y": {"field": "loss", "type": "quantitative", "title": "loss"},
            "color": {"field": "set"},
        },
    }
    text = describe(spec, WORDS)
    assert text.startswith("Loss. Lines of loss against epoch.")
    assert "train: from 0.9 to 0.4 (lowest 0.4, highest 0.9)." in text
    assert "test: from 1 to 0.8 (lowest 0.7, highest 1)." in text


def test_layers_and_pictures_are_walked():
    spec = {
        "layer": [
            {
                "mark": {"type": "image"},
                "encoding": {
                    "x": {"field": "x", "title": "x1"},
                    "y": {"field": "y", "title": "x2"},
                },
            },
            {"mark": "circle", "data": {"values": [{"a": 1}, {"a": 2}]}},
        ]
    }
    assert describe(spec, WORDS) == (
        "A coloured picture of the model's output over x1 and x2. 2 data points."
    )


def test_every_chart_on_the_playground_after_a_run_has_a_text_alternative():
    at = open_page("pages/1_Playground.py", query={"n_samples": "200", "epochs": "30"})
    at.button(key="train").click().run()
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 4  # surface, loss, score, neuron view
    alts = [c.proto.alt for c in charts]
    assert all(alts), alts
    surface = next(a for a in alts if a.startswith("The network's output over the input plane."))
    assert "A coloured picture of the model's output over x1 and x2." in surface
    # The loss chart's numbers are the run's own.
    history = at.session_state["result"].history
    loss = next(a for a in alts if "Lines of Loss" in a)
    assert (
        f"train: from {history.train_loss.iloc[0]:.3g} to {history.train_loss.iloc[-1]:.3g}" in loss
    )
    assert all(json.loads(c.proto.spec) for c in charts)


@pytest.mark.parametrize("script", [p[1] for p in PAGES], ids=[p[0] for p in PAGES])
def test_every_chart_a_page_opens_with_has_a_text_alternative(script):
    at = open_page(script)
    missing = [i for i, c in enumerate(at.get("vega_lite_chart")) if not c.proto.alt.strip()]
    assert missing == []
