"""The engine's estimators: correct gradients for every pairing, drop-in compatibility
with scikit-learn, and the documented behaviour of non-probability outputs."""

import itertools

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.estimator_checks import check_estimator

from core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from core.diagnostics import at_initialisation
from core.mlp import (
    CLASSIFIER_LOSSES,
    ActivationMLPClassifier,
    ActivationMLPRegressor,
    is_canonical,
)


def _toy(task, n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    if task == "binary":
        y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int)
    elif task == "multiclass":
        y = np.digitize(X[:, 0] + 0.5 * X[:, 2], [-0.5, 0.5])
    elif task == "multilabel":
        y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 2] > 0]).astype(int)
    else:
        y = np.sin(X[:, 0]) + 0.3 * X[:, 1]
    return X, y


def _prepared(model, X, y):
    """A model whose weights are initialised (one short fit) plus the arrays the
    back-propagation works on, exactly as fit() prepares them."""
    model.set_params(max_iter=1, solver="sgd", learning_rate_init=1e-3)
    model.fit(X, y)
    Xv, yv = model._validate_input(X, y, incremental=False, reset=False)
    yv = yv.reshape(len(X), -1).astype(float)
    return Xv, yv


def _loss_and_grads(model, X, y):
    units = [X.shape[1]] + [c.shape[1] for c in model.coefs_]
    activations = [X] + [None] * (len(units) - 1)
    deltas = [None] * (len(units) - 1)
    coef_grads = [np.empty((a, b)) for a, b in zip(units[:-1], units[1:])]
    intercept_grads = [np.empty(b) for b in units[1:]]
    loss, cg, ig = model._backprop(X, y, None, activations, deltas, coef_grads, intercept_grads)
    return loss, [g.copy() for g in cg], [g.copy() for g in ig]


def _finite_difference_check(model, X, y, h=1e-6):
    _, coef_grads, intercept_grads = _loss_and_grads(model, X, y)
    worst = 0.0
    for params, grads in ((model.coefs_, coef_grads), (model.intercepts_, intercept_grads)):
        for p, g in zip(params, grads):
            numeric = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + h
                up = _loss_and_grads(model, X, y)[0]
                p[idx] = old - h
                down = _loss_and_grads(model, X, y)[0]
                p[idx] = old
                numeric[idx] = (up - down) / (2 * h)
            scale = max(1.0, np.abs(numeric).max())
            worst = max(worst, np.abs(numeric - g).max() / scale)
    return worst


CLASSIFIER_CASES = [
    (task, out, loss)
    for task in ("binary", "multiclass", "multilabel")
    for out, loss in itertools.product(OUTPUT_ACTIVATIONS, CLASSIFIER_LOSSES)
]


@pytest.mark.parametrize("task,output_activation,loss", CLASSIFIER_CASES)
def test_classifier_gradients_match_finite_differences(task, output_activation, loss):
    X, y = _toy(task)
    model = ActivationMLPClassifier(
        hidden_layer_sizes=(5, 4),
        activation="tanh",
        output_activation=output_activation,
        loss=loss,
        alpha=0.01,
        random_state=3,
    )
    Xv, yv = _prepared(model, X, y)
    assert _finite_difference_check(model, Xv, yv) < 1e-6


@pytest.mark.parametrize("output_activation", OUTPUT_ACTIVATIONS)
def test_regressor_gradients_match_finite_differences(output_activation):
    X, y = _toy("regression")
    model = ActivationMLPRegressor(
        hidden_layer_sizes=(5,),
        activation="logistic",
        output_activation=output_activation,
        alpha=0.01,
        random_state=1,
    )
    Xv, yv = _prepared(model, X, y)
    assert _finite_difference_check(model, Xv, yv) < 1e-6


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("slope", [0.01, 0.2])
def test_hidden_activation_gradients(hidden, slope):
    X, y = _toy("binary")
    model = ActivationMLPClassifier(
        hidden_layer_sizes=(6, 5),
        activation=hidden,
        leaky_slope=slope,
        output_activation="tanh",
        loss="squared_error",
        random_state=2,
    )
    Xv, yv = _prepared(model, X, y)
    assert _finite_difference_check(model, Xv, yv) < 1e-6


def test_non_canonical_pair_would_be_wrong_with_the_fused_shortcut(monkeypatch):
    """Guards the point of the subclass: prediction - target is not the gradient of a
    tanh output under squared error, and the finite-difference check sees it."""
    X, y = _toy("binary")
    model = ActivationMLPClassifier(
        hidden_layer_sizes=(4,), output_activation="tanh", loss="squared_error", random_state=0
    )
    Xv, yv = _prepared(model, X, y)
    correct = _finite_difference_check(model, Xv, yv)
    monkeypatch.setattr("core.mlp.is_canonical", lambda *pair: True)
    shortcut = _finite_difference_check(model, Xv, yv)
    assert correct < 1e-6 < 1e-2 < shortcut


