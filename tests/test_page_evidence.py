"""The Evidence page under AppTest: it opens from the shipped CSV without training, in
English and Chinese, with a chart per claim; Recompute runs a sweep and shows it."""

import pytest

import core.evidence
from core.config import TrainConfig
from core.evidence import SweepGrid
from tests.apptest_utils import chart_in, mark_types, open_page

PAGE = "pages/8_Evidence.py"
CLAIMS = ("G1", "G8", "G20", "G21", "G23")


@pytest.fixture
def no_training(monkeypatch):
    """Opening the page must not train anything: it reads the shipped table."""

    def refuse(*args, **kwargs):
        raise AssertionError("the page trained on open")

    monkeypatch.setattr(core.evidence, "run_sweep", refuse)
    monkeypatch.setattr(core.evidence, "run_one", refuse)


def facet_rows(spec: dict) -> list[dict]:
    return spec["datasets"][spec["data"]["name"]]


def test_page_opens_from_the_shipped_table_in_english(no_training):
    at = open_page(PAGE)
    assert at.title[0].value == "Evidence"
    assert "240 trainings" in at.info[0].value and "4 seeds" in at.info[0].value
    overview = chart_in(at, "evidence-overview")
    assert mark_types(overview["spec"]) == ["rect", "text", "text"]
    rows = facet_rows(overview)
    assert len(rows) == 60 and {r["dataset"] for r in rows} >= {"Moons", "XOR (Playground)"}
    for claim in CLAIMS:
        heat, spread = chart_in(at, f"heatmap-{claim}"), chart_in(at, f"spread-{claim}")
        assert mark_types(heat["spec"]) == ["rect", "text", "text"]
        assert mark_types(spread["spec"]) == ["rule", "point"]  # min-max bar + mean
    g1 = {r["dataset"] for r in facet_rows(chart_in(at, "heatmap-G1"))}
    assert g1 == {"Circle (Playground)", "XOR (Playground)"}
    g23 = {r["activation"] for r in facet_rows(chart_in(at, "spread-G23"))}
    assert g23 == {"tanh", "logistic"}
    verdicts = [s.value for s in at.success]
    assert len(verdicts) == 5 and all(v.startswith("Backed by the numbers") for v in verdicts)
    assert "%" in verdicts[0] and "{" not in " ".join(verdicts)  # numbers filled in
    assert not at.exception and not at.error


def test_page_opens_in_chinese(no_training):
    at = open_page(PAGE, lang="zh")
    assert at.title[0].value == "实验证据"
    assert len(at.success) == 5 and all("数据支持" in s.value for s in at.success)
    assert "240" in at.info[0].value
    heat = chart_in(at, "heatmap-G1")
    assert heat["spec"]["layer"][0]["encoding"]["y"]["title"] == "激活函数"
    rows = facet_rows(heat)
    assert {r["dataset"] for r in rows} == {"圆环（Playground）", "异或（Playground）"}
    assert "恒等（线性）" in {r["label"] for r in rows}


@pytest.mark.slow
def test_recompute_runs_a_sweep_and_shows_it(monkeypatch):
    tiny = SweepGrid(
        activations=("identity", "relu"),
        datasets=("circle", "xor"),
        depths=(1, 2),
        seeds=(0, 1),
        base=TrainConfig(n_samples=100, epochs=20, stop_when_flat=False),
    )
    monkeypatch.setattr(core.evidence, "RECOMPUTE_GRID", tiny)
    at = open_page(PAGE)
    at.multiselect(key="evidence_datasets").unselect("circle").run()
    at.button(key="recompute").click().run()
    assert not at.exception and not at.error
    assert at.radio(key="evidence_source").value == "recomputed"
    assert "8 trainings (4 cells" in at.info[0].value and "2 seeds" in at.info[0].value
    rows = facet_rows(chart_in(at, "evidence-overview"))
    assert len(rows) == 4 and {r["dataset"] for r in rows} == {"XOR (Playground)"}
    assert any("Recomputed 8 trainings" in s.value for s in at.success)
    # G1 needs circle and XOR: with only XOR recomputed it is left out, G20 remains.
    assert not any("identity hidden units" in s.value for s in [*at.success, *at.warning])
    # Back to the shipped table.
    at.radio(key="evidence_source").set_value("shipped").run()
    assert "240 trainings" in at.info[0].value
