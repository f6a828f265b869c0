"""The activation explorer under AppTest: default render, picking activations and an
input, the leaky slope, softmax's note, both languages."""

from core.activations import HIDDEN_ACTIVATIONS
from core.explorer import check_claims
from tests.apptest_utils import chart_in, layer_rows, mark_types, open_page

PAGE = "pages/3_Activation_explorer.py"
HIDDEN_NAMES = [
    *("Identity (linear)", "Sigmoid", "Tanh", "ReLU", "Leaky ReLU"),
    *("ELU", "SELU", "GELU", "SiLU (Swish)", "Softplus", "Mish"),
]
assert len(HIDDEN_NAMES) == len(HIDDEN_ACTIVATIONS)
CLAIMS = len(check_claims())
LAYERS = ["rect", "line", "rule", "point"]


def claim_lines(at):
    return [m.value for m in at.markdown if m.value.startswith(("✅", "❌"))]


def test_default_render_draws_both_panels_and_checks_every_claim():
    at = open_page(PAGE)
    for key in ("explorer-f", "explorer-df"):
        spec = chart_in(at, key)
        assert mark_types(spec) == LAYERS
        labels = {row["label"] for row in layer_rows(spec, 1)}
        assert labels == set(HIDDEN_NAMES)
        zones = layer_rows(spec, 0)
        assert 0 < len(zones) < 20  # a rectangle per zone, not per point
        edges = sorted(
            round(z["edge"], 2)
            for z in zones
            if z["label"] == "Sigmoid" and z["source"] == "measured"
        )
        assert edges == [-5.99, 5.99]
    lines = claim_lines(at)
    assert len(lines) == CLAIMS and all(line.startswith("✅") for line in lines)
    text = " ".join(lines)
    assert "**0.25**" in text and "±5.99" in text and "±2.99" in text and "4.60" in text
    assert "**-0.170 at x = -0.752**" in text and "**mean 0, variance 1**" in text
    table = at.table[0].value
    assert list(table.index) == HIDDEN_NAMES
    assert table.loc["Sigmoid", "f(x)"] == "0.731059"


def test_choosing_activations_and_input_moves_the_marker():
    at = open_page(PAGE)
    at.multiselect(key="ex.acts").set_value(["logistic", "tanh"])
    at.slider(key="ex.x").set_value(7.0).run()
    assert not at.exception
    spec = chart_in(at, "explorer-df")
    assert {row["label"] for row in layer_rows(spec, 1)} == {"Sigmoid", "Tanh"}
    marker = layer_rows(spec, 3)
    assert {row["label"] for row in marker} == {"Sigmoid", "Tanh"}
    assert all(row["x"] == 7.0 for row in marker)
    sigmoid = next(row for row in marker if row["label"] == "Sigmoid")
    assert abs(sigmoid["value"] - 0.000910) < 1e-5  # sigmoid'(7)
    assert layer_rows(spec, 2) == [{"x": 7.0}]
    table = at.table[0].value
    assert table.loc["Sigmoid", "In flat zone"] == "yes"
    assert table.loc["Tanh", "In flat zone"] == "yes"


def test_leaky_slope_changes_curve_and_claim():
    at = open_page(PAGE)
    at.multiselect(key="ex.acts").set_value(["leaky_relu"])
    at.select_slider(key="ex.slope").set_value(0.2).run()
    line = layer_rows(chart_in(at, "explorer-df"), 1)
    assert min(row["y"] for row in line) == 0.2
    assert any("α = 0.2 " in line for line in claim_lines(at))


def test_softmax_is_explained_and_drawn_as_two_class_case():
    at = open_page(PAGE)
    at.multiselect(key="ex.acts").set_value(["softmax"]).run()
    assert any("two-class" in i.value for i in at.info)
    line = layer_rows(chart_in(at, "explorer-f"), 1)
    at_zero = next(row for row in line if abs(row["x"]) < 1e-9)
    assert at_zero["y"] == 0.5


def test_empty_selection_asks_for_a_choice():
    at = open_page(PAGE)
    at.multiselect(key="ex.acts").set_value([]).run()
    assert not at.exception and not at.get("vega_lite_chart")
    assert any("at least one" in i.value for i in at.info)
    assert len(claim_lines(at)) == CLAIMS  # the checks do not depend on the selection


def test_new_activations_are_drawn_with_the_tables_colours():
    at = open_page(PAGE)
    at.multiselect(key="ex.acts").set_value(["gelu", "selu", "mish"])
    at.slider(key="ex.x").set_value(-0.8).run()
    spec = chart_in(at, "explorer-f")
    scale = spec["layer"][1]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {
        "GELU": "#e377c2",
        "SELU": "#17becf",
        "Mish": "#393b79",
    }
    gelu = next(r for r in layer_rows(spec, 3) if r["label"] == "GELU")
    assert abs(gelu["value"] + 0.1700) < 1e-3  # near its minimum
    with_formulas = " ".join(e.value for e in at.get("latex"))
    assert "erf" in with_formulas and r"\lambda" in with_formulas


def test_chinese_page_renders():
    at = open_page(PAGE, lang="zh")
    assert at.title[0].value == "激活函数浏览器"
    assert mark_types(chart_in(at, "explorer-f")) == LAYERS
    assert any("一致" in line for line in claim_lines(at))
    assert "激活函数" in at.table[0].value.index.name
