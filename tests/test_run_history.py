"""A session's run history (core.run_history and the Playground's panel)."""

import pytest

from core import parallel
from core.config import TrainConfig
from core.run_history import MAX_RUNS, RunHistory, nbytes, slim
from core.training import train
from tests.apptest_utils import keyed_block, open_page

PAGE = "pages/1_Playground.py"
QUICK = {"n_samples": "200", "epochs": "40"}


@pytest.fixture(scope="module")
def run():
    return train(TrainConfig(n_samples=150, epochs=80, stop_when_flat=False))


def test_a_kept_run_drops_its_replay_frames_but_not_its_results(run):
    kept = slim(run)
    assert len(run.snapshot_epochs) > 1 and list(kept.snapshot_epochs) == [run.snapshot_epochs[-1]]
    assert (kept.snapshots[-1] == run.snapshots[-1]).all()
    assert kept.history is run.history and kept.model is run.model
    assert nbytes(kept) < nbytes(run)


def test_the_history_keeps_the_last_runs_only(run):
    runs = RunHistory()
    for i in range(MAX_RUNS + 2):
        runs.add(run.__class__(**{**run.__dict__, "config": run.config.replace(seed=i)}))
    assert len(runs) == MAX_RUNS
    assert [r.number for r in runs] == list(range(3, MAX_RUNS + 3))
    with pytest.raises(KeyError, match="last 10 runs"):
        runs.get(1)
    assert runs.get(3).config.seed == 2
    assert runs.varying_fields() == ["seed"]
    table = runs.table()
    assert list(table.columns) == ["run", "seed", "test_accuracy"]
    assert table.run.tolist()[0] == MAX_RUNS + 2  # newest first


def test_the_playground_keeps_restores_and_pairs_runs(monkeypatch):
    at = open_page(PAGE, query=QUICK)
    at.button(key="train").click().run()
    first = at.session_state["result"]
    at.selectbox(key="w.activation").set_value("tanh").run()
    at.button(key="train").click().run()
    assert not at.exception
    table = keyed_block(at, "history-table").get("dataframe")[0].value
    assert table["Run"].tolist() == [2, 1]
    assert table["Hidden activation"].tolist() == ["tanh", "relu"]

    calls = []
    monkeypatch.setattr(parallel, "submit", lambda *a: calls.append(a))
    at.selectbox(key="history-pick").set_value(1).run()
    at.button(key="history-restore").click().run()
    assert not at.exception and calls == []  # restored, not trained again
    assert at.session_state["config"].activation == "relu"
    assert at.selectbox(key="w.activation").value == "relu"
    assert at.session_state["result"].history is first.history
    assert any("Run 1 is back" in s.value for s in at.success)

    at.multiselect(key="history-pair").set_value([1, 2]).run()
    assert not at.exception
    assert keyed_block(at, "history-side-1") and keyed_block(at, "history-side-2")
    differ = " ".join(c.value for c in at.caption)
    assert "Settings that differ: Hidden activation" in differ
