"""core.explorer: the guidance's numbers measured from the activation functions, flat
zones, two-class softmax, and the chart built from them."""

import numpy as np
import pytest

import core.explorer as ex
from core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, get_activation
from core.charts.explorer import function_chart


def claims(**kw):
    return {c.key: c for c in ex.check_claims(**kw)}


def test_every_claim_is_checked_and_agrees():
    found = claims()
    assert set(found) == {
        "sigmoid_peak",
        "tanh_peak",
        "sigmoid_range",
        "tanh_range",
        "zero_centred",
        "sigmoid_flat",
        "tanh_flat",
        "sigmoid_same",
        "relu_zero",
        "leaky_alive",
        "softmax_two_class",
        "gelu_minimum",
        "silu_minimum",
        "mish_minimum",
        "smooth_at_zero",
        "selu_fixed_point",
        "negative_side",
        "softplus_slope",
    }
    assert all(c.passed for c in found.values()), [k for k, c in found.items() if not c.passed]
    assert all(c.guidance and all(g[0] in "GM" for g in c.guidance) for c in found.values())


@pytest.mark.parametrize(
    "name,at,low", [("gelu", -0.752, -0.170), ("silu", -1.278, -0.278), ("mish", -1.192, -0.309)]
)
def test_minima_measured_from_the_function_match_guidance(name, at, low):
    # GUIDANCE M4-M6, typed here from the guide, measured by the explorer.
    claim = claims()[f"{name}_minimum"]
    assert claim.measured["at"] == pytest.approx(at, abs=5e-4)
    assert claim.measured["low"] == pytest.approx(low, abs=5e-4)
    assert claim.params["low"] == f"{low:.3f}" and claim.params["at"] == f"{at:.3f}"


def test_a_wrong_guidance_minimum_fails_its_claim(monkeypatch):
    import dataclasses

    moved = dataclasses.replace(ACTIVATIONS["gelu"], minimum=(-0.6, -0.170))
    monkeypatch.setitem(ex.ACTIVATIONS, "gelu", moved)
    assert not claims()["gelu_minimum"].passed


def test_selu_fixed_point_and_smoothness_are_measured():
    found = claims()
    selu = found["selu_fixed_point"].measured
    assert abs(selu["mean"]) < 1e-6 and selu["var"] == pytest.approx(1.0, abs=1e-6)
    assert selu["elu_mean"] > 0.1  # ELU is not self-normalising
    kinks = found["smooth_at_zero"].measured
    assert kinks["relu"] == 1.0
    assert kinks["selu"] == pytest.approx(1.0507009873554805 * (1.6732632423543772 - 1))
    assert max(kinks[n] for n in ("elu", "gelu", "silu", "softplus", "mish")) < 1e-6


def test_gelus_flat_edge_is_the_outermost_crossing():
    # |GELU'| crosses 1% of its peak near its minimum (x ~ -0.75, where f' = 0) and
    # again far left; the flat zone starts at the far crossing.
    edge = ex.flat_threshold("gelu", -1)
    assert -3.2 < edge < -2.8
    x = np.linspace(edge - 20, edge - 1e-6, 2001)
    assert (np.abs(ex.slopes("gelu", x)) < 0.01 * ex.peak_slope("gelu")).all()
    assert ex.flat_threshold("gelu", 1) is None


def test_derivative_peaks_are_measured():
    found = claims()
    assert found["sigmoid_peak"].measured["peak"] == pytest.approx(0.25, abs=1e-12)
    assert found["tanh_peak"].measured["peak"] == pytest.approx(1.0, abs=1e-12)
    assert found["sigmoid_peak"].params["peak"] == "0.25"
    assert ex.peak_slope("relu") == 1.0


def test_one_percent_thresholds_sit_at_the_articles_six_and_three():
    # f' < 1% of its peak: sigmoid beyond 5.99, tanh beyond 2.99 (article: +-6, +-3).
    assert ex.flat_threshold("logistic") == pytest.approx(
        np.log((1 + np.sqrt(0.99)) / (1 - np.sqrt(0.99))), abs=1e-9
    )
    assert ex.flat_threshold("logistic") == pytest.approx(5.986, abs=1e-3)
    assert ex.flat_threshold("tanh") == pytest.approx(2.993, abs=1e-3)
    assert ex.flat_threshold("logistic", -1) == pytest.approx(-ex.flat_threshold("logistic"))
    found = claims()
    # At the article's +-6, sigmoid' is ~1% of its peak; the output reaches 0.99 at 4.6.
    assert found["sigmoid_flat"].measured["share_at_article"] == pytest.approx(0.0099, abs=2e-4)
    assert found["sigmoid_flat"].measured["out99"] == pytest.approx(4.595, abs=1e-3)
    assert found["tanh_flat"].measured["out99"] == pytest.approx(2.647, abs=1e-3)
    assert found["sigmoid_flat"].params["edge"] == "5.99"