def _assert_same_weights(ours, stock, solver):
    """Bit-identical for the stochastic solvers; lbfgs within rounding (scipy's line
    search compares loss values whose summation order may differ)."""
    for a, b in zip(ours.coefs_ + ours.intercepts_, stock.coefs_ + stock.intercepts_):
        if solver == "lbfgs":
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)
        else:
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel"])
def test_classifier_defaults_match_sklearn(solver, task):
    X, y = _toy(task, n=80)
    kw = dict(hidden_layer_sizes=(8, 6), solver=solver, max_iter=60, random_state=7)
    ours = ActivationMLPClassifier(**kw).fit(X, y)
    stock = MLPClassifier(**kw).fit(X, y)
    _assert_same_weights(ours, stock, solver)
    np.testing.assert_array_equal(ours.predict(X), stock.predict(X))
    if solver != "lbfgs":
        np.testing.assert_allclose(ours.loss_curve_, stock.loss_curve_, rtol=1e-12)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("activation", ["relu", "logistic", "tanh", "identity"])
def test_regressor_defaults_match_sklearn(solver, activation):
    X, y = _toy("regression", n=80)
    kw = dict(
        hidden_layer_sizes=(8,), activation=activation, solver=solver, max_iter=50, random_state=5
    )
    ours = ActivationMLPRegressor(**kw).fit(X, y)
    stock = MLPRegressor(**kw).fit(X, y)
    _assert_same_weights(ours, stock, solver)


