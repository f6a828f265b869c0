"""Continue training: a finished run goes on from its weights, with its history, replay
frames and epoch numbers carrying on; in core and on the Playground."""

import numpy as np
import pytest

from core import parallel
from core.config import TrainConfig
from core.training import continue_config, train
from tests.apptest_utils import open_page

PAGE = "pages/1_Playground.py"
CONFIG = TrainConfig(n_samples=200, epochs=30, stop_when_flat=False)


def test_a_continued_run_carries_on_from_its_weights():
    first = train(CONFIG, network_view=True)
    kept = [w.copy() for w in first.model.coefs_]
    more = train(CONFIG, resume=first, network_view=True)
    assert more.history.epoch.tolist() == list(range(1, 61))
    # The first 30 epochs are the first run's, untouched; it goes on from where it was.
    assert more.history.iloc[:30].equals(first.history)
    assert abs(more.history.train_loss[30] - first.history.train_loss.iloc[-1]) < 0.05
    assert more.history.train_loss.iloc[-1] < first.history.train_loss.iloc[-1]
    assert more.snapshot_epochs[-1] == 60 and set(first.snapshot_epochs) <= set(
        more.snapshot_epochs
    )
    assert [f.epoch for f in more.network_frames] == list(more.snapshot_epochs)
    for before, after in zip(kept, first.model.coefs_):  # the first result is not changed
        np.testing.assert_array_equal(before, after)
    assert more.seconds > first.seconds


def test_a_run_that_stopped_as_flat_can_go_on():
    first = train(TrainConfig(n_samples=200, epochs=300))
    assert first.stop_reason == "converged"
    more = train(TrainConfig(n_samples=200, epochs=20, stop_when_flat=False), resume=first)
    assert len(more.history) == len(first.history) + 20


def test_only_how_it_trains_may_change():
    continue_config(CONFIG, CONFIG.replace(learning_rate=0.001, epochs=100))
    for change in (dict(activation="tanh"), dict(hidden_layers=(8,)), dict(seed=3)):
        with pytest.raises(ValueError, match=next(iter(change))):
            continue_config(CONFIG, CONFIG.replace(**change))


def test_a_worker_continues_a_run_with_live_progress():
    first = train(CONFIG)
    job = parallel.submit_training(CONFIG, progress=True, resume=first)
    result = job.result(timeout=120)
    assert len(result.history) == 60 and job.latest()["epoch"] == 60


def test_the_playground_continues_the_run_shown():
    at = open_page(PAGE, query={"n_samples": "200", "epochs": "40", "stop_when_flat": "false"})
    assert at.button(key="continue").disabled  # nothing to continue yet
    at.button(key="train").click().run()
    assert not at.button(key="continue").disabled
    at.button(key="continue").click().run()
    assert not at.exception
    result = at.session_state["result"]
    assert len(result.history) == 80
    assert at.select_slider(key="replay").options[-1] == "80"
    assert [m.value for m in at.metric if m.label == "Epochs run"] == ["80"]
    # Another activation is another network: that run cannot go on as this one.
    at.selectbox(key="w.activation").select("tanh").run()
    assert at.button(key="continue").disabled
