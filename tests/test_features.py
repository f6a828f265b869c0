"""Input features beyond x1, x2 (core.features): what they compute, the models that
expand them, the config and link, the snippet, the neuron view, and the lesson they
exist for: with x1² and x2², identity activations separate the circle (G1)."""

import dataclasses

import numpy as np
import pytest
from sklearn.base import clone

from core.config import ConfigError, TrainConfig
from core.diagnostics import gradient_norms
from core.feature_mlp import FeatureMLPClassifier
from core.features import expand, usable
from core.network_view import TILE, palette_value, unit_pictures
from core.snippet import code_snippet
from core.training import build_estimator, make_grid, train
from tests.apptest_utils import chart_in, keyed_block, open_page, shown_code

CIRCLE = TrainConfig(dataset="circle", activation="identity", epochs=200)
SQUARES = CIRCLE.replace(inputs=("x1^2", "x2^2"))


def test_inputs_compute_what_they_say():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    names = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    a, b = X[:, 0], X[:, 1]
    expected = np.column_stack([a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)])
    np.testing.assert_allclose(expand(X, names), expected)
    assert usable(names, 1) == ("x1", "x1^2", "sin(x1)")  # no x2 on one-feature data
    assert usable(names, 4) == ()  # a wide table keeps its own features


def test_identity_activations_separate_the_circle_only_with_squared_inputs():
    linear = train(CIRCLE).history.test_score.iloc[-1]
    squares = train(SQUARES).history.test_score.iloc[-1]
    assert linear < 0.7  # a linear model cannot draw a circle (G1)
    assert squares > 0.95


def test_a_model_with_extra_inputs_takes_the_raw_features():
    data_config = SQUARES.replace(inputs=("x1", "x2", "x1*x2"), epochs=20)
    result = train(data_config)
    model, data = result.model.estimator(), result.dataset
    assert isinstance(model, FeatureMLPClassifier)
    assert model.n_features_in_ == 2 and model.coefs_[0].shape[0] == 3
    assert model.predict(data.X_test).shape == (len(data.X_test),)
    copy = clone(model)
    assert copy.get_params() == model.get_params()  # every setting, inputs included
    assert copy.activation == "identity" and copy.inputs == ("x1", "x2", "x1*x2")
    assert len(gradient_norms(model, data.X_train, data.y_train)) == 3
    # Default inputs keep the engine's own class (bit-identical to scikit-learn).
    assert type(build_estimator(TrainConfig(), "binary")).__name__ == "ActivationMLPClassifier"


def test_inputs_travel_in_the_link_and_are_checked():
    query = SQUARES.to_query()
    assert query["inputs"] == "x1^2,x2^2"
    assert TrainConfig.from_query(query, strict=True)[0] == SQUARES
    with pytest.raises(ConfigError) as bad:
        TrainConfig.from_query({"inputs": "x3"}, strict=True)
    assert bad.value.field == "inputs"
    with pytest.raises(ConfigError, match="one feature"):
        TrainConfig(dataset="sine", inputs=("x2", "x1*x2"))
    sine = TrainConfig(dataset="sine", inputs=("x1", "x2", "sin(x1)"), epochs=5)
    assert train(sine).model.coefs_[0].shape[0] == 2  # x2 left out


def test_the_snippet_reproduces_a_run_with_extra_inputs():
    code = code_snippet(SQUARES)
    assert "from core.feature_mlp import FeatureMLPClassifier" in code
    assert "inputs=('x1^2', 'x2^2')" in code and "activation='identity'" in code
    printed = []
    exec(code, {"print": lambda *args: printed.append(args)})
    expected = train(SQUARES).model.estimator().score(*_test_split(SQUARES))
    assert printed == [("test accuracy:", pytest.approx(expected))]


def _test_split(config):
    from core.training import dataset_for

    data = dataset_for(config)
    return data.X_test, data.y_test


def test_the_first_column_of_the_diagram_shows_the_inputs():
    result = train(SQUARES.replace(epochs=20), network_view=True)
    frame = result.network_frames[-1]
    assert frame.input_names == ("x1²", "x2²")
    grid = make_grid(result.dataset, TILE)
    x1_squared = (grid.points[:, 0] ** 2).reshape(TILE, TILE)[::-1]
    picture = palette_value(unit_pictures(frame, 0)[0])
    scale = frame.layers[0].scale[0]
    np.testing.assert_allclose(picture, x1_squared / scale, atol=1 / 15 + 1e-9)


def test_the_playground_trains_with_inputs_chosen_in_its_control():
    at = open_page("pages/1_Playground.py", query={"dataset": "circle", "activation": "identity"})
    at.multiselect(key="w.inputs").unselect("x1").unselect("x2").select("x1^2").select("x2^2")
    at.run()
    assert at.session_state["config"].inputs == ("x1^2", "x2^2")
    at.button(key="train").click().run()
    assert not at.exception
    units = chart_in(at, "neuron_view")["datasets"]["net_units"]
    assert [u["label"] for u in units if u["label"]] == ["x1²", "x2²"]
    assert float(at.metric[0].value.rstrip("%")) > 95
    code = " ".join(shown_code(at))
    assert "inputs=('x1^2', 'x2^2')" in code
    assert keyed_block(at, "neuron_view")


def test_inputs_field_is_declared_once():
    (field,) = [f for f in dataclasses.fields(TrainConfig) if f.name == "inputs"]
    assert field.metadata["choices"] == tuple(
        ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    )