def test_softmax_on_binary_task_uses_two_units():
    X, y = _toy("binary", n=120)
    model = ActivationMLPClassifier(
        hidden_layer_sizes=(8,), output_activation="softmax", max_iter=300, random_state=0
    ).fit(X, y)
    assert model.coefs_[-1].shape[1] == 2
    proba = model.predict_proba(X)
    assert proba.shape == (120, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= {0, 1}
    assert (model.predict(X) == y).mean() > 0.8  # it really learns


@pytest.mark.parametrize("output_activation", ["identity", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_predict_proba_of_score_outputs_is_a_distribution(task, output_activation):
    X, y = _toy(task, n=60)
    model = ActivationMLPClassifier(
        hidden_layer_sizes=(6,),
        output_activation=output_activation,
        loss="squared_error",
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    assert not model.outputs_are_probabilities_
    raw = model._forward_pass_fast(X)
    proba = model.predict_proba(X * 5)  # push scores outside [0, 1]
    assert proba.min() >= 0 and proba.max() <= 1
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert raw.shape[1] == (1 if task == "binary" else 3)


def test_log_loss_on_identity_output_gets_zero_gradient_when_clipped():
    X, y = _toy("binary")
    model = ActivationMLPClassifier(
        hidden_layer_sizes=(4,), output_activation="identity", loss="log_loss", random_state=0
    )
    Xv, yv = _prepared(model, X, y)
    model.intercepts_[-1][:] = 5.0  # every output far above 1: the clip is active
    _, coef_grads, _ = _loss_and_grads(model, Xv, yv)
    assert np.abs(coef_grads[-1]).max() < model.alpha * np.abs(model.coefs_[-1]).max() + 1e-12


def test_get_params_and_clone_keep_new_parameters():
    model = ActivationMLPClassifier(
        hidden_layer_sizes=(3,),
        activation="leaky_relu",
        leaky_slope=0.1,
        output_activation="tanh",
        loss="squared_error",
    )
    params = clone(model).get_params()
    assert params["activation"] == "leaky_relu"
    assert params["leaky_slope"] == 0.1
    assert params["output_activation"] == "tanh"
    assert params["loss"] == "squared_error"
    assert clone(ActivationMLPRegressor(output_activation="relu")).output_activation == "relu"


@pytest.mark.parametrize(
    "bad",
    [
        dict(activation="softmax"),
        dict(output_activation="exp"),
        dict(loss="hinge"),
        dict(leaky_slope=0.0),
        dict(leaky_slope=1.5),
    ],
)
def test_invalid_parameters_raise_clear_errors(bad):
    X, y = _toy("binary")
    with pytest.raises(ValueError, match=list(bad)[0]):
        ActivationMLPClassifier(**bad).fit(X, y)


def test_poisson_requires_auto_output():
    X, y = _toy("regression")
    with pytest.raises(ValueError, match="poisson"):
        ActivationMLPRegressor(loss="poisson", output_activation="identity").fit(X, np.abs(y))
    ActivationMLPRegressor(loss="poisson", max_iter=5).fit(X, np.abs(y))


@pytest.mark.slow
@pytest.mark.parametrize(
    "estimator",
    [ActivationMLPClassifier(max_iter=50), ActivationMLPRegressor(max_iter=50)],
    ids=["classifier", "regressor"],
)
def test_check_estimator(estimator):
    check_estimator(estimator)


def test_canonical_pairs():
    assert is_canonical("logistic", "log_loss")
    assert is_canonical("softmax", "log_loss")
    assert is_canonical("identity", "squared_error")
    assert not is_canonical("tanh", "squared_error")
    assert not is_canonical("logistic", "squared_error")


# --- initialisation (GUIDANCE M1, M3) ----------------------------------------------------
# Var(W) by scheme, typed from the guidance, not imported from the code under test.
INIT_FORMULAS = {
    "glorot_uniform": lambda fan_in, fan_out: 2 / (fan_in + fan_out),
    "glorot_normal": lambda fan_in, fan_out: 2 / (fan_in + fan_out),
    "he_uniform": lambda fan_in, fan_out: 2 / fan_in,
    "he_normal": lambda fan_in, fan_out: 2 / fan_in,
    "lecun_normal": lambda fan_in, fan_out: 1 / fan_in,
}


def _initial(model, n_features=120, n=30):
    X = np.random.default_rng(0).normal(size=(n, n_features))
    y = np.arange(n) % 2
    return at_initialisation(model, X, y)


@pytest.mark.parametrize("init", sorted(INIT_FORMULAS))
def test_initial_weights_have_the_schemes_variance_per_layer(init):
    # Wide layers with different fan_in and fan_out, so Glorot, He and LeCun differ.
    model = _initial(
        ActivationMLPClassifier(hidden_layer_sizes=(300, 60), init=init, random_state=0)
    )
    for W in model.coefs_:
        fan_in, fan_out = W.shape
        expected = INIT_FORMULAS[init](fan_in, fan_out)
        # Sampling error of a variance: sd = var * sqrt(2/n) (normal), sqrt(0.8/n) (uniform).
        sd = expected * np.sqrt((2.0 if "normal" in init else 0.8) / W.size)
        assert abs(W.var() - expected) < 5 * sd + 1e-12, (W.shape, W.var(), expected)
        assert abs(W.mean()) < 5 * np.sqrt(expected / W.size)
        if init.endswith("_uniform"):
            assert np.abs(W).max() <= np.sqrt(3 * expected)
        elif W.size > 1000:  # a normal's tails: weights beyond 2.5 sd (never in a uniform)
            assert np.abs(W).max() > 2.5 * np.sqrt(expected)
    # Biases as scikit-learn draws them: uniform within its Glorot bound.
    for W, b in zip(model.coefs_, model.intercepts_):
        assert np.abs(b).max() <= np.sqrt(6 / sum(W.shape))


def test_auto_init_is_scikit_learns_and_the_others_are_not():
    kw = dict(hidden_layer_sizes=(300, 60), activation="logistic", random_state=0)
    auto = _initial(ActivationMLPClassifier(**kw))
    stock = _initial(MLPClassifier(**kw))
    for a, b in zip(auto.coefs_ + auto.intercepts_, stock.coefs_ + stock.intercepts_):
        np.testing.assert_array_equal(a, b)
    # scikit-learn's smaller range for logistic units: Var = 2 / (3 (fan_in + fan_out)).
    fan_in, fan_out = auto.coefs_[0].shape
    assert auto.coefs_[0].var() == pytest.approx(2 / (3 * (fan_in + fan_out)), rel=0.05)
    glorot = _initial(ActivationMLPClassifier(**kw, init="glorot_uniform"))
    assert glorot.coefs_[0].var() == pytest.approx(2 / (fan_in + fan_out), rel=0.05)


@pytest.mark.parametrize("init", sorted(INIT_FORMULAS))
def test_every_init_is_reproducible_from_random_state(init):
    X, y = _toy("binary", n=60)
    fits = [
        ActivationMLPClassifier(
            hidden_layer_sizes=(6,), init=init, max_iter=20, random_state=seed
        ).fit(X, y)
        for seed in (3, 3, 4)
    ]
    np.testing.assert_array_equal(fits[0].coefs_[0], fits[1].coefs_[0])
    assert not np.array_equal(fits[0].coefs_[0], fits[2].coefs_[0])


def test_unknown_init_is_a_clear_error():
    X, y = _toy("binary")
    with pytest.raises(ValueError, match="init"):
        ActivationMLPClassifier(init="xavier").fit(X, y)
    assert clone(ActivationMLPRegressor(init="he_normal")).get_params()["init"] == "he_normal"


# --- drop-in cases scikit-learn handles -----------------------------------------------------
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("output_activation", ["auto", "softmax", "tanh"])
def test_a_single_class_target_trains_and_predicts_that_class(early_stopping, output_activation):
    X, _ = _toy("binary", n=40)
    y = np.full(40, "only")
    kw = dict(hidden_layer_sizes=(4,), early_stopping=early_stopping, max_iter=15, random_state=0)
    ours = ActivationMLPClassifier(**kw, output_activation=output_activation).fit(X, y)
    assert list(ours.predict(X[:5])) == ["only"] * 5
    assert ours.labels_from_outputs(ours._forward_pass_fast(X)).tolist() == ["only"] * 40
    if output_activation == "auto":
        stock = MLPClassifier(**kw).fit(X, y)
        np.testing.assert_array_equal(ours.predict(X), stock.predict(X))
        np.testing.assert_array_equal(ours.predict_proba(X), stock.predict_proba(X))
        assert ours.score(X, y) == stock.score(X, y) == 1.0