def test_thresholds_for_relu_family_and_identity():
    assert ex.flat_threshold("relu", -1) == 0.0  # the whole negative side
    assert ex.flat_threshold("relu", 1) is None
    assert ex.flat_threshold("identity", -1) is None
    assert ex.flat_threshold("leaky_relu", -1, leaky_slope=0.01) is None  # 1% is not below 1%
    assert ex.flat_threshold("leaky_relu", -1, leaky_slope=0.005) == 0.0


def test_sigmoid_of_100_and_10000_are_the_same_float():
    found = claims()["sigmoid_same"]
    assert found.measured["a"] == found.measured["b"] == 1.0
    cut = ex.float64_saturation_point("logistic")
    assert 36 < cut < 38
    assert ex.values("logistic", [cut])[0] == 1.0 > ex.values("logistic", [cut - 1e-6])[0]


def test_a_broken_function_fails_its_claim(monkeypatch):
    # The check is live: give "leaky_relu" ReLU's kernels and its claim must fail.
    real = ex.get_activation
    monkeypatch.setattr(
        ex,
        "get_activation",
        lambda name, slope=0.01: real("relu") if name == "leaky_relu" else real(name, slope),
    )
    assert not claims()["leaky_alive"].passed


def test_leaky_slope_is_reported():
    found = claims(leaky_slope=0.2)["leaky_alive"]
    assert found.passed and found.params["slope"] == "0.2"
    assert found.measured["low"] == pytest.approx(0.2)


def test_softmax_two_class_is_sigmoid_with_its_jacobian_diagonal():
    x = np.linspace(-10, 10, 201)
    assert np.allclose(ex.values("softmax", x), ex.values("logistic", x), atol=1e-12)
    h = 1e-6
    numeric = (ex.values("softmax", x + h) - ex.values("softmax", x - h)) / (2 * h)
    assert np.allclose(ex.slopes("softmax", x), numeric, atol=1e-8)


def test_slopes_match_finite_differences_for_every_elementwise_entry():
    x = np.array([-3.3, -0.7, 0.4, 2.1, 5.0])
    h = 1e-6
    for name, act in ACTIVATIONS.items():
        if not act.elementwise:
            continue
        numeric = (ex.values(name, x + h) - ex.values(name, x - h)) / (2 * h)
        assert np.allclose(ex.slopes(name, x), numeric, atol=1e-6), name


def test_curves_and_points():
    names = ex.default_selection()
    assert names == list(HIDDEN_ACTIVATIONS)
    frame = ex.curves(names + ["softmax"])
    assert len(frame) == ex.CURVE_POINTS * (len(names) + 1)
    assert set(frame.columns) == {"activation", "x", "f", "df"}
    point = ex.at_point(["logistic", "tanh", "relu"], 0.0).set_index("activation")
    assert point.loc["logistic", "f"] == 0.5 and point.loc["logistic", "df"] == 0.25
    assert point.loc["tanh", "share_of_peak"] == 1.0
    far = ex.at_point(["logistic", "tanh", "relu", "leaky_relu"], -7.0).set_index("activation")
    assert far["flat"].to_dict() == {
        "logistic": True,
        "tanh": True,
        "relu": True,
        "leaky_relu": False,
    }


def test_flat_zones_are_few_rows_from_table_and_measurement():
    zones = ex.flat_zones(list(ACTIVATIONS))
    assert len(zones) <= 2 * 2 * len(ACTIVATIONS)  # at most two sources x two sides
    sig = zones[zones.activation == "logistic"]
    assert sorted(sig[sig.source == "guidance"].edge) == [-6.0, 6.0]  # saturates_beyond
    assert sorted(np.round(sig[sig.source == "measured"].edge, 2)) == [-5.99, 5.99]
    relu = zones[zones.activation == "relu"]
    assert set(relu.source) == {"guidance", "measured"}
    assert (relu.start == ex.X_RANGE[0]).all() and (relu.end == 0).all()
    assert zones[zones.activation.isin(["identity", "leaky_relu"])].empty


def test_get_activation_rejects_bad_slope_for_the_explorer():
    with pytest.raises(ValueError):
        get_activation("leaky_relu", 2.0)


def test_function_chart_layers():
    names = ["logistic", "relu"]
    labels = {n: n.upper() for n in names}
    chart = function_chart(
        ex.curves(names), ex.flat_zones(names), ex.at_point(names, 1.0), "df", labels
    ).to_dict()
    assert [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        for layer in chart["layer"]
    ] == ["rect", "line", "rule", "point"]
