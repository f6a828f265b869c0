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
    runs = core.evidence.load_runs()
    assert f"{len(runs)} trainings" in at.info[0].value
    assert f"{runs.seed.nunique()} seeds" in at.info[0].value
    overview = chart_in(at, "evidence-overview")
    assert mark_types(overview["spec"]) == ["rect", "text", "text"]
    rows = facet_rows(overview)  # one init: a cell per dataset, activation and depth
    auto = runs[runs.init == "auto"]
    assert len(rows) == auto.groupby(["dataset", "activation", "depth"]).ngroups
    assert {r["dataset"] for r in rows} == {
        "Circle (Playground)",
        "XOR (Playground)",
        "Two Gaussians (Playground)",
        "Spiral (Playground)",
    }
    for claim in CLAIMS:
        heat, spread = chart_in(at, f"heatmap-{claim}"), chart_in(at, f"spread-{claim}")
        assert mark_types(heat["spec"]) == ["rect", "text", "text"]
        assert mark_types(spread["spec"]) == ["rule", "point"]  # min-max bar + mean
    g1 = {r["dataset"] for r in facet_rows(chart_in(at, "heatmap-G1"))}
    assert g1 == {"Circle (Playground)", "XOR (Playground)"}
    g23 = {r["activation"] for r in facet_rows(chart_in(at, "spread-G23"))}
    assert g23 == {"tanh", "logistic"}
    summary = core.evidence.summarise(runs)
    backed = [c for c in core.evidence.claims(summary) if c.supported]
    verdicts = [s.value for s in at.success]
    assert len(verdicts) == len(backed) and len(verdicts) + len(at.warning) == len(CLAIMS)
    assert all(v.startswith("Backed by the numbers") for v in verdicts)
    assert "%" in verdicts[0] and "{" not in " ".join(verdicts)  # numbers filled in
    assert not at.exception and not at.error


def test_page_opens_in_chinese(no_training):
    at = open_page(PAGE, lang="zh")
    assert at.title[0].value == "实验证据"
    assert at.success and all("数据支持" in s.value for s in at.success)
    assert str(len(core.evidence.load_runs())) in at.info[0].value
    assert any(h.value == "当今常用激活函数与 ReLU 的对比" for h in at.header)
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
        inits=("auto",),
        extra_inits={},
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
    assert f"{len(core.evidence.load_runs())} trainings" in at.info[0].value


def test_page_says_where_each_new_activation_is_within_the_seed_noise(no_training):
    """One line per activation of today's practice: its better / worse / within counts
    against ReLU, the same counts noise_verdict gives on the shipped table."""
    at = open_page(PAGE)
    modern = core.evidence.modern_against_relu(core.evidence.summarise(core.evidence.load_runs()))
    lines = [m.value for m in at.markdown if "within the seed noise in" in m.value]
    names = {"elu": "ELU", "selu": "SELU", "gelu": "GELU", "silu": "SiLU", "mish": "Mish"}
    assert len(lines) == modern.activation.nunique() == 6
    for activation, cells in modern.groupby("activation"):
        counts = cells.verdict.value_counts()
        line = next(x for x in lines if activation in x.lower() or names.get(activation, "@") in x)
        assert f"worse in {counts.get('worse', 0)}," in line
        assert f"within the seed noise in {counts.get('within', 0)}." in line
    at.selectbox(key="evidence_init").set_value("he_uniform").run()
    assert not at.exception
    # Each activation under its own matched scheme: SELU now against ReLU under He.
    at.selectbox(key="evidence_init").set_value("matched").run()
    assert not at.exception
    matched = core.evidence.modern_against_relu(
        core.evidence.with_matched_inits(core.evidence.summarise(core.evidence.load_runs()))[0],
        init="matched",
    )
    selu = matched[matched.activation == "selu"].verdict.value_counts()
    line = next(
        m.value
        for m in at.markdown
        if m.value.startswith("**SELU**") or "SELU" in m.value.split(":")[0]
    )
    assert f"within the seed noise in {selu.get('within', 0)}." in line
