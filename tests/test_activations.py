"""The activation table: every entry's derivative against a finite difference of its own
forward function, numerics at extreme inputs, the GUIDANCE numbers for the new entries
(M3-M6), gradients through every hidden x output x loss pairing under several
initialisations, and a walk over the table that fails when a consumer lacks an entry."""

import itertools
import warnings

import numpy as np
import pytest
import yaml
from scipy import integrate
from scipy.optimize import minimize_scalar

from core.activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    SELU_ALPHA,
    SELU_LAMBDA,
    get_activation,
)
from core.evidence import FULL_GRID
from core.mlp import CLASSIFIER_LOSSES, INITS, ActivationMLPClassifier, ActivationMLPRegressor
from tests.apptest_utils import ROOT, open_page
from tests.test_mlp import _finite_difference_check, _prepared, _toy

ELEMENTWISE = [n for n, a in ACTIVATIONS.items() if a.elementwise]
NEW = ("elu", "selu", "gelu", "silu", "softplus", "mish")


def _no_fp_trouble():
    """Overflow, invalid operations and division by zero raise; underflow to 0 is the
    correct answer far out on a flat side (softplus(-800) = 0 in float64)."""
    return np.errstate(over="raise", invalid="raise", divide="raise", under="ignore")


# --- each entry's maths -----------------------------------------------------------------
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_difference_of_forward(name):
    act = get_activation(name)
    z = np.concatenate([np.linspace(-7.3, 7.1, 301), [-30.0, -2.5, -0.75, 0.3, 1.2, 25.0]])
    z = z[np.abs(z) > 1e-3]  # ReLU, Leaky ReLU and SELU have a kink at 0
    h = 1e-6
    numeric = (act.fn(z + h) - act.fn(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_kernels_work_in_place_and_agree_with_fn(name):
    act = get_activation(name)
    z = np.random.default_rng(0).normal(0, 3, (40, 7))
    a = z.copy()
    act.forward(a)
    np.testing.assert_array_equal(a, act.fn(z))
    delta = np.full_like(z, 2.0)
    act.backward(z, a, delta)
    np.testing.assert_allclose(delta, 2.0 * act.derivative(z), rtol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_extreme_inputs_give_finite_values_without_warnings(name):
    act = get_activation(name)
    z = np.array([-800.0, -40.0, -1e-300, 0.0, 40.0, 800.0])
    with warnings.catch_warnings(), _no_fp_trouble():
        warnings.simplefilter("error")
        a = act.fn(z)
        d = act.derivative(z)
    assert np.isfinite(a).all() and np.isfinite(d).all(), (a, d)


def test_extreme_values_are_the_limits():
    with _no_fp_trouble():
        for name in ("softplus", "mish", "silu", "gelu", "elu"):
            act = get_activation(name)
            assert act.fn([800.0])[0] == 800.0 and act.derivative([800.0])[0] == 1.0, name
            assert act.fn([-800.0])[0] == pytest.approx(0.0 if name != "elu" else -1.0)
            assert act.derivative([-800.0])[0] == 0.0, name
        assert get_activation("gelu").fn([-40.0])[0] == 0.0
        assert get_activation("selu").fn([-800.0])[0] == pytest.approx(-SELU_LAMBDA * SELU_ALPHA)


def test_known_values():
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    erf_gelu = 0.5 * x * (1 + np.array([__import__("math").erf(v / 2**0.5) for v in x]))
    np.testing.assert_allclose(get_activation("gelu").fn(x), erf_gelu, rtol=1e-14)
    np.testing.assert_allclose(get_activation("silu").fn(x), x / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(get_activation("softplus").fn(x), np.log1p(np.exp(x)), rtol=1e-14)
    np.testing.assert_allclose(
        get_activation("mish").fn(x), x * np.tanh(np.log1p(np.exp(x))), rtol=1e-14
    )
    np.testing.assert_allclose(
        get_activation("elu").fn(x), np.where(x > 0, x, np.exp(x) - 1), rtol=1e-14
    )
    np.testing.assert_allclose(
        get_activation("selu").fn(x),
        SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
        rtol=1e-14,
    )
    # GELU is the exact z * Phi(z): the tanh approximation differs at the 1e-4 level.
    tanh_gelu = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    assert np.abs(get_activation("gelu").fn(x) - tanh_gelu).max() > 1e-5


@pytest.mark.parametrize("name", ["gelu", "silu", "mish"])
def test_minimum_measured_from_the_function_matches_guidance(name):
    act = ACTIVATIONS[name]
    found = minimize_scalar(lambda v: act.fn([v])[0], bounds=(-5, 0), method="bounded")
    z_min, f_min = act.minimum  # GUIDANCE M4-M6, to three decimals
    assert round(found.x, 3) == pytest.approx(z_min, abs=1e-3)
    assert round(found.fun, 3) == pytest.approx(f_min, abs=1e-3)
    assert act.output_range[0] == f_min


def test_selu_fixed_point_mean_zero_variance_one():
    # M3: with standard normal input, SELU's output has mean 0 and variance 1.
    selu = get_activation("selu")
    pdf = lambda v: np.exp(-v * v / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    mean = integrate.quad(lambda v: selu.fn([v])[0] * pdf(v), -40, 40, points=[0])[0]
    second = integrate.quad(lambda v: selu.fn([v])[0] ** 2 * pdf(v), -40, 40, points=[0])[0]
    assert abs(mean) < 1e-6 and abs(second - mean**2 - 1) < 1e-6
    # ELU does not have it.
    elu = get_activation("elu")
    assert integrate.quad(lambda v: elu.fn([v])[0] * pdf(v), -40, 40)[0] > 0.1


def test_facts_agree_with_the_functions():
    z = np.linspace(-30, 30, 60001)
    for name in ELEMENTWISE:
        act = get_activation(name)
        f, d = act.fn(z), np.abs(act.derivative(z))
        lo, hi = act.output_range
        assert f.min() >= lo - 1e-3 and f.max() <= hi, name
        # Each fact both ways: an entry may leave out a fact only where it is false.
        assert act.zero_centred == bool(np.allclose(f, -f[::-1], atol=1e-12)), name
        assert act.flat_below_zero == bool(d[z < 0].max() == 0), name
        # saturates_beyond: both tails flat, and past it the slope under 1% of its peak.
        both_tails_flat = d[0] < 1e-6 and d[-1] < 1e-6
        assert (act.saturates_beyond is not None) == both_tails_flat, name
        if act.saturates_beyond is not None:
            assert d[np.abs(z) >= act.saturates_beyond].max() < 0.01 * d.max(), name
        # saturates_negative: the slope vanishes far left (without being flat there,
        # ReLU's case) and not far right.
        left_tail_only = d[0] < 1e-6 and d[-1] > 0.5 and not act.flat_below_zero
        assert act.saturates_negative == left_tail_only, name
        # smooth: left and right slopes at 0 agree.
        left, right = act.derivative([-1e-9])[0], act.derivative([1e-9])[0]
        assert (abs(left - right) < 1e-6) == act.smooth, name


# --- gradients through the networks -----------------------------------------------------
PAIRINGS = [
    (hidden, out, loss)
    for hidden in HIDDEN_ACTIVATIONS
    for out, loss in itertools.product(OUTPUT_ACTIVATIONS, CLASSIFIER_LOSSES)
]


@pytest.mark.parametrize("hidden,output_activation,loss", PAIRINGS)
def test_classifier_gradient_every_pairing(hidden, output_activation, loss):
    X, y = _toy("multiclass", n=12)
    model = ActivationMLPClassifier(
        hidden_layer_sizes=(4, 3),
        activation=hidden,
        output_activation=output_activation,
        loss=loss,
        alpha=0.01,
        init=INITS[PAIRINGS.index((hidden, output_activation, loss)) % len(INITS)],
        random_state=4,
    )
    Xv, yv = _prepared(model, X, y)
    assert _finite_difference_check(model, Xv, yv) < 1e-6


@pytest.mark.parametrize(
    "hidden,output_activation", list(itertools.product(HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS))
)
def test_regressor_gradient_every_pairing(hidden, output_activation):
    X, y = _toy("regression", n=12)
    model = ActivationMLPRegressor(
        hidden_layer_sizes=(4, 3),
        activation=hidden,
        output_activation=output_activation,
        alpha=0.01,
        init=INITS[HIDDEN_ACTIVATIONS.index(hidden) % len(INITS)],
        random_state=6,
    )
    Xv, yv = _prepared(model, X, np.abs(y) if output_activation == "softplus" else y)
    assert _finite_difference_check(model, Xv, yv) < 1e-6


@pytest.mark.parametrize("hidden,init", list(itertools.product(HIDDEN_ACTIVATIONS, INITS)))
def test_gradient_every_hidden_activation_and_initialisation(hidden, init):
    X, y = _toy("binary", n=12)
    model = ActivationMLPClassifier(
        hidden_layer_sizes=(5, 4), activation=hidden, init=init, random_state=8
    )
    Xv, yv = _prepared(model, X, y)
    assert _finite_difference_check(model, Xv, yv) < 1e-6


# --- the table walk: every consumer has every entry ---------------------------------------
def _names(lang):
    return yaml.safe_load((ROOT / "data" / "i18n" / lang / "common.yaml").read_text())["activation"]


def test_every_entry_has_a_distinct_colour_and_names_in_both_languages():
    colours = [a.colour for a in ACTIVATIONS.values()]
    assert len(set(colours)) == len(colours)
    assert all(c.startswith("#") and len(c) == 7 for c in colours)
    for lang in ("en", "zh"):
        names = _names(lang)
        assert set(ACTIVATIONS) <= set(names), (lang, set(ACTIVATIONS) - set(names))
        assert all(isinstance(names[n], str) and names[n].strip() for n in ACTIVATIONS)
    assert not hasattr(next(iter(ACTIVATIONS.values())), "label")  # names: translations only
    assert set(NEW) <= set(HIDDEN_ACTIVATIONS) and "softplus" in OUTPUT_ACTIVATIONS


def test_every_entry_is_in_the_gradient_checks_and_the_evidence_grid():
    assert {p[0] for p in PAIRINGS} == set(HIDDEN_ACTIVATIONS)
    assert {p[1] for p in PAIRINGS} == set(OUTPUT_ACTIVATIONS)
    assert set(ELEMENTWISE) | {"softmax"} == set(ACTIVATIONS)
    assert set(FULL_GRID.activations) == set(HIDDEN_ACTIVATIONS)


def test_every_entry_is_offered_in_the_playground_and_explorer():
    at = open_page("pages/1_Playground.py")
    assert list(at.selectbox(key="w.activation").options) == [
        _names("en")[n] for n in HIDDEN_ACTIVATIONS
    ]
    outs = at.selectbox(key="w.output_activation").options
    assert all(_names("en")[n] in outs for n in OUTPUT_ACTIVATIONS)
    ex = open_page("pages/3_Activation_explorer.py")
    assert list(ex.multiselect(key="ex.acts").options) == [_names("en")[n] for n in ACTIVATIONS]
